"""A loopback Substrate API Sidecar that replays recorded Polkadot mainnet answers.

Recorded (fixtures/chaindata/polkadot/PROVENANCE.md, paritytech/substrate-api-sidecar test data):
`/blocks/{n}` answers of Polkadot blocks 4092619, 4947391 (e2e expectations against a public node),
18468942 and 19772575 (unit-test expectations built from real raw blocks), all `finalized: true`;
`/runtime/spec` answers of Polkadot (specName polkadot) and Kusama (specName kusama).

What the server derives rather than replays, and says so: a block number it has no recording of is
answered HTTP 500 (we have no recording of sidecar's own error for it), which must stay retriable.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

TRANSFER_KEEP_ALIVE = "0x27e4a6f000617d1867a025f79f8e0a3b2d5fc057207f1b89855416c9313b2e4b"   # 4947391, 277.9843 DOT
FAILED_TRANSFER = "0xbebfd46a190a99c970e244b824e2e27b26ec9ee9149a510d00d6901e6497e44d"      # 4947391
FAILED_KEEP_ALIVE = "0xd0e3a521163a1fdf829a8e46f5ee88ec9f6f73308833c492adc2a55e2fb30a89"    # 4092619
NEW_ACCOUNT = "0x4f151b3e1443437bb55460b602fcea37f0f78196e690d7e4522d0cd81facd9d3"          # 18468942
ALLOW_DEATH = "0x99fd750ecda44015490619b000244b900a2b0b1cdf18efd955e01d13054ffbb6"          # 19772575
BATCH_ALL = "0xaf6da437d5ea8cfcf60aa923acf718c5f3800f042defaa5ab7abe0bfbfa9fdb4"            # 19772575
BLOCK_OF = {TRANSFER_KEEP_ALIVE: 4947391, FAILED_TRANSFER: 4947391, FAILED_KEEP_ALIVE: 4092619,
            NEW_ACCOUNT: 18468942, ALLOW_DEATH: 19772575, BATCH_ALL: 19772575}


def claim(tx_hash: str) -> str:
    """The claim form the adapter fetches: hash@block."""
    return f"{tx_hash}@{BLOCK_OF[tx_hash]}"


class Recorded:
    """The recorded answers; `spec` names the runtime spec file served (polkadot or kusama)."""

    def __init__(self, chaindata: Path, *, spec: str = "polkadot") -> None:
        folder = chaindata / "polkadot"
        self.blocks: dict[str, Any] = {}
        for n in (4092619, 4947391):
            self.blocks[str(n)] = json.loads((folder / f"e2e_polkadot_blocks_{n}.json").read_text())
        for n in (18468942, 19772575):
            self.blocks[str(n)] = json.loads(gzip.decompress((folder / f"sidecar_blocks_{n}.json.gz").read_bytes()))
        self.kusama_block = json.loads((folder / "e2e_kusama_blocks_2684767.json").read_text())
        name = {"polkadot": "e2e_polkadot_runtime_spec_3000000.json",
                "kusama": "e2e_kusama_runtime_spec_4000000.json"}[spec]
        self.spec = json.loads((folder / name).read_text())

    def extrinsic(self, tx_hash: str) -> dict[str, Any]:
        """The recorded extrinsic of a hash."""
        return next(x for x in self.blocks[str(BLOCK_OF[tx_hash])]["extrinsics"] if x["hash"] == tx_hash)

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET /runtime/spec and /blocks/{n}."""
        if req.path == "/runtime/spec":
            return 200, self.spec
        if req.path.startswith("/blocks/"):
            block = self.blocks.get(req.path.removeprefix("/blocks/"))
            return (200, block) if block else (500, {"code": 500, "message": "no recording of this block"})
        return 404, {"code": 404, "message": "no route"}
