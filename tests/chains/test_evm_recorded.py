"""The EVM adapter on recorded Ethereum mainnet responses, served over loopback JSON-RPC.

The server answers `eth_getTransactionByHash` with the transaction objects of recorded full blocks
(`eth_getBlockByNumber(.., true)`: the same object plus block fields), `eth_getTransactionReceipt`
with recorded receipts, and `eth_blockNumber` with a tip the test states (recorded files carry no
head). Anything unrecorded (e.g. `eth_call` for token decimals) is answered with a JSON-RPC error,
never with made-up data. Decoded transfers are checked against ethereum-etl's expected outputs.
"""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import RpcUnavailable
from chains.evm import EvmAdapter
from chains.networks import get_network
from tests.support.loopback import jsonrpc_handler
from tests.support.recorded_evm import TIP_AHEAD, RecordedNode, etl_node, load


def _oracle(folder: Path) -> list[dict[str, str]]:
    csv_file = folder / "expected_token_transfers.csv"
    if csv_file.exists():
        with csv_file.open() as fh:
            return list(csv.DictReader(fh))
    lines = (folder / "expected_token_transfers.json").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _adapter(url: str) -> EvmAdapter:
    return EvmAdapter(get_network("ethereum"), [url], timeout=5)


@pytest.mark.parametrize("dataset", ["block_483920", "blocks_1755634_1755635"])
def test_token_transfers_match_ethereum_etl(chaindata: Path, loopback: Any, dataset: str) -> None:
    folder = chaindata / "evm" / "ethereum-etl" / dataset
    node = etl_node(folder)
    expected = _oracle(folder)
    assert expected, "the oracle lists token transfers"
    srv = loopback(jsonrpc_handler(node.answer))
    hashes = sorted(node.receipts)
    results = dict(zip(hashes, _adapter(srv.url).fetch_many(hashes), strict=True))
    for row in expected:
        tx = results[row["transaction_hash"]]
        assert tx.status is TxStatus.CONFIRMED
        tokens = [(t.asset, t.from_address, t.to_address, t.amount) for t in tx.transfers if t.asset != NATIVE]
        assert (row["token_address"], row["from_address"], row["to_address"], int(row["value"])) in tokens
    decoded = sum(1 for tx in results.values() for t in tx.transfers if t.asset != NATIVE)
    assert decoded == len(expected)


def test_native_value_confirmations_and_fee_from_recorded_block(chaindata: Path, loopback: Any) -> None:
    folder = chaindata / "evm" / "ethereum-etl" / "block_483920"
    node = etl_node(folder)
    srv = loopback(jsonrpc_handler(node.answer))
    with (folder / "expected_transactions.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["hash"] in node.receipts]
    assert rows
    adapter = _adapter(srv.url)
    for row in rows:
        tx = adapter.fetch(row["hash"])
        assert tx.block_height == int(row["block_number"])
        assert tx.confirmations == TIP_AHEAD + 1
        native = [t for t in tx.transfers if t.asset == NATIVE]
        if int(row["value"]):
            assert [(t.from_address, t.to_address, t.amount, t.decimals) for t in native] == [
                (row["from_address"], row["to_address"], int(row["value"]), 18)]
        else:
            assert native == []
        receipt = node.receipts[row["hash"]]
        assert tx.fee_paid == int(receipt["gasUsed"], 16) * int(row["gas_price"])


def test_failed_receipts_are_failed_and_move_nothing(chaindata: Path, loopback: Any) -> None:
    raw = load(chaindata / "evm" / "chainstorage" / "raw_block_17053184.json.gz")["ethereum"]
    node = RecordedNode()
    node.add_block(json.loads(base64.b64decode(raw["header"])))
    for blob in raw["transactionReceipts"]:
        node.add_receipt(json.loads(base64.b64decode(blob)))
    srv = loopback(jsonrpc_handler(node.answer))
    hashes = sorted(node.receipts)
    results = _adapter(srv.url).fetch_many(hashes)
    by_status: dict[TxStatus, int] = {}
    for h, tx in zip(hashes, results, strict=True):
        by_status[tx.status] = by_status.get(tx.status, 0) + 1
        if tx.status is TxStatus.FAILED:
            assert node.receipts[h]["status"] == "0x0"
            assert all(t.asset == NATIVE for t in tx.transfers)   # no token logs survive a revert
    assert by_status == {TxStatus.CONFIRMED: 121, TxStatus.FAILED: 4}
    transfer_topic = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"   # ERC-20 Transfer
    logs = sum(1 for r in node.receipts.values() if r["status"] == "0x1" for lg in r["logs"]
               if lg["topics"] and lg["topics"][0].endswith(transfer_topic) and len(lg["topics"]) == 3)
    tokens = sum(1 for tx in results for t in tx.transfers if t.asset != NATIVE and not t.non_fungible)
    assert tokens == logs


def test_unknown_hash_is_not_found(chaindata: Path, loopback: Any) -> None:
    node = etl_node(chaindata / "evm" / "ethereum-etl" / "block_483920")
    srv = loopback(jsonrpc_handler(node.answer))
    tx = _adapter(srv.url).fetch("0x" + "12" * 32)
    assert tx.status is TxStatus.NOT_FOUND


def test_node_errors_are_retriable_never_not_found(loopback: Any) -> None:
    srv = loopback(lambda req: (500, {"error": "upstream down"}))
    adapter = _adapter(srv.url)
    with pytest.raises(RpcUnavailable):
        adapter.fetch("0x" + "12" * 32)
    results = adapter.fetch_many(["0x" + "12" * 32, "nothex"])
    assert isinstance(results[0], RpcUnavailable)
    assert type(results[1]).__name__ == "InvalidTxHash"


def test_failover_to_the_second_endpoint(chaindata: Path, loopback: Any) -> None:
    node = etl_node(chaindata / "evm" / "ethereum-etl" / "block_483920")
    dead = loopback(lambda req: (503, "maintenance"))
    live = loopback(jsonrpc_handler(node.answer))
    adapter = EvmAdapter(get_network("ethereum"), [dead.url, live.url], timeout=5)
    h = sorted(node.receipts)[0]
    assert adapter.fetch(h).status is TxStatus.CONFIRMED
    assert dead.requests, "the first endpoint was tried first"
