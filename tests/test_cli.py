"""The CLI as a user runs it: exit codes, JSON on stdout, messages on stderr, fast start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `recovery ARGS` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_help_and_networks_list_do_not_import_heavy_libraries() -> None:
    code = ("import sys, runpy; sys.argv=['recovery'] + sys.argv[1:];\n"
            "try:\n    runpy.run_module('cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('web3', 'pandas', 'sqlalchemy', 'eth_utils', 'chains.addresses.utxo', 'hashlib')\n"
            "         if m in sys.modules]\n"
            "sys.stderr.write('HEAVY=' + ','.join(heavy))")
    for args in (["--help"], ["networks", "list"], ["networks", "list", "--json"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True)
        assert "HEAVY=" in proc.stderr and proc.stderr.rsplit("HEAVY=", 1)[1] == "", (args, proc.stderr[-300:])


def test_networks_list_json_has_32_networks() -> None:
    proc = run("networks", "list", "--json")
    assert proc.returncode == 0
    rows = json.loads(proc.stdout)
    assert len(rows) == 32
    assert {r["tier"] for r in rows} == {"direct", "conditional"}
    direct = run("networks", "list", "--tier", "direct", "--json")
    assert len(json.loads(direct.stdout)) == 16


def test_endpoint_key_is_never_printed(tmp_path: Path) -> None:
    env = {"RECOVERY_RPC_ETHEREUM": "https://mainnet.example.com/v3/0123456789abcdef0123456789abcdef"}
    proc = run("networks", "list", "--json", env=env)
    assert "0123456789abcdef" not in proc.stdout + proc.stderr
    eth = next(r for r in json.loads(proc.stdout) if r["id"] == "ethereum")
    assert eth["endpoint_source"] == "env RECOVERY_RPC_ETHEREUM" and "***" in eth["endpoint"]


def test_verify_bad_input_exits_2(cli_env: dict[str, str]) -> None:
    bad_hash = run("verify", "--network", "ethereum", "--tx", "0x1234", env=cli_env)
    assert bad_hash.returncode == 2 and "not a valid Ethereum transaction hash" in bad_hash.stderr
    unknown = run("verify", "--network", "moonchain", "--tx", "0x" + "ab" * 32, env=cli_env)
    assert unknown.returncode == 2 and "unknown network 'moonchain'" in unknown.stderr
    assert unknown.stdout == ""


def test_verify_json_and_exit_codes_on_anvil(evm_scenario: Any, scenario_env: dict[str, str]) -> None:
    ok = evm_scenario.claim("Unlisted token sent to a deposit address")
    proc = run("verify", "-n", "ethereum", "--tx", ok.tx_hash, "--json", env=scenario_env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    for key in ("network", "tx_hash", "status", "block_height", "confirmations", "transfers", "outcome",
                "recoverable", "reason", "found_on_network"):
        assert key in doc
    assert doc["outcome"] == "unlisted_token"
    failed = evm_scenario.claim("DUSD transfer that reverted")
    assert run("verify", "-n", "ethereum", "--tx", failed.tx_hash, "--json", env=scenario_env).returncode == 1
    panel = run("verify", "-n", "ethereum", "--tx", ok.tx_hash, env=scenario_env)
    assert panel.returncode == 0 and "unlisted_token" in panel.stdout and "etherscan.io/tx/" in panel.stdout


def test_verify_unreachable_node_exits_1_with_unverifiable(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "RECOVERY_RPC_BASE": "http://127.0.0.1:9"}
    proc = run("verify", "-n", "base", "--tx", "0x" + "cd" * 32, "--json", env=env)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["outcome"] == "unverifiable"


def test_import_reports_lines_and_exits_2(cli_env: dict[str, str], tmp_path: Path) -> None:
    f = tmp_path / "addresses.csv"
    f.write_text("network,address,user_id,memo\nethereum,0x14dc79964da2c08b23698b3d3cc7ca32193d9955,u-1,\n"
                 "ethereum,bogus,u-2,\n")
    proc = run("import", "addresses", str(f), "--json", env=cli_env)
    assert proc.returncode == 2
    assert f"{f}:3" in proc.stderr
    assert json.loads(proc.stdout)["imported"] == 1
    missing = tmp_path / "credits.csv"
    missing.write_text("network,tx_hash\nethereum,0x00\n")
    proc = run("import", "credits", str(missing), env=cli_env)
    assert proc.returncode == 2 and "missing column(s) user_id, asset, amount" in proc.stderr


def test_verify_on_an_unreachable_network_is_unverifiable(cli_env: dict[str, str]) -> None:
    from tests.support.loopback import refused_url

    proc = run("verify", "-n", "xrp", "--tx", "ab" * 32, "--rpc", refused_url(), "--json", env=cli_env)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["outcome"] == "unverifiable" and "could not be reached" in doc["reason"]
    assert doc["explorer_url"] == "https://livenet.xrpl.org/transactions/" + "AB" * 32
    assert run("verify", "-n", "xrp", "--tx", "0x12", env=cli_env).returncode == 2


def test_verify_against_an_endpoint_of_another_chain_exits_2(evm_scenario: Any, scenario_env: dict[str, str]) -> None:
    """The BSC deposit asked on `ethereum` whose endpoint is the BSC node: a configuration error naming both
    chains (not "3 ETH, wrong_network")."""
    claim = evm_scenario.claim("BNB deposit never credited")
    env = {**scenario_env, "RECOVERY_RPC_ETHEREUM": evm_scenario.urls["bsc"]}
    proc = run("verify", "-n", "ethereum", "--tx", claim.tx_hash, "--json", env=env)
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == ""
    assert "Ethereum (1)" in proc.stderr and "BNB Smart Chain (56)" in proc.stderr
    assert evm_scenario.urls["bsc"] in proc.stderr and "Traceback" not in proc.stderr


def test_verify_lists_the_siblings_probed(evm_scenario: Any, scenario_env: dict[str, str]) -> None:
    """A hash unknown everywhere: bsc answered "not found", polygon (a closed port) could not be checked;
    JSON `probed` and the panel both say so."""
    from tests.support.loopback import refused_url

    env = {**scenario_env, "RECOVERY_RPC_POLYGON": refused_url()}
    missing = evm_scenario.claim("Hash unknown everywhere").tx_hash
    proc = run("verify", "-n", "ethereum", "--tx", missing, "--json", env=env)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["probed"] == {"bsc": "not found", "polygon": "unreachable"}
    assert doc["found_on_network"] is None and "Could not check polygon" in doc["reason"]
    moved = evm_scenario.claim("BSC transaction claimed on Ethereum").tx_hash
    doc = json.loads(run("verify", "-n", "ethereum", "--tx", moved, "--json", env=env).stdout)
    assert doc["probed"] == {"bsc": "found", "polygon": "unreachable"} and doc["found_on_network"] == "bsc"
    panel = run("verify", "-n", "ethereum", "--tx", missing, env=env)
    assert "bsc: not found, polygon: unreachable" in panel.stdout
