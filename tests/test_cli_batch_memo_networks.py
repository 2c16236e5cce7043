"""`recovery batch verify` over one file mixing the memo networks (xrp, stellar, hedera) and algorand, run as
a user runs it, against loopback nodes that replay recorded mainnet answers (tests/support/recorded_*.py)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from recovery.db import make_engine
from recovery.reference_import import import_file
from tests.support import recorded_algorand, recorded_hedera, recorded_stellar, recorded_xrpl

REPO = Path(__file__).resolve().parent.parent
XLM_SHARED = "GCTV4YCC5C7NOJ2PDKHRCWY5N4I4WMUDCFVFM3BLXFUP73OAI42RSYO4"
ALGO_TO = "KIZLH4HUM5ZIB5RVP6DR2IGXB44TGJ6HZUZIAYZFZ63KWCAQB2EZGPU5BQ"


def test_batch_verify_over_a_mixed_file_of_memo_networks(cli_env: dict[str, str], db_url: str, loopback: Any,
                                                          chaindata: Path, tmp_path: Path) -> None:
    (tmp_path / "addresses.csv").write_text(
        "network,address,user_id,memo\n"
        f"xrp,{recorded_xrpl.SHARED},u-42,42\n"
        f"stellar,{XLM_SHARED},u-9,999999\n"
        f"hedera,{recorded_hedera.RECIPIENT},u-h,77\n"
        f"algorand,{ALGO_TO},u-a,\n")
    (tmp_path / "assets.csv").write_text(
        "network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
        "xrp,native,XRP,6,0.0001,true\nstellar,native,XLM,7,1,true\n"
        "hedera,native,HBAR,8,0.0001,true\nalgorand,native,ALGO,6,1,true\n")
    engine = make_engine(db_url)
    for kind in ("addresses", "assets"):
        assert not import_file(engine, kind, tmp_path / f"{kind}.csv").errors
    engine.dispose()
    env = {**cli_env,
           "RECOVERY_RPC_XRP": loopback(recorded_xrpl.Recorded(chaindata).handle).url,
           "RECOVERY_RPC_STELLAR": loopback(recorded_stellar.Recorded(chaindata).handle).url,
           "RECOVERY_RPC_HEDERA": loopback(recorded_hedera.Recorded(chaindata).handle).url + recorded_hedera.PREFIX,
           "RECOVERY_RPC_ALGORAND": loopback(recorded_algorand.Recorded(chaindata).handle).url}
    rows = [
        ("xrp", recorded_xrpl.TAG_42_TX.lower(), "uncredited"),
        ("xrp", recorded_xrpl.UNTAGGED_TX, "missing_memo"),
        ("xrp", recorded_xrpl.NATIVE_TX[::-1], "not_found"),
        ("stellar", recorded_stellar.TEXT_MEMO_TX, "wrong_memo"),
        ("stellar", recorded_stellar.FAILED_TX, "failed"),
        ("hedera", recorded_hedera.CRYPTO_TRANSFER_SDK_FORM, "missing_memo"),
        ("hedera", "0.0.19852-1646746046", "malformed"),
        ("algorand", recorded_algorand.PAY_TX, "uncredited"),
        ("algorand", recorded_algorand.PAY_TX[::-1], "unverifiable"),     # a 404 without the indexer's message
    ]
    src = tmp_path / "claims.csv"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["network", "tx_hash", "user_id"])
        w.writerows([(n, h, "u-claim") for n, h, _ in rows])
    out = tmp_path / "out.csv"
    proc = subprocess.run([sys.executable, "-m", "cli", "batch", "verify", str(src), "-o", str(out), "--json"],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
    assert proc.returncode == 2, proc.stderr           # one malformed row: the others are still verified
    doc = json.loads(proc.stdout)
    assert doc["rows"] == len(rows) and doc["malformed"] == 1
    assert set(doc["by_network"]) == {"xrp", "stellar", "hedera", "algorand"}
    with out.open(newline="") as fh:
        written = list(csv.DictReader(fh))
    assert [r["outcome"] or "malformed" for r in written] == [o for _, _, o in rows], written
    by_hash = {r["tx_hash"]: r for r in written}
    assert by_hash[recorded_hedera.CRYPTO_TRANSFER_SDK_FORM]["to_address"] == recorded_hedera.RECIPIENT
    assert by_hash[recorded_hedera.CRYPTO_TRANSFER_SDK_FORM]["amount"] == "0.0009"
    assert by_hash["0.0.19852-1646746046"]["error"]
    assert "proof" in by_hash[recorded_stellar.TEXT_MEMO_TX]["reason"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `recovery ARGS` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_networks_list_shows_ready_only_adapters_tested_on_real_data(monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    import chains.registry
    from cli import app, register

    rows = json.loads(run("networks", "list", "--json").stdout)
    by_id = {r["id"]: r for r in rows}
    for net in ("xrp", "stellar", "hedera", "algorand"):
        assert by_id[net]["adapter_ready"] and by_id[net]["adapter_present"], net
    for r in rows:
        assert r["adapter_ready"] == (r["adapter_present"] and r["family"] in chains.registry.TESTED_ON_REAL_DATA)
    # an adapter whose tests do not run on real data is present but not ready
    monkeypatch.setattr(chains.registry, "TESTED_ON_REAL_DATA", chains.registry.TESTED_ON_REAL_DATA - {"hedera"})
    register(["networks"])
    result = CliRunner().invoke(app, ["networks", "list", "--json"])
    hedera = next(r for r in json.loads(result.stdout) if r["id"] == "hedera")
    assert (hedera["adapter_present"], hedera["adapter_ready"]) == (True, False)


def test_malformed_ids_of_the_memo_networks_are_bad_input(cli_env: dict[str, str]) -> None:
    env = {**cli_env, **{f"RECOVERY_RPC_{n}": "http://127.0.0.1:9" for n in ("XRP", "STELLAR", "HEDERA", "ALGORAND")}}
    for network, bad in (("xrp", "0x" + recorded_xrpl.NATIVE_TX), ("stellar", recorded_stellar.NATIVE_TX[:-2]),
                         ("hedera", "0.0.19852@1646746046"), ("algorand", recorded_algorand.PAY_TX + "Q")):
        proc = run("verify", "--network", network, "--tx", bad, env=env)
        assert proc.returncode == 2 and "transaction hash" in proc.stderr and proc.stdout == "", (network, proc.stderr)
        assert "Traceback" not in proc.stderr
