"""`recovery audit verify|checkpoint`: check the keyed chain of the audit log, and print a checkpoint."""

from typing import Annotated

import typer

from recovery.commands.common import JsonOpt, emit_json, err, out, state
from recovery.errors import Refused

app = typer.Typer(no_args_is_help=True, help="The append-only, keyed (HMAC) audit log.")


@app.callback()
def _group() -> None:
    """The append-only, keyed (HMAC) audit log."""


@app.command("verify")
def verify(
    ctx: typer.Context,
    expect: Annotated[str | None, typer.Option("--expect", metavar="SEQ:HASH", help="A checkpoint kept elsewhere "
                                               "(`recovery audit checkpoint`): that row must still be there.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Recompute the chain with the audit key and check each case against its rows; exit 1 naming the first row
    altered, forged or removed, or each case that disagrees."""
    from recovery.audit import parse_checkpoint, verify_chain
    from recovery.db import session_scope

    checkpoint = parse_checkpoint(expect) if expect is not None else None
    with session_scope(state(ctx).engine()) as s:
        check = verify_chain(s, checkpoint)
    if json_:
        emit_json(check.to_json())
        if not check.ok:
            raise typer.Exit(1)
        return
    if not check.ok:
        console = err()
        for _, problem in check.cases:
            console.print(f"case mismatch: {problem}", markup=False, highlight=False)
        where = f" at row {check.broken_seq}" if check.broken_seq is not None else ""
        raise Refused(f"audit log broken{where}: {check.problem}")
    note = f"; {check.unkeyed_rows} early rows predate the audit key (plain SHA-256)" if check.unkeyed_rows else ""
    against = f", checkpoint {expect} found" if expect else ""
    err().print(f"audit log intact: {check.rows} rows, keyed chain verified, every case matches its rows"
                f"{against}{note}", markup=False, highlight=False)


@app.command("checkpoint")
def checkpoint(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Print SEQ:HASH of the last row of an intact log: keep it elsewhere, check later with `verify --expect`."""
    from recovery.audit import verify_chain
    from recovery.db import session_scope

    with session_scope(state(ctx).engine()) as s:
        check = verify_chain(s)
    if not check.ok:
        raise Refused(f"no checkpoint: the audit log is broken ({check.problem}); run `recovery audit verify`")
    if json_:
        seq, digest = (check.head or "0:").split(":")
        emit_json({"seq": int(seq), "hash": digest, "checkpoint": check.head})
        return
    out().print(check.head, markup=False, highlight=False)
