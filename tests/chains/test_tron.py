"""Tron adapter against recorded mainnet answers, served over loopback HTTP so the real requests run.

The server and what it replays or derives: tests/support/recorded_tron.py (chain tip HEAD = 61132092,
the recorded getblock served as getnowblock).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, ChainTx, TxStatus
from chains.base58 import b58check_decode
from chains.errors import InvalidTxHash, RetriableError, RpcUnavailable
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.tron import TronAdapter, to_base58
from tests.support.loopback import refused_url
from tests.support.recorded_tron import (
    HEAD,
    OUT_OF_ENERGY_TX,
    REVERT_TX,
    TRC10_TX,
    TRC20_CALL_TX,
    TRX_HEX_TX,
    TRX_TX,
    USDT,
    USDT_TX,
    Recorded,
)

UNKNOWN_TX = hashlib.sha256(b"not a tron transaction").hexdigest()


@pytest.fixture(scope="module")
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def server(loopback: Any, recorded: Recorded) -> Any:
    return loopback(recorded.handle)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same policy with short waits, so failing endpoints do not slow the suite."""
    monkeypatch.setattr(TronAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> TronAdapter:
    return TronAdapter(get_network("tron"), list(urls), timeout=5.0)



def value(recorded: Recorded, txid: str) -> dict[str, Any]:
    return recorded.txs[txid]["raw_data"]["contract"][0]["parameter"]["value"]


def test_base58_codec_matches_recorded_addresses(recorded: Recorded) -> None:
    # block 60836289 was fetched with visible=true: its base58 addresses are also, in hex, in raw_data_hex
    checked = 0
    for tx in recorded.blocks[0]["transactions"]:
        v = tx["raw_data"]["contract"][0]["parameter"]["value"]
        for key in ("owner_address", "to_address", "contract_address"):
            if key in v:
                hex_form = b58check_decode(v[key]).hex()
                assert hex_form.startswith("41") and hex_form in tx["raw_data_hex"]
                assert to_base58(hex_form) == v[key]
                checked += 1
    assert checked > 300


def test_trc20_transfer_from_the_recorded_log(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(USDT_TX)
    info, call = recorded.infos[USDT_TX], value(recorded, USDT_TX)
    log = info["log"][0]
    assert tx.status is TxStatus.CONFIRMED
    assert tx.block_height == info["blockNumber"] == 60836289
    assert tx.confirmations == HEAD - 60836289 + 1
    assert tx.timestamp == 1713150507
    assert tx.fee_paid == info["fee"] == 27600900
    (transfer,) = tx.transfers
    # from: the log's 20-byte topic converts to the base58 owner the visible answer records
    assert transfer.from_address == to_base58(log["topics"][1][-40:]) == call["owner_address"]
    assert transfer.to_address == "TW3NSuhT68vXKdamU7Rkq6sfEVCFwoDfGb"
    assert b58check_decode(transfer.to_address).hex() == "41" + log["topics"][2][-40:]
    assert transfer.amount == int(log["data"], 16) == 2384950100
    assert transfer.asset == USDT == log["address"]
    assert transfer.decimals is None
    assert not transfer.non_fungible and transfer.memo is None
    assert tx.contract_recipients == frozenset()


def test_requests_follow_the_java_tron_http_api(server: Any) -> None:
    adapter(server.url).fetch("0x" + USDT_TX.upper())
    sent = []
    for r in server.requests:    # a route the recorded server lacks (404) is asked again once: skip repeats
        if not sent or sent[-1] != (r.path, r.json()):
            sent.append((r.path, r.json()))
    assert sent[:6] == [
        ("/wallet/getblockbynum", {"num": 0}),             # the endpoint's chain, once
        ("/wallet/getnowblock", {}),
        ("/walletsolidity/getnowblock", {}),
        ("/wallet/gettransactionbyid", {"value": USDT_TX, "visible": True}),
        ("/wallet/gettransactioninfobyid", {"value": USDT_TX, "visible": True}),
        ("/wallet/triggerconstantcontract", {"owner_address": USDT, "contract_address": USDT,
                                             "function_selector": "decimals()", "parameter": "", "visible": True}),
    ]
    assert all(r.method == "POST" for r in server.requests)


def test_trx_transfer(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(TRX_TX)
    v = value(recorded, TRX_TX)
    assert tx.status is TxStatus.CONFIRMED
    assert (tx.block_height, tx.confirmations) == (60836289, HEAD - 60836289 + 1)
    assert tx.transfers == (tx.transfers[0],)
    t = tx.transfers[0]
    assert (t.from_address, t.to_address) == (v["owner_address"], v["to_address"])
    assert (t.asset, t.amount, t.decimals) == (NATIVE, v["amount"], 6)
    assert t.amount == 1999000000


def test_trx_transfer_recorded_with_hex_addresses_comes_out_base58(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(TRX_HEX_TX)
    v = value(recorded, TRX_HEX_TX)
    (t,) = tx.transfers
    assert t.from_address is not None and t.from_address.startswith("T") and t.to_address.startswith("T")
    assert b58check_decode(t.from_address).hex() == v["owner_address"]
    assert b58check_decode(t.to_address).hex() == v["to_address"]
    assert (t.asset, t.amount) == (NATIVE, 292)
    assert (tx.block_height, tx.confirmations) == (HEAD, 1)


def test_trc20_from_call_data_when_info_has_no_log(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(TRC20_CALL_TX)
    v = value(recorded, TRC20_CALL_TX)
    (t,) = tx.transfers
    assert t.from_address == v["owner_address"] == "TPPcToZG9CbSq2NUxBUPfcNmqD6sXVWuQD"
    assert b58check_decode(t.to_address).hex() == v["data"][30:72] == "418e5e508ef8c39e8fd27b587b5389be158195bfc7"
    assert t.amount == int(v["data"][72:], 16) == 0x1FEAA78
    assert (t.asset, t.decimals) == (USDT, None)


def test_trc10_transfer(server: Any, recorded: Recorded) -> None:
    (t,) = adapter(server.url).fetch(TRC10_TX).transfers
    assert (t.asset, t.amount, t.decimals) == ("1004937", 888888888, None)


@pytest.mark.parametrize(("txid", "result", "fee"), [(REVERT_TX, "REVERT", 2086320),
                                                      (OUT_OF_ENERGY_TX, "OUT_OF_ENERGY", 999600)])
def test_failed_trc20_call(server: Any, recorded: Recorded, txid: str, result: str, fee: int) -> None:
    assert recorded.txs[txid]["ret"][0]["contractRet"] == result
    assert hashlib.sha256(bytes.fromhex(recorded.txs[txid]["raw_data_hex"])).hexdigest() == txid
    tx = adapter(server.url).fetch(txid)
    assert tx.status is TxStatus.FAILED
    assert (tx.block_height, tx.fee_paid, tx.timestamp) == (50568556, fee, 1682319087)
    (t,) = tx.transfers
    # the recorded hex contract 41a614f8... is USDT, whose base58 another recording writes
    assert t.asset == USDT
    assert t.from_address == to_base58("4195a6569bdccc1bee832803b4116a020950818cba")
    assert b58check_decode(t.to_address).hex() == "41e8f2ab93ea67cffeeb1ee64ec6b46d18bd4d989f"
    assert t.amount == 0x68CF21


def test_unknown_hash_is_not_found(server: Any) -> None:
    tx = adapter(server.url).fetch(UNKNOWN_TX)
    assert tx == ChainTx.not_found("tron", UNKNOWN_TX)
    assert [r.path for r in server.requests][-1:] == ["/wallet/gettransactionbyid"]


def test_malformed_hash_is_refused_before_any_request(server: Any) -> None:
    with pytest.raises(InvalidTxHash):
        adapter(server.url).fetch("abc")
    assert server.requests == []


@pytest.mark.parametrize("kind", ["http500", "refused"])
def test_failing_endpoint_is_retriable_never_not_found(loopback: Any, kind: str) -> None:
    url = loopback(lambda req: (500, "internal error")).url if kind == "http500" else refused_url()
    with pytest.raises(RetriableError) as info:
        adapter(url).fetch(USDT_TX)
    assert isinstance(info.value, RpcUnavailable)
    assert "no endpoint could answer" in info.value.user_message


def test_failover_to_the_second_endpoint(loopback: Any, server: Any) -> None:
    broken = loopback(lambda req: (500, "internal error"))
    tx = adapter(broken.url, server.url).fetch(USDT_TX)
    assert tx.status is TxStatus.CONFIRMED and tx.transfers[0].amount == 2384950100
    assert broken.requests and server.requests


def test_all_endpoints_failing_names_each_redacted(loopback: Any) -> None:
    broken = loopback(lambda req: (502, "bad gateway"))
    key = "k3yk3yk3yk3yk3yk3yk3yk3y0123456789"
    with pytest.raises(RpcUnavailable) as info:
        adapter(f"{broken.url}/{key}", refused_url()).fetch(USDT_TX)
    message = info.value.user_message
    assert f"{broken.url}/***" in message and "HTTP 502" in message and "unreachable" in message
    assert key not in message


def test_fetch_many_keeps_order_and_per_item_errors(server: Any) -> None:
    results = adapter(server.url).fetch_many([TRX_TX, "nope", UNKNOWN_TX, USDT_TX, REVERT_TX])
    assert isinstance(results[0], ChainTx) and results[0].transfers[0].amount == 1999000000
    assert isinstance(results[1], InvalidTxHash)
    assert isinstance(results[2], ChainTx) and results[2].status is TxStatus.NOT_FOUND
    assert isinstance(results[3], ChainTx) and results[3].transfers[0].amount == 2384950100
    assert isinstance(results[4], ChainTx) and results[4].status is TxStatus.FAILED
    assert [r.path for r in server.requests].count("/wallet/getnowblock") == 1


def test_fetch_many_with_every_endpoint_down_errs_per_item() -> None:
    results = adapter(refused_url()).fetch_many([TRX_TX, "nope"])
    assert isinstance(results[0], RpcUnavailable) and isinstance(results[1], InvalidTxHash)


def test_normalize_address() -> None:
    tron = TronAdapter(get_network("tron"), ())
    assert tron.normalize_address(" " + USDT + " ") == USDT
    assert tron.normalize_address("41a614f803b6fd780986a42c78ec9c7f77e6ded13c") == USDT
    assert tron.normalize_address("a614f803b6fd780986a42c78ec9c7f77e6ded13c") == USDT


def test_rate_limit_spaces_requests_to_one_endpoint(server: Any) -> None:
    """At 20 requests/s, the head lookup plus two calls per hash cannot finish sooner than the limit allows."""
    import time

    limited = TronAdapter(get_network("tron"), [server.url], timeout=5.0, rate_limit=20)
    before = len(server.requests)
    start = time.monotonic()
    results = limited.fetch_many([USDT_TX, TRX_TX, TRX_HEX_TX, REVERT_TX])
    elapsed = time.monotonic() - start
    sent = len(server.requests) - before
    assert all(not isinstance(r, Exception) for r in results)
    assert sent >= 5 and elapsed >= (sent - 1) / 20
