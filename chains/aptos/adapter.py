"""Aptos: the fullnode REST API (`/transactions/by_hash/{hash}`, and `/` for the ledger info).

Transfers come from the deposit events, each credited from the transaction's sender:
- coin module events `0x1::coin::CoinDeposit` {coin_type, account, amount};
- legacy `0x1::coin::DepositEvent` {amount}, the account being the event handle's address and the coin
  type the `CoinStore<T>` whose deposit handle emitted it (from the transaction's `changes`);
- fungible-asset `0x1::fungible_asset::Deposit` {store, amount}, the owner and the asset's metadata
  address read from the store object's `ObjectCore` and `FungibleStore` in `changes`.
APT (`0x1::aptos_coin::AptosCoin`, or its fungible-asset metadata `0xa`) is `native`, 8 decimals;
other assets are the coin type or metadata address, their decimals from the asset listing.

Status: `success` false (with its `vm_status`) is failed; a `pending_transaction` is pending. Aptos's
404 answer with `error_code` "transaction_not_found" is not found; every other error (a 404 without
that body included) and an answer for another hash is retriable.

Finality: AptosBFT commits are final; a committed transaction (it has a `version`) has 1
confirmation, a pending one 0. `block_height` holds the ledger version (transactions are numbered by
version; the REST answer names no block).

Identity: the ledger info (`GET /v1`) answers `chain_id` (1 on mainnet, 2 on testnet).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from chains.aptos import address
from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled

APT_COIN = address.normalize_type(address.APT_COIN)
APT_FA = address.normalize("0xa")
_COIN_STORE = re.compile(r"0x0*1::coin::CoinStore<(.+)>")
UNKNOWN_COIN = "unknown-coin"


def _resources(tx: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(address, resource type head) -> resource data, from the transaction's write set."""
    out = {}
    for change in tx.get("changes") or []:
        data = change.get("data")
        if change.get("type") == "write_resource" and isinstance(data, dict):
            out[(address.normalize(change["address"]), str(data.get("type")))] = data.get("data") or {}
    return out


def _legacy_coin(resources: dict[tuple[str, str], dict[str, Any]], account: str, creation: str) -> str:
    for (owner, kind), data in resources.items():
        match = _COIN_STORE.fullmatch(kind)
        handle = ((data.get("deposit_events") or {}).get("guid") or {}).get("id") or {}
        if owner == account and match and str(handle.get("creation_num")) == creation:
            return address.normalize_type(match.group(1))
    return UNKNOWN_COIN


def _asset(coin: str) -> str:
    return NATIVE if coin in (APT_COIN, APT_FA) else coin


def deposit_transfers(network: Network, tx: dict[str, Any]) -> list[Transfer]:
    """The deposits of a committed transaction, each from its sender."""
    sender = address.normalize(tx["sender"]) if tx.get("sender") else None
    resources = _resources(tx)
    out: list[Transfer] = []
    for event in tx.get("events") or []:
        kind, data = address.normalize_type(str(event.get("type"))), event.get("data") or {}
        if kind.endswith("::coin::CoinDeposit"):
            coin, to = address.normalize_type(data["coin_type"]), address.normalize(data["account"])
        elif kind.endswith("::coin::DepositEvent"):
            guid = event.get("guid") or {}
            to = address.normalize(guid["account_address"])
            coin = _legacy_coin(resources, to, str(guid.get("creation_number")))
        elif kind.endswith("::fungible_asset::Deposit"):
            store = address.normalize(data["store"])
            owner = resources.get((store, "0x1::object::ObjectCore"), {}).get("owner")
            metadata = (resources.get((store, "0x1::fungible_asset::FungibleStore"), {}).get("metadata") or {})
            to = address.normalize(owner) if owner else store
            coin = address.normalize(metadata["inner"]) if metadata.get("inner") else UNKNOWN_COIN
        else:
            continue
        asset = _asset(coin)
        out.append(Transfer(sender, to, asset, int(data["amount"]),
                            network.native_decimals if asset == NATIVE else None))
    return out


def parse_transaction(network: Network, tx_hash: str, tx: dict[str, Any]) -> ChainTx:
    """A `/transactions/by_hash` answer -> ChainTx."""
    if str(tx["hash"]).lower() != tx_hash:
        raise ValueError(f"answer is for transaction {tx['hash']}")
    if tx.get("type") == "pending_transaction":
        return ChainTx(network=network.id, tx_hash=tx_hash, status=TxStatus.PENDING)
    ok = tx["success"] is True
    gas = int(tx["gas_used"]) * int(tx.get("gas_unit_price") or 0)
    stamp = tx.get("timestamp")
    return ChainTx(
        network=network.id, tx_hash=tx_hash, status=TxStatus.CONFIRMED if ok else TxStatus.FAILED,
        block_height=int(tx["version"]), confirmations=1,
        timestamp=int(stamp) // 1_000_000 if stamp else None, fee_paid=gas,
        transfers=tuple(deposit_transfers(network, tx)) if ok else (),
    )


class AptosAdapter(Adapter):
    """Verifies Aptos transactions over the fullnode REST API, endpoints tried in priority order."""

    family = "aptos"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, value: str) -> str:
        """Addresses in the 32-byte long form; coin types with their addresses padded."""
        return address.normalize_type(value) if "::" in value else address.normalize(value)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """`0x` + 64 lower-case hex digits."""
        return super().normalize_tx_hash(tx_hash).lower()

    def identify(self, client: Any) -> str:
        """The `chain_id` of the ledger info."""
        _, info = client.get("")
        if not isinstance(info, dict) or info.get("chain_id") is None:
            raise RpcUnavailable(f"{client.label} answered no ledger info with a chain_id")
        return str(info["chain_id"])

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Each transaction on a small thread pool."""
        return fetch_pooled(self, hashes, lambda h: self.failover(
            self._clients, lambda client: self._fetch_on(client, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: HttpClient, tx_hash: str) -> ChainTx:
        status, tx = client.get(f"/transactions/by_hash/{tx_hash}", ok_statuses=(404,))
        if status == 404:
            if isinstance(tx, dict) and tx.get("error_code") == "transaction_not_found":
                return ChainTx.not_found(self.network.id, tx_hash)
            raise RpcUnavailable(f"{client.label} answered 404 without Aptos's transaction_not_found body")
        try:
            return parse_transaction(self.network, tx_hash, tx)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {tx_hash} "
                                 f"({type(exc).__name__}: {exc})") from None
