"""A loopback Algorand indexer that serves recorded mainnet transaction objects (fixtures/chaindata/algorand/).

The recorded objects are indexer `Transaction` results that algokit-lora's tests keep from mainnet (see
PROVENANCE.md; every pay/axfer id re-derived from its fields). What the server derives, and says so: the
envelopes of the two answers the adapter reads, around those objects: `GET /v2/transactions/{id}` answers
`{"current-round": CURRENT_ROUND, "transaction": <object>}` (the indexer's LookupTransaction shape) and
`GET /v2/transactions?limit=1` answers `{"current-round": CURRENT_ROUND, "transactions": [<the earliest
recorded object>]}` (its search shape). CURRENT_ROUND is stated here, above every recorded round. An id the
server does not hold gets a plain 404 without the indexer's message (no real recording of the indexer's
not-found answer was found), which the adapter must treat as unverifiable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

CURRENT_ROUND = 38_100_000
PAY_TX = "FBORGSDC4ULLWHWZUMUFIYQLSDC26HGLTFD7EATQDY37FHCIYBBQ"        # 236.07 ALGO, note "1340…:6394…"
PAY_NOTE = "13402832142124774:6394619160283507712"
AXFER_TX = "JBDSQEI37W5KWPQICT2IGCG2FWMUGJEUYYK3KFKNSYRNAXU2ARUA"      # 300000 units of ASA 523683256
OPT_IN_TX = "563MNGEL2OF4IBA7CFLIJNMBETT5QNKZURSLIONJBTJFALGYOAUA"     # 0 to itself
OPT_OUT_TX = "V7GQPE5TDMB4BIW2GCTPCBMXYMCF3HQGLYOYHGWP256GQHN5QAXQ"    # 0 with close-to, close-amount 0
APP_CALL_TX = "KMNBSQ4ZFX252G7S4VYR4ZDZ3RXIET5CNYQVJUO5OXXPMHAMJCCQ"   # inner pay 236.706032 ALGO


class Recorded:
    """The recorded transaction objects, by id."""

    def __init__(self, chaindata: Path) -> None:
        self.txs: dict[str, dict[str, Any]] = {}
        for path in sorted((chaindata / "algorand").glob("*.json")):
            tx = json.loads(path.read_text())
            self.txs[tx["id"]] = tx

    def handle(self, req: Request) -> tuple[int, Any]:
        """Answer as an indexer does for the two calls the adapter makes."""
        if req.path == "/v2/transactions":
            first = min(self.txs.values(), key=lambda t: t["confirmed-round"])
            return 200, {"current-round": CURRENT_ROUND, "transactions": [first]}
        prefix = "/v2/transactions/"
        if req.path.startswith(prefix) and req.path[len(prefix):] in self.txs:
            return 200, {"current-round": CURRENT_ROUND, "transaction": self.txs[req.path[len(prefix):]]}
        return 404, "404 page not found"
