"""Algorand: indexer `GET /v2/transactions/{id}`.

- Identity: the genesis of the chain the indexer holds, read from its first transaction
  (`GET /v2/transactions?limit=1`: `genesis-id`, mainnet-v1.0). Each looked-up transaction is checked too:
  a `genesis-hash` or `genesis-id` of another network means the endpoint serves another chain.
- Finality: Algorand blocks are final when certified (no forks), and the indexer shows only confirmed
  transactions: confirmed once in a round (confirmations = rounds since, at least 1). A transaction that
  fails is rejected before any block, so there is no failed status on chain.
- Transfers: `pay` (ALGO in microalgos, 6 decimals) and `axfer` (asset = the ASA id, decimals not in the
  answer), each with its close-to remainder as a second transfer, inner transactions included; an axfer's
  `sender` field (clawback) is the account debited. Zero-amount legs (asset opt-ins) move nothing.
- Memo: the note, base64-decoded as UTF-8.
- Not found: HTTP 404 whose message says no transaction was found; any other answer is retriable.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from typing import Any

from chains.algorand import codec
from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable, WrongChain
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled

GENESIS_HASHES = {"mainnet-v1.0": "wGHE2Pwdvd7S12BL5FaOP20EGYesN73ktiC1qzkkit8=",
                  "testnet-v1.0": "SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI=",
                  "betanet-v1.0": "mFgazF+2uRS1tMiL9dsj01hJGySEmPN28B/TjjvpVW0="}
NOT_FOUND_MESSAGE = "no transaction found"


def _memo(tx: dict[str, Any]) -> str | None:
    note = tx.get("note")
    return base64.b64decode(note).decode("utf-8", errors="replace") if note else None


def _legs(tx: dict[str, Any], memo: str | None) -> Iterator[Transfer]:
    sender = str(tx["sender"])
    pay = tx.get("payment-transaction")
    if tx.get("tx-type") == "pay" and pay:
        if int(pay.get("amount") or 0):
            yield Transfer(sender, str(pay["receiver"]), NATIVE, int(pay["amount"]), 6, memo)
        if pay.get("close-remainder-to") and int(pay.get("close-amount") or 0):
            yield Transfer(sender, str(pay["close-remainder-to"]), NATIVE, int(pay["close-amount"]), 6, memo)
    axfer = tx.get("asset-transfer-transaction")
    if tx.get("tx-type") == "axfer" and axfer:
        asset, debited = str(axfer["asset-id"]), str(axfer.get("sender") or sender)
        if int(axfer.get("amount") or 0):
            yield Transfer(debited, str(axfer["receiver"]), asset, int(axfer["amount"]), None, memo)
        if axfer.get("close-to") and int(axfer.get("close-amount") or 0):
            yield Transfer(debited, str(axfer["close-to"]), asset, int(axfer["close-amount"]), None, memo)
    for inner in tx.get("inner-txns") or []:
        yield from _legs(inner, _memo(inner) or memo)


def check_genesis(network: Network, tx: dict[str, Any], label: str) -> None:
    """Refuse a transaction of another Algorand network (by its genesis hash, else its genesis id)."""
    expected = network.expected_identity()
    if expected is None:
        return
    gid, ghash = tx.get("genesis-id"), tx.get("genesis-hash")
    if ghash is not None and expected in GENESIS_HASHES and ghash != GENESIS_HASHES[expected]:
        other = next((g for g, h in GENESIS_HASHES.items() if h == ghash), ghash)
        raise WrongChain(f"endpoint {label} is configured for {network.name} ({expected}) but serves {other}")
    if gid is not None and gid != expected:
        raise WrongChain(f"endpoint {label} is configured for {network.name} ({expected}) but serves {gid}")


def parse_transaction(network: Network, tx_id: str, answer: dict[str, Any], label: str = "?") -> ChainTx:
    """A `/v2/transactions/{id}` answer -> ChainTx."""
    tx = answer["transaction"]
    if tx.get("id") != tx_id:
        raise ValueError(f"the answer is for transaction {tx.get('id')!r}, not the one asked")
    check_genesis(network, tx, label)
    confirmed = tx.get("confirmed-round")
    if confirmed is None:
        raise ValueError("a transaction without its confirmed round")
    current = answer.get("current-round")
    confirmations = max(1, int(current) - int(confirmed) + 1) if current is not None else 1
    return ChainTx(
        network=network.id, tx_hash=tx_id, status=TxStatus.CONFIRMED, block_height=int(confirmed),
        confirmations=confirmations, timestamp=int(tx["round-time"]) if tx.get("round-time") else None,
        fee_paid=int(tx["fee"]) if tx.get("fee") is not None else None, transfers=tuple(_legs(tx, _memo(tx))),
    )


class AlgorandAdapter(Adapter):
    """Verifies Algorand transactions over an indexer, endpoints tried in priority order."""

    family = "algorand"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, address: str) -> str:
        """Upper-case base32."""
        return codec.normalize(address)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """52 base32 characters, upper-case as the chain writes them."""
        return super().normalize_tx_hash(tx_hash.strip().upper())

    def identify(self, client: HttpClient) -> str:
        """The genesis id of the indexer's first transaction."""
        _, answer = client.get("/v2/transactions", params={"limit": 1})
        txs = answer.get("transactions") if isinstance(answer, dict) else None
        gid = txs[0].get("genesis-id") if isinstance(txs, list) and txs and isinstance(txs[0], dict) else None
        if not isinstance(gid, str):
            raise RpcUnavailable(f"{client.label} /v2/transactions named no genesis-id: cannot tell its chain")
        return gid

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """One indexer lookup per id on a small thread pool (the lookup has no batch form)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(self._clients, lambda c: self._fetch_on(c, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: HttpClient, tx_id: str) -> ChainTx:
        status, answer = client.get(f"/v2/transactions/{tx_id}", ok_statuses=(404,))
        if status == 404:
            message = answer.get("message") if isinstance(answer, dict) else None
            if isinstance(message, str) and message.startswith(NOT_FOUND_MESSAGE):
                return ChainTx.not_found(self.network.id, tx_id)
            raise RpcUnavailable(f"{client.label} answered HTTP 404 without the indexer's not-found message")
        try:
            return parse_transaction(self.network, tx_id, answer, client.label)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered an unusable transaction {tx_id} "
                                 f"({type(exc).__name__}: {exc})") from None
