"""JSON-RPC 2.0 over HTTP: building requests, batching, classifying each answer, retrying."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import requests

from chains.errors import (
    ChainError,
    InvalidTxHash,
    RateLimited,
    RetriableError,
    RpcUnavailable,
    TxNotFound,
)
from chains.http import DEFAULT_MAX_ANSWER_BYTES, NO_RETRY, HttpClient, RateLimiter, RetryPolicy, with_retry

Call = tuple[str, Sequence[Any]]

# JSON-RPC error code -> error class. Codes not listed are retriable: a node that errs is not an answer.
ERROR_CODES: dict[int, type[ChainError]] = {
    -32700: RpcUnavailable,   # parse error (our request reached a broken proxy)
    -32600: RpcUnavailable,   # invalid request
    -32601: RpcUnavailable,   # method not found: this endpoint does not serve the call
    -32602: InvalidTxHash,    # invalid params: the node rejects the hash's form
    -32603: RpcUnavailable,   # internal error
    -32005: RateLimited,      # limit exceeded (Infura, Alchemy and others)
    -32029: RateLimited,      # too many requests (some providers)
    429: RateLimited,
    -5: TxNotFound,           # bitcoind: no such mempool or blockchain transaction
    -8: InvalidTxHash,        # bitcoind: parameter must be hexadecimal / of length 64
}


def classify(answer: Any, label: str) -> Any:
    """One JSON-RPC answer object -> its result, or the typed error it stands for (returned, not raised)."""
    if not isinstance(answer, dict):
        return RpcUnavailable(f"{label} answered something that is not a JSON-RPC object")
    error = answer.get("error")
    if error:
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message", "") if isinstance(error, dict) else str(error)
        kind = ERROR_CODES.get(code, RpcUnavailable) if isinstance(code, int) else RpcUnavailable
        if "rate" in str(message).lower() and "limit" in str(message).lower():
            kind = RateLimited
        return kind(f"{label}: {message} (code {code})")
    if "result" not in answer:
        return RpcUnavailable(f"{label} answered without a result")
    return answer["result"]


class JsonRpcClient:
    """A JSON-RPC endpoint: single calls and batches that halve on failure and grow back."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 20.0,
        max_batch: int = 100,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy = RetryPolicy(),
        parse_float: Callable[[str], Any] | None = None,
        max_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        # retries happen once, here, around transport and answer alike (not again inside HttpClient)
        self.http = HttpClient(url, timeout=timeout, session=session, limiter=limiter, retry=NO_RETRY,
                               parse_float=parse_float, max_bytes=max_bytes)
        self.retry = retry
        self.max_batch = max_batch
        self._batch_size = max_batch
        self._ids = itertools.count(1)

    @property
    def label(self) -> str:
        """The endpoint, redacted."""
        return self.http.label

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call; raises the typed error of a failed answer after retrying retriable ones, all
        within the client's timeout."""
        deadline = time.monotonic() + self.http.timeout

        def once() -> Any:
            # bitcoind before v28 answers a single call's JSON-RPC error with HTTP 500 and the error
            # object as body; any other 500 is the node failing, not an answer
            request = self._request(method, params)
            status, body = self.http.request("POST", "", json_body=request, ok_statuses=(500,), deadline=deadline)
            if status == 500 and not (isinstance(body, dict) and body.get("error")):
                raise RpcUnavailable(f"{self.label} answered HTTP 500")
            if isinstance(body, dict) and body.get("id") not in (request["id"], None):
                raise RpcUnavailable(f"{self.label} answered request {request['id']} with the answer "
                                     f"to request {body.get('id')!r}")
            result = classify(body, self.label)
            if isinstance(result, ChainError):
                raise result
            return result

        return with_retry(self.retry, once, deadline)

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Many calls; each slot holds a result or a `ChainError`. Transport failure raises."""
        out: list[Any] = []
        start = 0
        halved = False
        while start < len(calls):
            size = min(self._batch_size, len(calls) - start)
            try:
                out.extend(self._send_batch(calls[start:start + size]))
            except RetriableError:
                if size == 1 or halved:
                    raise   # a smaller batch failed too: the endpoint is down, not choking on size
                self._batch_size = max(1, size // 2)   # the node or proxy balked: halve and retry
                halved = True
                continue
            start += size
            halved = False
            if self._batch_size < self.max_batch:
                self._batch_size = min(self.max_batch, self._batch_size * 2)
        return out

    def _request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}

    def _send_batch(self, calls: Sequence[Call]) -> list[Any]:
        payload = [self._request(m, p) for m, p in calls]
        deadline = time.monotonic() + self.http.timeout

        def once() -> list[Any]:
            _, body = self.http.request("POST", "", json_body=payload, deadline=deadline)
            if not isinstance(body, list):
                # a whole-batch error object: rate limit or the provider refusing batches
                err = classify(body, self.label)
                raise err if isinstance(err, ChainError) else RpcUnavailable(f"{self.label}: batch refused")
            results = match_batch(payload, body, self.label)
            # a rate-limited slot is retried with the whole batch rather than reported
            if any(isinstance(r, RateLimited) for r in results):
                raise next(r for r in results if isinstance(r, RateLimited))
            return results

        return with_retry(self.retry, once, deadline)


def match_batch(payload: Sequence[dict[str, Any]], body: list[Any], label: str) -> list[Any]:
    """Each request's answer by id (answers may come in any order): a result or an error per slot.

    An id answered twice or not at all costs that slot (unanswerable); answers to ids nobody asked,
    or answers that are not objects, mean the node mixed up its answers: the whole batch is refused.
    """
    asked = [r["id"] for r in payload]
    seen = Counter(a.get("id") for a in body if isinstance(a, dict))
    strays = [i for i in seen if i not in set(asked)]
    if strays or any(not isinstance(a, dict) for a in body):
        what = f"ids nobody asked ({', '.join(map(repr, strays[:3]))})" if strays else "non-objects"
        raise RpcUnavailable(f"{label} answered a batch with {what}: its answers cannot be matched")
    by_id = {a.get("id"): a for a in body}
    results: list[Any] = []
    for i, request in zip(asked, payload, strict=True):
        if seen[i] == 0:
            results.append(RpcUnavailable(f"{label} left {request['method']} (id {i}) unanswered"))
        elif seen[i] > 1:
            results.append(RpcUnavailable(f"{label} answered {request['method']} (id {i}) {seen[i]} times"))
        else:
            results.append(classify(by_id[i], label))
    return results
