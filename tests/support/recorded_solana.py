"""A loopback Solana JSON-RPC server that replays a recorded mainnet block.

Recorded data: getBlock(110130000, jsonParsed) from zuyezheng/solana-etl (fixtures/chaindata/solana/,
see its PROVENANCE.md). Each `transactions[]` entry equals a getTransaction(jsonParsed) result minus
`slot` and `blockTime`.

What the server derives rather than replays, and says so:
- getTransaction: the block's entry for that signature, plus `slot` and `blockTime` taken from the block;
  null for a signature the block does not hold.
- getSlot: a chain tip the test states (TIP, 150 slots after the recorded block, unless told otherwise).
- getGenesisHash (the endpoint's chain check): not recorded; the registry constant (chains/networks.toml
  solana `identity`, the mainnet-beta genesis hash that wallets and SDK tests compare against).
- getSignatureStatuses is not recorded: answered "Method not found", so finality stays unknown.
The block predates token balances with `owner` (Solana 1.9), so owners come from the instructions of the
transaction where it created the token account, and otherwise stay the token account itself.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

SLOT = 110130000
BLOCK_TIME = 1638693800
TIP = SLOT + 150

SOL_TX = "2wkUfKkMHCCrxnTUEMXXRkKMMykGqsbW1wpkxBT6FjNWqmUeT1jhMexCmai2btA5sa3uGDMADuxyaLxYSzLbTRkP"
MEMO_SPL_TX = "Doc43kck9KGbCp6wudvX7mQM5ZAojyv3LnVuumVLdoLBivi4Yi9ZdekcoN76RovS4YnToYkdouhpCSmx7tG6okw"
CHECKED_TX = "y3SdcpfygtcDbfnyhE8Qru6cB1WJAoZxSftc4rD77ckCkYYi1FJvb1Dh8LrosNGhmzDD3KfdCTpUW9Q4FCUKwY3"
CREATE_AND_PAY_TX = "2Sx9GWzdVEKVGvmjvzn3"   # prefix; resolved from the block with Recorded.signature
SWAP_TX = "31McUGpQVexxoa82hhjC9VY362GeYQkxGPm2d2evWL3qegnqVZRdxoL84d3mVJzQb9csxDFAoKFD4LZP2C2J24Vk"
FAILED_TX = "ZxsgRMw5R7gwyZRKDaXL"          # prefix; resolved from the block with Recorded.signature


class Recorded:
    """The recorded block, indexed by first signature; `tip` is the slot getSlot answers."""

    def __init__(self, chaindata: Path, tip: int = TIP) -> None:
        path = chaindata / "solana" / "zuyezheng-solana-etl" / "getBlock_110130000_jsonParsed.json.gz"
        with gzip.open(path) as fh:
            self.block = json.load(fh)["result"]
        assert self.block["blockTime"] == BLOCK_TIME
        self.txs = {tx["transaction"]["signatures"][0]: tx for tx in self.block["transactions"]}
        self.tip = tip
        self.calls: list[tuple[str, list[Any]]] = []

    def signature(self, prefix: str) -> str:
        (sig,) = [s for s in self.txs if s.startswith(prefix)]
        return sig

    def methods(self, method: str, params: list[Any]) -> dict[str, Any]:
        self.calls.append((method, params))
        if method == "getSlot":
            return {"result": self.tip}
        if method == "getGenesisHash":
            from chains.networks import get_network

            return {"result": get_network("solana").identity}
        if method == "getTransaction":
            entry = self.txs.get(params[0])
            # derived: a getTransaction result is the block entry plus the block's slot and time
            return {"result": None if entry is None else {**entry, "slot": SLOT, "blockTime": BLOCK_TIME}}
        return {"error": {"code": -32601, "message": "Method not found"}}
