"""A loopback Aptos fullnode REST API that replays recorded mainnet answers.

Recorded (fixtures/chaindata/aptos/PROVENANCE.md, coinbase/chainstorage parser fixtures): two
`/v1/blocks/by_height/{h}?with_transactions=true` answers. Block 1798814 holds the failed user
transaction 0x418bc250… (CODE_DESERIALIZATION_ERROR), block 84219770 the successful fee-payer
transaction 0x3cc7c756… (a token call: no coin or fungible-asset deposit).

What the server derives rather than replays, and says so:
- `/transactions/by_hash/{hash}` answers the recorded block's entry with that hash: a transaction
  inside a `with_transactions` block has the by-hash answer's shape (chainstorage's note);
- an unknown hash is answered HTTP 404 with a plain-text body: Aptos's own `transaction_not_found`
  body is not recorded, so the adapter must not call this not found;
- the ledger info (`GET /v1`) answers `{"chain_id": N}` alone, N stated by the test (mainnet's 1):
  no ledger-info answer with a licence we could cite is recorded.
No recorded REST answer holds an APT, coin or fungible-asset transfer: those are not tested on real data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

FAILED_TX = "0x418bc250a242aa68585de2adde702f0e17e98dab4e6a447f9da1bfabf5de2e0e"
FEE_PAYER_TX = "0x3cc7c7561dea396868d7e1d1706987996ed40f717f2107a8c72d2fa4d40e2337"


class Recorded:
    """The recorded blocks' user transactions, by hash; `chain_id` is what the ledger info answers."""

    def __init__(self, chaindata: Path, *, chain_id: int = 1) -> None:
        self.txs: dict[str, Any] = {}
        for height in (1798814, 84219770):
            block = json.loads((chaindata / "aptos" / f"blocks_by_height_{height}_with_transactions.json").read_text())
            for tx in block["transactions"]:
                self.txs[tx["hash"]] = tx
        self.chain_id = chain_id

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET / (ledger info) and /transactions/by_hash/{hash}."""
        if req.path in ("", "/"):
            return 200, {"chain_id": self.chain_id}
        if req.path.startswith("/transactions/by_hash/"):
            tx = self.txs.get(req.path.rsplit("/", 1)[1])
            return (200, tx) if tx else (404, "Not Found")
        return 404, "Not Found"
