"""`recovery batch verify` as a user runs it: exit codes, JSON summary, and kill -9 then --resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.anvil


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `recovery ARGS` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def send_many(node: Any, n: int) -> list[str]:
    """N real transfers between dev accounts, sent in JSON-RPC batches and mined a block per batch."""
    accounts = node.accounts()
    node.rpc("evm_setAutomine", False)
    nonce = {a: int(node.rpc("eth_getTransactionCount", a, "pending"), 16) for a in accounts[:4]}
    hashes: list[str] = []
    for start in range(0, n, 500):
        payload = []
        for i in range(start, min(n, start + 500)):
            frm = accounts[i % 4]
            payload.append({"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [
                {"from": frm, "to": accounts[4 + i % 3], "value": hex(10**16 * (1 + i % 5)), "gas": hex(21_000),
                 "nonce": hex(nonce[frm])}]})
            nonce[frm] += 1
        answers = requests.post(node.url, json=payload, timeout=60).json()
        hashes += [a["result"] for a in sorted(answers, key=lambda a: a["id"])]
        node.mine(1)
    node.mine(20)   # enough confirmations for every transfer
    node.rpc("evm_setAutomine", True)
    return hashes


@pytest.fixture(scope="module")
def busy_node() -> Iterator[tuple[Any, list[str]]]:
    """A fresh Anvil (chain id 1) holding 3,000 mined transfers."""
    from recovery.anvil import Anvil

    with Anvil(1) as node:
        yield node, send_many(node, 3000)


@pytest.fixture
def big_env(busy_node: tuple[Any, list[str]], cli_env: dict[str, str], tmp_path: Path,
            db_url: str) -> dict[str, str]:
    """The test database with two of the recipients as our deposit addresses, ethereum on the busy node."""
    from recovery.db import make_engine
    from recovery.reference_import import import_file

    node, _ = busy_node
    accounts = node.accounts()
    (tmp_path / "addresses.csv").write_text("network,address,user_id,memo\n"
                                            f"ethereum,{accounts[4]},u-4,\nethereum,{accounts[5]},u-5,\n")
    (tmp_path / "assets.csv").write_text("network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
                                         "ethereum,native,ETH,18,0.025,true\n")
    engine = make_engine(db_url)
    for kind in ("addresses", "assets"):
        assert not import_file(engine, kind, tmp_path / f"{kind}.csv").errors
    engine.dispose()
    return {**cli_env, "RECOVERY_RPC_ETHEREUM": node.url}


def big_file(path: Path, hashes: list[str], *, bad: bool = True) -> Path:
    """Every hash once, with malformed rows and repeats mixed in."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["network", "tx_hash", "user_id", "amount"])
        for i, h in enumerate(hashes):
            w.writerow(["ethereum", h, f"u-{i % 7}", f"0.0{i % 5 + 1}"])
            if bad and i % 401 == 0:
                w.writerow(["ethereum", h[:-3], "u-x", ""])          # bad hash
            if i % 613 == 0:
                w.writerow(["ethereum", hashes[i // 2], "u-y", ""])  # a repeat
    return path


def test_mixed_file_exit_code_and_json_summary(busy_node: tuple[Any, list[str]], big_env: dict[str, str],
                                               tmp_path: Path) -> None:
    _, hashes = busy_node
    src = big_file(tmp_path / "claims.csv", hashes[:300])
    proc = run("batch", "verify", str(src), "-o", str(tmp_path / "out.csv"), "--json", env=big_env)
    assert proc.returncode == 2, proc.stderr          # malformed rows: still written, exit 2
    doc = json.loads(proc.stdout)
    assert doc["rows"] == len(src.read_text().splitlines()) - 1 and doc["malformed"] == 1
    assert doc["by_outcome"]["malformed"] == 1 and set(doc["by_network"]) == {"ethereum"}
    assert {"uncredited", "below_minimum", "not_our_address"} <= set(doc["by_outcome"])
    clean = big_file(tmp_path / "clean.csv", hashes[:300], bad=False)
    ok = run("batch", "verify", str(clean), "-o", str(tmp_path / "ok.xlsx"), env=big_env)
    assert ok.returncode == 0, ok.stderr
    assert "By outcome" in ok.stdout and "By network" in ok.stdout
    assert (tmp_path / "ok.xlsx").stat().st_size > 0


def test_bad_files_exit_2(big_env: dict[str, str], tmp_path: Path) -> None:
    missing = run("batch", "verify", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv"), env=big_env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    (tmp_path / "cols.csv").write_text("network,hash\nethereum,0x12\n")
    cols = run("batch", "verify", str(tmp_path / "cols.csv"), "-o", str(tmp_path / "o.csv"), env=big_env)
    assert cols.returncode == 2 and "tx_hash" in cols.stderr and not (tmp_path / "o.csv").exists()


def test_kill_9_then_resume_matches_a_clean_run_byte_for_byte(busy_node: tuple[Any, list[str]],
                                                              big_env: dict[str, str], tmp_path: Path) -> None:
    _, hashes = busy_node
    src = big_file(tmp_path / "claims.csv", hashes)
    slow = ["--chunk-size", "150", "--rate", "12", "--concurrency", "2", "--quiet"]
    out = tmp_path / "out.csv"
    progress = tmp_path / "out.csv.progress"
    proc = subprocess.Popen([sys.executable, "-m", "cli", "batch", "verify", str(src), "-o", str(out), *slow],
                            cwd=REPO, env={**os.environ, **big_env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if progress.exists():
            try:
                done = json.loads(progress.read_text())["rows_done"]
            except (ValueError, KeyError):
                done = 0
            if done >= 450:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed: make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 450 <= done < len(hashes)
    again = run("batch", "verify", str(src), "-o", str(out), *slow, env=big_env)
    assert again.returncode == 2 and "--resume" in again.stderr     # refuses to start over silently
    resumed = run("batch", "verify", str(src), "-o", str(out), *slow, "--resume", "--json", env=big_env)
    assert resumed.returncode == 2, resumed.stderr                  # the file holds malformed rows
    assert json.loads(resumed.stdout)["resumed_from_row"] >= 450
    clean = run("batch", "verify", str(src), "-o", str(tmp_path / "clean.csv"), "--quiet", env=big_env)
    assert clean.returncode == 2, clean.stderr
    assert out.read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert not progress.exists()
    rows = list(csv.DictReader(out.open(newline="")))
    assert len(rows) == len(src.read_text().splitlines()) - 1


def test_ctrl_c_answers_at_once_saves_what_is_done_and_resume_finishes(busy_node: tuple[Any, list[str]],
                                                                         big_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    _, hashes = busy_node
    src = big_file(tmp_path / "claims.csv", hashes, bad=False)
    slow = ["--rate", "6", "--concurrency", "1", "--quiet"]    # a slow node, at the default chunk size
    out = tmp_path / "out.csv"
    progress = tmp_path / "out.csv.progress"
    proc = subprocess.Popen([sys.executable, "-m", "cli", "batch", "verify", str(src), "-o", str(out), *slow],
                            cwd=REPO, env={**os.environ, **big_env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not progress.exists():
        time.sleep(0.05)
    assert progress.exists(), "no checkpoint within a minute"   # by time, long before 5,000 rows
    time.sleep(2.5)                                              # mid-slice, a fetch in flight
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == 130, stderr
    assert took < 2.0, f"Ctrl-C took {took:.1f} s"
    done = json.loads(progress.read_text())["rows_done"]
    assert 0 < done < len(hashes)
    assert f"{done} row(s) are saved" in stderr and "--resume" in stderr, stderr
    resumed = run("batch", "verify", str(src), "-o", str(out), "--quiet", "--resume", "--json", env=big_env)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed_from_row"] == done
    clean = run("batch", "verify", str(src), "-o", str(tmp_path / "clean.csv"), "--quiet", env=big_env)
    assert clean.returncode == 0, clean.stderr
    assert out.read_bytes() == (tmp_path / "clean.csv").read_bytes()    # no row lost or doubled
    assert not progress.exists()
