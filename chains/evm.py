"""EVM adapter: native value, ERC-20/721/1155 transfer logs, receipt status, confirmations.

Requests go out as raw JSON-RPC batches (`eth_getTransactionByHash` + `eth_getTransactionReceipt`
per hash, one `eth_blockNumber`) over a few keep-alive connections; raw answers are mapped by
the small functions below. web3.py's keccak (eth-utils) names the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eth_utils import keccak

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, RetriableError, RpcUnavailable
from chains.http import RateLimiter, failover, new_session
from chains.jsonrpc import Call, JsonRpcClient


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


TRANSFER = _topic("Transfer(address,address,uint256)")            # ERC-20 and ERC-721
TRANSFER_SINGLE = _topic("TransferSingle(address,address,address,uint256,uint256)")  # ERC-1155
TRANSFER_BATCH = _topic("TransferBatch(address,address,address,uint256[],uint256[])")
DECIMALS_CALL = "0x313ce567"  # decimals()
GAS_NATIVE_TRANSFER = 21_000
GAS_TOKEN_TRANSFER = 65_000


def _int(value: Any) -> int | None:
    return None if value is None else int(value, 16) if isinstance(value, str) else int(value)


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _words(data: str) -> list[int]:
    raw = data[2:] if data.startswith("0x") else data
    return [int(raw[i:i + 64], 16) for i in range(0, len(raw) - 63, 64)]


def log_transfers(log: dict[str, Any]) -> list[Transfer]:
    """Token movements in one receipt log: ERC-20 amounts, ERC-721/1155 items as non-fungible."""
    topics = [t.lower() for t in log.get("topics") or []]
    token = str(log.get("address", "")).lower()
    if not topics:
        return []
    if topics[0] == TRANSFER and len(topics) == 3:
        words = _words(log.get("data") or "0x")
        if not words:
            return []
        return [Transfer(_topic_address(topics[1]), _topic_address(topics[2]), token, words[0], None)]
    if topics[0] == TRANSFER and len(topics) == 4:  # ERC-721: tokenId indexed
        return [Transfer(_topic_address(topics[1]), _topic_address(topics[2]), f"{token}#{int(topics[3], 16)}",
                         1, 0, non_fungible=True)]
    if topics[0] == TRANSFER_SINGLE and len(topics) == 4:
        words = _words(log.get("data") or "0x")
        if len(words) < 2:
            return []
        return [Transfer(_topic_address(topics[2]), _topic_address(topics[3]), f"{token}#{words[0]}",
                         words[1], 0, non_fungible=True)]
    if topics[0] == TRANSFER_BATCH and len(topics) == 4:
        words = _words(log.get("data") or "0x")
        try:  # two dynamic arrays: offsets, then length-prefixed ids and values
            ids_at, values_at = words[0] // 32, words[1] // 32
            ids = words[ids_at + 1: ids_at + 1 + words[ids_at]]
            values = words[values_at + 1: values_at + 1 + words[values_at]]
        except IndexError:
            return []
        return [Transfer(_topic_address(topics[2]), _topic_address(topics[3]), f"{token}#{i}", v, 0,
                         non_fungible=True) for i, v in zip(ids, values, strict=False)]
    return []


def map_tx(network_id: str, native_decimals: int, tx_hash: str, tx: dict[str, Any] | None,
           receipt: dict[str, Any] | None, head: int) -> ChainTx:
    """Raw transaction + receipt + chain head -> `ChainTx`."""
    if not tx:
        return ChainTx.not_found(network_id, tx_hash)
    block = _int(tx.get("blockNumber"))
    transfers: list[Transfer] = []
    value = _int(tx.get("value")) or 0
    sender = str(tx.get("from", "")).lower() or None
    if value and tx.get("to"):
        transfers.append(Transfer(sender, str(tx["to"]).lower(), NATIVE, value, native_decimals))
    if block is None or not receipt or receipt.get("blockNumber") is None:
        return ChainTx(network_id, tx_hash, TxStatus.PENDING, transfers=tuple(transfers))
    status_code = _int(receipt.get("status"))  # None before Byzantium: no failure flag to read
    status = TxStatus.FAILED if status_code == 0 else TxStatus.CONFIRMED
    if status is TxStatus.CONFIRMED:
        for log in receipt.get("logs") or []:
            if not log.get("removed"):
                transfers.extend(log_transfers(log))
    gas_price = _int(receipt.get("effectiveGasPrice")) or _int(tx.get("gasPrice")) or 0
    return ChainTx(
        network=network_id, tx_hash=tx_hash, status=status, block_height=block,
        confirmations=max(0, head - block + 1), fee_paid=(_int(receipt.get("gasUsed")) or 0) * gas_price,
        transfers=tuple(transfers),
    )


class EvmAdapter(Adapter):
    """Any EVM network over JSON-RPC."""

    family = "evm"
    concurrency = 4
    max_batch = 200   # JSON-RPC calls per HTTP request

    def __init__(self, network: Any, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [JsonRpcClient(url, timeout=self.timeout, max_batch=self.max_batch, session=self._session,
                                       limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]
        self._decimals: dict[str, int | None] = {}

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """Lower-case 0x hash of 32 bytes."""
        return super().normalize_tx_hash(tx_hash).lower()

    # -- transport with failover ----------------------------------------------------------------
    def _batch(self, calls: Sequence[Call]) -> list[Any]:
        return failover(self._clients, lambda client: client.batch(calls), self.network.name)

    def _call(self, method: str, params: Sequence[Any] = ()) -> Any:
        result = self._batch([(method, params)])[0]
        if isinstance(result, ChainError):
            raise result
        return result

    # -- fetching -------------------------------------------------------------------------------
    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Batched: two calls per hash, `max_batch` calls per request, `concurrency` requests at once."""
        results, by_position = self.split_hashes(hashes)
        valid = list(by_position.items())
        if valid:
            try:
                head = self._call("eth_blockNumber")
            except RetriableError as exc:
                return [r if r is not None else exc for r in results]
            per = max(1, self.max_batch // 2)
            chunks = [valid[i:i + per] for i in range(0, len(valid), per)]
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                for chunk, mapped in zip(chunks, pool.map(lambda c: self._fetch_chunk(c, _int(head) or 0), chunks),
                                         strict=True):
                    for (i, _), res in zip(chunk, mapped, strict=True):
                        results[i] = res
            self._fill_decimals([r for r in results if isinstance(r, ChainTx)])
            results = [self._with_decimals(r) if isinstance(r, ChainTx) else r for r in results]
        return [r if r is not None else RpcUnavailable("no result") for r in results]

    def _fetch_chunk(self, chunk: list[tuple[int, str]], head: int) -> list[FetchResult]:
        calls: list[Call] = []
        for _, h in chunk:
            calls += [("eth_getTransactionByHash", [h]), ("eth_getTransactionReceipt", [h])]
        try:
            answers = self._batch(calls)
        except RetriableError as exc:
            return [exc for _ in chunk]
        out: list[FetchResult] = []
        for n, (_, h) in enumerate(chunk):
            tx, receipt = answers[2 * n], answers[2 * n + 1]
            err = next((a for a in (tx, receipt) if isinstance(a, ChainError)), None)
            out.append(err if err else map_tx(self.network.id, self.network.native_decimals, h, tx, receipt, head))
        return out

    # -- token decimals -------------------------------------------------------------------------
    def _fill_decimals(self, txs: list[ChainTx]) -> None:
        tokens = sorted({t.asset for tx in txs for t in tx.transfers
                         if t.asset != NATIVE and not t.non_fungible and t.asset not in self._decimals})
        if not tokens:
            return
        try:
            answers = self._batch([("eth_call", [{"to": tok, "data": DECIMALS_CALL}, "latest"]) for tok in tokens])
        except RetriableError:
            return
        for tok, ans in zip(tokens, answers, strict=True):
            words = _words(ans) if isinstance(ans, str) else []
            self._decimals[tok] = words[0] if words and words[0] <= 255 else None

    def _with_decimals(self, tx: ChainTx) -> ChainTx:
        if all(t.decimals is not None for t in tx.transfers):
            return tx
        from dataclasses import replace

        return replace(tx, transfers=tuple(
            t if t.decimals is not None else replace(t, decimals=self._decimals.get(t.asset))
            for t in tx.transfers))

    # -- other questions ------------------------------------------------------------------------
    def contract_addresses(self, addresses: Sequence[str]) -> set[str]:
        """Addresses with code (contracts), by one batch of `eth_getCode`."""
        unique = sorted({a.lower() for a in addresses})
        if not unique:
            return set()
        answers = self._batch([("eth_getCode", [a, "latest"]) for a in unique])
        for a in answers:
            if isinstance(a, ChainError):
                raise a
        return {a for a, code in zip(unique, answers, strict=True) if isinstance(code, str) and code not in ("0x", "")}

    def network_fee_estimate(self, asset: str) -> int | None:
        """Native base units for one recovery transfer of `asset` at the current gas price."""
        gas_price = _int(self._call("eth_gasPrice")) or 0
        return gas_price * (GAS_NATIVE_TRANSFER if asset == NATIVE else GAS_TOKEN_TRANSFER)

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()
