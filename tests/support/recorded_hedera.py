"""A loopback Hedera mirror node (REST) that replays recorded mainnet records (fixtures/chaindata/hedera/).

The recorded files are HashScan's unit-test constants of mainnet answers (see PROVENANCE.md): whole answers
(`{"transactions": [...], "links": ...}`) and single records cut from a `transactions` list. What the server
derives, and says so: `GET /api/v1/transactions/{id}` answers `{"transactions": [the records with that id]}`
(the by-id answer's shape); an id it does not hold is answered with the 404 status and body that the mirror
node's own REST spec (`__tests__/specs/transactions/{id}/not-found.json`) expects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

CRYPTO_TRANSFER_TX = "0.0.19852-1646746046-457048377"   # 90000 tinybar 0.0.14698 -> 0.0.14684, no memo
CRYPTO_TRANSFER_SDK_FORM = "0.0.19852@1646746046.457048377"
RECIPIENT = "0.0.14684"
SENDER = "0.0.14698"
FAILED_TX = "0.0.950-1646664143-028737238"              # CONTRACTCALL INSUFFICIENT_GAS, with a memo
STAKING_TX = "0.0.939841-1677545092-878406670"          # CONTRACTCALL paying out a staking reward
TOPIC_TX = "0.0.950-1646666046-105179272"               # CONSENSUSCREATETOPIC with a memo, fee only
PREFIX = "/api/v1"


class Recorded:
    """The recorded records, by transaction id."""

    def __init__(self, chaindata: Path) -> None:
        folder = chaindata / "hedera"
        self.records: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(folder.glob("t*.json")):
            doc = json.loads(path.read_text())
            for record in doc.get("transactions", [doc]):
                self.records.setdefault(record["transaction_id"], []).append(record)
        spec = json.loads((folder / "hedera-mirror-node_spec_transactions_id_not-found.json").read_text())
        self.not_found = (int(spec["responseStatus"]), spec["responseJson"])

    def handle(self, req: Request) -> tuple[int, Any]:
        """Answer as the mirror node's REST API does."""
        route = f"{PREFIX}/transactions/"
        if req.path.startswith(route) and req.path[len(route):] in self.records:
            return 200, {"transactions": self.records[req.path[len(route):]]}
        return self.not_found
