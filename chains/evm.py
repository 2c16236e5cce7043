"""EVM adapter: native value, ERC-20/721/1155 transfer logs, receipt status, confirmations.

Requests go out as raw JSON-RPC batches (the head and finalized blocks, then `eth_getTransactionByHash`
+ `eth_getTransactionReceipt` per hash) over a few keep-alive connections; raw answers are mapped by
the small functions below. web3.py's keccak (eth-utils) names the events. Each endpoint's chain id is
checked once (`eth_chainId`), every answer must be about the hash asked, and a head block older than
the network allows makes the endpoint unavailable.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eth_utils import keccak

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, RetriableError, RpcUnavailable
from chains.evm_calls import (
    DECIMALS_CALL,
    NAME_CALL,
    SYMBOL_CALL,
    abi_text,
    call_tracer_transfers,
    call_transfer,
    parity_transfers,
)
from chains.http import RateLimiter, new_session
from chains.jsonrpc import Call, JsonRpcClient


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


TRANSFER = _topic("Transfer(address,address,uint256)")            # ERC-20 and ERC-721
TRANSFER_SINGLE = _topic("TransferSingle(address,address,address,uint256,uint256)")  # ERC-1155
TRANSFER_BATCH = _topic("TransferBatch(address,address,address,uint256[],uint256[])")
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


def _hash_of(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    return value.lower() if isinstance(value, str) else repr(value)


def map_tx(network_id: str, native_decimals: int, tx_hash: str, tx: Any, receipt: Any, head: int,
           finalized: int | None = None) -> ChainTx:
    """Raw transaction + receipt + chain head (and finalized block, where known) -> `ChainTx`.

    Raises ValueError for an answer that is not about `tx_hash` or not of a transaction's shape."""
    if tx is None:
        return ChainTx.not_found(network_id, tx_hash)
    if not isinstance(tx, dict):
        raise ValueError(f"the transaction answer is {type(tx).__name__}, not an object")
    if _hash_of(tx, "hash") != tx_hash:
        raise ValueError(f"asked for {tx_hash}, answered transaction {_hash_of(tx, 'hash')}")
    if receipt is not None and (not isinstance(receipt, dict) or _hash_of(receipt, "transactionHash") != tx_hash):
        raise ValueError(f"the receipt answered is not of {tx_hash}")
    block = _int(tx.get("blockNumber"))
    transfers: list[Transfer] = []
    value = _int(tx.get("value")) or 0
    sender = str(tx.get("from", "")).lower() or None
    data = str(tx.get("input") or tx.get("data") or "0x")
    calls_code = bool(tx.get("to")) and data not in ("0x", "")
    if value and tx.get("to"):
        transfers.append(Transfer(sender, str(tx["to"]).lower(), NATIVE, value, native_decimals))
    if block is None or not receipt or receipt.get("blockNumber") is None:
        call = call_transfer(tx)   # still in the mempool: the token movement is only in the call data
        return ChainTx(network_id, tx_hash, TxStatus.PENDING, transfers=tuple(transfers + ([call] if call else [])),
                       contract_call=calls_code)
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
        transfers=tuple(transfers), final=None if finalized is None else block <= finalized,
        contract_call=calls_code and not receipt.get("contractAddress"),
    )


def _block_number(answer: Any, label: str, what: str) -> tuple[int, int | None]:
    """(number, timestamp) of an `eth_getBlockByNumber` answer, or of an `eth_blockNumber` one."""
    if isinstance(answer, str):
        return int(answer, 16), None
    if isinstance(answer, dict) and isinstance(answer.get("number"), str):
        stamp = answer.get("timestamp")
        return int(answer["number"], 16), int(stamp, 16) if isinstance(stamp, str) else None
    raise RpcUnavailable(f"{label} answered the {what} block with {str(answer)[:40]!r}")


class EvmAdapter(Adapter):
    """Any EVM network over JSON-RPC."""

    family = "evm"
    concurrency = 4
    max_batch = 200   # JSON-RPC calls per HTTP request
    max_answer_bytes = 32 * 2**20   # a batch of 200 receipts with many logs

    def __init__(self, network: Any, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [JsonRpcClient(url, timeout=self.timeout, max_batch=self.max_batch, session=self._session,
                                       limiter=RateLimiter(self.rate_limit), max_bytes=self.max_answer_bytes)
                         for url in self.endpoints]
        self._decimals: dict[str, int | None] = {}
        self._symbols: dict[str, str | None] = {}
        self._no_finalized: set[int] = set()   # endpoints that do not know the `finalized` tag

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """Lower-case 0x hash of 32 bytes."""
        return super().normalize_tx_hash(tx_hash).lower()

    def identify(self, client: JsonRpcClient) -> str:
        """The endpoint's chain id (`eth_chainId`), in decimal."""
        answer = client.call("eth_chainId")
        try:
            return str(int(answer, 16))
        except (TypeError, ValueError):
            raise RpcUnavailable(f"{client.label} answered eth_chainId with {str(answer)[:40]!r}") from None

    # -- transport with failover ----------------------------------------------------------------
    def _batch(self, calls: Sequence[Call]) -> list[Any]:
        return self.failover(self._clients, lambda client: client.batch(calls), confirm=lambda _: False)

    def _call(self, method: str, params: Sequence[Any] = ()) -> Any:
        result = self._batch([(method, params)])[0]
        if isinstance(result, ChainError):
            raise result
        return result

    # -- fetching -------------------------------------------------------------------------------
    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Batched: two calls per hash, `max_batch` calls per request, `concurrency` requests at once;
        each chunk goes down the endpoint list, a not-found confirmed on the next endpoint."""
        results, by_position = self.split_hashes(hashes)
        valid = list(by_position.items())
        if valid:
            per = max(1, self.max_batch // 2 - 1)
            chunks = [dict(valid[i:i + per]) for i in range(0, len(valid), per)]
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                for mapped in pool.map(lambda c: self.fetch_across(self._clients, c, self._fetch_on), chunks):
                    for i, res in mapped.items():
                        results[i] = res
            txs = [r for r in results if isinstance(r, ChainTx)]
            self._fill_tokens(txs)
            results = [self._with_decimals(r) if isinstance(r, ChainTx) else r for r in results]
        return [r if r is not None else RpcUnavailable("no result") for r in results]

    def _head_calls(self, client: JsonRpcClient) -> list[Call]:
        calls: list[Call] = [("eth_getBlockByNumber", ["latest", False]) if self.max_head_age is not None
                             else ("eth_blockNumber", [])]
        if id(client) not in self._no_finalized:
            calls.append(("eth_getBlockByNumber", ["finalized", False]))
        return calls

    def _fetch_on(self, client: JsonRpcClient, hashes: list[str]) -> list[FetchResult]:
        """One endpoint: its head (and finalized block), then transaction and receipt of each hash."""
        first = self._head_calls(client)
        calls = list(first)
        for h in hashes:
            calls += [("eth_getTransactionByHash", [h]), ("eth_getTransactionReceipt", [h])]
        answers = client.batch(calls)
        head_answer = answers[0]
        if isinstance(head_answer, ChainError):
            raise head_answer if isinstance(head_answer, RetriableError) else RpcUnavailable(head_answer.user_message)
        head, stamp = _block_number(head_answer, client.label, "latest")
        if self.max_head_age is not None:
            self.check_head(client.label, stamp)
        finalized = None
        if len(first) > 1:
            fin = answers[1]
            if isinstance(fin, dict):
                finalized = _block_number(fin, client.label, "finalized")[0]
            elif isinstance(fin, ChainError):
                self._no_finalized.add(id(client))   # the chain or node has no finality tag
        out: list[FetchResult] = []
        body = answers[len(first):]
        for n, h in enumerate(hashes):
            tx, receipt = body[2 * n], body[2 * n + 1]
            err = next((a for a in (tx, receipt) if isinstance(a, ChainError)), None)
            if err:
                out.append(err)
                continue
            try:
                out.append(map_tx(self.network.id, self.network.native_decimals, h, tx, receipt, head, finalized))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                out.append(RpcUnavailable(f"{client.label} answered {h} wrongly: {exc}"))
        return out

    # -- token decimals and names ---------------------------------------------------------------
    def _fill_tokens(self, txs: list[ChainTx]) -> None:
        tokens = sorted({t.asset for tx in txs for t in tx.transfers
                         if t.asset != NATIVE and not t.non_fungible and t.asset not in self._decimals})
        if not tokens:
            return
        calls: list[Call] = []
        for tok in tokens:
            calls += [("eth_call", [{"to": tok, "data": data}, "latest"])
                      for data in (DECIMALS_CALL, SYMBOL_CALL, NAME_CALL)]
        try:
            answers = self._batch(calls)
        except RetriableError:
            return
        for n, tok in enumerate(tokens):
            dec, sym, name = answers[3 * n: 3 * n + 3]
            words = _words(dec) if isinstance(dec, str) else []
            self._decimals[tok] = words[0] if len(words) == 1 and words[0] <= 77 else None
            self._symbols[tok] = abi_text(sym) or abi_text(name)

    def _with_decimals(self, tx: ChainTx) -> ChainTx:
        if all(t.decimals is not None for t in tx.transfers):
            return tx
        from dataclasses import replace

        return replace(tx, transfers=tuple(
            t if t.decimals is not None else replace(t, decimals=self._decimals.get(t.asset))
            for t in tx.transfers))

    def token_symbol(self, asset: str) -> str | None:
        """The token's `symbol()` (else `name()`), read with its decimals."""
        return self._symbols.get(asset.lower())

    # -- traces -----------------------------------------------------------------------------------
    def inner_transfers(self, txs: Sequence[ChainTx]) -> dict[str, list[Transfer]]:
        """Native value moved by inner calls: `debug_traceTransaction` (callTracer), else
        `trace_transaction`; raises a retriable error when the endpoint offers neither."""
        if not txs:
            return {}
        decimals = self.network.native_decimals
        hashes = [tx.tx_hash for tx in txs]
        answers = self._batch([("debug_traceTransaction", [h, {"tracer": "callTracer"}]) for h in hashes])
        out: dict[str, list[Transfer]] = {}
        missing = []
        for h, ans in zip(hashes, answers, strict=True):
            if isinstance(ans, dict):
                out[h] = call_tracer_transfers(ans, decimals)
            else:
                missing.append(h)
        if missing:
            answers = self._batch([("trace_transaction", [h]) for h in missing])
            for h, ans in zip(missing, answers, strict=True):
                if not isinstance(ans, list):
                    why = ans.user_message if isinstance(ans, ChainError) else f"answered {str(ans)[:40]!r}"
                    raise RpcUnavailable(f"{self.network.name}: the endpoint offers no transaction trace ({why})")
                out[h] = parity_transfers(ans, decimals)
        return out

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
