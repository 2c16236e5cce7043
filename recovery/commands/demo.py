"""`recovery demo`: the whole job on a local devnet, with nothing to configure."""

from pathlib import Path
from typing import Annotated

import typer


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the scenario files and the SQLite database.")]
    = Path("demo-out"),
    keep: Annotated[bool, typer.Option("--keep", help="Leave the nodes running to try commands by hand.")] = False,
) -> None:
    """Start two Anvil nodes, seed a claim of every EVM outcome, import reference data, verify them all."""
    from recovery.demo import run_demo
    from recovery.screen import console

    misses = run_demo(out_dir, console(), keep=keep)
    if misses:
        raise typer.Exit(1)
