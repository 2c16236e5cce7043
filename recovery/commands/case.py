"""`recovery case ...`: open, verify, quote, approve, execute, credit and close claims."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from recovery.commands.common import JsonOpt, NetworkOpt, TxOpt, decimal_arg, emit_json, err, out, state
from recovery.errors import BadInput

if TYPE_CHECKING:
    from recovery.cases import CaseService

app = typer.Typer(no_args_is_help=True, help="Cases: one per claim, from open to closed.")

IdArg = Annotated[int, typer.Argument(help="Case id.", metavar="ID", min=1, max=2**31 - 1)]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit log).")]
RoleOpt = Annotated[str, typer.Option("--role", help="wallet, clearing or security.")]


def service(ctx: typer.Context) -> CaseService:
    """The case service on this invocation's database, fee policy and endpoints."""
    from recovery.cases import CaseService
    from recovery.fees import load_policy

    st = state(ctx)
    cfg = st.config
    high = decimal_arg(cfg.high_value_usd, "[approvals] high_value_usd") if cfg.high_value_usd else None
    return CaseService(st.engine(), policy=load_policy(cfg.fee_policy), high_value_usd=high,
                       config_rpc=cfg.rpc, hot_wallets=cfg.hot_wallets)


def show_case(ctx: typer.Context, svc: CaseService, case_id: int, json_: bool, note: str | None = None) -> None:
    """Print the case as JSON or as a panel."""
    from recovery.case_views import case_json

    with svc.session() as s:
        case = svc.case(s, case_id)
        doc = case_json(s, case, svc.needed(s, case))
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

    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Cases ({len(docs)})", header_style="bold")
    for col in ("id", "status", "network", "user", "outcome", "amount", "opened by", "age", "waiting"):
        table.add_column(col, justify="right" if col in ("id", "amount") else "left")
    for d in docs:
        amount = f"{d['amount']:f}" if d["amount"] is not None else ""
        table.add_row(str(d["id"]), *(Text(v) for v in (d["status"], d["network"], d["user_id"], d["outcome"] or "",
                                                         amount, d["opened_by"])),
                      human(timedelta(seconds=d["age_seconds"])), human(timedelta(seconds=d["waiting_seconds"])))
    out().print(table)


@app.command("history")
def history(ctx: typer.Context, case_id: IdArg, json_: JsonOpt = False) -> None:
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
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Case {case_id}: history", header_style="bold")
    for col in ("#", "at (UTC)", "actor", "event", "from", "to", "details"):
        table.add_column(col)
    for r in rows:
        details = ", ".join(f"{k}={v}" for k, v in r["data"].items() if v not in (None, "", [], {})
                            and k != "quote")
        table.add_row(str(r["seq"]), f"{r['at']:%Y-%m-%d %H:%M:%S}", *(Text(v) for v in (
            r["actor"], r["event"], r["from_status"] or "", r["to_status"] or "", details[:120])))
    out().print(table)


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
    json_: JsonOpt = False,
) -> None:
    """Issue the case's fee quote (agent); with --message, the message for the user."""
    from recovery.quotes import is_current, quote_json, quote_message

    svc = service(ctx)
    actor = state(ctx).actor
    if message:
        from recovery.case_models import Quote

        with svc.session() as s:
            case = svc.case(s, case_id)
            q = s.get(Quote, case.quote_id) if case.quote_id else None
        if not is_current(q):
            case, q = svc.quote(case_id, actor)
        assert q is not None
        text = quote_message(q, user_id=case.user_id, outcome=case.outcome)
        if json_:
            emit_json({"case_id": case_id, "quote": quote_json(q), "message": text})
        else:
            out().print(text, markup=False, highlight=False)
        return
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
def defer(ctx: typer.Context, case_id: IdArg, reason: ReasonOpt = None, json_: JsonOpt = False) -> None:
    """The user waits for network support (agent)."""
    _move(ctx, case_id, "defer", reason, json_)


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


@app.command("execute")
def execute(
    ctx: typer.Context, case_id: IdArg,
    recovery_tx: Annotated[str, typer.Option("--recovery-tx", help="Hash of the recovery transaction.")],
    json_: JsonOpt = False,
) -> None:
    """Record the recovery transaction, verified on chain against the case and its quote (wallet)."""
    svc = service(ctx)
    case = svc.execute(case_id, state(ctx).actor, recovery_tx)
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
