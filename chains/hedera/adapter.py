"""Hedera: mirror node REST `GET /api/v1/transactions/{id}`.

- Identity: none. No answer of the mirror node REST API names the network it mirrors (no ledger id or
  genesis: node ids, account numbers and transaction shapes are alike on mainnet and testnet), so the
  endpoint's chain is not checked; choose mirror endpoints with care.
- Finality: the mirror lists transactions that reached consensus, and consensus is final (confirmations 1).
  `result` other than SUCCESS is failed (the fee is charged, nothing else moved).
- HBAR: `transfers` are net balance changes that include the fee (payer -> node, 0.0.98, 0.0.800/801) and
  staking rewards paid from 0.0.800. The adapter takes the fee out of the payer's change and the rewards out
  of the rewarded account's, and does not count the fee and reward accounts as recipients; what remains
  credited is a transfer, in tinybars (8 decimals). HTS tokens: `token_transfers` (asset = token id,
  decimals unknown to this answer), NFTs from `nft_transfers`.
- Memo: `memo_base64` decoded as UTF-8. Not found: HTTP 404 with the mirror's `Not found` message.
- The answer holds every record with that id (the user transaction and child/scheduled records); the
  transfers are those of the user transaction (nonce 0, not scheduled).
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable
from chains.hedera import codec
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled

FEE_ACCOUNTS = frozenset({"0.0.98", "0.0.800", "0.0.801"})    # fee collection, staking and node reward accounts
NOT_FOUND = {"_status": {"messages": [{"message": "Not found"}]}}


def _memo(record: dict[str, Any]) -> str | None:
    raw = base64.b64decode(str(record.get("memo_base64") or ""))
    return raw.decode("utf-8", errors="replace") if raw else None


def _sender(debits: list[str], payer: str) -> str | None:
    if len(debits) == 1:
        return debits[0]
    return payer if not debits or payer in debits else None


def _hbar(record: dict[str, Any], payer: str, memo: str | None) -> list[Transfer]:
    net: dict[str, int] = defaultdict(int)
    for leg in record.get("transfers") or []:
        net[codec.normalize(str(leg["account"]))] += int(leg["amount"])
    for reward in record.get("staking_reward_transfers") or []:
        net[codec.normalize(str(reward["account"]))] -= int(reward["amount"])
        net["0.0.800"] += int(reward["amount"])
    net[payer] += int(record.get("charged_tx_fee") or 0)
    skip = FEE_ACCOUNTS | {codec.normalize(str(record.get("node") or ""))}
    debits = [a for a, v in net.items() if v < 0 and a not in skip]
    sender = _sender(debits, payer)
    return [Transfer(sender, a, NATIVE, v, 8, memo) for a, v in net.items() if v > 0 and a not in skip]


def _tokens(record: dict[str, Any], payer: str, memo: str | None) -> list[Transfer]:
    by_token: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for leg in record.get("token_transfers") or []:
        by_token[str(leg["token_id"])][codec.normalize(str(leg["account"]))] += int(leg["amount"])
    out: list[Transfer] = []
    for token, net in by_token.items():
        sender = _sender([a for a, v in net.items() if v < 0], payer)
        out.extend(Transfer(sender, a, token, v, None, memo) for a, v in net.items() if v > 0)
    for nft in record.get("nft_transfers") or []:
        if nft.get("receiver_account_id"):
            out.append(Transfer(nft.get("sender_account_id"), codec.normalize(str(nft["receiver_account_id"])),
                                str(nft["token_id"]), 1, 0, memo, non_fungible=True))
    return out


def parse_transaction(network: Network, tx_id: str, answer: dict[str, Any]) -> ChainTx:
    """A `/transactions/{id}` answer -> ChainTx (the user transaction among the records)."""
    records = [r for r in answer["transactions"] if codec.normalize_tx_id(str(r["transaction_id"])) == tx_id]
    if not records:
        raise ValueError(f"the answer holds no record of transaction {tx_id}")
    user = [r for r in records if not r.get("scheduled") and int(r.get("nonce") or 0) == 0]
    record = user[0] if user else records[0]
    payer, memo = codec.payer_of(tx_id), _memo(record)
    transfers = _hbar(record, payer, memo) + _tokens(record, payer, memo)
    seconds = str(record["consensus_timestamp"]).split(".")[0]
    return ChainTx(
        network=network.id, tx_hash=tx_id,
        status=TxStatus.CONFIRMED if record["result"] == "SUCCESS" else TxStatus.FAILED,
        block_height=None, confirmations=1, timestamp=int(seconds),
        fee_paid=int(record["charged_tx_fee"]) if record.get("charged_tx_fee") is not None else None,
        transfers=tuple(transfers),
    )


class HederaAdapter(Adapter):
    """Verifies Hedera transactions over a mirror node's REST API, endpoints tried in priority order."""

    family = "hedera"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, address: str) -> str:
        """shard.realm.num without leading zeros."""
        return codec.normalize(address)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """Either id form, checked against the registry, as the mirror node writes it."""
        return codec.normalize_tx_id(super().normalize_tx_hash(tx_hash))

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """One mirror lookup per id on a small thread pool (the by-id lookup has no batch form)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(self._clients, lambda c: self._fetch_on(c, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: HttpClient, tx_id: str) -> ChainTx:
        status, answer = client.get(f"/transactions/{tx_id}", ok_statuses=(404,))
        if status == 404:
            if answer == NOT_FOUND:
                return ChainTx.not_found(self.network.id, tx_id)
            raise RpcUnavailable(f"{client.label} answered HTTP 404 without the mirror node's not-found message")
        try:
            return parse_transaction(self.network, tx_id, answer)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered an unusable transaction {tx_id} "
                                 f"({type(exc).__name__}: {exc})") from None
