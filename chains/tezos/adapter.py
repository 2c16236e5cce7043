"""Tezos: the TzKT indexer API (`/v1/operations/{hash}`, `/v1/head`).

An operation hash names an operation group: TzKT answers every operation of the group, internal ones
included, and `[]` for a hash it does not know (its not-found answer). Any error, a non-list answer or
operations of another hash is retriable. Only the group's `transaction` operations carry value.

Transfers: each transaction's XTZ `amount` above zero (mutez, 6 decimals), from its `sender` to its
`target` (an internal transaction's sender is the contract that made it); and the token transfers read
from calls of a token contract's `transfer` entrypoint, as TzKT decodes the parameter: FA1.2
`{from, to, value}` (asset: the contract) and FA2 `[{from_, txs: [{to_, token_id, amount}]}]`
(asset: `contract:token_id`). Token decimals come from the asset listing. A KT1 target is marked as a
contract recipient.

Status: `applied` is confirmed; `failed`, `backtracked` (undone by a later failure in the group) and
`skipped` (not run after a failure) anywhere in the group is failed.

Finality: Tenderbake finalises a block two blocks later; confirmations = head level - level + 1, and
the registry asks for 2.

Identity: `/v1/head` answers `chainId` (mainnet NetXdQprcVkpaWU, ghostnet NetXnHfVqm9iesp).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, InvalidTxHash, RetriableError, RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.tezos import address

FAILED = ("failed", "backtracked", "skipped")


def _addr(value: Any) -> str | None:
    return address.normalize(value["address"]) if isinstance(value, dict) and value.get("address") else None


def _fa_transfers(op: dict[str, Any]) -> list[Transfer]:
    """The token transfers a call of a `transfer` entrypoint asks for (FA1.2 or FA2 parameter shape)."""
    parameter = op.get("parameter") or {}
    contract = _addr(op.get("target"))
    if parameter.get("entrypoint") != "transfer" or not contract:
        return []
    value = parameter.get("value")
    if isinstance(value, dict) and {"from", "to", "value"} <= set(value):          # FA1.2
        return [Transfer(address.normalize(value["from"]), address.normalize(value["to"]), contract,
                         int(value["value"]), None)]
    out = []
    if isinstance(value, list):                                                    # FA2
        for batch in value:
            for tx in batch.get("txs") or []:
                out.append(Transfer(address.normalize(batch["from_"]), address.normalize(tx["to_"]),
                                    f"{contract}:{tx['token_id']}", int(tx["amount"]), None))
    return out


def parse_group(network: Network, op_hash: str, ops: list[dict[str, Any]], head: int) -> ChainTx:
    """TzKT's operations of one group and the head level -> ChainTx."""
    if any(op["hash"] != op_hash for op in ops):
        raise ValueError("answer holds operations of another hash")
    txs = [op for op in ops if op.get("type") == "transaction"]
    transfers: list[Transfer] = []
    contracts: set[str] = set()
    for op in txs:
        target = _addr(op.get("target"))
        if target and address.is_contract(target):
            contracts.add(target)
        if int(op.get("amount") or 0) > 0 and target:
            transfers.append(Transfer(_addr(op.get("sender")), target, NATIVE, int(op["amount"]),
                                      network.native_decimals))
        transfers.extend(_fa_transfers(op))
    statuses = {op["status"] for op in ops}
    level = max(int(op["level"]) for op in ops)
    fee = sum(int(op.get(k) or 0) for op in ops for k in ("bakerFee", "storageFee", "allocationFee"))
    stamp = ops[0].get("timestamp")
    return ChainTx(
        network=network.id, tx_hash=op_hash,
        status=TxStatus.FAILED if statuses & set(FAILED) else TxStatus.CONFIRMED,
        block_height=level, confirmations=max(0, head - level + 1), fee_paid=fee,
        timestamp=int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()) if stamp else None,
        transfers=tuple(transfers), contract_recipients=frozenset(contracts),
    )


class TezosAdapter(Adapter):
    """Verifies Tezos operations over the TzKT API, endpoints tried in priority order."""

    family = "tezos"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, value: str) -> str:
        """Base58 addresses are case-sensitive: trimmed only."""
        return address.normalize(value)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """An `o…` operation hash whose base58check checksum holds."""
        value = super().normalize_tx_hash(tx_hash)
        if not address.is_operation_hash(value):
            raise InvalidTxHash(f"{tx_hash!r} is not a Tezos operation hash (bad base58check checksum)")
        return value

    def identify(self, client: Any) -> str:
        """The `chainId` of `/v1/head`."""
        return str(self._head(client)["chainId"])

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Each operation on a small thread pool; one head lookup for the batch."""
        results, ids = self.split_hashes(hashes)
        if not ids:
            return [r if r is not None else RpcUnavailable("internal: no result") for r in results]
        try:
            head = self.failover(self._clients, lambda client: int(self._head(client)["level"]))
        except RetriableError as exc:
            return [exc if r is None else r for r in results]

        def one(i: int) -> FetchResult:
            try:
                return self.failover(self._clients, lambda client: self._fetch_on(client, ids[i], head))
            except ChainError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            for i, result in zip(ids, pool.map(one, ids), strict=True):
                results[i] = result
        return [r if r is not None else RpcUnavailable("internal: no result") for r in results]

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _head(self, client: HttpClient) -> dict[str, Any]:
        _, head = client.get("/v1/head")
        if not isinstance(head, dict) or "level" not in head or "chainId" not in head:
            raise RpcUnavailable(f"{client.label}/v1/head answered no level and chainId")
        return head

    def _list(self, client: HttpClient, path: str) -> list[Any]:
        _, answer = client.get(path)
        if not isinstance(answer, list):
            raise RpcUnavailable(f"{client.label}{path} answered something that is not a list")
        return answer

    def _fetch_on(self, client: HttpClient, op_hash: str, head: int) -> ChainTx:
        ops = self._list(client, f"/v1/operations/{op_hash}")
        if not ops:
            return ChainTx.not_found(self.network.id, op_hash)
        try:
            return parse_group(self.network, op_hash, ops, head)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed operation {op_hash} "
                                 f"({type(exc).__name__}: {exc})") from None
