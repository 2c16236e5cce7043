"""A loopback Ethereum JSON-RPC node over recorded mainnet blocks and receipts (fixtures/chaindata/evm).

`eth_getTransactionByHash` answers with the transaction objects of recorded full blocks
(`eth_getBlockByNumber(.., true)`: the same object plus block fields), `eth_getTransactionReceipt` with
recorded receipts, `eth_blockNumber` with a tip the test states (recorded files carry no head: TIP_AHEAD
blocks above the newest recorded block). `eth_chainId` (the endpoint's chain check) answers 0x1: the
registry constant of Ethereum mainnet (chains/networks.toml `chain_id = 1`), as recordings carry none.
Anything unrecorded (`eth_call`, traces, the `finalized` tag) is a JSON-RPC error, never made-up data.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

TIP_AHEAD = 100  # stated: the chain tip is this many blocks above the newest recorded block


class RecordedNode:
    """Recorded blocks and receipts, answering as an Ethereum node would."""

    def __init__(self) -> None:
        self.txs: dict[str, dict[str, Any]] = {}
        self.receipts: dict[str, dict[str, Any]] = {}
        self.top = 0

    def add_block(self, block: dict[str, Any]) -> None:
        self.top = max(self.top, int(block["number"], 16))
        for tx in block["transactions"]:
            self.txs[tx["hash"].lower()] = tx

    def add_receipt(self, receipt: dict[str, Any]) -> None:
        self.receipts[receipt["transactionHash"].lower()] = receipt

    def answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        if method == "eth_blockNumber":
            return {"result": hex(self.top + TIP_AHEAD)}
        if method == "eth_chainId":
            return {"result": "0x1"}
        if method == "eth_getTransactionByHash":
            return {"result": self.txs.get(params[0].lower())}
        if method == "eth_getTransactionReceipt":
            return {"result": self.receipts.get(params[0].lower())}
        return {"error": {"code": -32601, "message": f"{method} not recorded"}}


def load(path: Path) -> Any:
    return json.loads(gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_text())


def etl_node(folder: Path) -> RecordedNode:
    node = RecordedNode()
    for f in sorted(folder.glob("*eth_getBlockByNumber*")):
        node.add_block(load(f)["result"])
    for f in sorted(folder.glob("*eth_getTransactionReceipt*")):
        node.add_receipt(load(f)["result"])
    return node



