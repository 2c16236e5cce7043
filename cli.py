"""The `recovery` command line: wiring only; each group lives in recovery/commands/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recovery.commands import actors, audit, case, common, db, demo, networks, quote, reference, verify

app = typer.Typer(
    name="recovery",
    help="Verify, triage and recover mis-sent deposits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    as_: Annotated[str | None, typer.Option("--as", envvar="RECOVERY_ACTOR",
                                            help="The acting agent (env RECOVERY_ACTOR).")] = None,
    config: Annotated[Path | None, typer.Option("--config", envvar="RECOVERY_CONFIG",
                                                help="Config file (TOML).")] = None,
) -> None:
    ctx.obj = common.State(actor=as_, config_path=config)


app.add_typer(networks.app, name="networks")
app.add_typer(db.app, name="db")
app.command("import")(reference.import_reference)
app.command("verify")(verify.verify)
app.command("demo")(demo.demo)
app.add_typer(case.app, name="case")
app.add_typer(actors.app, name="actors")
app.add_typer(audit.app, name="audit")
app.command("quote")(quote.quote)


def main() -> None:
    """Console-script entry point."""
    common.run(app)


if __name__ == "__main__":
    main()
