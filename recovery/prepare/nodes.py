"""The JSON-RPC endpoints a builder asks, in priority order, and the one call that tries them in turn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chains.errors import RetriableError
from chains.http import RetryPolicy
from chains.jsonrpc import JsonRpcClient

RETRY = RetryPolicy(attempts=2, backoff=0.2)


def clients(urls: Sequence[str], *, timeout: float, **options: Any) -> list[JsonRpcClient]:
    """A client per endpoint URL, with the builders' retry policy."""
    return [JsonRpcClient(u, timeout=timeout, retry=RETRY, **options) for u in urls]


def first_answer(nodes: Sequence[JsonRpcClient], method: str, params: list[Any]) -> Any:
    """One call on the first endpoint that answers; a definite error is raised as it is, and when none
    answers, the last endpoint's retriable error."""
    last: RetriableError | None = None
    for client in nodes:
        try:
            return client.call(method, params)
        except RetriableError as exc:
            last = exc
    if last is None:
        raise ValueError("no endpoint to ask")
    raise last
