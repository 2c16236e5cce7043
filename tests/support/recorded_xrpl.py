"""A loopback rippled JSON-RPC server that replays recorded mainnet answers (fixtures/chaindata/xrpl/).

Replayed as recorded:
- `tx` answers: 474F58E6… (API v1, gemwallet) and C53ECF83… (API v2 `tx_json`, xrpl-dev-portal);
- `server_info` of a full-history mainnet node (xrpl-dev-portal: network_id 0, complete_ledgers 32570-…);
- the `txnNotFound` answer of the xrpl-dev-portal `tx` reference, for any hash the server does not hold.

Derived, and said so: `tx` answers for transactions recorded by other methods, in the `tx` answer shapes
above. A Data API v2 entry (blockatlas) and a `ledger` (expand) entry carry the same signed transaction and
metadata (every hash re-derived from them); the server answers them API v1 style (the transaction's
fields, `hash`, `ledger_index`, `meta`, `validated: true`). xrpl.js' partial payment A0A074D1… (tx_json +
meta) is answered API v2 style; its ledger is not recorded, so its answer has no ledger_index.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from tests.support.loopback import Request

NATIVE_TX = "474F58E6C78F1DE8542036AB3C16E2B5A4089241DEE3E58142154DC3CA0E8271"   # 1 drop, no tag
OFFER_TX = "C53ECF838647FA5A4C780377025FEC7999AB4182590510CA461444B207AB74A9"    # OfferCreate (v2)
PARTIAL_IOU_TX = "A0A074D10355223CBE2520A42F93A52E3CC8B4D692570EB4841084F9BBB39F7A"
TAG_42_TX = "68BD7AA168163BEBA43956C0946CC87041CD72368B040F4933E6429B903A882F"   # 1000 drops, tag 42
UNTAGGED_TX = "40279A3DE51148BD41409DADF29DE8DCCD50F5AEE30840827B2C4C81C4E36505"  # 100 XRP, no tag
PATH_DRY_TX = "F0F263E6D4"     # prefix: the tecPATH_DRY BTC payment of ledger 7501326
JPY_TX = "2404D179D6"          # prefix: a JPY payment of ledger 7501326
SHARED = "rMQ98K56yXJbDGv49ZSmW51sLn94Xe1mu1"   # recipient of TAG_42_TX and UNTAGGED_TX


class Recorded:
    """The recorded answers, indexed by hash."""

    def __init__(self, chaindata: Path) -> None:
        folder = chaindata / "xrpl"
        self.server_info = json.loads((folder / "xrpl-dev-portal_server_info_jsonrpc-response.json").read_text())
        self.not_found = json.loads((folder / "xrpl-dev-portal_tx_txnNotFound_jsonrpc.json").read_text())
        self.results: dict[str, dict[str, Any]] = {}
        for name in ("gemwallet_tx_474F58E6.json", "xrpl-dev-portal_tx_jsonrpc-response_C53ECF83.json"):
            result = json.loads((folder / name).read_text())["result"]
            self.results[result["hash"]] = result
        data_api = json.loads((folder / "blockatlas_data_api_account_payments_rMQ98K56.json").read_text())
        for entry in data_api["transactions"]:
            # derived: the Data API entry in the `tx` (API v1) answer shape
            self.results[entry["hash"]] = {**entry["tx"], "hash": entry["hash"], "ledger_index": entry["ledger_index"],
                                           "meta": entry["meta"], "validated": True, "status": "success"}
        with gzip.open(folder / "xrpljs_ledgerFull7501326.json.gz") as fh:
            ledger = json.load(fh)   # the bare `ledger` object (xrpl.js keeps the result alone)
        for tx in ledger["transactions"]:
            # derived: the ledger entry in the `tx` (API v1) answer shape
            fields = {k: v for k, v in tx.items() if k != "metaData"}
            self.results[tx["hash"]] = {**fields, "meta": tx["metaData"], "ledger_index": int(ledger["ledger_index"]),
                                        "validated": True, "status": "success"}
        partial = json.loads((folder / "xrpljs_partialPaymentIOU.json").read_text())
        # derived: tx_json + meta in the `tx` (API v2) answer shape
        self.results[PARTIAL_IOU_TX] = {"tx_json": partial["tx_json"], "meta": partial["meta"],
                                        "hash": partial["tx_json"]["hash"], "validated": True, "status": "success"}
        self.served: dict[str, str] = {}   # asked hash -> recorded hash answered instead (stale-answer tests)

    def hash(self, prefix: str) -> str:
        """The one recorded hash with this prefix."""
        (found,) = [h for h in self.results if h.startswith(prefix)]
        return found

    def handle(self, req: Request) -> tuple[int, Any]:
        """Answer as rippled's JSON-RPC does (HTTP 200, errors inside `result`)."""
        body = req.json()
        if body["method"] == "server_info":
            return 200, self.server_info
        if body["method"] == "tx":
            asked = body["params"][0]["transaction"]
            found = self.results.get(self.served.get(asked, asked))
            return 200, {"result": found} if found else self.not_found
        return 404, "no such method here"
