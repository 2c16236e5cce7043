"""Cardano: the Blockfrost API (`/txs/{hash}`, `/txs/{hash}/utxos`, `/blocks/latest`, `/genesis`).

Transfers: every output of the transaction, one transfer per asset it holds: ADA in lovelace (6
decimals) and native assets, whose id is the Blockfrost unit `policy_id + asset_name_hex` written
`policy.assetname` (decimals are not in the transaction: they come from the asset listing). An output
to our address is a deposit. The sender is the first input's address. Cardano has no memo (metadata
is not read).

Status: a transaction whose scripts failed phase-2 validation (`valid_contract: false`) is failed: it
consumed only its collateral, so collateral outputs are not transfers. Blockfrost's 404 answer is not
found; any other error, and an answer for a different hash, is retriable.

Confirmations: tip height (`/blocks/latest`) - the transaction's block height + 1. Ouroboros Praos
settles probabilistically: the registry asks for 15 blocks (what exchanges require), the protocol's
own bound is k = 2160 blocks.

Identity: `/genesis` answers `network_magic` (764824073 on mainnet). Blockfrost endpoints need a
`project_id` header: give it in the URL's user part (`https://PROJECT_ID@cardano-mainnet.blockfrost.io/api/v0`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.cardano import address
from chains.errors import ChainError, RetriableError, RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network

LOVELACE = "lovelace"
POLICY_HEX = 56
_UNIT = re.compile(r"[0-9a-fA-F]{56}\.?[0-9a-fA-F]{0,64}")   # a native asset: policy id + name hex


def asset_id(unit: str) -> str:
    """`native` for lovelace, else `policy.assetname` (the asset name hex, empty for a nameless asset)."""
    if unit == LOVELACE:
        return NATIVE
    return f"{unit[:POLICY_HEX]}.{unit[POLICY_HEX:]}".lower()


def parse_outputs(network: Network, utxos: dict[str, Any], *, failed: bool) -> list[Transfer]:
    """The transfers of a `/txs/{hash}/utxos` answer (collateral outputs only count when nothing else
    happened, and then they are not transfers either: a failed transaction moved none)."""
    inputs = [i for i in utxos.get("inputs") or [] if not i.get("collateral") and not i.get("reference")]
    sender = address.normalize(inputs[0]["address"]) if inputs else None
    out: list[Transfer] = []
    if failed:
        return out
    for output in utxos["outputs"]:
        if output.get("collateral"):
            continue
        to = address.normalize(output["address"])
        for amount in output["amount"]:
            unit = str(amount["unit"])
            out.append(Transfer(sender, to, asset_id(unit), int(amount["quantity"]),
                                network.native_decimals if unit == LOVELACE else None))
    return out


def parse_transaction(network: Network, tx_hash: str, tx: dict[str, Any], utxos: dict[str, Any],
                      tip: int) -> ChainTx:
    """A `/txs/{hash}` answer, its `/utxos` answer and the tip height -> ChainTx."""
    if str(tx["hash"]).lower() != tx_hash or str(utxos["hash"]).lower() != tx_hash:
        raise ValueError(f"answer is for transaction {tx['hash']}")
    failed = tx.get("valid_contract") is False
    height = tx.get("block_height")
    return ChainTx(
        network=network.id, tx_hash=tx_hash, status=TxStatus.FAILED if failed else TxStatus.CONFIRMED,
        block_height=int(height) if height is not None else None,
        confirmations=max(0, tip - int(height) + 1) if height is not None else 0,
        timestamp=int(tx["block_time"]) if tx.get("block_time") is not None else None,
        fee_paid=int(tx["fees"]), transfers=tuple(parse_outputs(network, utxos, failed=failed)),
    )


def _client_parts(url: str) -> tuple[str, str | None]:
    """The URL without its user part, and the Blockfrost project id the user part carried."""
    parts = urlsplit(url)
    if not parts.username:
        return url, None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), parts.username


class CardanoAdapter(Adapter):
    """Verifies Cardano transactions over Blockfrost, endpoints tried in priority order."""

    family = "cardano"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._clients = []
        self._sessions = []
        for url in self.endpoints:
            base, project = _client_parts(url)
            session = new_session(self.concurrency)
            if project:
                session.headers["project_id"] = project
            self._sessions.append(session)
            self._clients.append(HttpClient(base, timeout=self.timeout, session=session, retry=self.retry,
                                            limiter=RateLimiter(self.rate_limit)))

    @classmethod
    def normalize_address(cls, value: str) -> str:
        """Shelley addresses lower-case, Byron ones as written; assets `policy.assetname` lower-case."""
        text = value.strip()
        if _UNIT.fullmatch(text):
            return asset_id(text.replace(".", ""))
        return address.normalize(text)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 lower-case hex digits."""
        return super().normalize_tx_hash(tx_hash).lower()

    def identify(self, client: Any) -> str:
        """The `network_magic` of `/genesis`."""
        _, genesis = client.get("/genesis")
        if not isinstance(genesis, dict) or genesis.get("network_magic") is None:
            raise RpcUnavailable(f"{client.label}/genesis answered no network_magic")
        return str(genesis["network_magic"])

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Each transaction on a small thread pool; one tip lookup for the whole batch."""
        results, ids = self.split_hashes(hashes)
        if not ids:
            return [r if r is not None else RpcUnavailable("internal: no result") for r in results]
        try:
            tip = self.failover(self._clients, self._tip)
        except RetriableError as exc:
            return [exc if r is None else r for r in results]

        def one(i: int) -> FetchResult:
            try:
                return self.failover(self._clients, lambda client: self._fetch_on(client, ids[i], tip))
            except ChainError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            for i, result in zip(ids, pool.map(one, ids), strict=True):
                results[i] = result
        return [r if r is not None else RpcUnavailable("internal: no result") for r in results]

    def close(self) -> None:
        """Release connections."""
        for session in self._sessions:
            session.close()

    def _tip(self, client: HttpClient) -> int:
        _, block = client.get("/blocks/latest")
        try:
            return int(block["height"])
        except (KeyError, TypeError, ValueError):
            raise RpcUnavailable(f"{client.label}/blocks/latest answered no height") from None

    def _fetch_on(self, client: HttpClient, tx_hash: str, tip: int) -> ChainTx:
        status, tx = client.get(f"/txs/{tx_hash}", ok_statuses=(404,))
        if status == 404:
            if isinstance(tx, dict) and tx.get("status_code") == 404:
                return ChainTx.not_found(self.network.id, tx_hash)
            raise RpcUnavailable(f"{client.label} answered 404 without Blockfrost's not-found body")
        _, utxos = client.get(f"/txs/{tx_hash}/utxos")
        try:
            return parse_transaction(self.network, tx_hash, tx, utxos, tip)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {tx_hash} "
                                 f"({type(exc).__name__}: {exc})") from None
