"""`recovery report` at the edges: bad options are one line and exit 2; an empty database reports zeros."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from recovery.commands.common import exit_code_for

app = cli.app
if not app.registered_groups:  # cli.py registers lazily in main()
    cli.register(list(cli.COMMANDS))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["report", *args])
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        code = exit_code_for(exc)
        if code is None:
            raise exc
        return code, str(exc)
    return result.exit_code, result.output


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--since", "2026-13-01"], 2, "--since must be a date YYYY-MM-DD"),
    (["--until", "yesterday"], 2, "--until must be a date"),
    (["--since", "2026-06-02", "--until", "2026-06-01"], 2, "--since 2026-06-02 is after --until 2026-06-01"),
    (["-o", "report.pdf"], 2, "must end in .html, .xlsx, .csv"),
    (["-o", "no/such/folder/report.html"], 2, "does not exist"),
    (["--network", "etherium"], 2, "ethereum"),
    (["--target-days", "0"], 2, "--target-days"),
])
def test_bad_options(cli_env: dict[str, str], args: list[str], code: int, message: str) -> None:
    got, text = run(*args)
    assert got == code and message in text, text


def test_empty_database_reports_zeros(cli_env: dict[str, str], tmp_path: Path) -> None:
    code, text = run("--json", "--until", "2026-06-30")
    assert code == 0, text
    doc = json.loads(text)
    assert doc["opened"] == 0 and doc["recovered_usd"] == "0.00" and doc["queue_age_days"]["median"] is None
    assert doc["since"] == "2026-06-30" and doc["until"].startswith("2026-06-30T23:59:59")
    assert doc["waiting_on_role"] == {"wallet": 0, "clearing": 0, "security": 0}
    for suffix in (".html", ".xlsx", ".csv"):
        out = tmp_path / f"empty{suffix}"
        code, text = run("-o", str(out))
        assert code == 0 and out.stat().st_size > 0, text
