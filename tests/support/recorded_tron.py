"""A loopback java-tron HTTP API that replays recorded mainnet answers.

Recorded data (see fixtures/chaindata/tron/PROVENANCE.md):
- gettransactionbyid + gettransactioninfobyid of USDT transfer 661f1df8... (bjrobin/note, tronpy, visible=true);
- getblock 60836289 (visible=true) and 61132092 (hex addresses), whose transactions are
  gettransactionbyid-shaped;
- a TronGrid v1 account transaction list whose entries carry the gettransactionbyid fields (ret, txID,
  raw_data, raw_data_hex) plus blockNumber/block_timestamp/fees, incl. REVERT and OUT_OF_ENERGY TRC-20 calls.

What the server derives rather than replays, and says so:
- gettransactioninfobyid for block transactions and v1 entries (only 661f1df8... has a recorded one):
  {"id", "blockNumber", "blockTimeStamp"} from the recorded block or entry, plus "fee" where the v1 entry
  records it (ret[0].fee). No receipt and no logs, so TRC-20 transfers come from the call data.
- getnowblock: the recorded getblock 61132092 (same answer shape), so the chain tip is HEAD = 61132092.
- getblockbynum {"num": 0} (the endpoint's chain check): no recording of the genesis block is shipped, so
  the server answers {"blockID": ...} with the registry constant (chains/networks.toml tron `identity`,
  the mainnet genesis blockID published by TronGrid users and java-tron's own tests), nothing else.
- triggerconstantcontract (token decimals/symbol) and /walletsolidity are not recorded: 404, as a node
  without that route would answer, so token decimals stay unknown unless the reference data gives them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

REPO = Path(__file__).resolve().parents[2]
V1_LIST = REPO / "fixtures" / "chaindata" / "tron" / \
    "bjrobin-note_shell_01_transaction-information-by-account-address.json"

USDT_TX = "661f1df88ce02b746efe7449c3c7a04d6d21a7fc019723c92679228d8275ad57"
USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
HEAD = 61132092
TRX_TX = "8a3c47823aaef924c3687dca159184d450b9b8e9e398d9024150bf12e199feb5"        # block 60836289
TRX_HEX_TX = "21c3adae72355717ffb7b74ba5957d13edc4cc468b2f3223e96974d0d4e248e4"    # block 61132092
TRC20_CALL_TX = "8f96aa13861eb3a11d106497fdd328601fa4a0b293d596c0faf25388e43e0324"  # block 60836289
TRC10_TX = "9f0f4a9cc74f72abcd70f3866d34e672df271ebbf63a29b274e04ee528f3d95b"      # block 60836289
REVERT_TX = "6f73eebee92e96fce4bb02098d3af588a14c86aeadd795477e9164c5177d87d6"     # v1 list
OUT_OF_ENERGY_TX = "43d14257cf4f6cdd75d0a5417da50a1bf4f837e98fc880cbd7c830c27645fe32"


class Recorded:
    """The recorded answers, indexed by txID."""

    def __init__(self, chaindata: Path) -> None:
        note = chaindata / "tron" / "bjrobin-note"
        self.blocks = [json.loads(gzip.decompress((note / f"get_block_{n}.json.gz").read_bytes()))
                       for n in (60836289, HEAD)]
        self.head_block = self.blocks[1]
        self.txs: dict[str, dict[str, Any]] = {}
        self.infos: dict[str, dict[str, Any]] = {}
        for block in self.blocks:
            header = block["block_header"]["raw_data"]
            for tx in block["transactions"]:
                self.txs[tx["txID"]] = tx
                # derived: the block position of a transaction of a recorded block
                self.infos[tx["txID"]] = {"id": tx["txID"], "blockNumber": header["number"],
                                          "blockTimeStamp": header["timestamp"]}
        text = V1_LIST.read_text()
        # the recorded file is cut short after the "data" array; the array itself is complete
        entries, _ = json.JSONDecoder().raw_decode(text, text.index("["))
        for entry in entries:
            self.txs[entry["txID"]] = entry
            # derived: block position and fee recorded by the v1 entry itself
            self.infos[entry["txID"]] = {"id": entry["txID"], "blockNumber": entry["blockNumber"],
                                         "blockTimeStamp": entry["block_timestamp"],
                                         "fee": entry["ret"][0]["fee"]}
        self.txs[USDT_TX] = json.loads((note / f"get_transaction_{USDT_TX}.json").read_text())
        self.infos[USDT_TX] = json.loads((note / f"get_transaction_info_{USDT_TX}.json").read_text())

    def handle(self, req: Request) -> tuple[int, Any]:
        """Answer as java-tron does: {} for an id it does not know."""
        body = req.json() or {}
        txid = str(body.get("value"))
        if req.path == "/wallet/getnowblock":
            return 200, self.head_block
        if req.path == "/wallet/getblockbynum" and body.get("num") == 0:
            from chains.networks import get_network

            return 200, {"blockID": get_network("tron").identity}
        if req.path == "/wallet/gettransactionbyid":
            return 200, self.txs.get(txid, {})
        if req.path == "/wallet/gettransactioninfobyid":
            return 200, self.infos.get(txid, {})
        return 404, {"Error": f"no route {req.path}"}
