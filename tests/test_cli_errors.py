"""Errors a person can act on: one line naming what is wrong and what to do, the right exit code, no traceback
(unless --traceback asks), for the database, the config file, options, names, hashes and networks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.loopback import refused_url
from tests.test_cli import run


def one_line_error(proc: Any) -> str:
    """The stderr of a failed command, asserted to be a single `error:` line without a traceback."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    return str(lines[0])


def sqlite_env(tmp_path: Path, url: str | None = None) -> dict[str, str]:
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    return {"RECOVERY_DATABASE_URL": url or f"sqlite:///{tmp_path / 'r.sqlite3'}", "RECOVERY_CONFIG": str(cfg)}


# -- the database ------------------------------------------------------------------------------------


def test_sqlite_in_a_missing_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path, f"sqlite:///{tmp_path / 'no' / 'such' / 'r.sqlite3'}")
    proc = run("actors", "list", env=env)
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert str(tmp_path / "no" / "such") in line and "does not exist" in line and "mkdir" in line
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("url, words", [
    ("postgres//db.internal/recovery", "malformed"),
    ("postgresql://app:s3cret@db.internal:54x2/recovery", "malformed"),
    ("mysqlx://app:s3cret@db.internal/recovery", "unknown kind of database"),
])
def test_malformed_database_url_is_one_line_exit_2(tmp_path: Path, url: str, words: str) -> None:
    proc = run("case", "list", env=sqlite_env(tmp_path, url))
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert words in line and "sqlite:///PATH" in line and "s3cret" not in line


def test_unreachable_server_is_one_line_exit_1_with_redacted_url(tmp_path: Path) -> None:
    port = refused_url().rsplit(":", 1)[1]
    url = f"postgresql://app:s3cret@127.0.0.1:{port}/recovery"
    proc = run("actors", "list", env=sqlite_env(tmp_path, url))
    assert proc.returncode == 1
    line = one_line_error(proc)
    assert "not reachable" in line and f"127.0.0.1:{port}" in line and "s3cret" not in line and "***" in line


@pytest.mark.postgres
def test_missing_postgres_database_is_one_line_exit_2(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    from tests.conftest import postgres_admin_url

    url = make_url(postgres_admin_url()).set(database="recovery_no_such_db").render_as_string(False)
    for args in (["case", "list"], ["db", "upgrade"]):
        proc = run(*args, env=sqlite_env(tmp_path, url))
        assert proc.returncode == 2, args
        line = one_line_error(proc)
        assert "'recovery_no_such_db' does not exist" in line and "createdb recovery_no_such_db" in line


def test_traceback_option_shows_the_traceback(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path, "postgres//db.internal/recovery")
    for args in (["--traceback", "case", "list"], ["case", "list", "--traceback"]):
        proc = run(*args, env=env)
        assert proc.returncode == 1 and "Traceback (most recent call last)" in proc.stderr, args
        assert "malformed" in proc.stderr


# -- the config file ---------------------------------------------------------------------------------


def test_config_naming_a_missing_file_is_an_error(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    missing = tmp_path / "nope.toml"
    proc = run("--config", str(missing), "actors", "list", env=env)
    assert proc.returncode == 2 and str(missing) in one_line_error(proc)
    proc = run("actors", "list", env={**env, "RECOVERY_CONFIG": str(missing)})
    assert proc.returncode == 2 and "does not exist" in one_line_error(proc)
    assert not (tmp_path / "r.sqlite3").exists()   # nothing was created


@pytest.mark.parametrize("text, words", [
    ('[rpc]\netherium = "http://127.0.0.1:1"\n', "[rpc] 'etherium' is not a network id; did you mean 'ethereum'?"),
    ('[rcp]\nethereum = "http://127.0.0.1:1"\n', "unknown section [rcp]; did you mean [rpc]?"),
    ('[hot_wallets]\nETH = ["0x1"]\n', "[hot_wallets] 'ETH' is not a network id; did you mean 'ethereum'?"),
    ('[rate_limits]\nbitcion = 5\n', "[rate_limits] 'bitcion' is not a network id; did you mean 'bitcoin'?"),
    ('[webhooks]\nurl = "x"\n', "unknown section [webhooks]; known sections: rpc,"),
])
def test_config_unknown_names_are_errors_with_did_you_mean(tmp_path: Path, text: str, words: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    proc = run("--config", str(cfg), "networks", "list", env=sqlite_env(tmp_path))
    assert proc.returncode == 2 and words in one_line_error(proc)


def test_config_with_every_known_section_loads(tmp_path: Path) -> None:
    from recovery.config import SECTIONS, load_config

    cfg = tmp_path / "ok.toml"
    cfg.write_text('[rpc]\nbitcoin = "http://127.0.0.1:1"\n[database]\nurl = "sqlite://"\n'
                   '[hot_wallets]\nethereum = ["0x1"]\n[rate_limits]\nethereum = 5\n'
                   + "".join(f"[{s}]\n" for s in SECTIONS if s not in ("rpc", "database", "hot_wallets",
                                                                          "rate_limits")))
    conf = load_config(cfg)
    assert conf.rpc == {"bitcoin": "http://127.0.0.1:1"} and conf.rate_limits == {"ethereum": 5.0}


# -- options and names -------------------------------------------------------------------------------


def test_version() -> None:
    from importlib.metadata import version

    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"recovery {version('recovery')}"


def test_as_is_accepted_after_the_command(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert run("actors", "add", "carl", "--role", "agent", env=env).returncode == 0
    tx = "b10c0000004da5a9d1d9b4ae32e09f0b3e62d21a5cce5428d4ad714fb444eb5d"
    opened = run("case", "open", "--network", "bitcoin", "--tx", tx, "--user", "u1", "--as", "carl", "--json",
                 env=env)
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["opened_by"] == "carl"
    cancelled = run("case", "cancel", "1", "--as=carl", "--json", env=env)
    assert cancelled.returncode == 0, cancelled.stderr


def test_actor_names_trimmed_and_case_insensitive_on_the_command_line(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert run("actors", "add", "sam", "--role", "agent", env=env).returncode == 0
    dup = run("actors", "add", "Sam", "--role", "wallet", env=env)
    assert dup.returncode == 1 and "'sam' exists already" in one_line_error(dup)
    from tests.support.recorded_utxo import B10C, BC94

    for name, tx in (("Sam", B10C), (" sam ", BC94)):
        proc = run("--as", name, "case", "open", "--network", "bitcoin", "--tx", tx, "--user", "u1", "--json",
                   env=env)
        assert proc.returncode == 0 and json.loads(proc.stdout)["opened_by"] == "sam", proc.stderr
        assert run("--as", name, "case", "cancel", str(json.loads(proc.stdout)["id"]), env=env).returncode == 0
    typo = run("--as", "sma", "case", "cancel", "1", env=env)
    assert typo.returncode == 1 and "did you mean 'sam'?" in one_line_error(typo)
    listed = json.loads(run("actors", "list", "--json", env=env).stdout)
    assert [a["name"] for a in listed] == ["sam"]


def test_case_list_validates_every_filter(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    for args, words in ((["--outcome", "uncreditted"], "--outcome must be one of"),
                        (["--status", "opne"], "did you mean 'open'?"),
                        (["--network", "etherium"], "did you mean 'ethereum'"),
                        (["--user", "  "], "--user must not be empty"),
                        (["--older-than", "3x"], "--older-than")):
        proc = run("case", "list", *args, env=env)
        assert proc.returncode == 2 and words in one_line_error(proc), args
    assert "did you mean 'uncredited'?" in run("case", "list", "--outcome", "uncreditted", env=env).stderr
    ok = run("case", "list", "--outcome", "uncredited", "--network", "bitcoin", "--json", env=env)
    assert ok.returncode == 0 and json.loads(ok.stdout) == []


@pytest.mark.parametrize("network, tx, words", [
    ("ethereum", "0x" + "ab" * 31, "64 hex digits after 0x expected, got 62"),
    ("ethereum", "ab" * 32, "64 hex digits after 0x expected: it does not start with 0x"),
    ("ethereum", "0x" + "g" + "a" * 63, "'g' (character 3) is not a hex digit"),
    ("bitcoin", "0x" + "ab" * 32, "64 hex digits expected, without 0x"),
    ("tron", "ab" * 33, "64 hex digits (with or without 0x) expected, got 66"),
    ("solana", "1" * 40, "64 to 88 base58 characters expected, got 40"),
])
def test_malformed_hash_is_explained_in_words(tmp_path: Path, network: str, tx: str, words: str) -> None:
    proc = run("verify", "--network", network, "--tx", tx, env=sqlite_env(tmp_path))
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert words in line and "[0-9" not in line


@pytest.mark.parametrize("label, network", [("ETH", "ethereum"), ("ERC20", "ethereum"), ("erc-20", "ethereum"),
                                            ("BNB", "bsc"), ("BEP20", "bsc"), ("TRC20", "tron"),
                                            ("BTC", "bitcoin"), ("SOL", "solana"), ("MATIC", "polygon"),
                                            ("etherium", "ethereum")])
def test_network_labels_get_did_you_mean(tmp_path: Path, label: str, network: str) -> None:
    proc = run("verify", "--network", label, "--tx", "0x" + "ab" * 32, env=sqlite_env(tmp_path))
    assert proc.returncode == 2 and f"did you mean {network!r}" in one_line_error(proc)


def test_every_registry_hash_form_is_explained_or_shown() -> None:
    """Each network's hash pattern is either described in words or, where it is not of the simple shape,
    shown as it is; a description never claims a valid hash is wrong."""
    import re

    from chains.hash_form import explain, forms
    from chains.networks import registry

    described = 0
    for net in registry().values():
        text = explain("0x12", net.tx_hash_regex)
        if forms(net.tx_hash_regex):
            described += 1
            assert "expected" in text and "[" not in text.split("expected")[0], (net.id, text)
        else:
            assert net.tx_hash_regex in text
        assert not re.fullmatch(net.tx_hash_regex, "0x12")
    assert described >= 30
