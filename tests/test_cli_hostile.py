"""The CLI under hostile input: secrets in endpoint URLs never printed or stored, user texts printed as
text (never rich markup), numbers and dates out of bounds refused by name, outputs that cannot be written
refused in one line. Every command runs in a fresh process, as a user runs it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, inspect, text

REPO = Path(__file__).resolve().parent.parent
HASH = "0x" + "ab" * 32


def run(*args: str, env: dict[str, str], actor: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `recovery ARGS` in a fresh process."""
    extra = ["--as", actor] if actor else []
    return subprocess.run([sys.executable, "-m", "cli", *extra, *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


# -- secrets ------------------------------------------------------------------------------------------

# each form hides its own marker; no marker may appear in anything the tool prints or stores
FORMS = {
    "short path key": ("{base}/k9Zq2xW", ["k9Zq2xW"]),
    "dotted JWT-like key": ("{base}/v1/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnX3Nob3J0", ["eyJhbGciOiJIUzI1NiJ9",
                                                                                         "c2lnX3Nob3J0"]),
    "/apikey=V": ("{base}/apikey=V4lu3Xq", ["V4lu3Xq"]),
    "bare ?TOKEN": ("{base}/rpc?T0K3NqPz", ["T0K3NqPz"]),
    ";k=v params": ("{base}/rpc;key=P4r4mZz", ["P4r4mZz"]),
    "userinfo": ("http://us3rN4me:P4ssw0rdQ@{hostport}/", ["us3rN4me", "P4ssw0rdQ"]),
    "query key=value and fragment": ("{base}/?apikey=Qu3ryK3y#Fr4gK3y", ["Qu3ryK3y", "Fr4gK3y"]),
    "long path key": ("{base}/v3/9aa3d95b3bc440fa88ea12eaa4456161", ["9aa3d95b3bc440fa88ea12eaa4456161"]),
}


def proxy_to(node_url: str) -> Any:
    """Any path and query forwarded to the real node, as a provider that keeps keys in URLs would serve."""
    def handle(req: Any) -> tuple[int, bytes]:
        resp = requests.post(node_url, data=req.body, headers={"Content-Type": "application/json"}, timeout=30)
        return resp.status_code, resp.content
    return handle


def dump_database(url: str) -> str:
    """Every text of every table, as one string."""
    engine = create_engine(url)
    parts = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join("" if v is None else str(v) for v in row))
    engine.dispose()
    return "\n".join(parts)


@pytest.mark.anvil
@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_secret_of_any_url_form_is_printed_or_stored(evm_scenario: Any, scenario_env: dict[str, str],
                                                        tmp_path: Path, db_url: str, loopback: Any) -> None:
    claim = next(c for c in evm_scenario.claims if c.network == "ethereum" and c.expected == "uncredited")
    proxy = loopback(proxy_to(evm_scenario.urls["ethereum"]))
    broken = loopback(lambda req: (503, "unavailable"))
    claims = tmp_path / "claims.csv"
    claims.write_text("network,tx_hash,user_id\n" + "".join(
        f"{c.network},{c.tx_hash},{c.user_id or 'u-9'}\n" for c in evm_scenario.claims if c.network == "ethereum"))
    assert run("actors", "add", "ann", "--role", "agent", env=scenario_env).returncode == 0
    places = 0
    previous = ""
    for n, (form, (template, secrets)) in enumerate(FORMS.items()):
        good, bad = (template.format(base=srv.url, hostport=srv.url.removeprefix("http://")) for srv in (proxy, broken))
        env, failing = {**scenario_env, "RECOVERY_RPC_ETHEREUM": good}, {**scenario_env, "RECOVERY_RPC_ETHEREUM": bad}
        out = tmp_path / f"out-{n}.csv"
        procs = [
            run("networks", "list", "--json", env=env),
            run("verify", "--network", "ethereum", "--tx", claim.tx_hash, "--json", env=env),
            run("verify", "--network", "ethereum", "--tx", claim.tx_hash, "--rpc", bad, env=scenario_env),
            run("batch", "verify", str(claims), "-o", str(out), "--json", env=failing),
        ]
        assert json.loads(procs[1].stdout)["outcome"] == "uncredited", procs[1].stderr   # the real node answered
        assert procs[2].returncode == 1 and "***" in procs[2].stdout + procs[2].stderr   # the failure names it
        again = ["--reopen-of", previous, "--reason", f"the next URL form ({form})"] if previous else []
        opened = run("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", claim.user_id or "u-9",
                     *again, "--json", env=env, actor="ann")
        assert opened.returncode == 0, opened.stderr
        case_id = previous = str(json.loads(opened.stdout)["id"])
        procs += [opened, run("case", "verify", case_id, env=failing, actor="ann"),
                  run("case", "cancel", case_id, env=env, actor="ann")]
        seen = [text for proc in procs for text in (proc.stdout, proc.stderr)]
        seen += [out.read_text(), dump_database(db_url)]
        places += len(seen)
        everything = "\n".join(seen)
        assert "unverifiable" in out.read_text() and "***" in everything
        for secret in secrets:
            assert secret not in everything, f"{form}: {secret} leaked"
    assert places == len(FORMS) * 16


# -- user texts are text ------------------------------------------------------------------------------

MARKUP = ["[/]", "[link=http://evil.example]click[/link]", "[bold red]boss[/]", "[/link]x", "u-[1]"]


@pytest.mark.parametrize("user", MARKUP)
def test_markup_in_user_texts_is_printed_as_text(cli_env: dict[str, str], user: str) -> None:
    assert run("actors", "add", "ann", "--role", "agent", env=cli_env).returncode == 0
    opened = run("case", "open", "--network", "ethereum", "--tx", HASH, "--user", user, "--memo", user,
                 "--amount", "1.5", env=cli_env, actor="ann")
    assert opened.returncode == 0, opened.stderr
    assert user in opened.stdout and "\x1b]8;" not in opened.stdout          # shown as typed, never a link
    for args in (("case", "show", "1"), ("case", "list"), ("case", "history", "1")):
        proc = run(*args, env=cli_env)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        assert user in proc.stdout.replace("\n", "") or args[1] == "history"
    cancelled = run("case", "cancel", "1", "--reason", user, env=cli_env, actor="ann")
    assert cancelled.returncode == 0 and user in cancelled.stdout


def test_markup_in_batch_and_import_rows_is_printed_as_text(cli_env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "claims.csv"
    src.write_text("network,tx_hash\n[/],0x1\n[link=http://evil.example]n[/link],0x2\n")
    proc = run("batch", "verify", str(src), "-o", str(tmp_path / "out.csv"), env=cli_env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "[/]" in proc.stdout and "[link=http://evil.example]n[/link]" in proc.stdout
    ref = tmp_path / "addresses.csv"
    ref.write_text("network,address,user_id,memo\n[/],[link=x]a[/link],u,\n")
    proc = run("import", "addresses", str(ref), env=cli_env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "[/]" in proc.stderr


# -- bounds ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "named"), [
    (("case", "show", "99999999999999999999"), "ID"),
    (("case", "show", "0"), "ID"),
    (("case", "history", "99999999999999999999"), "ID"),
    (("case", "list", "--older-than", "99999999999999999d"), "--older-than"),
    (("case", "list", "--newer-than", "99999999999999999999w"), "--newer-than"),
    (("quote", "--network", "ethereum", "--asset", "native", "--amount", "1e308"), "--amount"),
    (("quote", "--network", "ethereum", "--asset", "native", "--amount", "9" * 100), "--amount"),
    (("quote", "--network", "ethereum", "--asset", "native", "--amount", "0." + "0" * 40 + "1"), "--amount"),
    (("quote", "--network", "ethereum", "--asset", "native", "--amount", "-1"), "--amount"),
    (("case", "open", "--network", "ethereum", "--tx", HASH, "--user", "u", "--amount", "1e308"), "--amount"),
    (("case", "open", "--network", "ethereum", "--tx", HASH, "--user", "u" * 101), "user_id"),
    (("case", "open", "--network", "ethereum", "--tx", HASH, "--user", "u\x01x"), "user_id"),
])
def test_numbers_and_texts_out_of_bounds_are_bad_input_by_name(cli_env: dict[str, str], args: tuple[str, ...],
                                                                named: str) -> None:
    assert run("actors", "add", "ann", "--role", "agent", env=cli_env).returncode == 0
    proc = run(*args, env=cli_env, actor="ann")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert named in proc.stderr and "Traceback" not in proc.stderr
    assert run("case", "list", "--json", env=cli_env).stdout.strip() == "[]"   # nothing was created


# -- outputs that cannot be written ---------------------------------------------------------------------

@pytest.mark.parametrize("where", ["missing folder", "a folder", "no permission", "the input by hard link"])
def test_unwritable_output_is_one_line_exit_2(cli_env: dict[str, str], tmp_path: Path, where: str) -> None:
    src = tmp_path / "claims.csv"
    src.write_text(f"network,tx_hash\nethereum,{HASH}\n")
    target = {"missing folder": tmp_path / "nowhere" / "out.csv", "a folder": tmp_path / "dir.csv",
              "no permission": Path("/sys/out.csv"), "the input by hard link": tmp_path / "link.csv"}[where]
    if where == "a folder":
        target.mkdir()
    if where == "the input by hard link":
        os.link(src, target)
    line = one_line_error(run("batch", "verify", str(src), "-o", str(target), env=cli_env))
    assert str(target) in line
    assert src.read_text() == f"network,tx_hash\nethereum,{HASH}\n"


def test_xlsx_output_never_holds_a_formula(cli_env: dict[str, str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    src = tmp_path / "claims.csv"
    with src.open("w", newline="") as fh:
        csv.writer(fh).writerows([["network", "tx_hash", "user_id"], ["=1+2", HASH, "=HYPERLINK(\"x\")"],
                                  ["ethereum", "@SUM(A1)", "-5"]])
    proc = run("batch", "verify", str(src), "-o", str(tmp_path / "out.xlsx"), env=cli_env)
    assert proc.returncode == 2
    cells = [c for row in load_workbook(tmp_path / "out.xlsx").worksheets[0].iter_rows() for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    assert {"=1+2", "=HYPERLINK(\"x\")", "@SUM(A1)"} <= {c.value for c in cells if c.quotePrefix}
    assert -5 in {c.value for c in cells if not c.quotePrefix and c.data_type == "n"}   # a number, not text
