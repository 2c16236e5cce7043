"""A loopback Horizon that replays recorded transaction records (fixtures/chaindata/stellar/).

Replayed as recorded: `GET /transactions/{hash}` answers (blockatlas, gemwallet) and the transaction records
of Horizon's documentation examples (the example of `/transactions/{hash}` itself, and the records inside
the examples of `/accounts/{id}/transactions` and `/ledgers/{seq}/transactions`, which are the same resource),
each answered alone for its own hash. The docs' `POST /transactions` example is a testnet transaction record
(its envelope hashes to its hash only under the testnet passphrase). Any other hash is answered 404 with the
`not_found` problem body that the Stellar Go SDK's tests keep from a live Horizon (horizon-live-001).
Every mainnet envelope here hashes to its record's hash under the mainnet passphrase (checked by the tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

NATIVE_TX = "23fa4d3c787f22a1755afa4275761ffba516ec4f2e039440ec02a5522b388f2c"    # 3976053 XLM, memo none
OTHER_NATIVE_TX = "2912d519b2c2174b0147a9e02208f3ed14820228913142f8c6a5cd360783c029"  # 500000 XLM
TEXT_MEMO_TX = "132c440e984ab97d895f3477015080aafd6c4375f6a70a87327f7f95e13c4e31"  # memo text '298424'
HASH_MEMO_TX = "3a644389bb"       # prefix: NODL credit payment, memo hash
NGNT_TX = "5ebd5c0af4"            # prefix: 200000 NGNT credit payment, memo none
FAILED_TX = "95811f45cbc7bb08ddb60cf096c30d272c9a2d533ff95cd588de3028d8b407f6"   # successful: false
OFFER_TX = "83eabfa824"           # prefix: manage_sell_offer only
TESTNET_TX = "8ef0c6d603"         # prefix: the docs' testnet submit example


def _records(doc: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(doc, dict):
        if isinstance(doc.get("hash"), str) and "envelope_xdr" in doc:
            found.append(doc)
        for value in doc.values():
            found.extend(_records(value))
    elif isinstance(doc, list):
        for value in doc:
            found.extend(_records(value))
    return found


class Recorded:
    """The recorded transaction records, by hash."""

    def __init__(self, chaindata: Path) -> None:
        folder = chaindata / "stellar"
        self.records: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("*.json")):
            for record in _records(json.loads(path.read_text())):
                self.records[record["hash"]] = record
        self.not_found = json.loads((folder / "stellar-go_horizonclient_notFoundResponse.json").read_text())

    def hash(self, prefix: str) -> str:
        """The one recorded hash with this prefix."""
        (found,) = [h for h in self.records if h.startswith(prefix)]
        return found

    def handle(self, req: Request) -> tuple[int, Any]:
        """Answer as Horizon does."""
        prefix = "/transactions/"
        if req.path.startswith(prefix) and req.path[len(prefix):] in self.records:
            return 200, self.records[req.path[len(prefix):]]
        return 404, self.not_found
