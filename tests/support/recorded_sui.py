"""A loopback Sui JSON-RPC fullnode that replays recorded mainnet answers.

Recorded (fixtures/chaindata/sui/PROVENANCE.md, gemwalletcom/core test data): the
`sui_getTransactionBlock` answers (effects, events, balance changes) of a SUI transfer (CJ16PEqq…,
0.1 SUI), of a coin transfer (4MjZc5Gr…, 10231646 base units of 0xc0600061…::coin::COIN) and of a
swap (38FsSDjA…: SUI in, a coin out of the pool to the swapper and to a fee address).

What the server derives rather than replays, and says so:
- an unknown digest is answered with the node's not-found error as cordialsys/crosschain recorded it
  (`{"code": -32602, "message": "Could not find the referenced transaction [TransactionDigest(D)]."}`,
  see PROVENANCE.md), with the digest asked in place of D;
- `sui_getChainIdentifier` answers the identifier the test states (mainnet's published "35834a8a"):
  no recorded answer of it exists in the sources.
No failed Sui mainnet transaction is recorded anywhere we searched: failure is not tested on real data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

SUI_TX = "CJ16PEqq49KFp758iEVwxEkd3CwP7zDfqGYLuLuu9Z63"
COIN_TX = "4MjZc5GrgP6peCwbA1LyS5rXNdJxKjWbd2TrSDZQBXKf"
COIN = "0xc060006111016b8a020ad5b33834984a437aaa7d3c74c18e09a95d48aceab08c::coin::COIN"
SWAP_TX = "38FsSDjA7PGrmFFhNWSH8kFXoTmLvsGukDFoe3S7AUvp"
FILES = {SUI_TX: "transfer_sui_CJ16PEqq.json", COIN_TX: "transfer_token_4MjZc5Gr.json",
         SWAP_TX: "gemwallet_swap_sui_to_token.json"}


class Recorded:
    """The recorded answers; `chain` is what sui_getChainIdentifier answers."""

    def __init__(self, chaindata: Path, *, chain: str = "35834a8a") -> None:
        folder = chaindata / "sui"
        self.answers = {}
        for name in FILES.values():
            answer = json.loads((folder / name).read_text())
            self.answers[answer["result"]["digest"]] = answer
        self.chain = chain
        self.broken = False

    def handle(self, req: Request) -> tuple[int, Any]:
        """One JSON-RPC call."""
        body = req.json()
        if self.broken:
            return 503, "upstream unavailable"
        method, params, rid = body["method"], body.get("params") or [], body.get("id")
        if method == "sui_getChainIdentifier":
            return 200, {"jsonrpc": "2.0", "id": rid, "result": self.chain}
        if method == "sui_getTransactionBlock":
            answer = self.answers.get(params[0])
            if answer:
                return 200, answer
            message = f"Could not find the referenced transaction [TransactionDigest({params[0]})]."
            return 200, {"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": message}}
        return 200, {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}}
