"""A loopback EOS chain API replaying recorded answers byte for byte (wharfkit mock-recorder envelopes:
the recorded HTTP status and raw body).

Recorded (fixtures/chaindata/eos/PROVENANCE.md): `/v1/history/get_transaction` of mainnet transfer
03ef96a2... (without and with traces), an EOS mainnet `get_info` (as cleos printed it, in the EOS Network
Foundation's docs), a Jungle4 testnet `get_info`, a nodeos HTTP 500 error answer and a mainnet HTTP 400
`unknown_block_exception` answer.

The server answers by what the test configures: `tx` (which get_transaction envelope), `info` (which
get_info: the mainnet one by default, or an envelope, or none), `error` (an error envelope for every history
call). A request with nothing recorded for it gets HTTP 404 with an empty body (not a chain API answer:
unverifiable, never not found). No tx_not_found answer was found recorded: there is no not-found case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

TX = "03ef96a276a252b66595d91006ad0ff38ed999816f078bc5d87f88368a9354e7"
FROM, TO = "longtoulaoda", "b1"
NO_TRACES = "history_get_transaction_03ef96a2_no_traces.json"
TRACES = "history_get_transaction_03ef96a2_traces.json"
MAINNET_INFO = "chain_get_info_mainnet.json"       # fixtures/chaindata/eos/evm-public-docs/
JUNGLE4_INFO = "chain_get_info_jungle4.json"
ERROR_500 = "error_500_jungle4_unknown_key.json"
ERROR_400 = "error_400_unknown_block.json"


def envelope(chaindata: Path, name: str) -> dict[str, Any]:
    """One recorded envelope."""
    return dict(json.loads((chaindata / "eos" / "wharfkit-antelope" / name).read_text()))


@dataclass
class Node:
    """What the loopback chain API answers."""

    chaindata: Path
    tx: str | None = NO_TRACES
    info: str | None = MAINNET_INFO
    error: str | None = None

    def _replay(self, name: str) -> tuple[int, Any]:
        rec = envelope(self.chaindata, name)
        return int(rec["status"]), rec["text"].encode()

    def handle(self, req: Request) -> tuple[int, Any]:
        """Replay the configured envelope for the request."""
        if req.path == "/v1/chain/get_info" and self.info == MAINNET_INFO:
            return 200, (self.chaindata / "eos" / "evm-public-docs" / MAINNET_INFO).read_bytes()
        if req.path == "/v1/chain/get_info" and self.info:
            return self._replay(self.info)
        if req.path == "/v1/history/get_transaction":
            if self.error:
                return self._replay(self.error)
            if self.tx and str((req.json() or {}).get("id", "")).lower() == TX:
                return self._replay(self.tx)
        return 404, b""
