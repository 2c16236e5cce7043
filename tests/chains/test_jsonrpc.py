"""JsonRpcClient against loopback servers: bitcoind's HTTP 500 error answers, batch halving, rate limits,
and the `classify` table that turns one JSON-RPC answer into a result or a typed error."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from chains.errors import (
    ChainError,
    InvalidTxHash,
    RateLimited,
    RetriableError,
    RpcUnavailable,
    TxNotFound,
)
from chains.http import NO_RETRY, RetryPolicy
from chains.jsonrpc import JsonRpcClient, classify
from tests.support.loopback import Handler, Request, jsonrpc_handler

FAST = RetryPolicy(attempts=2, backoff=0.0)
TXID = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
# bitcoind's answer to getrawtransaction of an unknown txid (src/rpc/rawtransaction.cpp); before v28
# a single (non-batch) call's error comes with HTTP 500
NOT_FOUND = {"code": -5, "message": "No such mempool or blockchain transaction. "
             "Use gettransaction for wallet transactions."}


def error_500(req: Request) -> tuple[int, Any]:
    """bitcoind before v28: a JSON-RPC error object, sent with HTTP 500."""
    return 500, {"result": None, "error": NOT_FOUND, "id": req.json()["id"]}


# -- single calls and HTTP 500 ----------------------------------------------------------------


def test_http_500_with_a_jsonrpc_error_body_is_that_error(loopback: Any) -> None:
    srv = loopback(error_500)
    with pytest.raises(TxNotFound) as info:
        JsonRpcClient(srv.url, retry=FAST).call("getrawtransaction", [TXID, 1])
    assert "No such mempool or blockchain transaction" in info.value.user_message
    assert len(srv.requests) == 1, "a definite answer is not retried"


@pytest.mark.parametrize("body", ["<html>500 Internal Server Error</html>", {"result": None},
                                  {"error": None, "result": 1}, [1, 2]],
                         ids=["not-json", "no-error-member", "null-error", "json-list"])
def test_http_500_without_a_jsonrpc_error_is_unavailable(loopback: Any, body: Any) -> None:
    srv = loopback(lambda req: (500, body))
    with pytest.raises(RpcUnavailable) as info:
        JsonRpcClient(srv.url, retry=FAST).call("getblockcount")
    assert not isinstance(info.value, RateLimited)
    assert "HTTP 500" in info.value.user_message
    assert len(srv.requests) > 1, "a failing node is retried"


def test_http_200_error_is_classified_and_result_returned(loopback: Any) -> None:
    def methods(name: str, params: list[Any]) -> dict[str, Any]:
        if name == "getrawtransaction":
            return {"error": {"code": -8, "message": "parameter 1 must be hexadecimal string"}}
        return {"result": 850000}

    srv = loopback(jsonrpc_handler(methods))
    client = JsonRpcClient(srv.url, retry=FAST)
    assert client.call("getblockcount") == 850000
    with pytest.raises(InvalidTxHash):
        client.call("getrawtransaction", ["zz", 1])


def test_parse_float_is_passed_to_the_json_parser(loopback: Any) -> None:
    srv = loopback(lambda req: (200, '{"jsonrpc": "2.0", "id": 1, "result": {"value": 0.1, "n": 3}}'))
    result = JsonRpcClient(srv.url, retry=FAST, parse_float=Decimal).call("gettxout", [TXID, 0])
    assert result == {"value": Decimal("0.1"), "n": 3} and isinstance(result["value"], Decimal)
    assert isinstance(JsonRpcClient(srv.url, retry=FAST).call("gettxout", [TXID, 0])["value"], float)


# -- batches ----------------------------------------------------------------------------------


def limited_batches(limit: int, sizes: list[int]) -> Handler:
    """A JSON-RPC server that refuses batches of more than `limit` calls with HTTP 413 (as some proxies
    do) and echoes each call's first parameter; `sizes` records every batch size it was sent."""
    echo = jsonrpc_handler(lambda name, params: {"result": params[0]})

    def handle(req: Request) -> tuple[int, Any] | tuple[int, Any, dict[str, str]]:
        body = req.json()
        size = len(body) if isinstance(body, list) else 1
        sizes.append(size)
        if size > limit:
            return 413, "Request Entity Too Large"
        return echo(req)

    return handle


def test_batch_halves_on_refusal_and_keeps_order(loopback: Any) -> None:
    sizes: list[int] = []
    srv = loopback(limited_batches(4, sizes))
    client = JsonRpcClient(srv.url, max_batch=8, retry=NO_RETRY)
    results = client.batch([("echo", [n]) for n in range(11)])
    assert results == list(range(11))
    assert 8 in sizes and max(s for s in sizes if s <= 4) == 4, "refused at 8, then halved under the limit"
    assert sum(s for s in sizes if s <= 4) == 11, "every call answered exactly once"


def test_batch_grows_back_after_halving(loopback: Any) -> None:
    sizes: list[int] = []
    srv = loopback(limited_batches(100, sizes))
    client = JsonRpcClient(srv.url, max_batch=8, retry=NO_RETRY)
    client._batch_size = 2      # as after two refusals
    assert client.batch([("echo", [n]) for n in range(14)]) == list(range(14))
    assert sizes == [2, 4, 8]


def test_batch_slots_keep_their_own_errors(loopback: Any) -> None:
    def methods(name: str, params: list[Any]) -> dict[str, Any]:
        return {"error": NOT_FOUND} if params[0] == "missing" else {"result": params[0]}

    srv = loopback(jsonrpc_handler(methods))
    results = JsonRpcClient(srv.url, retry=NO_RETRY).batch([("m", ["a"]), ("m", ["missing"]), ("m", ["c"])])
    assert results[0] == "a" and results[2] == "c" and isinstance(results[1], TxNotFound)


def test_batch_that_fails_at_every_size_raises(loopback: Any) -> None:
    srv = loopback(lambda req: (503, "unavailable"))
    with pytest.raises(RpcUnavailable, match="HTTP 503"):
        JsonRpcClient(srv.url, max_batch=8, retry=NO_RETRY).batch([("echo", [n]) for n in range(8)])


# -- rate limits ------------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_then_succeeds(loopback: Any) -> None:
    answered = jsonrpc_handler(lambda name, params: {"result": 850000})

    def handle(req: Request) -> tuple[int, Any] | tuple[int, Any, dict[str, str]]:
        if len(srv.requests) == 1:
            return 429, "Too Many Requests", {"Retry-After": "1"}
        return answered(req)

    srv = loopback(handle)
    start = time.monotonic()
    assert JsonRpcClient(srv.url, retry=RetryPolicy(attempts=3, backoff=0.0)).call("getblockcount") == 850000
    assert len(srv.requests) == 2
    assert time.monotonic() - start >= 0.9, "Retry-After was honoured"


def test_429_that_persists_is_rate_limited_with_retry_after(loopback: Any) -> None:
    srv = loopback(lambda req: (429, "Too Many Requests", {"Retry-After": "7"}))
    with pytest.raises(RateLimited) as info:
        JsonRpcClient(srv.url, retry=NO_RETRY).call("getblockcount")
    assert info.value.retry_after == 7.0 and "HTTP 429" in info.value.user_message


# -- classify ---------------------------------------------------------------------------------


def rpc_error(code: Any, message: str = "boom") -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": message}}


@pytest.mark.parametrize(("answer", "expected"), [
    ({"jsonrpc": "2.0", "id": 1, "result": "0x10"}, "0x10"),
    ({"jsonrpc": "2.0", "id": 1, "result": None}, None),                   # eth: unknown hash
    ({"result": 5, "error": None, "id": 1}, 5),                            # bitcoind writes error: null
    (rpc_error(-5, "No such mempool or blockchain transaction"), TxNotFound),
    (rpc_error(-8, "parameter 1 must be of length 64"), InvalidTxHash),
    (rpc_error(-32602, "invalid argument 0: hex string has length 3"), InvalidTxHash),
    (rpc_error(-32005, "daily request count exceeded"), RateLimited),
    (rpc_error(-32029), RateLimited),
    (rpc_error(429), RateLimited),
    (rpc_error(-32000, "Your app has exceeded its compute units per second capacity: rate limit"), RateLimited),
    (rpc_error(-32601, "the method eth_foo does not exist"), RpcUnavailable),
    (rpc_error(-32603), RpcUnavailable),
    (rpc_error(-32700), RpcUnavailable),
    (rpc_error(-32000, "header not found"), RpcUnavailable),               # codes not listed: retriable
    (rpc_error("-5"), RpcUnavailable),                                     # a code that is not an int
    ({"jsonrpc": "2.0", "id": 1, "error": "upstream down"}, RpcUnavailable),
    ({"jsonrpc": "2.0", "id": 1}, RpcUnavailable),                         # neither result nor error
    ([{"result": 1}], RpcUnavailable),
    ("Internal Server Error", RpcUnavailable),
])
def test_classify(answer: Any, expected: Any) -> None:
    result = classify(answer, "https://node.example/***")
    if isinstance(expected, type):
        assert type(result) is expected
        assert isinstance(result, ChainError) and "https://node.example/***" in result.user_message
        assert isinstance(result, RetriableError) != (expected in (TxNotFound, InvalidTxHash))
    else:
        assert result == expected
