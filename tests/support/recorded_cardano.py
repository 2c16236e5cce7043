"""A loopback Blockfrost API that replays recorded Cardano mainnet answers.

Recorded (fixtures/chaindata/cardano/PROVENANCE.md, blockfrost/blockfrost-tests mainnet fixtures,
extracted from TypeScript as described there): `/txs/{hash}` and `/txs/{hash}/utxos` of 28172ea8…
(block 5040611, Byron outputs of 301374.004958 and 400000 ADA) and 313223c9… (block 1792232); the
`/utxos` answer of 7ec5dd9f… (a native asset, no `/txs` answer recorded); Blockfrost's 404 body;
`/genesis` of mainnet (network_magic 764824073) and of preprod (network_magic 1).

What the server derives rather than replays, and says so:
- `/blocks/latest` answers `{"height": TIP}` alone, the one field the adapter reads, with the tip each
  test states (no latest-block answer is recorded: the fixtures match it with `expect.any`);
- an unknown hash is answered HTTP 404 with the recorded 404 body, as Blockfrost does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

BYRON_TX = "28172ea876c3d1e691284e5179fae2feb3e69d7d41e43f8023dc380115741026"
OLD_TX = "313223c9f0d09ee287148874f938ecf37fea7bf3c10a5d649522d0f40db1cf71"
ASSET_UTXOS_TX = "7ec5dd9f2fdd33b73786106b95be7737f6de5d53bb5e7b0610d1b9e947474d3c"
BYRON_HEIGHT = 5040611


class Recorded:
    """The recorded answers; `tip` is the height /blocks/latest answers, `genesis` mainnet or preprod."""

    def __init__(self, chaindata: Path, *, tip: int = BYRON_HEIGHT + 20, genesis: str = "mainnet") -> None:
        self.folder = chaindata / "cardano"
        self.txs = {h: self.load(f"txs_{h}.json") for h in (BYRON_TX, OLD_TX)}
        self.utxos = {h: self.load(f"txs_{h}_utxos.json") for h in (BYRON_TX, OLD_TX, ASSET_UTXOS_TX)}
        self.not_found = self.load("error_404.json")
        self.genesis = self.load(f"genesis_{genesis}.json")
        self.tip = tip
        self.broken: set[str] = set()    # path prefixes answered HTTP 500

    def load(self, name: str) -> Any:
        """One recorded file."""
        return json.loads((self.folder / name).read_text())

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET /genesis, /blocks/latest, /txs/{hash}[/utxos]."""
        if any(req.path.startswith(p) for p in self.broken):
            return 500, {"status_code": 500, "error": "Internal Server Error"}
        if req.path == "/genesis":
            return 200, self.genesis
        if req.path == "/blocks/latest":
            return 200, {"height": self.tip}
        parts = req.path.strip("/").split("/")
        if parts[0] == "txs" and len(parts) == 2 and parts[1] in self.txs:
            return 200, self.txs[parts[1]]
        if parts[0] == "txs" and len(parts) == 3 and parts[2] == "utxos" and parts[1] in self.txs:
            return 200, self.utxos[parts[1]]
        return 404, self.not_found
