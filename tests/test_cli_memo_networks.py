"""`recovery verify` on the memo networks as a user runs it: a malformed id is bad input (exit 2) before
any request; an endpoint of another chain is refused (exit 2); a replayed mainnet transfer verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.recorded_eos import JUNGLE4_INFO, TX, Node
from tests.test_cli import run


@pytest.mark.parametrize(("network", "bad"), [
    ("cosmos", "0x30EFE9E830D317F84629F9DC35177577DF6713D78D354C2C469DE633900303BC"),
    ("ton", "1bb443f1ca90d6f4"),
    ("eos", "03ef96a2-not-hex"),
])
def test_malformed_id_is_bad_input_before_any_request(cli_env: dict[str, str], loopback: Any, network: str,
                                                       bad: str) -> None:
    node = loopback(lambda req: (500, b""))
    proc = run("verify", "--network", network, "--tx", bad, "--rpc", node.url, "--json", env=cli_env)
    assert proc.returncode == 2, proc.stderr
    assert bad in proc.stderr and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert node.requests == []


def test_endpoint_of_another_chain_is_refused(cli_env: dict[str, str], loopback: Any, chaindata: Path) -> None:
    node = loopback(Node(chaindata, info=JUNGLE4_INFO).handle)          # Jungle4 testnet answering for eos
    proc = run("verify", "--network", "eos", "--tx", TX, "--rpc", node.url, "--json", env=cli_env)
    assert proc.returncode == 2, proc.stderr
    assert "73e4385a" in proc.stderr and "eos" in proc.stderr and proc.stdout == ""
    assert [r.path for r in node.requests] == ["/v1/chain/get_info"]


def test_networks_list_shows_memo_networks_ready(cli_env: dict[str, str]) -> None:
    rows = {r["id"]: r for r in json.loads(run("networks", "list", "--json", env=cli_env).stdout)}
    for net in ("cosmos", "ton", "eos"):
        assert rows[net]["adapter_ready"] is True and rows[net]["memo_required"] is True


def test_verify_replayed_eos_transfer(cli_env: dict[str, str], loopback: Any, chaindata: Path) -> None:
    node = loopback(Node(chaindata).handle)                # mainnet get_info, then the recorded transfer
    proc = run("verify", "--network", "eos", "--tx", TX.upper(), "--rpc", node.url, "--json", env=cli_env)
    doc = json.loads(proc.stdout)
    assert (doc["tx_hash"], doc["status"], doc["block_height"], doc["outcome"]) == (
        TX, "confirmed", 199068081, "not_our_address"), proc.stderr
    assert doc["transfers"][0]["amount"] == "0.0012" and doc["transfers"][0]["to_address"] == "b1"
    assert [r.path for r in node.requests] == ["/v1/chain/get_info", "/v1/history/get_transaction"]
