"""`recovery case confirm ID --condition NAME`: a person confirms a recovery condition of a case."""

from __future__ import annotations

from typing import Annotated

import typer

from recovery.commands.common import JsonOpt, state

IdArg = Annotated[int, typer.Argument(help="Case id.", metavar="ID", min=1, max=2**31 - 1)]


def confirm(
    ctx: typer.Context, case_id: IdArg,
    condition: Annotated[str, typer.Option("--condition", help="The condition's name (its kind, as `case show` "
                                                               "lists it), e.g. claimant_proves_sender.")],
    note: Annotated[str | None, typer.Option("--note", help="What was checked (kept in the audit log).")] = None,
    json_: JsonOpt = False,
) -> None:
    """Confirm a recovery condition of a conditional network's case (the role the condition names; audited)."""
    from recovery.case_confirm import confirm as run
    from recovery.commands.case import service, show_case

    svc = service(ctx)
    done = run(svc, case_id, state(ctx).actor, condition, note)
    show_case(ctx, svc, case_id, json_, f"case {case_id}: {done.kind} {done.reason}")
