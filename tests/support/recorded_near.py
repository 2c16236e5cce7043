"""A loopback NEAR JSON-RPC node that replays recorded mainnet answers.

Recorded (fixtures/chaindata/near/PROVENANCE.md, wormhole's NEAR watcher mocks): the `tx` answers of a
native Transfer (8qfBoDpJ…, signer sweat_welcome.near), an NEP-141 ft_transfer on token.sweat
(4X788aPw…) and a failed AddKey (4XXtr7Jr…); the `block` answers of heights 76538230 (9AEuLtXe…) and
76538232 (G3r7EszA…); the node's HANDLER_ERROR / UNKNOWN_BLOCK error answer; and two newer answers
with `final_execution_status` (gemwalletcom/core): 5qSP5dRV… (1 NEAR, FINAL) and E36PnGQH… (0.01 NEAR,
EXECUTED_OPTIMISTIC), both from the implicit account 051d30e6… to 75b4f90d….

What the server derives rather than replays, and says so:
- the two newer answers were recorded as answers of sending the transaction (`send_tx`), which
  returns the same FinalExecutionOutcome as `tx`: the server gives them to `tx`;
- `tx` is answered only for the (hash, signer) pair of the recorded request; any other pair gets the
  recorded UNKNOWN_BLOCK error object (we have no recording of UNKNOWN_TRANSACTION, the RPC's own
  not-found answer), so an unknown hash is not an answer the adapter may call not found;
- `block` with `finality: final` answers the block the newest recorded block names as its
  `last_final_block` (76538230), unless the test states another recorded block;
- `status` (identity) answers `{"chain_id": ...}` alone, the one field the adapter reads: no status
  answer is recorded; "mainnet" is NEAR's published mainnet chain id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

NATIVE_TX, NATIVE_SIGNER = "8qfBoDpJbHjogEPsyKTYzQBedAZejgrwjw4VQ1ShQPLT", "sweat_welcome.near"
FT_TX, FT_SIGNER = "4X788aPwnx8S5LYSqEQxefgpr6F9Lqn6hqZD9yrqaSS8", \
    "1360c5f0a71c792d6597605a2edcd9303acff46a629d2c9e80edb2bde1cd0c33"
FAILED_TX, FAILED_SIGNER = "4XXtr7JrRNaquPXe7RZ1PSgJ645dgSpsRyE6gmvhvQV4", "vietnq77.near"
NATIVE_TO = "2b9c8ffb46c4258b7adae7e54257ac54d7bc9c250f5078c3e571da00c7a564a9"
FT_TO = "55e9e763584f360e1bd577ff81e68f79f56ad57a87c95a318f85639989471390"
SWEAT = "token.sweat"
FINAL_TX = "5qSP5dRVr5KQ37Dd9CV2gi7KDuvtU4eFaRK7cDKREVL2"
OPTIMISTIC_TX = "E36PnGQHhq4ahUt1W2b9nv7Mu1qaGq1aEp63GAsSka1z"
GEM_SIGNER = "051d30e6c78c4cf858389d62af5f703275450d318b85ff52a4ac963948cfdf95"
GEM_TO = "75b4f90dc729b28ce1a3d44b2c96b3943136f1d7ced0b5df1fc23662439e3e3c"
FILES = {NATIVE_TX: "tx_8qfBoDpJ_native_transfer.json", FT_TX: "tx_4X788aPw_ft_transfer_token.sweat.json",
         FAILED_TX: "tx_4XXtr7Jr_failed_addkey.json", FINAL_TX: "gemwallet_successful_transaction.json",
         OPTIMISTIC_TX: "gemwallet_transaction_transfer_success.json"}


class Recorded:
    """The recorded answers; `final` is the height of the block served as the final head."""

    def __init__(self, chaindata: Path, *, final: int = 76538230, chain_id: str = "mainnet") -> None:
        folder = chaindata / "near"
        self.txs = {h: json.loads((folder / f).read_text()) for h, f in FILES.items()}
        self.blocks = {}
        for height in (76538230, 76538232):
            answer = json.loads((folder / f"block_{height}.json").read_text())
            self.blocks[answer["result"]["header"]["hash"]] = answer
            self.blocks[str(height)] = answer
        self.unknown_block = json.loads((folder / "error_UNKNOWN_BLOCK.json").read_text())
        self.final, self.chain_id = str(final), chain_id
        self.broken: set[str] = set()     # methods answered HTTP 500

    def signer(self, tx_hash: str) -> str:
        """The signer the recorded `tx` request named."""
        return str(self.txs[tx_hash]["result"]["transaction"]["signer_id"])

    def handle(self, req: Request) -> tuple[int, Any]:
        """One JSON-RPC call, answered from the recordings."""
        body = req.json()
        method, params = body.get("method"), body.get("params")
        if method in self.broken:
            return 500, "internal error"
        if method == "status":
            return 200, {"jsonrpc": "2.0", "id": body.get("id"), "result": {"chain_id": self.chain_id}}
        if method == "tx":
            tx_hash, signer = params
            answer = self.txs.get(tx_hash)
            if answer and self.signer(tx_hash) == signer:
                return 200, answer
            return 200, self.unknown_block
        if method == "block":
            key = self.final if params.get("finality") == "final" else params.get("block_id")
            return 200, self.blocks.get(str(key), self.unknown_block)
        return 200, {"jsonrpc": "2.0", "id": body.get("id"), "error": {"code": -32601, "message": "no such method"}}
