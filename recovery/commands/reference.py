"""`recovery import addresses|assets|credits|prices FILE`: load the exchange's reference data."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from recovery.commands.common import JsonOpt, emit_json, err, state


class Kind(StrEnum):
    """Which reference table a file feeds."""

    addresses = "addresses"
    assets = "assets"
    credits = "credits"
    prices = "prices"


def import_reference(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="addresses | assets | credits | prices")],
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file with the design's columns.")],
    json_: JsonOpt = False,
) -> None:
    """Import reference data; bad rows are reported by line (exit 2) and the good rows still land."""
    from rich.markup import escape

    from recovery.reference_import import import_file

    report = import_file(state(ctx).engine(), kind.value, file)
    console = err()
    for line, message in report.errors:
        console.print(f"[red]{escape(str(file))}:{line}[/]: {escape(message)}", highlight=False)
    if json_:
        emit_json(report.to_json())
    else:
        console.print(f"{kind.value}: {report.written} of {report.read} rows imported"
                      + (f", {len(report.errors)} rejected" if report.errors else ""))
    if report.errors:
        raise typer.Exit(2)
