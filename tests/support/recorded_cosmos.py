"""A loopback legacy LCD (Cosmos SDK 0.37/0.38) replaying recorded mainnet answers.

Recorded (fixtures/chaindata/cosmos/PROVENANCE.md): trustwallet/blockatlas `/txs?...` search answers of the
Cosmos Hub (staking transactions) and of Kava (two MsgSend, one with memo `100009547`).

What the server derives rather than replays, and says so:
- `GET /txs/{hash}`: the element of a recorded search answer with that `txhash` (the legacy LCD wrote the
  same `TxResponse` object in both answers);
- any other request (an unrecorded hash, `/node_info`): HTTP 404 with an empty body. That is not an LCD
  answer, so the adapter must report it unverifiable, never not found. No node_info answer and no
  not-found answer were found recorded, so tests run with the cosmos identity unset and have no
  not-found case (tests/support/memo_registry.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

KAVA_MEMO_TX = "30EFE9E830D317F84629F9DC35177577DF6713D78D354C2C469DE633900303BC"    # memo 100009547
KAVA_NO_MEMO_TX = "84FFA6CC8428B7A5E82003A7BCA6D1FAB2DF296AD18BE73EE61CBCBF67623880"  # empty memo
HUB_UNDELEGATE_TX = "3FEE8F10FBA5505DE2A8D3EF220D5CE900CA76B96208234BBF89B8075743A230"
KAVA_SENDER = "kava1l8va9zyl50cpzv447c694k3jndelc9ygtfll2m"
KAVA_RECIPIENT = "kava1ys70jvnajkv88529ys6urjcyle3k2j9r24g6a7"


class Recorded:
    """The recorded transactions, indexed by txhash."""

    def __init__(self, chaindata: Path) -> None:
        self.txs: dict[str, dict[str, Any]] = {}
        for path in sorted((chaindata / "cosmos" / "blockatlas").glob("*.json")):
            for tx in json.loads(path.read_text())["txs"]:
                self.txs[tx["txhash"].upper()] = tx

    def handle(self, req: Request) -> tuple[int, Any]:
        """GET /txs/{hash} from the recordings; anything else HTTP 404 with no body."""
        if req.method == "GET" and req.path.startswith("/txs/"):
            tx = self.txs.get(req.path.removeprefix("/txs/").upper())
            if tx is not None:
                return 200, tx
        return 404, b""
