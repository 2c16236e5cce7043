"""Nodes that lie or fail, for every family: each fault gives `unverifiable` for the rows it touches (a
retriable error in place of the transaction), never a wrong transaction, a not-found or a crash.

Faults injected (see FAULT_KINDS at the end, counted for the report): answers about another hash, JSON-RPC
batch answers with a missing, duplicated or extra id, out of order or not objects, results of the wrong
shape (`{}`, `"garbage"`), a drip-fed answer, huge answers with and without a declared length, Retry-After
beyond the deadline and within it, a not-found from the first of two endpoints, a tip below the block.
The servers replay recorded mainnet answers (tests/support/recorded_*.py) and rearrange them; the
fault servers of tests/support/faults.py send no chain data at all.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from chains.base import ChainTx, TxStatus
from chains.errors import RateLimited, RegistryError, RetriableError, RpcTimeout, RpcUnavailable
from chains.evm import EvmAdapter
from chains.http import HttpClient, RetryPolicy
from chains.networks import get_network
from chains.registry import get_adapter
from chains.solana import SolanaAdapter
from chains.tron import TronAdapter
from chains.utxo import UtxoAdapter
from tests.support import recorded_solana, recorded_tron, recorded_utxo
from tests.support.faults import BATCH_FAULTS, MB, drip, huge, mangled_batches, raw_server
from tests.support.loopback import Request, jsonrpc_handler
from tests.support.recorded_evm import RecordedNode, etl_node

FAST = RetryPolicy(attempts=2, backoff=0.01)
GENESIS = Path(__file__).resolve().parents[2] / "fixtures" / "chaindata" / "bitcoin" / "bitcoin-etl" / \
    "block_0" / "rpc_response_getblockhash_0.json"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (UtxoAdapter, TronAdapter, SolanaAdapter):
        monkeypatch.setattr(cls, "retry", FAST)


@pytest.fixture(scope="module")
def evm_node(chaindata: Path) -> RecordedNode:
    return etl_node(chaindata / "evm" / "ethereum-etl" / "block_483920")


def evm(*urls: str, timeout: float = 5.0) -> EvmAdapter:
    return EvmAdapter(get_network("ethereum"), list(urls), timeout=timeout)


# -- answers about another hash ------------------------------------------------------------------


class LyingEvmNode(RecordedNode):
    """Answers every hash it does not know with the transaction and receipt of one it does."""

    def __init__(self, honest: RecordedNode) -> None:
        super().__init__()
        self.txs, self.receipts, self.top = honest.txs, honest.receipts, honest.top
        self.other = sorted(honest.receipts)[0]

    def answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        if method in ("eth_getTransactionByHash", "eth_getTransactionReceipt") and params[0] not in self.txs:
            params = [self.other]
        return super().answer(method, params)


def test_evm_answer_about_another_hash_is_unverifiable(evm_node: RecordedNode, loopback: Any) -> None:
    """Asked for a hash nobody mined, the node answers with the facts of a real one: no such transaction
    may come out of it (today's code made it a confirmed deposit)."""
    srv = loopback(jsonrpc_handler(LyingEvmNode(evm_node).answer))
    unknown, known = "0x" + "12" * 32, sorted(evm_node.receipts)[1]
    lied, honest = evm(srv.url).fetch_many([unknown, known])
    assert isinstance(lied, RpcUnavailable) and "answered transaction" in lied.user_message
    assert isinstance(honest, ChainTx) and honest.status is TxStatus.CONFIRMED


def test_utxo_tron_solana_answers_about_another_id_are_unverifiable(
        chaindata: Path, loopback: Any) -> None:
    block = recorded_utxo.block_91880(chaindata)
    node = recorded_utxo.Node(tip=91890).block_v2(block)
    liar = recorded_utxo.Node(tip=91890, txs={recorded_utxo.LTC_TX: node.txs[recorded_utxo.BC94]},
                              headers=node.headers)
    (btc,) = UtxoAdapter(get_network("bitcoin"), [loopback(liar.handler()).url], timeout=5).fetch_many(
        [recorded_utxo.LTC_TX])
    assert isinstance(btc, RpcUnavailable)

    tron = recorded_tron.Recorded(chaindata)
    tron.txs[recorded_tron.TRX_TX] = tron.txs[recorded_tron.TRX_HEX_TX]   # the answer of another id
    (trx,) = TronAdapter(get_network("tron"), [loopback(tron.handle).url], timeout=5).fetch_many(
        [recorded_tron.TRX_TX])
    assert isinstance(trx, RpcUnavailable) and "answered transaction" in trx.user_message

    sol = recorded_solana.Recorded(chaindata)
    sol.txs[recorded_solana.SOL_TX[::-1]] = sol.txs[recorded_solana.SOL_TX]
    (sig,) = SolanaAdapter(get_network("solana"), [loopback(jsonrpc_handler(sol.methods)).url],
                           timeout=5).fetch_many([recorded_solana.SOL_TX[::-1]])
    assert isinstance(sig, RpcUnavailable) and "answered transaction" in sig.user_message


# -- JSON-RPC batch answers --------------------------------------------------------------------------


@pytest.mark.parametrize("fault", sorted(BATCH_FAULTS))
def test_mangled_batch_answers_cost_their_slots_only(fault: str, evm_node: RecordedNode, loopback: Any) -> None:
    hashes = sorted(evm_node.receipts)   # 4 recorded transactions with receipts
    clean = evm(loopback(jsonrpc_handler(evm_node.answer)).url).fetch_many(hashes)
    assert all(isinstance(r, ChainTx) and r.status is TxStatus.CONFIRMED for r in clean)
    srv = loopback(mangled_batches(jsonrpc_handler(evm_node.answer), BATCH_FAULTS[fault]))
    got = evm(srv.url).fetch_many(hashes)
    for want, have in zip(clean, got, strict=True):
        assert have == want or isinstance(have, RetriableError), (fault, have)
    unverifiable = [i for i, r in enumerate(got) if isinstance(r, RetriableError)]
    last, every = [len(hashes) - 1], list(range(len(hashes)))   # the last receipt's answer is the one hit
    expected = {"out of order": [], "missing id": last, "duplicated id": last,
                "extra id": every, "not objects": every}[fault]
    assert unverifiable == expected, fault


# -- results of the wrong shape ---------------------------------------------------------------------


SHAPES = {"empty object": {}, "garbage": "garbage", "list": [1, 2]}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_evm_wrong_shaped_result_is_unverifiable(shape: str, evm_node: RecordedNode, loopback: Any) -> None:
    h = sorted(evm_node.receipts)[0]

    def answer(method: str, params: list[Any]) -> dict[str, Any]:
        if method == "eth_getTransactionByHash":
            return {"result": SHAPES[shape]}
        return evm_node.answer(method, params)

    (result,) = evm(loopback(jsonrpc_handler(answer)).url).fetch_many([h])
    assert isinstance(result, RpcUnavailable), result


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_utxo_solana_tron_wrong_shaped_results_are_unverifiable(shape: str, chaindata: Path,
                                                                  loopback: Any) -> None:
    node = recorded_utxo.Node(tip=91890).block_v2(recorded_utxo.block_91880(chaindata))

    def btc(req: Request) -> tuple[int, Any]:
        calls = req.json()
        if isinstance(calls, list):
            return 200, recorded_utxo.dumps([
                {"id": c["id"], "error": None, "result": SHAPES[shape]} if c["method"] == "getrawtransaction"
                else {**node.answer(c["method"], c["params"]), "id": c["id"]} for c in calls])
        return node.handler()(req)

    (b,) = UtxoAdapter(get_network("bitcoin"), [loopback(btc).url], timeout=5).fetch_many([recorded_utxo.BC94])
    assert isinstance(b, RpcUnavailable), b

    sol = recorded_solana.Recorded(chaindata)

    def sol_methods(method: str, params: list[Any]) -> dict[str, Any]:
        return {"result": SHAPES[shape]} if method == "getTransaction" else sol.methods(method, params)

    (s,) = SolanaAdapter(get_network("solana"), [loopback(jsonrpc_handler(sol_methods)).url],
                         timeout=5).fetch_many([recorded_solana.SOL_TX])
    assert isinstance(s, RpcUnavailable), s

    tron = recorded_tron.Recorded(chaindata)

    def tron_handle(req: Request) -> tuple[int, Any]:
        if req.path == "/wallet/gettransactioninfobyid":
            return 200, SHAPES[shape]
        return tron.handle(req)

    (t,) = TronAdapter(get_network("tron"), [loopback(tron_handle).url], timeout=5).fetch_many(
        [recorded_tron.TRX_TX])
    if shape == "empty object":   # java-tron's own answer for a transaction not yet in a block
        assert isinstance(t, ChainTx) and t.status is TxStatus.PENDING
    else:
        assert isinstance(t, RpcUnavailable), t


# -- deadline and size -----------------------------------------------------------------------------


def test_a_dripped_answer_ends_at_the_deadline() -> None:
    with raw_server(drip(interval=0.05, limit=20)) as url:
        started = time.monotonic()
        with pytest.raises(RpcTimeout):
            HttpClient(url, timeout=1.0, retry=FAST).get("/")
        assert time.monotonic() - started < 2.0
        started = time.monotonic()
        (result,) = evm(url, timeout=1.0).fetch_many(["0x" + "12" * 32])
        assert isinstance(result, RetriableError)
        assert time.monotonic() - started < 2.5     # the chain check and the fetch share nothing but 1 s each


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_huge_answer_is_refused_without_reading_it_all(declared: bool) -> None:
    with raw_server(huge(64 * MB, declared=declared)) as url:
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(RpcUnavailable, match="bytes"):
                HttpClient(url, timeout=10, retry=FAST, max_bytes=MB).get("/")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 * MB, peak
        assert time.monotonic() - started < 5


def test_the_answer_cap_comes_from_the_config_limits(evm_node: RecordedNode, loopback: Any) -> None:
    srv = loopback(jsonrpc_handler(evm_node.answer))
    h = sorted(evm_node.receipts)[0]
    with get_adapter("ethereum", rpc=srv.url, limits={"max_answer_bytes": {"evm": 300}}) as small:
        assert small.max_answer_bytes == 300
        (result,) = small.fetch_many([h])
        assert isinstance(result, RpcUnavailable) and "bytes" in result.user_message
    with get_adapter("ethereum", rpc=srv.url, limits={"max_answer_bytes": 4 * MB}) as roomy:
        assert roomy.fetch(h).status is TxStatus.CONFIRMED
    with pytest.raises(RegistryError, match="max_answer_bytes"):
        get_adapter("ethereum", rpc=srv.url, limits={"max_answer_bytes": "lots"})


# -- Retry-After -----------------------------------------------------------------------------------


def rate_limited_until(seconds: float, retry_after: str) -> Any:
    first: list[float] = []
    body = GENESIS.read_text()

    def handle(req: Request) -> tuple[int, Any, dict[str, str]]:
        first.append(time.monotonic()) if not first else None
        if time.monotonic() - first[0] < seconds:
            return 429, {"error": "slow down"}, {"Retry-After": retry_after}
        return 200, body, {}

    return handle


def test_retry_after_is_honoured_beyond_four_seconds(loopback: Any) -> None:
    srv = loopback(rate_limited_until(4.6, "5"))
    client = HttpClient(srv.url, timeout=10, retry=RetryPolicy(attempts=2, backoff=0.0))
    started = time.monotonic()
    assert client.get("/")[1] == json.loads(GENESIS.read_text())
    assert 4.9 <= time.monotonic() - started < 8


def test_retry_after_beyond_the_deadline_gives_up_at_once(loopback: Any) -> None:
    srv = loopback(rate_limited_until(60, "60"))
    started = time.monotonic()
    with pytest.raises(RateLimited):
        HttpClient(srv.url, timeout=2, retry=RetryPolicy(attempts=3, backoff=0.0)).get("/")
    assert time.monotonic() - started < 1.5


# -- not-found, and a tip below the block ---------------------------------------------------------------


def test_a_not_found_from_the_first_endpoint_is_asked_of_the_second(evm_node: RecordedNode,
                                                                   chaindata: Path, loopback: Any) -> None:
    other = etl_node(chaindata / "evm" / "ethereum-etl" / "blocks_1755634_1755635")
    h = sorted(other.receipts)[0]
    assert h not in evm_node.txs
    first, second = loopback(jsonrpc_handler(evm_node.answer)), loopback(jsonrpc_handler(other.answer))
    tx = evm(first.url, second.url).fetch(h)
    assert tx.status is TxStatus.CONFIRMED and tx.block_height in (1755634, 1755635)
    missing = "0x" + "12" * 32
    assert evm(first.url, second.url).fetch(missing).status is TxStatus.NOT_FOUND   # both said so


def test_a_tip_below_the_block_is_unverifiable(chaindata: Path, loopback: Any) -> None:
    """An Esplora whose tip (stated: 849000) is below the recorded block 850000 of B10C contradicts itself:
    not 1 confirmation, no answer."""
    docs = recorded_utxo.esplora_docs(chaindata)
    srv = loopback(recorded_utxo.esplora_handler(docs, tip=849000))
    (result,) = UtxoAdapter(get_network("bitcoin"), [f"esplora+{srv.url}/api"], timeout=5).fetch_many(
        [recorded_utxo.B10C])
    assert isinstance(result, RpcUnavailable) and "below" in result.user_message


def test_a_tron_node_whose_head_is_old_is_behind(chaindata: Path, loopback: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded getnowblock is block 61132092 of 2024: with the registry's limit (60 s) in force that
    node is behind, so its answers are no verdict; a node that says not found is no exception."""
    monkeypatch.delenv("RECOVERY_MAX_HEAD_AGE_TRON")
    srv = loopback(recorded_tron.Recorded(chaindata).handle)
    for txid in (recorded_tron.TRX_TX, "ab" * 32):
        (result,) = TronAdapter(get_network("tron"), [srv.url], timeout=5).fetch_many([txid])
        assert isinstance(result, RpcUnavailable) and "is behind" in result.user_message, result


FAULT_KINDS = ["answer about another hash (evm, utxo, tron, solana)", *(f"batch: {k}" for k in BATCH_FAULTS),
               *(f"result shape: {k}" for k in SHAPES), "drip", "huge (content-length)", "huge (chunked)",
               "answer above the configured cap", "Retry-After 5 s", "Retry-After beyond the deadline",
               "not-found on the first endpoint only", "tip below the block", "head too old (tron)"]
