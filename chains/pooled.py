"""The batch path of adapters whose API has no batch call: one lookup per hash on a bounded thread pool."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from chains.base import Adapter, ChainTx, FetchResult
from chains.errors import ChainError, RpcUnavailable


def fetch_pooled(adapter: Adapter, hashes: Sequence[str], one: Callable[[str], ChainTx]) -> list[FetchResult]:
    """`one(normalised hash)` for each well-formed hash, `adapter.concurrency` at a time; results in input
    order, each error (a malformed hash included) in its hash's place."""
    results, valid = adapter.split_hashes(hashes)

    def run(i: int) -> FetchResult:
        try:
            return one(valid[i])
        except ChainError as exc:
            return exc

    if valid:
        with ThreadPoolExecutor(max_workers=max(1, adapter.concurrency)) as pool:
            for i, result in zip(valid, pool.map(run, valid), strict=True):
                results[i] = result
    return [r if r is not None else RpcUnavailable("internal: no result") for r in results]
