"""Loopback bitcoind and Esplora servers that replay recorded mainnet data (fixtures/chaindata).

The servers only replay the recorded files; where a recording lacks a field that a node adds at answer
time, the server adds it from the same recording and says so (blockhash of a blockbook tx,
confirmations from the tip, which each test states).

Identity calls (`getblockhash HEIGHT`, Esplora `/block-height/HEIGHT`) are answered with facts of mainnet:
the recorded `getblockhash 0` of Bitcoin and Zcash (bitcoin-etl block_0), otherwise the registry constant
(chains/networks.toml `identity`, whose sources are cited there: Litecoin, Dogecoin and Dash genesis hashes,
and the Bitcoin / Bitcoin Cash blocks 478559). A node stands for one network (`network`, default bitcoin).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.support.loopback import Handler, Request

# recorded transactions the tests name
LTC_TX = "19ad3daa2447be4e000d822f79ce252f274b016dacf1418b433d36c0aaf24f18"    # litecoin blockbook
B10C = "b10c0000004da5a9d1d9b4ae32e09f0b3e62d21a5cce5428d4ad714fb444eb5d"      # bitcoin esplora
BC94 = "bc9423e0a8b3571181d8545c0091600d8fc421c380457c45c1ca8c0698f765b8"      # bitcoin block 91880
E3BF = "e3bf3d07d4b0375638d5f1db5255fe07ba2c4cb067cd81b84ee974b6585fb468"      # coinbase of block 91880
ETL_STREAM = "bitcoin/bitcoin-etl/stream_50001_50002"
BCH_DUPLICATE_TXID = "bitcoin-cash/bitcoin-etl/block_with_duplicate_txid"


# -- recorded data helpers --------------------------------------------------------------------


def load(path: Path) -> Any:
    """A recorded JSON file, amounts kept as the exact decimals written in it."""
    return json.loads(path.read_text(), parse_float=Decimal)


def jsonl(path: Path) -> dict[str, Any]:
    """A bitcoin-etl oracle file (JSON Lines) by tx hash."""
    return {row["hash"]: row for row in map(json.loads, path.read_text().splitlines()) if row}


_DEC = re.compile(r'"@@([^@"]+)@@"')


def dumps(obj: Any) -> str:
    """JSON with Decimals written back with their recorded digits (json.dumps would go via float)."""
    return _DEC.sub(r"\1", json.dumps(obj, default=lambda d: f"@@{d}@@"))


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: the hash a p2pkh address carries."""
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def esplora_docs(chaindata: Path) -> list[dict[str, Any]]:
    """The recorded mempool.space Esplora /tx documents."""
    base = chaindata / "bitcoin" / "mempool-esplora"
    return load(base / "transactions-random.json") + load(base / "non-standard-txs.json")


def block_91880(chaindata: Path) -> dict[str, Any]:
    """Bitcoin block 91880 (getblock verbosity 2) from the chainstorage envelope."""
    doc = load(chaindata / "bitcoin" / "chainstorage" / "raw_block_91880.json")
    return json.loads(base64.b64decode(doc["bitcoin"]["header"]), parse_float=Decimal)


def bch_e3bf(chaindata: Path) -> dict[str, Any]:
    """A Bitcoin Cash node's getrawtransaction of e3bf3d07 (bitcoin-etl), its output written as a CashAddr."""
    return load(chaindata / BCH_DUPLICATE_TXID / f"rpc_response_getrawtransaction_{E3BF}.json")


def blockbook_data(chaindata: Path, network: str) -> dict[str, Any]:
    """A coin's blockbook rpc testdata (a block and some of its transactions)."""
    name = {"bitcoin-cash": "bcash"}.get(network, network)
    return load(chaindata / network / "blockbook" / f"rpc_testdata_{name}.json")


# bitcoind's own error messages (src/rpc/rawtransaction.cpp, src/rpc/blockchain.cpp)
NOT_FOUND = {"code": -5, "message": "No such mempool or blockchain transaction. "
             "Use gettransaction for wallet transactions."}
NO_TXINDEX = {"code": -5, "message": "No such mempool transaction. Use -txindex or provide a block hash "
              "to enable blockchain transaction queries. Use gettransaction for wallet transactions."}
BLOCK_NOT_FOUND = {"code": -5, "message": "Block not found"}


REPO = Path(__file__).resolve().parents[2]
RECORDED_GENESIS = {net: REPO / "fixtures" / "chaindata" / net / "bitcoin-etl" / "block_0" /
                    "rpc_response_getblockhash_0.json" for net in ("bitcoin", "zcash")}


def block_hash_at(network: str, height: int) -> str | None:
    """The mainnet block hash at `height` of a network: recorded where a recording exists, else the
    registry's identity constant; None for a height neither knows."""
    from chains.networks import get_network

    if height == 0 and network in RECORDED_GENESIS:
        return str(json.loads(RECORDED_GENESIS[network].read_text()))
    facts = dict(part.split(":") for part in (get_network(network).identity or "").split())
    return facts.get(str(height))


@dataclass
class Node:
    """What a bitcoind node knows, assembled from recorded responses; `tip` is stated by each test."""

    tip: int
    txs: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    txindex: bool = True
    network: str = "bitcoin"

    def raw_tx(self, doc: Any) -> Node:
        """A recorded getrawtransaction verbose result, served as recorded."""
        self.txs[doc["txid"]] = doc
        return self

    def header(self, block: dict[str, Any]) -> Node:
        """A recorded getblock result; getblockheader answers the same fields without `tx`."""
        self.headers[block["hash"]] = {k: v for k, v in block.items() if k != "tx"}
        return self

    def block_v2(self, block: dict[str, Any]) -> Node:
        """A recorded getblock verbosity-2 result: getrawtransaction of one of its txs is that tx plus
        the fields bitcoind adds for a tx in a block (blockhash, time, blocktime)."""
        self.header(block)
        for tx in block["tx"]:
            self.txs[tx["txid"]] = {**tx, "blockhash": block["hash"], "time": block["time"],
                                    "blocktime": block["time"]}
        return self

    def blockbook(self, data: dict[str, Any]) -> Node:
        """blockbook rpc testdata: its txs were stored without blockhash/confirmations; they are txs
        of the recorded block (listed in blockTxs), so the server adds that block's hash."""
        self.headers[data["blockHash"]] = {"hash": data["blockHash"], "height": data["blockHeight"],
                                           "time": data["blockTime"]}
        for txid, tx in data["txDetails"].items():
            assert txid in data["blockTxs"]
            self.txs[txid] = {**tx, "blockhash": data["blockHash"]}
        return self

    def answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        if method == "getblockcount":
            return {"result": self.tip, "error": None}
        if method == "getblockhash":
            found = block_hash_at(self.network, int(params[0]))
            if found is None:
                return {"result": None, "error": {"code": -8, "message": "Block height out of range"}}
            return {"result": found, "error": None}
        if method == "getrawtransaction":
            assert isinstance(params[1], int) and not isinstance(params[1], bool) and params[1] > 0
            tx = self.txs.get(params[0])
            if tx is None:
                return {"result": None, "error": NOT_FOUND if self.txindex else NO_TXINDEX}
            return {"result": tx, "error": None}
        if method == "getblockheader":
            header = self.headers.get(params[0])
            if header is None:
                return {"result": None, "error": BLOCK_NOT_FOUND}
            # recorded confirmations are as of recording time: derive them from the stated tip
            return {"result": {**header, "confirmations": self.tip - header["height"] + 1}, "error": None}
        return {"result": None, "error": {"code": -32601, "message": "Method not found"}}

    def handler(self) -> Handler:
        def handle(req: Request) -> tuple[int, Any]:
            body = req.json()
            calls = body if isinstance(body, list) else [body]
            out = [{**self.answer(c["method"], c["params"]), "id": c["id"]} for c in calls]
            return 200, dumps(out if isinstance(body, list) else out[0])

        return handle


def esplora_handler(docs: list[dict[str, Any]], tip: int) -> Handler:
    """Esplora REST (Bitcoin) over recorded /tx documents; unknown txids get Esplora's 404 text answer."""
    by_id = {d["txid"]: d for d in docs}

    def handle(req: Request) -> tuple[int, Any]:
        if req.path == "/api/blocks/tip/height":
            return 200, str(tip)
        m = re.fullmatch(r"/api/block-height/(\d+)", req.path)
        if m and block_hash_at("bitcoin", int(m[1])):
            return 200, block_hash_at("bitcoin", int(m[1]))
        m = re.fullmatch(r"/api/tx/([0-9a-f]{64})", req.path)
        if m and m[1] in by_id:
            return 200, dumps(by_id[m[1]])
        return 404, "Transaction not found"

    return handle

