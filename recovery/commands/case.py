"""`recovery case ...`: open, verify, quote, approve, execute, credit and close claims."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from recovery.commands.common import JsonOpt, NetworkOpt, TxOpt, decimal_arg, emit_json, err, out, state
from recovery.commands.letters import LangOpt, emit_letter, user_language
from recovery.errors import BadInput

if TYPE_CHECKING:
    from recovery.cases import CaseService

app = typer.Typer(no_args_is_help=True, help="Cases: one per claim, from open to closed.")

IdArg = Annotated[int, typer.Argument(help="Case id.", metavar="ID", min=1, max=2**31 - 1)]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit log).")]
RoleOpt = Annotated[str, typer.Option("--role", help="wallet, clearing or security.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Full values in the table, however wide it gets "
                                                      "(else hashes and links print whole under it).")]


def service(ctx: typer.Context) -> CaseService:
    """The case service on this invocation's database, fee policy and endpoints."""
    from recovery.cases import CaseService
    from recovery.fees import load_policy

    st = state(ctx)
    cfg = st.config
    high = decimal_arg(cfg.high_value_usd, "[approvals] high_value_usd") if cfg.high_value_usd else None
    return CaseService(st.engine(), policy=load_policy(cfg.fee_policy), high_value_usd=high,
                       config_rpc=cfg.rpc, hot_wallets=cfg.hot_wallets, conditions_file=cfg.conditions_file)


def show_case(ctx: typer.Context, svc: CaseService, case_id: int, json_: bool, note: str | None = None) -> None:
    """Print the case as JSON or as a panel."""
    from recovery.case_views import case_json

    with svc.session() as s:
        case = svc.case(s, case_id)
        doc = case_json(s, case, svc.needed(s, case), conditions=svc.conditions(s, case))
    if json_:
        emit_json(doc)
        return
    from recovery.commands.case_render import case_panel

    if note:
        err().print(note, markup=False, highlight=False)
    out().print(case_panel(doc))


@app.command("open")
def open_case(
    ctx: typer.Context, network: NetworkOpt, tx: TxOpt,
    user: Annotated[str, typer.Option("--user", help="The claimant's user id.")],
    asset: Annotated[str | None, typer.Option("--asset", help="Asset the user says they sent.")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Amount the user says they sent.")] = None,
    memo: Annotated[str | None, typer.Option("--memo", help="Memo/tag the user says they used.")] = None,
    payout_address: Annotated[str | None, typer.Option(
        "--payout-address", help="The user's own address on the network: a recovery may be sent there.")] = None,
    reopen_of: Annotated[int | None, typer.Option(
        "--reopen-of", help="Open a second case of a deposit whose case ID is final, on purpose.")] = None,
    reason: ReasonOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Open a case for a claim (agent); one case per deposit unless --reopen-of names the earlier one."""
    svc = service(ctx)
    case = svc.open(state(ctx).actor, network=network, tx_hash=tx, user_id=user, asset=asset,
                    amount=decimal_arg(amount, "--amount"), memo=memo, payout_address=payout_address,
                    reopen_of=reopen_of, reason=reason)
    show_case(ctx, svc, case.id, json_, f"opened case {case.id}")  # type: ignore[arg-type]


@app.command("show")
def show(ctx: typer.Context, case_id: IdArg, json_: JsonOpt = False) -> None:
    """Show a case: facts, quote, approvals, what may happen next."""
    show_case(ctx, service(ctx), case_id, json_)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="Only cases in this state.")] = None,
    network: Annotated[str | None, typer.Option("--network", "-n", help="Only this network.")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="Only this triage outcome.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's cases.")] = None,
    older_than: Annotated[str | None, typer.Option("--older-than", help="Opened at least this long ago "
                                                                        "(30m, 12h, 3d, 2w).")] = None,
    newer_than: Annotated[str | None, typer.Option("--newer-than", help="Opened at most this long ago.")] = None,
    wide: WideOpt = False,
    json_: JsonOpt = False,
) -> None:
    """List cases, longest waiting first, with how long each has waited."""
    from recovery.case_views import case_json, human, parse_duration
    from recovery.cases import list_cases
    from recovery.commands.common import choice
    from recovery.triage import Outcome
    from recovery.workflow import CaseStatus

    choice(status, CaseStatus.__members__, "--status")
    choice(outcome, [o.value for o in Outcome], "--outcome")
    if network is not None:
        from chains.networks import get_network
        network = get_network(network).id
    if user is not None and not user.strip():
        raise BadInput("--user must not be empty")
    older = parse_duration(older_than, "--older-than") if older_than else None
    newer = parse_duration(newer_than, "--newer-than") if newer_than else None
    svc = service(ctx)
    with svc.session() as s:
        docs = [case_json(s, c) for c in list_cases(s, status=status, network=network, outcome=outcome,
                                                    user=user, older_than=older, newer_than=newer)]
    if json_:
        emit_json(docs)
        return
    from datetime import timedelta

    from rich.markup import escape

    from recovery import money, screen

    con = screen.console(wide)
    # under 120 columns, two facts share a cell (one a line) so that every value keeps its words whole
    narrow = not wide and con.width < 120
    heads = (["id", "status / outcome", "network / user", "amount", "opened by", "age / waiting"] if narrow else
             ["id", "status", "network", "user", "outcome", "amount", "opened by", "age", "waiting"])
    table = screen.table(f"Cases ({len(docs)})", heads, right=("id", "amount"), wide=wide,
                         whole=("status", "outcome", "status / outcome", "age", "waiting", "age / waiting"))
    for d in docs:
        amount = money.amount(d["amount"], d["symbol"] or "", d["decimals"]) if d["amount"] is not None else ""
        waiting = "" if d["waiting_seconds"] is None else human(timedelta(seconds=d["waiting_seconds"]))
        age = human(timedelta(seconds=d["age_seconds"]))
        cells = [escape(v) for v in (
            d["status"], d["outcome"] or "", d["network"], d["user_id"], amount, d["opened_by"])]
        if narrow:
            table.add_row(str(d["id"]), f"{cells[0]}\n{cells[1]}", f"{cells[2]}\n{cells[3]}", cells[4], cells[5],
                          f"{age}\n{waiting}".rstrip())
        else:
            table.add_row(str(d["id"]), cells[0], cells[2], cells[3], cells[1], cells[4], cells[5], age, waiting)
    con.print(table)


def _detail(key: str, value: object) -> str:
    """One audit detail as `key=value`; a dict as `a 1, b 2`."""
    if isinstance(value, dict):
        return f"{key}: " + ", ".join(f"{k} {v}" for k, v in value.items())
    return f"{key}={value}"


@app.command("history")
def history(ctx: typer.Context, case_id: IdArg, wide: WideOpt = False, json_: JsonOpt = False) -> None:
    """The audit rows of a case, oldest first."""
    import json

    from recovery.audit import history as rows_of

    svc = service(ctx)
    with svc.session() as s:
        svc.case(s, case_id)
        rows = [{"seq": r.seq, "at": r.at, "actor": r.actor, "event": r.event, "from_status": r.from_status,
                 "to_status": r.to_status, "data": json.loads(r.data), "hash": r.hash}
                for r in rows_of(s, case_id)]
    if json_:
        emit_json(rows)
        return
    from recovery import screen

    notes = screen.Notes(wide)
    table = screen.table(f"Case {case_id}: history", ["#", "at (UTC) / by", "event / to", "details"], wide=wide,
                         main="details")
    for r in rows:
        details = "; ".join(_detail(k, v) for k, v in r["data"].items() if v not in (None, "", [], {})
                            and k != "quote")
        sep = " " if wide else "\n"
        move = f"{sep}→ {r['to_status']}" if r["to_status"] and r["from_status"] != r["to_status"] else ""
        table.add_row(str(r["seq"]), f"{r['at']:%Y-%m-%d}{sep}{r['at']:%H:%M:%S}{sep}" + notes.cut(r["actor"]),
                      notes.cut(r["event"] + move), notes.cut(details, f"#{r['seq']} "))
    con = screen.console(wide)
    con.print(table)
    notes.print(con)


@app.command("verify")
def verify(ctx: typer.Context, case_id: IdArg, json_: JsonOpt = False) -> None:
    """Verify the case's transaction on chain; changed facts void approvals and the quote (agent)."""
    svc = service(ctx)
    case = svc.verify(case_id, state(ctx).actor)
    show_case(ctx, svc, case_id, json_, f"case {case_id} is {case.status}: {case.reason or ''}")


@app.command("payout")
def payout(
    ctx: typer.Context, case_id: IdArg,
    address: Annotated[str, typer.Argument(help="The user's own address on the case's network.", metavar="ADDRESS")],
    json_: JsonOpt = False,
) -> None:
    """Record the user's payout address, a destination `case execute` accepts (agent, before acceptance)."""
    svc = service(ctx)
    case = svc.set_payout(case_id, state(ctx).actor, address)
    show_case(ctx, svc, case_id, json_, f"case {case_id}: payout address {case.payout_address} recorded")


@app.command("value")
def value(
    ctx: typer.Context, case_id: IdArg,
    usd_price: Annotated[str, typer.Option("--usd-price", help="USD price of one unit of the asset.")],
    json_: JsonOpt = False,
) -> None:
    """Enter a USD valuation for the case's asset when none was imported (clearing)."""
    svc = service(ctx)
    svc.value(case_id, state(ctx).actor, decimal_arg(usd_price, "--usd-price"))  # type: ignore[arg-type]
    show_case(ctx, svc, case_id, json_, f"case {case_id}: valuation of {usd_price} USD recorded")


@app.command("quote")
def quote(
    ctx: typer.Context, case_id: IdArg,
    message: Annotated[bool, typer.Option("--message", help="Print the message for the user.")] = False,
    lang: LangOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Issue the case's fee quote (agent); with --message, the message for the user (in --lang)."""
    from recovery.quotes import is_current, quote_json

    svc = service(ctx)
    actor = state(ctx).actor
    if message:
        from recovery.case_models import Quote
        from recovery.messages import quote_letter

        language = user_language(lang)
        with svc.session() as s:
            case = svc.case(s, case_id)
            q = s.get(Quote, case.quote_id) if case.quote_id else None
        if not is_current(q):
            case, q = svc.quote(case_id, actor)
        assert q is not None
        letter = quote_letter(q, user_id=case.user_id, outcome=case.outcome, lang=language)
        emit_letter(letter.text, json_, {"case_id": case_id, "quote": quote_json(q), "kind": letter.kind,
                                         "lang": language})
        return
    if lang is not None:
        raise BadInput("--lang is the language of the message: give it with --message")
    case, q = svc.quote(case_id, actor)
    if json_:
        emit_json(quote_json(q))
        return
    from recovery.commands.case_render import quote_panel

    out().print(quote_panel(quote_json(q), title=f"Case {case_id}: quote"))


def _move(ctx: typer.Context, case_id: int, event: str, reason: str | None, json_: bool) -> None:
    svc = service(ctx)
    case = svc.move(case_id, state(ctx).actor, event, reason)
    show_case(ctx, svc, case_id, json_, f"case {case_id} is {case.status}")


@app.command("accept")
def accept(ctx: typer.Context, case_id: IdArg, json_: JsonOpt = False) -> None:
    """The user accepted the quote: the case awaits approvals (agent)."""
    svc = service(ctx)
    case = svc.accept(case_id, state(ctx).actor)
    show_case(ctx, svc, case_id, json_, f"case {case_id} is {case.status}")


@app.command("defer")
def defer(
    ctx: typer.Context, case_id: IdArg, reason: ReasonOpt = None,
    message: Annotated[bool, typer.Option("--message", help="Print the message for the user: why the claim "
                                                            "waits and why waiting may cost less.")] = False,
    lang: LangOpt = None, json_: JsonOpt = False,
) -> None:
    """The user waits for network support (agent); with --message, the message for the user (in --lang)."""
    if not message:
        if lang is not None:
            raise BadInput("--lang is the language of the message: give it with --message")
        _move(ctx, case_id, "defer", reason, json_)
        return
    from recovery.case_models import Quote
    from recovery.messages import deferred_letter

    language = user_language(lang)
    svc = service(ctx)
    case = svc.move(case_id, state(ctx).actor, "defer", reason)
    with svc.session() as s:
        q = s.get(Quote, case.quote_id) if case.quote_id else None
    assert q is not None   # a case is deferred from `quoted` only
    err().print(f"case {case_id} is {case.status}", markup=False, highlight=False)
    letter = deferred_letter(q, user_id=case.user_id, outcome=case.outcome, lang=language)
    emit_letter(letter.text, json_, {"case_id": case_id, "status": case.status, "kind": letter.kind,
                                     "lang": language})


@app.command("reopen")
def reopen(ctx: typer.Context, case_id: IdArg, reason: ReasonOpt = None, json_: JsonOpt = False) -> None:
    """Reopen a deferred case (agent)."""
    _move(ctx, case_id, "reopen", reason, json_)


@app.command("decline")
def decline(ctx: typer.Context, case_id: IdArg, reason: ReasonOpt = None, json_: JsonOpt = False) -> None:
    """The user declined the quote (agent)."""
    _move(ctx, case_id, "decline", reason, json_)


@app.command("cancel")
def cancel(ctx: typer.Context, case_id: IdArg, reason: ReasonOpt = None, json_: JsonOpt = False) -> None:
    """Cancel a case in any state that is not final (agent); the audit log keeps its history."""
    _move(ctx, case_id, "cancel", reason, json_)


@app.command("close")
def close(ctx: typer.Context, case_id: IdArg, reason: ReasonOpt = None, json_: JsonOpt = False) -> None:
    """Close a credited case (agent)."""
    _move(ctx, case_id, "close", reason, json_)


@app.command("approve")
def approve(ctx: typer.Context, case_id: IdArg, role: RoleOpt, json_: JsonOpt = False) -> None:
    """Approve as wallet, clearing or security; the last approval needed approves the case."""
    svc = service(ctx)
    case = svc.approve(case_id, state(ctx).actor, role)
    show_case(ctx, svc, case_id, json_, f"case {case_id}: {role} approval recorded; the case is {case.status}")


@app.command("reject")
def reject(ctx: typer.Context, case_id: IdArg, role: RoleOpt, reason: ReasonOpt = None,
           json_: JsonOpt = False) -> None:
    """Reject as wallet, clearing or security, with a reason."""
    svc = service(ctx)
    case = svc.reject(case_id, state(ctx).actor, role, reason)
    show_case(ctx, svc, case_id, json_, f"case {case_id} is {case.status}")


@app.command("credit")
def credit(
    ctx: typer.Context, case_id: IdArg,
    ledger_ref: Annotated[str, typer.Option("--ledger-ref", help="Reference of the ledger entry.")],
    json_: JsonOpt = False,
) -> None:
    """Record that the user was credited (clearing)."""
    svc = service(ctx)
    case = svc.credit(case_id, state(ctx).actor, ledger_ref)
    show_case(ctx, svc, case_id, json_, f"case {case_id} is {case.status}")


from recovery.commands.case_confirm import confirm  # noqa: E402  (the command has a module of its own)

app.command("confirm")(confirm)


@app.command("move-network")
def move_network(
    ctx: typer.Context, case_id: IdArg,
    network: Annotated[str, typer.Argument(help="The network the transaction was found on.", metavar="NETWORK")],
    json_: JsonOpt = False,
) -> None:
    """Carry a not-found claim to the network its hash was found on: a case there, verified (agent, audited)."""
    from recovery.case_moves import move_network as move

    svc = service(ctx)
    old, new = move(svc, case_id, state(ctx).actor, network)
    show_case(ctx, svc, new.id, json_, f"case {case_id} ({old.status}) moved to case {new.id} on "  # type: ignore[arg-type]
              f"{new.network}: {new.status}")


from recovery.commands import case_prepare  # noqa: E402, F401  (registers `prepare` and `execute` on this app)
