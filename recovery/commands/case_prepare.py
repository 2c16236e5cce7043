"""`recovery case prepare` and `case execute`: the unsigned recovery for an offline or HSM signer, and the
signed (or broadcast) transaction held against it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from recovery.commands.case import IdArg, app, service, show_case
from recovery.commands.common import JsonOpt, emit_json, err, out, state
from recovery.errors import BadInput

if TYPE_CHECKING:
    from recovery.case_prepare import Prepared


@app.command("prepare")
def prepare(
    ctx: typer.Context, case_id: IdArg,
    to: Annotated[str | None, typer.Option("--to", help="Destination: a hot wallet of the network or the case's "
                                                        "payout address (default: the first hot wallet).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Also write the JSON document to this "
                                                                       "file, for the signer.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Build the unsigned recovery from the case and the node, store it and print it for the signer (wallet)."""
    svc = service(ctx)
    prepared = svc.prepare(case_id, state(ctx).actor, to=to)
    doc = prepared.as_json()
    if output is not None:
        _write(output, doc)
    if json_:
        emit_json(doc)
        return
    _print(prepared, output)


def _write(path: Path, doc: dict[str, Any]) -> None:
    import json

    from recovery.commands.common import _default

    try:
        path.write_text(json.dumps(doc, indent=2, default=_default) + "\n")
    except OSError as exc:
        raise BadInput(f"-o {path}: cannot write it ({exc.strerror})") from None


def _print(prepared: Prepared, output: Path | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = out()
    say = "unchanged (the node gave the same payloads)" if prepared.unchanged else "prepared"
    err().print(f"case {prepared.case_id}: recovery {say}; digest {prepared.digest}"
                + (f"; written to {output}" if output else ""), markup=False, highlight=False)
    for i, tx in enumerate(prepared.transactions, 1):
        t = Table(title=f"{i}. {tx.purpose} on {tx.network}: sign this", show_header=False, title_justify="left")
        t.add_column(style="bold")
        t.add_column(overflow="fold")
        for key, value in (("from", tx.from_address), ("to", tx.to_address), ("asset", tx.asset),
                           ("amount (base units)", str(tx.amount_base)), ("unsigned_tx", tx.unsigned_tx),
                           *((f"fields.{k}", str(v)) for k, v in tx.fields.items())):
            t.add_row(escape(key), escape(value))
        con.print(t)
    con.print(f"digest {prepared.digest}: every approver sees it; security approves it.", highlight=False)
    if len(prepared.transactions) > 1:
        con.print("Sign and send them in this order: the deposit address needs the top-up's coin for its gas.",
                  highlight=False)
    con.print(f"next: recovery case execute {prepared.case_id} --signed-tx HEX [--signed-tx HEX] --broadcast",
              highlight=False, markup=False)


@app.command("execute")
def execute(
    ctx: typer.Context, case_id: IdArg,
    recovery_tx: Annotated[str | None, typer.Option("--recovery-tx", help="Hash of the recovery transaction, "
                                                                         "already broadcast.")] = None,
    signed_tx: Annotated[list[str] | None, typer.Option(
        "--signed-tx", help="A signed prepared transaction, hex; once per transaction, in signing order.")] = None,
    broadcast: Annotated[bool, typer.Option("--broadcast", help="Send the signed transactions to the network "
                                                                "(else they must be on chain already).")] = False,
    wait: Annotated[int, typer.Option("--wait", min=0, max=86_400, help="Seconds to wait for the network's "
                                                                       "confirmations.")] = 900,
    json_: JsonOpt = False,
) -> None:
    """Record the recovery transaction, verified on chain against the case, its quote and the prepared
    transaction (wallet); with --signed-tx, checked before it is broadcast."""
    if (recovery_tx is None) == (not signed_tx):
        raise BadInput("give either --recovery-tx HASH or --signed-tx HEX")
    if broadcast and not signed_tx:
        raise BadInput("--broadcast sends signed transactions: give them with --signed-tx HEX")
    svc = service(ctx)
    if signed_tx:
        case = svc.execute_signed(case_id, state(ctx).actor, signed_tx, broadcast=broadcast, wait_seconds=wait)
    else:
        case = svc.execute(case_id, state(ctx).actor, recovery_tx or "")
    note = f"case {case_id} is {case.status}"
    if case.status != "executed":
        note += ": the top-up is recorded; give the signed recovery next"
    show_case(ctx, svc, case_id, json_, note)
