"""The CLI in-process, as the tests drive it: `run` gives (exit code, stdout, stderr) with domain errors mapped
to their exit code and message as `recovery` does; `ok` runs with `--json`, asserts success, parses it."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

import cli
from recovery.commands.common import exit_code_for

app = cli.app
if hasattr(cli, "register") and not app.registered_groups:  # cli.py registers lazily in main()
    cli.register(list(cli.COMMANDS))


def run(*args: str, actor: str | None = None, columns: int | None = None) -> tuple[int, str, str]:
    """Invoke the CLI in-process (as `actor`, at `columns` wide when given)."""
    env = {"RECOVERY_ACTOR": actor} if actor else {}
    if columns:
        env["COLUMNS"] = str(columns)
    result = CliRunner().invoke(app, list(args), env=env)
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        code = exit_code_for(exc)
        if code is None:
            raise exc
        return code, result.stdout, str(exc)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str, actor: str | None = None) -> Any:
    """Run with `--json`; the command must succeed; its JSON."""
    code, out, err = run(*args, "--json", actor=actor)
    assert code == 0, (args, err)
    return json.loads(out)
