"""EVM verdicts that must be right or say they do not know, on real Anvil nodes (and one recorded node):
a wrong-chain endpoint, a token deposit still in the mempool, value moved by a contract's inner call,
a node without a trace API, a lagging node, a token's own symbol, and the `finalized` tag."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chains.errors import WrongChain
from recovery.anvil import REPO, Anvil
from recovery.db import make_engine, session_scope
from recovery.devnet import ETHER, deploy_token, send_native, send_token
from recovery.reference_import import import_file
from recovery.triage import Outcome, Verdict
from recovery.verify import verify
from tests.support.loopback import jsonrpc_handler
from tests.support.recorded_evm import etl_node

FORWARDER = REPO / "fixtures" / "contracts" / "Forwarder.json"
SELECTOR_FORWARD = "0x101e8952"            # forward(address)
SELECTOR_APPROVE = "0x095ea7b3"            # approve(address,uint256)
SELECTOR_TRANSFER_FROM = "0x23b872dd"      # transferFrom(address,address,uint256)


def word(value: int | str) -> str:
    return value.lower().removeprefix("0x").rjust(64, "0") if isinstance(value, str) else format(value, "064x")


def check(db_url: str, network: str, tx_hash: str, **kwargs: Any) -> Verdict:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return verify(session, network, tx_hash, **kwargs)
    finally:
        engine.dispose()


@pytest.fixture
def bsc_manual(anvil_nodes: dict[str, Any]) -> Iterator[Anvil]:
    """The BSC node with automine off for the test (transactions wait in the mempool), then on again
    with whatever the test left pending mined."""
    bsc = anvil_nodes["bsc"]
    bsc.rpc("evm_setAutomine", False)
    try:
        yield bsc
    finally:
        bsc.rpc("evm_setAutomine", True)
        bsc.mine(1)


def test_ethereum_endpoint_on_the_bsc_node_is_wrong_chain(evm_scenario: Any, scenario_env: dict[str, str],
                                                          db_url: str) -> None:
    """Not "3 BNB, wrong_network, recoverable": the endpoint is refused, naming both chains."""
    claim = evm_scenario.claim("BNB deposit never credited")
    with pytest.raises(WrongChain, match=r"Ethereum \(1\).*BNB Smart Chain \(56\)"):
        check(db_url, "ethereum", claim.tx_hash, rpc=evm_scenario.urls["bsc"])


def test_token_deposit_in_the_mempool_is_pending(evm_scenario: Any, scenario_env: dict[str, str], db_url: str,
                                                 bsc_manual: Anvil) -> None:
    """transfer() and transferFrom() of a token, to our BSC deposit address, still in the mempool."""
    bsc = bsc_manual
    acc = bsc.accounts()
    owner, spender, ours = acc[1], acc[2], evm_scenario.deposits["u-1002@bsc"]
    bsc.rpc("evm_setAutomine", True)
    token = deploy_token(bsc, acc[0], "Pending Dollar", "PUSD", 6, 10**12)
    send_token(bsc, acc[0], token, owner, 10**9)
    bsc.rpc("eth_sendTransaction", {"from": owner, "to": token,
                                    "data": SELECTOR_APPROVE + word(spender) + word(10**8)})
    bsc.rpc("evm_setAutomine", False)
    direct = send_token(bsc, owner, token, ours, 5 * 10**6)
    delegated = str(bsc.rpc("eth_sendTransaction", {
        "from": spender, "to": token, "data": SELECTOR_TRANSFER_FROM + word(owner) + word(ours) + word(7 * 10**6)}))
    for tx, amount in ((direct, "5"), (delegated, "7")):
        v = check(db_url, "bsc", tx)
        assert (v.status, v.outcome, v.user_id) == ("pending", Outcome.PENDING, "u-1002"), v.reason
        assert v.transfer is not None and (v.transfer.from_address, v.transfer.to_address) == (owner, ours)
        assert (v.asset, format(v.amount, "f"), v.decimals) == (token, amount, 6)   # decimals() asked of the node


def test_value_forwarded_by_a_contract_is_seen_through_the_trace(evm_scenario: Any, scenario_env: dict[str, str],
                                                                 db_url: str, anvil_nodes: dict[str, Any]) -> None:
    """A smart-wallet style withdrawal: 1.5 BNB to the Forwarder, which passes it on to our address."""
    bsc = anvil_nodes["bsc"]
    acc = bsc.accounts()
    artifact = json.loads(FORWARDER.read_text())
    forwarder = str(bsc.receipt(bsc.rpc("eth_sendTransaction", {"from": acc[0], "data": artifact["bytecode"]}))
                    ["contractAddress"]).lower()
    ours = evm_scenario.deposits["u-1002@bsc"]
    tx = str(bsc.rpc("eth_sendTransaction", {"from": acc[3], "to": forwarder, "value": hex(3 * ETHER // 2),
                                             "data": SELECTOR_FORWARD + word(ours)}))
    bsc.mine(15)
    v = check(db_url, "bsc", tx)
    assert (v.outcome, v.user_id, v.deposit_address, format(v.amount, "f")) == (
        Outcome.UNCREDITED, "u-1002", ours, "1.5"), v.reason
    assert v.transfer is not None and v.transfer.from_address == forwarder
    stranger = send_native(bsc, acc[3], acc[9], ETHER // 10)   # a plain payment to someone else, for contrast
    assert check(db_url, "bsc", stranger).outcome is Outcome.NOT_OUR_ADDRESS


def test_contract_call_without_a_trace_api_is_unverifiable(chaindata: Path, loopback: Any, engine: Any) -> None:
    """A recorded node answers no trace call: a contract call that reached none of ours cannot be called
    not_our_address (its inner calls might have paid us)."""
    node = etl_node(chaindata / "evm" / "ethereum-etl" / "block_483920")
    calls = [h for h, tx in node.txs.items() if h in node.receipts and tx.get("input") not in ("0x", "")]
    assert calls
    srv = loopback(jsonrpc_handler(node.answer))
    with session_scope(engine) as session:
        v = verify(session, "ethereum", calls[0], rpc=srv.url, probe=False)
    assert v.outcome is Outcome.UNVERIFIABLE and "trace" in v.reason, v.reason


def test_a_lagging_node_is_unverifiable_not_authoritative(evm_scenario: Any, scenario_env: dict[str, str],
                                                          db_url: str, anvil_nodes: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    claim = evm_scenario.claim("BNB deposit never credited")
    bsc = anvil_nodes["bsc"]
    monkeypatch.setenv("RECOVERY_MAX_HEAD_AGE_BSC", "2")
    bsc.mine(1)
    assert check(db_url, "bsc", claim.tx_hash).outcome is Outcome.UNCREDITED    # a fresh head
    time.sleep(3)
    v = check(db_url, "bsc", claim.tx_hash)
    assert v.outcome is Outcome.UNVERIFIABLE and "is behind" in (v.error or ""), v.reason
    monkeypatch.delenv("RECOVERY_MAX_HEAD_AGE_BSC")     # the registry's own limit (60 s for BSC)
    bsc.mine(1)
    assert check(db_url, "bsc", claim.tx_hash).outcome is Outcome.UNCREDITED


def test_an_unlisted_token_is_named_by_its_own_symbol(evm_scenario: Any, scenario_env: dict[str, str],
                                                      db_url: str) -> None:
    claim = evm_scenario.claim("Unlisted token sent to a deposit address")
    v = check(db_url, claim.network, claim.tx_hash)
    assert v.outcome is Outcome.UNLISTED_TOKEN
    assert "token RNDM (" in v.reason and format(v.amount, "f") == "25000", v.reason


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def test_a_finalized_block_is_final_before_min_confirmations(engine: Any, tmp_path: Path) -> None:
    """Polygon asks 128 confirmations; Anvil finalizes 64 blocks behind its head. A deposit 70 blocks
    deep is final (uncredited), one 10 blocks deep is not yet (pending)."""
    with Anvil(137) as polygon:
        acc = polygon.accounts()
        ours = acc[4]
        for kind, header, rows in (
                ("addresses", ["network", "address", "user_id", "memo"], [["polygon", ours, "u-pol", ""]]),
                ("assets", ["network", "asset", "symbol", "decimals", "min_deposit", "deposit_enabled"],
                 [["polygon", "native", "POL", "18", "1", "true"]])):
            assert not import_file(engine, kind, _write(tmp_path / f"{kind}.csv", header, rows)).errors
        deep = send_native(polygon, acc[1], ours, 5 * ETHER)
        polygon.mine(69)
        shallow = send_native(polygon, acc[1], ours, 6 * ETHER)
        polygon.mine(9)
        with session_scope(engine) as session:
            v_deep = verify(session, "polygon", deep, rpc=polygon.url, probe=False)
            v_shallow = verify(session, "polygon", shallow, rpc=polygon.url, probe=False)
    assert (v_deep.outcome, v_deep.confirmations) == (Outcome.UNCREDITED, 80), v_deep.reason
    assert (v_shallow.outcome, v_shallow.confirmations) == (Outcome.PENDING, 10), v_shallow.reason
