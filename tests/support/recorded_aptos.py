"""A loopback Aptos fullnode REST API that replays recorded mainnet answers.

Recorded (fixtures/chaindata/aptos/PROVENANCE.md): two `/v1/blocks/by_height/{h}?with_transactions=true`
answers (coinbase/chainstorage): block 1798814 holds the failed user transaction 0x418bc250…
(CODE_DESERIALIZATION_ERROR), block 84219770 the successful fee-payer transaction 0x3cc7c756… (a token
call, no deposit); and two `/v1/transactions/by_hash/{hash}` answers (gemwalletcom/core): 0x6a43e003…,
an `aptos_account::transfer_coins` of 24.31838058 APT moved as fungible-asset Withdraw/Deposit events,
and 0xf1c24162…, a Panora swap with dozens of fungible-asset deposits of several assets.

What the server derives rather than replays, and says so:
- `/transactions/by_hash/{hash}` of the two block transactions answers the recorded block's entry with
  that hash: a transaction inside a `with_transactions` block has the by-hash answer's shape;
- an unknown hash is answered HTTP 404 with a plain-text body: Aptos's own `transaction_not_found`
  body is not recorded, so the adapter must not call this not found;
- the ledger info (`GET /v1`) answers `{"chain_id": N}` alone, N stated by the test (mainnet's 1):
  no ledger-info answer with a licence we could cite is recorded.
No legacy `coin::DepositEvent` / `coin::CoinDeposit` answer is recorded: those paths are not tested.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

FAILED_TX = "0x418bc250a242aa68585de2adde702f0e17e98dab4e6a447f9da1bfabf5de2e0e"
FEE_PAYER_TX = "0x3cc7c7561dea396868d7e1d1706987996ed40f717f2107a8c72d2fa4d40e2337"
APT_TX = "0x6a43e0034486583a30cff449c03c4d882c641b351e392096272496168240de8e"
SWAP_TX = "0xf1c24162c0"   # prefix; the full hash is read from the file
APT_FROM = "0xd1a1c1804e91ba85a569c7f018bb7502d2f13d4742d2611953c9c14681af6446"
APT_TO = "0x6467997d9c3a5bc9f714e17a168984595ce9bec7350645713a1fe7983a7f5fcc"


class Recorded:
    """The recorded blocks' user transactions, by hash; `chain_id` is what the ledger info answers."""

    def __init__(self, chaindata: Path, *, chain_id: int = 1) -> None:
        self.txs: dict[str, Any] = {}
        for height in (1798814, 84219770):
            block = json.loads((chaindata / "aptos" / f"blocks_by_height_{height}_with_transactions.json").read_text())
            for tx in block["transactions"]:
                self.txs[tx["hash"]] = tx
        for name in ("transaction_near_intent_transfer", "transaction_swap_panora"):
            tx = json.loads((chaindata / "aptos" / f"gemwallet_{name}.json").read_text())
            self.txs[tx["hash"]] = tx
        self.chain_id = chain_id

    def swap_hash(self) -> str:
        """The full hash of the recorded Panora swap."""
        return next(h for h in self.txs if h.startswith(SWAP_TX))

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET / (ledger info) and /transactions/by_hash/{hash}."""
        if req.path in ("", "/"):
            return 200, {"chain_id": self.chain_id}
        if req.path.startswith("/transactions/by_hash/"):
            tx = self.txs.get(req.path.rsplit("/", 1)[1])
            return (200, tx) if tx else (404, "Not Found")
        return 404, "Not Found"
