"""The `recovery` command line: wiring only; each group lives in recovery/commands/.

Only the group named on the command line is imported and registered (all of them for `--help`), so a
command pays for its own imports alone. Typer's rich help is off by default for the same reason
(`TYPER_USE_RICH=1` turns it back on); the commands' own tables and panels still use rich.
"""

import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Annotated

os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # noqa: E402

from recovery.commands import common  # noqa: E402

app = typer.Typer(
    name="recovery",
    help="Verify, triage and recover mis-sent deposits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# name -> (module in recovery/commands, attribute, "group" for a sub-app or "command" for one command)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "networks": ("networks", "app", "group"),
    "verify": ("verify", "verify", "command"),
    "import": ("reference", "import_reference", "command"),
    "case": ("case", "app", "group"),
    "batch": ("batch", "app", "group"),
    "quote": ("quote", "quote", "command"),
    "actors": ("actors", "app", "group"),
    "audit": ("audit", "app", "group"),
    "db": ("db", "app", "group"),
    "demo": ("demo", "demo", "command"),
    "report": ("report", "report", "command"),
}
GLOBAL_OPTIONS_WITH_VALUE = ("--as", "--config")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"recovery {version('recovery')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            typer.echo("recovery (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    as_: Annotated[str | None, typer.Option("--as", envvar="RECOVERY_ACTOR",
                                            help="The acting agent (env RECOVERY_ACTOR); may also follow "
                                                 "the command.")] = None,
    config: Annotated[Path | None, typer.Option("--config", envvar="RECOVERY_CONFIG",
                                                help="Config file (TOML).")] = None,
    traceback: Annotated[bool, typer.Option("--traceback", help="Show the full traceback of an error "
                                                                "(env RECOVERY_TRACEBACK=1).")] = False,
    _: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                    help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = common.State(actor=as_, config_path=config, traceback=traceback)


def _named(argv: list[str]) -> str | None:
    """The command named on the command line, skipping global options and their values."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def register(names: list[str]) -> None:
    """Import and add these commands to the app."""
    for name in names:
        module, attr, kind = COMMANDS[name]
        target = getattr(import_module(f"recovery.commands.{module}"), attr)
        if kind == "group":
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)


def main() -> None:
    """Console-script entry point."""
    args = common.hoist_globals(sys.argv[1:])
    named = _named(args)
    register([named] if named in COMMANDS else list(COMMANDS))
    common.run(app, args)


if __name__ == "__main__":
    main()
