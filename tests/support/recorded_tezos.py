"""A loopback TzKT API that replays recorded Tezos mainnet answers.

Recorded (fixtures/chaindata/tezos/PROVENANCE.md, kukai-wallet/kukai-core-swift test stubs): the
`/v1/operations/{hash}` answers of ooT5uBir… (mainnet level 1191022, 2020-10-28: an FA1.2 tzBTC
`approve`, a Dexter `tokenToXtz` call and its two internal transactions, 125.060096 XTZ from Dexter to
the sender and an FA1.2 `transfer` of 1925220 tzBTC base units from the sender to Dexter, all applied)
and of oo5XsmdP… (level 1190194: a 1 XTZ `xtzToToken` call to Dexter, failed); a ghostnet `/v1/head`
(chainId NetXnHfVqm9iesp), the wrong-chain endpoint.

What the server derives rather than replays, and says so:
- the mainnet `/v1/head` answers `{"chainId": "NetXdQprcVkpaWU", "level": HEAD}` alone, the two fields
  the adapter reads, HEAD stated by the test (no mainnet head answer is recorded; NetXdQprcVkpaWU is the
  chain id the recorded pytezos mainnet operation carries);
- an unknown hash is answered HTTP 404 with a plain-text body: TzKT's own not-found answer (`[]`) is
  not recorded, so the adapter must not call this not found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

SWAP_OP = "ooT5uBirxWi9GXRqf6eGCEjoPhQid3U8yvsbP9JQHBXifVsinY8"
FAILED_OP = "oo5XsmdPjxvBAbCyL9kh3x5irUmkWNwUFfi2rfiKqJGKA6Sxjzf"
SWAP_LEVEL = 1191022
TZBTC = "KT1PWx2mnDueood7fEmfbBDKx1D9BAnnXitn"
DEXTER = "KT1DrJV8vhkdLEj76h1H9Q4irZDqAkMPo1Qf"
SWAPPER = "tz1ZutSZgCHEzxspXyoSYSREhwHh5g4PM8hN"
MAINNET = "NetXdQprcVkpaWU"


class Recorded:
    """The recorded answers; `head` is the mainnet head level, `ghostnet` serves the recorded ghostnet head."""

    def __init__(self, chaindata: Path, *, head: int = SWAP_LEVEL + 9, ghostnet: bool = False) -> None:
        folder = chaindata / "tezos"
        self.ops = {SWAP_OP: json.loads((folder / "kukai_tzkt_operation.json").read_text()),
                    FAILED_OP: json.loads((folder / "kukai_tzkt_operation-error.json").read_text())}
        self.head = json.loads((folder / "kukai_tzkt_head.json").read_text()) if ghostnet \
            else {"chainId": MAINNET, "level": head}

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET /v1/head and /v1/operations/{hash}."""
        if req.path == "/v1/head":
            return 200, self.head
        if req.path.startswith("/v1/operations/"):
            ops = self.ops.get(req.path.rsplit("/", 1)[1])
            return (200, ops) if ops else (404, "Not Found")
        return 404, "Not Found"
