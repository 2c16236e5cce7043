"""The bitcoin-family adapter: bitcoind JSON-RPC and Esplora REST providers, tried in priority order.

Endpoints written `esplora+https://host/api` are Esplora REST; any other URL is bitcoind-compatible
JSON-RPC. A provider's retriable failure passes the hash to the next provider; a found transaction
ends the search, a not-found is confirmed on the next provider (chains.base `fetch_across`). Each
provider's chain is checked once: its block hashes at the registry's identity heights (the genesis,
and for Bitcoin / Bitcoin Cash a block after their 2017 fork).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from chains.addresses.utxo import COINS, CoinParams, script_address
from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.endpoints import redact
from chains.errors import (
    ChainError,
    RetriableError,
    RpcUnavailable,
    TxNotFound,
)
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.jsonrpc import JsonRpcClient
from chains.networks import Network

ESPLORA_PREFIX = "esplora+"
# Integer amount fields some nodes add next to `value` (Dash/insight `valueSat`, zcashd `valueZat`).
_INT_VALUE_FIELDS = ("valueSat", "valueZat")


def to_base_units(value: object, decimals: int) -> int:
    """An amount in whole coins (Decimal, int or numeric text) as integer base units, exactly."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        raise ValueError(f"amount {value!r} is not a number")
    try:
        # a float only reaches here without parse_float=Decimal; str() keeps its shortest form
        units = (value if isinstance(value, Decimal) else Decimal(str(value))).scaleb(decimals)
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number") from None
    if not units.is_finite() or units != units.to_integral_value():
        raise ValueError(f"amount {value} has more than {decimals} decimals")
    return int(units)


def _confirmations(tip: int, height: int) -> int:
    """Blocks from the transaction's block to the same node's tip, both counted (what bitcoind's own
    `confirmations` says); a tip below the block is an inconsistent answer."""
    if tip < height:
        raise ValueError(f"the node's tip {tip} is below the transaction's block {height}")
    return tip - height + 1


class _Provider(Protocol):
    label: str

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]: ...

    def block_hashes(self, heights: Sequence[int]) -> list[Any]: ...

    def close(self) -> None: ...


# -- mapping raw answers ------------------------------------------------------------------------


class _Mapper:
    """Raw bitcoind / Esplora transaction JSON -> `ChainTx` for one network."""

    def __init__(self, network: Network, coin: CoinParams, label: str) -> None:
        self.network, self.coin, self.label = network, coin, label

    def _address(self, given: Any, script_hex: Any) -> str | None:
        if isinstance(given, str) and given:
            return given
        return script_address(script_hex, self.coin) if isinstance(script_hex, str) else None

    def _transfer(self, to: str | None, amount: int, sender: str | None) -> Transfer | None:
        if to is None:
            return None
        return Transfer(from_address=sender, to_address=to, asset=NATIVE, amount=amount,
                        decimals=self.network.native_decimals)

    def bitcoind(self, tx_hash: str, raw: dict[str, Any], tip: int, header: dict[str, Any] | None) -> ChainTx:
        """A `getrawtransaction` verbose result; `header` is the block header when `raw` lacks a height."""
        self._check_txid(tx_hash, raw.get("txid"))
        decimals = self.network.native_decimals
        sender = None
        first = raw["vin"][0] if raw.get("vin") else {}
        if "coinbase" not in first:
            prevout = first.get("prevout") or {}
            spk = prevout.get("scriptPubKey") or {}
            sender = self._address(first.get("address") or spk.get("address"), spk.get("hex"))
        transfers = []
        for out in raw["vout"]:
            spk = out.get("scriptPubKey") or {}
            listed = spk.get("addresses") or []      # older nodes: a list, several for bare multisig
            given = spk.get("address") or (listed[0] if len(listed) == 1 else None)
            ints = [out[f] for f in _INT_VALUE_FIELDS if isinstance(out.get(f), int)]
            amount = ints[0] if ints else to_base_units(out["value"], decimals)
            transfer = self._transfer(self._address(given, spk.get("hex")), amount, sender)
            if transfer:
                transfers.append(transfer)
        fee = to_base_units(raw["fee"], decimals) if raw.get("fee") is not None else None
        pending = ChainTx(network=self.network.id, tx_hash=tx_hash, status=TxStatus.PENDING,
                          fee_paid=fee, transfers=tuple(transfers))
        blockhash = raw.get("blockhash")
        if not blockhash:
            return pending
        height = raw.get("height") if isinstance(raw.get("height"), int) else None
        if height is None:
            if header is None:
                raise ValueError(f"no header for block {blockhash}")
            if int(header.get("confirmations", 1)) < 0:     # the block is not on the active chain
                return pending
            height = int(header["height"])
        timestamp = raw.get("blocktime") or (header or {}).get("time")
        return replace(pending, status=TxStatus.CONFIRMED, block_height=height,
                       confirmations=_confirmations(tip, height),
                       timestamp=int(timestamp) if timestamp is not None else None)

    def esplora(self, tx_hash: str, raw: dict[str, Any], tip: int | None) -> ChainTx:
        """An Esplora `/tx/{txid}` document (amounts already in base units)."""
        self._check_txid(tx_hash, raw.get("txid"))
        first = raw["vin"][0] if raw.get("vin") else {}
        prevout = first.get("prevout") or {}
        sender = None if first.get("is_coinbase") else \
            self._address(prevout.get("scriptpubkey_address"), prevout.get("scriptpubkey"))
        transfers = []
        for out in raw["vout"]:
            to = self._address(out.get("scriptpubkey_address"), out.get("scriptpubkey"))
            transfer = self._transfer(to, int(out["value"]), sender)
            if transfer:
                transfers.append(transfer)
        fee = int(raw["fee"]) if raw.get("fee") is not None else None
        pending = ChainTx(network=self.network.id, tx_hash=tx_hash, status=TxStatus.PENDING,
                          fee_paid=fee, transfers=tuple(transfers))
        status = raw.get("status") or {}
        if not status.get("confirmed"):
            return pending
        if tip is None:
            raise ValueError("no chain tip")
        height = int(status["block_height"])
        timestamp = status.get("block_time")
        return replace(pending, status=TxStatus.CONFIRMED, block_height=height,
                       confirmations=_confirmations(tip, height),
                       timestamp=int(timestamp) if timestamp is not None else None)

    def _check_txid(self, asked: str, got: Any) -> None:
        if not isinstance(got, str) or got.lower() != asked:
            raise ValueError(f"answered transaction {got!r}")

    def guarded(self, tx_hash: str, build: Callable[[], ChainTx]) -> FetchResult:
        """Run a mapping; a malformed answer is the provider's fault, so it is retriable."""
        try:
            return build()
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            return RpcUnavailable(f"{self.label} answered a malformed transaction {tx_hash} ({exc})")


# -- providers ----------------------------------------------------------------------------------


class _Bitcoind:
    """bitcoind-compatible JSON-RPC: one batch of getrawtransaction + getblockcount, then headers."""

    def __init__(self, url: str, mapper: _Mapper, *, timeout: float, retry: RetryPolicy,
                 limiter: RateLimiter, max_bytes: int, head_check: Callable[[str, Any], None] | None) -> None:
        # bitcoind writes amounts as JSON numbers in whole coins: parse them as exact decimals
        self.rpc = JsonRpcClient(url, timeout=timeout, session=new_session(), retry=retry, parse_float=Decimal,
                                 limiter=limiter, max_bytes=max_bytes)
        self.mapper = mapper
        self.label = redact(url)
        self.head_check = head_check

    def block_hashes(self, heights: Sequence[int]) -> list[Any]:
        """`getblockhash` of each height (errors in place)."""
        return self.rpc.batch([("getblockhash", [h]) for h in heights])

    def _check_head(self) -> None:
        if self.head_check is None:
            return
        best = self.rpc.call("getbestblockhash")
        header = self.rpc.call("getblockheader", [best, True]) if isinstance(best, str) else None
        self.head_check(self.label, header.get("time") if isinstance(header, dict) else None)

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Results in input order; raises a retriable error when the node cannot answer at all."""
        self._check_head()
        verbosity = self.mapper.coin.verbosity
        answers = self.rpc.batch([("getrawtransaction", [h, verbosity]) for h in hashes]
                                 + [("getblockcount", [])])
        tip = answers.pop()
        if isinstance(tip, RetriableError):
            raise tip
        if isinstance(tip, ChainError) or not isinstance(tip, int) or isinstance(tip, bool):
            raise RpcUnavailable(f"{self.label}: getblockcount gave no height ({tip})")
        answers = self._with_senders(answers)
        wanted = sorted({a["blockhash"] for a in answers if isinstance(a, dict) and a.get("blockhash")
                         and not isinstance(a.get("height"), int)})
        headers: dict[str, Any] = {}
        if wanted:
            headers = dict(zip(wanted, self.rpc.batch([("getblockheader", [b, True]) for b in wanted]),
                               strict=True))
        return [self._one(h, a, tip, headers) for h, a in zip(hashes, answers, strict=True)]

    def _with_senders(self, answers: list[Any]) -> list[Any]:
        """The answers with the spent output of each first input filled in where the node left it out (a
        node older than Bitcoin Core 25 gives no `prevout`): asked of the node in one more batch, so that
        the sender is known (a recovery's inputs are checked against the deposit address). Where the node
        cannot say (no transaction index, an error), the sender stays unknown, as before."""
        def first(a: Any) -> dict[str, Any] | None:
            vin = a.get("vin") if isinstance(a, dict) else None
            inp = vin[0] if isinstance(vin, list) and vin and isinstance(vin[0], dict) else None
            if inp is None or "coinbase" in inp or inp.get("prevout") or inp.get("address"):
                return None
            return inp if isinstance(inp.get("txid"), str) and isinstance(inp.get("vout"), int) else None

        inputs = [first(a) for a in answers]
        wanted = sorted({inp["txid"] for inp in inputs if inp is not None})
        if not wanted:
            return answers
        try:
            prevs = dict(zip(wanted, self.rpc.batch([("getrawtransaction", [t, 1]) for t in wanted]), strict=True))
        except ChainError:
            return answers
        filled = []
        for a, inp in zip(answers, inputs, strict=True):
            spent = _spent_script(prevs.get(inp["txid"]), inp) if inp is not None else None
            filled.append(a if spent is None or inp is None else
                          {**a, "vin": [{**inp, "prevout": {"scriptPubKey": spent}}, *a["vin"][1:]]})
        return filled

    def _one(self, tx_hash: str, answer: Any, tip: int, headers: dict[str, Any]) -> FetchResult:
        if isinstance(answer, TxNotFound):
            if "txindex" in answer.user_message.lower():
                # "No such mempool transaction. Use -txindex ...": a node without a transaction
                # index cannot see confirmed transactions, so its not-found is no answer
                return RpcUnavailable(f"{self.label} has no transaction index: {answer.user_message}")
            return ChainTx.not_found(self.mapper.network.id, tx_hash)
        if isinstance(answer, ChainError):
            return answer
        if not isinstance(answer, dict):
            return RpcUnavailable(f"{self.label} answered {type(answer).__name__} for {tx_hash}")
        header = headers.get(answer.get("blockhash") or "")
        if isinstance(header, ChainError):
            # the node knows the transaction but not its block: inconsistent, ask again or elsewhere
            return RpcUnavailable(f"{self.label}: no header for block {answer['blockhash']} "
                                  f"of {tx_hash} ({header.user_message})")
        return self.mapper.guarded(tx_hash, lambda: self.mapper.bitcoind(tx_hash, answer, tip, header))

    def close(self) -> None:
        """Release connections."""
        self.rpc.http.session.close()


def _spent_script(prev: Any, inp: dict[str, Any]) -> dict[str, Any] | None:
    """The scriptPubKey of the output `inp` spends, from the node's answer for its transaction, or None."""
    if not isinstance(prev, dict) or prev.get("txid") != inp["txid"] or not isinstance(prev.get("vout"), list):
        return None
    for out in prev["vout"]:
        if isinstance(out, dict) and out.get("n") == inp["vout"] and isinstance(out.get("scriptPubKey"), dict):
            return dict(out["scriptPubKey"])
    return None


class _Esplora:
    """Esplora REST: GET /tx/{txid} per hash with bounded concurrency, GET /blocks/tip/height once."""

    def __init__(self, url: str, mapper: _Mapper, *, timeout: float, retry: RetryPolicy,
                 limiter: RateLimiter, concurrency: int, max_bytes: int,
                 head_check: Callable[[str, Any], None] | None) -> None:
        self.http = HttpClient(url, timeout=timeout, retry=retry, session=new_session(concurrency), limiter=limiter,
                               max_bytes=max_bytes)
        self.mapper = mapper
        self.concurrency = concurrency
        self.label = self.http.label = redact(ESPLORA_PREFIX + url)   # errors name the provider as configured
        self.head_check = head_check

    def block_hashes(self, heights: Sequence[int]) -> list[Any]:
        """`/block-height/{h}` of each height (plain-text block hashes)."""
        return [self.http.request("GET", f"/block-height/{h}", text=True)[1].strip() for h in heights]

    def _check_head(self) -> None:
        if self.head_check is None:
            return
        _, best = self.http.request("GET", "/blocks/tip/hash", text=True)
        _, block = self.http.get(f"/block/{best.strip()}")
        self.head_check(self.label, block.get("timestamp") if isinstance(block, dict) else None)

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Results in input order; per-hash trouble is returned in place."""
        self._check_head()

        def one(h: str) -> Any:
            try:
                status, text = self.http.request("GET", f"/tx/{h}", ok_statuses=(404,), text=True)
            except RetriableError as exc:
                return exc
            if status == 404:
                return None
            try:
                return json.loads(text, parse_float=Decimal)
            except ValueError:
                return RpcUnavailable(f"{self.label} answered /tx/{h} with a body that is not JSON")

        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(hashes)))) as pool:
            docs = list(pool.map(one, hashes))
        tip = None
        if any(isinstance(d, dict) and (d.get("status") or {}).get("confirmed") for d in docs):
            _, text = self.http.request("GET", "/blocks/tip/height", ok_statuses=(404,), text=True)
            try:
                tip = int(text.strip())
            except ValueError:
                raise RpcUnavailable(f"{self.label} answered the tip height with {text[:40]!r}") from None
        out: list[FetchResult] = []
        for h, doc in zip(hashes, docs, strict=True):
            if doc is None:
                out.append(ChainTx.not_found(self.mapper.network.id, h))
            elif isinstance(doc, ChainError):
                out.append(doc)
            elif not isinstance(doc, dict):
                out.append(RpcUnavailable(f"{self.label} answered /tx/{h} with {type(doc).__name__}"))
            else:
                out.append(self.mapper.guarded(h, functools.partial(self.mapper.esplora, h, doc, tip)))
        return out

    def close(self) -> None:
        """Release connections."""
        self.http.session.close()


# -- the adapter --------------------------------------------------------------------------------


class UtxoAdapter(Adapter):
    """Bitcoin, Litecoin, Dogecoin, Bitcoin Cash, Dash and Zcash (transparent) over bitcoind or Esplora."""

    family: ClassVar[str] = "utxo"
    #: per provider; failover to the next provider is the main remedy, so retry little
    retry: ClassVar[RetryPolicy] = RetryPolicy(attempts=2, backoff=0.2)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        if network.id not in COINS:
            raise ValueError(f"no UTXO coin parameters for network {network.id!r}")
        self.coin = COINS[network.id]
        self.providers: list[_Provider] = [self._provider(url) for url in self.endpoints]

    def _provider(self, url: str) -> _Provider:
        mapper = _Mapper(self.network, self.coin, redact(url))
        limiter = RateLimiter(self.rate_limit)
        head_check = self.check_head if self.max_head_age is not None else None
        if url.startswith(ESPLORA_PREFIX):
            return _Esplora(url[len(ESPLORA_PREFIX):], mapper, timeout=self.timeout, retry=self.retry,
                            limiter=limiter, concurrency=self.concurrency, max_bytes=self.max_answer_bytes,
                            head_check=head_check)
        return _Bitcoind(url, mapper, timeout=self.timeout, retry=self.retry, limiter=limiter,
                         max_bytes=self.max_answer_bytes, head_check=head_check)

    def identify(self, client: _Provider) -> str:
        """'HEIGHT:HASH ...': the provider's block hashes at the heights the registry's identity names."""
        expected = self.network.expected_identity() or "0:"
        heights = [int(part.split(":")[0]) for part in expected.split()]
        answers = client.block_hashes(heights)
        for h, ans in zip(heights, answers, strict=True):
            if isinstance(ans, RetriableError):
                raise ans
            if isinstance(ans, ChainError):   # e.g. "Block height out of range": another, shorter chain
                return " ".join(f"{x}:{a if isinstance(a, str) else '?'}" for x, a in zip(heights, answers,
                                                                                          strict=True))
            if not isinstance(ans, str) or len(ans) != 64:
                raise RpcUnavailable(f"{client.label} answered the hash of block {h} with {str(ans)[:40]!r}")
        return " ".join(f"{h}:{str(a).lower()}" for h, a in zip(heights, answers, strict=True))

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 lower-case hex digits: a txid written in upper case is the same transaction, and the
        reference keys, the batch's fetch keys and the answered `ChainTx.tx_hash` must all agree."""
        return super().normalize_tx_hash(tx_hash).lower()

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Results in input order; each hash goes down the provider list until one answers it."""
        out, todo = self.split_hashes(hashes)

        def on(provider: _Provider, wanted: list[str]) -> list[FetchResult]:
            try:
                results = provider.fetch_many(wanted)
            except RetriableError as exc:
                results = [exc] * len(wanted)
            return [self._named(provider.label, r) if isinstance(r, RetriableError) else r for r in results]

        for i, result in self.fetch_across(self.providers, todo, on).items():
            out[i] = result
        assert all(r is not None for r in out)
        return out  # type: ignore[return-value]

    @staticmethod
    def _named(label: str, exc: RetriableError) -> RetriableError:
        if label.split("://")[-1] not in exc.user_message:
            exc = type(exc)(f"{label}: {exc.user_message}")
        return exc

    def close(self) -> None:
        """Release connections."""
        for provider in self.providers:
            provider.close()
