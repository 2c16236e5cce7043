"""Stellar: Horizon `GET /transactions/{hash}`, the transaction's own envelope read and its hash re-derived.

- Identity: Horizon's root `/` names its `network_passphrase`, but the adapter does not rely on it (no real
  recording of it was found to test against). It proves each answer instead: the envelope must hash to the
  asked hash under the mainnet passphrase. An envelope that hashes to it under the testnet passphrase means
  the endpoint serves testnet (WrongChain); one that hashes to it under neither is a bad answer (retriable).
- Operations come from that verified envelope (payments, create_account, path payments strict-receive;
  assets `native` or `CODE:ISSUER`, 7 decimals). An operation whose effect the envelope does not state
  (strict-send path payment, account merge, Soroban call) makes the answer unverifiable, never guessed.
- Memo: the envelope's memo: text as text, id as its decimal digits, hash/return as base64 (as Horizon
  writes them); a payment to a muxed M... address without a memo takes the mux id as memo.
- Finality: Horizon serves transactions of closed ledgers, and a closed ledger is final: confirmations 1.
  `successful: false` is failed (fee charged, nothing moved).
- Not found: HTTP 404 with Horizon's `not_found` problem body; any other 404 or answer is retriable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable, WrongChain
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled
from chains.stellar import codec, envelope

PUBLIC = "Public Global Stellar Network ; September 2015"
TESTNET = "Test SDF Network ; September 2015"
PASSPHRASES = {"stellar": PUBLIC}                    # network id -> its passphrase
OTHER_NETWORKS = {TESTNET: "Stellar testnet", PUBLIC: "Stellar mainnet"}
NOT_FOUND_TYPE = "https://stellar.org/horizon-errors/not_found"
DECIMALS = 7


def parse_transaction(network: Network, tx_hash: str, record: dict[str, Any], label: str = "?") -> ChainTx:
    """A Horizon transaction record -> ChainTx, after proving its envelope hashes to `tx_hash`."""
    if str(record.get("hash", "")).lower() != tx_hash:
        raise ValueError(f"the answer is for transaction {record.get('hash')!r}, not the one asked")
    env = envelope.read(str(record["envelope_xdr"]))
    passphrase = PASSPHRASES.get(network.id, PUBLIC)
    if env.hash_under(passphrase) != tx_hash:
        other = next((name for p, name in OTHER_NETWORKS.items() if p != passphrase and env.hash_under(p) == tx_hash),
                     None)
        if other:
            raise WrongChain(f"endpoint {label} is configured for {network.name} but serves {other}: "
                             f"fix the endpoint for {network.id}")
        raise ValueError("the envelope does not hash to the asked transaction under the network passphrase")
    transfers = []
    for p in env.payments:
        memo = env.memo if env.memo_type != "none" else (None if p.mux_id is None else str(p.mux_id))
        asset = NATIVE if p.asset == envelope.NATIVE_ASSET else p.asset
        transfers.append(Transfer(p.source, p.destination, asset, p.amount, DECIMALS, memo))
    created = record.get("created_at")
    return ChainTx(
        network=network.id, tx_hash=tx_hash,
        status=TxStatus.CONFIRMED if record["successful"] is True else TxStatus.FAILED,
        block_height=int(record["ledger"]), confirmations=1,
        timestamp=int(datetime.fromisoformat(str(created).replace("Z", "+00:00")).timestamp()) if created else None,
        fee_paid=int(record["fee_charged"]) if record.get("fee_charged") is not None else None,
        transfers=tuple(transfers),
    )


class StellarAdapter(Adapter):
    """Verifies Stellar transactions over Horizon, endpoints tried in priority order."""

    family = "stellar"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, address: str) -> str:
        """G... as written; a muxed M... address compares as the account it belongs to."""
        return codec.normalize(address)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 lower-case hex digits, as Horizon writes them."""
        return super().normalize_tx_hash(tx_hash).lower()

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """One Horizon lookup per hash on a small thread pool (Horizon has no batch lookup)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(self._clients, lambda c: self._fetch_on(c, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: HttpClient, tx_hash: str) -> ChainTx:
        status, record = client.get(f"/transactions/{tx_hash}", ok_statuses=(404,))
        if status == 404:
            if isinstance(record, dict) and record.get("type") == NOT_FOUND_TYPE:
                return ChainTx.not_found(self.network.id, tx_hash)
            raise RpcUnavailable(f"{client.label} answered HTTP 404 without Horizon's not_found problem")
        if not isinstance(record, dict):
            raise RpcUnavailable(f"{client.label} answered something that is not a transaction record")
        try:
            return parse_transaction(self.network, tx_hash, record, client.label)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered an unusable transaction {tx_hash} "
                                 f"({type(exc).__name__}: {exc})") from None
