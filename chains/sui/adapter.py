"""Sui: JSON-RPC `sui_getTransactionBlock` with effects, events and balance changes.

Transfers come from the balance changes: for each coin type, every owner whose balance rose received
it from the owner whose balance fell the most (the payer), or from an unknown sender where no balance
of that coin fell (a swap paying out of a pool object, a mint). A SUI rise of the gas owner with no SUI
fall is the storage rebate, not a transfer. The asset is the coin type with
its package address padded (`native` for SUI, 9 decimals); other coins' decimals come from the asset
listing (`suix_getCoinMetadata` is not called: we hold no recorded answer of it).

Status: `effects.status.status` "success" is confirmed, anything else failed. The node's not-found
answer is JSON-RPC -32602 "Could not find the referenced transaction"; every other error, and an answer
for another digest, is retriable. A pruning fullnode gives that same answer for transactions older than
its retention: point the network at a fullnode that keeps history (or an indexer-backed RPC).

Finality: a transaction in a certified checkpoint is final; confirmations are 1 once the answer names
its `checkpoint`, 0 before. Sui's `min_confirmations` is 1.

Fee: computation + storage cost - storage rebate (negative when the rebate is larger).

Identity: `sui_getChainIdentifier` (mainnet "35834a8a", the genesis checkpoint digest's first bytes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled
from chains.sui import address

OPTIONS = {"showEffects": True, "showEvents": True, "showBalanceChanges": True}
NOT_FOUND = "Could not find the referenced transaction"
NOT_FOUND_CODE = -32602


def _owner(change: dict[str, Any]) -> str | None:
    owner = change.get("owner")
    if isinstance(owner, dict):
        value = owner.get("AddressOwner") or owner.get("ObjectOwner")
        return address.normalize(value) if isinstance(value, str) else None
    return None


def balance_transfers(network: Network, changes: list[dict[str, Any]], gas_owner: str | None) -> list[Transfer]:
    """Balance changes -> transfers: each rise of a coin, from the owner whose balance of it fell the
    most, or from an unknown sender where none fell (a swap paying out of a pool object). A SUI rise of
    the gas owner with no SUI fall is its storage rebate, not a transfer."""
    by_coin: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    for change in changes:
        by_coin[address.normalize_coin_type(change["coinType"])].append((_owner(change), int(change["amount"])))
    sui = address.normalize_coin_type(address.SUI_COIN)
    out = []
    for coin, moves in by_coin.items():
        payers = sorted((m for m in moves if m[1] < 0), key=lambda m: m[1])
        asset, decimals = (NATIVE, network.native_decimals) if coin == sui else (coin, None)
        for owner, amount in moves:
            if amount <= 0 or owner is None or (coin == sui and not payers and owner == gas_owner):
                continue
            out.append(Transfer(payers[0][0] if payers else None, owner, asset, amount, decimals))
    return out


def parse_transaction(network: Network, digest: str, result: dict[str, Any]) -> ChainTx:
    """A `sui_getTransactionBlock` result -> ChainTx."""
    effects = result["effects"]
    if result["digest"] != digest or effects.get("transactionDigest", digest) != digest:
        raise ValueError(f"answer is for transaction {result['digest']}")
    ok = effects["status"]["status"] == "success"
    gas = effects.get("gasUsed") or {}
    fee = (int(gas["computationCost"]) + int(gas["storageCost"]) - int(gas["storageRebate"])) if gas else None
    checkpoint = result.get("checkpoint")
    stamp = result.get("timestampMs")
    return ChainTx(
        network=network.id, tx_hash=digest, status=TxStatus.CONFIRMED if ok else TxStatus.FAILED,
        block_height=int(checkpoint) if checkpoint is not None else None,
        confirmations=1 if checkpoint is not None else 0,
        timestamp=int(stamp) // 1000 if stamp is not None else None, fee_paid=fee,
        transfers=tuple(balance_transfers(network, result.get("balanceChanges") or [], _owner(
            effects.get("gasObject") or {}))) if ok else (),
    )


class SuiAdapter(Adapter):
    """Verifies Sui transaction digests over JSON-RPC, endpoints tried in priority order."""

    family = "sui"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, value: str) -> str:
        """Addresses padded to 32 bytes; coin types with their package address padded."""
        return address.normalize_coin_type(value) if "::" in value else address.normalize(value)

    def identify(self, client: Any) -> str:
        """The chain identifier the node reports."""
        return str(self._call(client, "sui_getChainIdentifier", []))

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Each digest on a small thread pool."""
        return fetch_pooled(self, hashes, lambda h: self.failover(
            self._clients, lambda client: self._fetch_on(client, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _call(self, client: HttpClient, method: str, params: list[Any]) -> Any:
        _, answer = client.post("", {"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
            raise RpcUnavailable(f"{client.label} answered {method} with something that is not JSON-RPC")
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            message = str(error.get("message", answer["error"]))
            if method == "sui_getTransactionBlock" and error.get("code") == NOT_FOUND_CODE \
                    and message.startswith(NOT_FOUND):
                return None
            raise RpcUnavailable(f"{client.label}: {method} failed ({message}, code {error.get('code')})")
        return answer["result"]

    def _fetch_on(self, client: HttpClient, digest: str) -> ChainTx:
        result = self._call(client, "sui_getTransactionBlock", [digest, OPTIONS])
        if result is None:
            return ChainTx.not_found(self.network.id, digest)
        try:
            return parse_transaction(self.network, digest, result)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {digest} "
                                 f"({type(exc).__name__}: {exc})") from None
