"""`recovery audit verify`: walk the hash chain of the audit log."""

import typer

from recovery.commands.common import JsonOpt, emit_json, err, state
from recovery.errors import Refused

app = typer.Typer(no_args_is_help=True, help="The append-only, hash-chained audit log.")


@app.callback()
def _group() -> None:
    """The append-only, hash-chained audit log."""


@app.command("verify")
def verify(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Recompute the chain; exit 1 naming the first row altered or removed."""
    from recovery.audit import verify_chain
    from recovery.db import session_scope

    with session_scope(state(ctx).engine()) as s:
        check = verify_chain(s)
    if json_:
        emit_json(check.to_json())
        if not check.ok:
            raise typer.Exit(1)
        return
    if not check.ok:
        raise Refused(f"audit log broken at row {check.broken_seq}: {check.problem}")
    err().print(f"audit log intact: {check.rows} rows, hash chain verified")
