"""A loopback tonapi v2 replaying recorded mainnet answers.

Recorded (fixtures/chaindata/ton/PROVENANCE.md): two opentonapi block-transaction answers
(`/v2/blockchain/blocks/{id}/transactions`) of TON mainnet, 16 transactions in all.

What the server derives rather than replays, and says so:
- `GET /v2/blockchain/transactions/{hash}`: the element of a recorded block answer with that hash (the
  block answer's elements are tonapi's transaction objects, the same shape);
- any other request (an unrecorded hash, `get_masterchain_info`): HTTP 404 with an empty body, which is
  not tonapi's `{"error": ...}` answer, so the adapter must report it unverifiable, never not found. No
  get_masterchain_info and no not-found answer were found recorded: tests run with the ton identity unset
  and have no not-found case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

COMMENT_TX = "1bb443f1ca90d6f4d9ab7bc62fea6b133d49bbffba040964ba858beb632656a8"   # 5.44 TON in, text comment
COMMENT_TO = "0:408da3b28b6c065a593e10391269baaa9c5f8caebc0c69d9f0aabbab2a99256b"
COMMENT_TEXT = "Telegram Premium for 3 months \n\nRef#hR2ayqqP"
COMMENT_SEND_TX = "e535803d52"      # prefix: the sender's wallet ext-in tx that sent those 5.44 TON
COMMENT_FROM = "0:ef59caea6ebbee8542839162aa654b76f416e712ce22752da647d7e22cf1097f"
PLAIN_IN_TX = "d9daf890c9"          # prefix: 0.07 TON internal transfer in, no comment (op 0x00000001)
FAILED_COMMENT_TX = "05c7c2c2db"    # prefix: aborted (cskip_no_gas), in_msg with a text comment
FAILED_WALLET_TX = "f833e3c1"       # prefix: wallet ext-in, action phase failed (result 37)


class Recorded:
    """The recorded transactions, indexed by hash."""

    def __init__(self, chaindata: Path) -> None:
        self.txs: dict[str, dict[str, Any]] = {}
        for path in sorted((chaindata / "ton" / "opentonapi").glob("block-txs-*.json")):
            for tx in json.loads(path.read_text())["transactions"]:
                self.txs[tx["hash"]] = tx

    def full(self, prefix: str) -> str:
        """The one recorded hash starting with `prefix`."""
        (match,) = [h for h in self.txs if h.startswith(prefix)]
        return match

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET /v2/blockchain/transactions/{hash} from the recordings; anything else HTTP 404, no body."""
        prefix = "/v2/blockchain/transactions/"
        if req.method == "GET" and req.path.startswith(prefix):
            tx = self.txs.get(req.path.removeprefix(prefix).lower())
            if tx is not None:
                return 200, tx
        return 404, b""
