"""Tron: the java-tron / TronGrid HTTP API (`/wallet/gettransactionbyid`, `gettransactioninfobyid`,
`getnowblock`). TRX, TRC-10 and TRC-20 transfers; base58check addresses.

Each endpoint's chain is checked once (the blockID of block 0, `getblockbynum`), its head must be recent,
answers must be about the id asked, and a not-found is confirmed on the next endpoint. Confirmations
are head - block + 1; a block at or below the solidified head (`/walletsolidity/getnowblock`) is final.
TRC-20 decimals and symbol come from the token (`triggerconstantcontract`) where the node answers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.base58 import b58check_encode
from chains.errors import ChainError, RpcUnavailable
from chains.evm_calls import abi_text
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network

TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TRANSFER_SELECTOR = "a9059cbb"  # transfer(address,uint256)
SUCCESS = "SUCCESS"
_HEX_ADDRESS = re.compile(r"(?:41|0x)?([0-9a-fA-F]{40})")


def to_base58(address: str) -> str:
    """A Tron address as the API writes it (base58, 41-prefixed hex, 20-byte hex) in base58check."""
    value = address.strip()
    match = _HEX_ADDRESS.fullmatch(value)
    if match:
        return b58check_encode(b"\x41" + bytes.fromhex(match.group(1)))
    return value


def _word_address(word: str) -> str:
    """The address in the low 20 bytes of a 32-byte ABI word (a log topic or call argument)."""
    return to_base58(word[-40:])


def _memo(raw: dict[str, Any]) -> str | None:
    data = raw.get("data")
    if not data:
        return None
    try:
        return bytes.fromhex(data).decode("utf-8", errors="replace")
    except ValueError:
        return str(data)


def _asset_id(name: str) -> str:
    """A TRC-10 token id: visible answers write "1002000", hex answers its ASCII in hex."""
    if name and not name.isdigit():
        try:
            decoded = bytes.fromhex(name).decode("ascii")
        except (ValueError, UnicodeDecodeError):
            return name
        if decoded.isdigit():
            return decoded
    return name


def _log_transfers(info: dict[str, Any], memo: str | None) -> list[Transfer]:
    transfers = []
    for log in info.get("log") or []:
        topics = [t.lower().removeprefix("0x") for t in log.get("topics") or []]
        if not topics or topics[0] != TRANSFER_TOPIC or len(topics) not in (3, 4):
            continue
        token = to_base58(log["address"])
        if len(topics) == 4:   # TRC-721: the token id is the third indexed argument
            transfers.append(Transfer(_word_address(topics[1]), _word_address(topics[2]), token, 1,
                                      0, memo, non_fungible=True))
            continue
        data = (log.get("data") or "").removeprefix("0x")
        transfers.append(Transfer(_word_address(topics[1]), _word_address(topics[2]), token,
                                  int(data[:64] or "0", 16), None, memo))
    return transfers


def _call_transfer(value: dict[str, Any], memo: str | None) -> Transfer | None:
    """A TRC-20 `transfer(address,uint256)` read from the call data (when no log tells it)."""
    data = (value.get("data") or "").lower()
    if not data.startswith(TRANSFER_SELECTOR) or len(data) < 8 + 128:
        return None
    return Transfer(to_base58(value["owner_address"]), _word_address(data[8:72]),
                    to_base58(value["contract_address"]), int(data[72:136], 16), None, memo)


def parse_transaction(network: Network, txid: str, tx: dict[str, Any], info: dict[str, Any],
                      head: int | None, solid: int | None = None) -> ChainTx:
    """A gettransactionbyid answer, its gettransactioninfobyid answer and the head height (and the
    solidified head, where known) -> ChainTx. Answers about another id raise ValueError."""
    if str(tx.get("txID", "")).lower() != txid:
        raise ValueError(f"asked for {txid}, answered transaction {tx.get('txID')!r}")
    if info and str(info.get("id", "")).lower() != txid:
        raise ValueError(f"the transaction info answered is of {info.get('id')!r}, not {txid}")
    raw = tx.get("raw_data") or {}
    memo = _memo(raw)
    transfers: list[Transfer] = []
    contracts: set[str] = set()
    for contract in raw.get("contract") or []:
        kind = contract.get("type")
        value = contract["parameter"]["value"]
        owner = to_base58(value["owner_address"])
        if kind == "TransferContract":
            transfers.append(Transfer(owner, to_base58(value["to_address"]), NATIVE, int(value["amount"]),
                                      network.native_decimals, memo))
        elif kind == "TransferAssetContract":
            transfers.append(Transfer(owner, to_base58(value["to_address"]),
                                      _asset_id(str(value["asset_name"])), int(value["amount"]), None, memo))
        elif kind == "TriggerSmartContract":
            target = to_base58(value["contract_address"])
            contracts.add(target)
            if int(value.get("call_value") or 0):
                transfers.append(Transfer(owner, target, NATIVE, int(value["call_value"]),
                                          network.native_decimals, memo))
            if not info.get("log"):
                call = _call_transfer(value, memo)
                if call:
                    transfers.append(call)
    logged = _log_transfers(info, memo)
    contracts.update(t.asset for t in logged)
    transfers.extend(logged)

    results = [r.get("contractRet") for r in tx.get("ret") or [] if r.get("contractRet")]
    receipt = (info.get("receipt") or {}).get("result")
    failed = (any(r != SUCCESS for r in results) or (receipt is not None and receipt != SUCCESS)
              or info.get("result") == "FAILED")
    block = info.get("blockNumber")
    if failed:
        status = TxStatus.FAILED
    elif block is None:
        status = TxStatus.PENDING   # known to the node, but its block is not indexed yet
    else:
        status = TxStatus.CONFIRMED
    confirmations = max(0, head - int(block) + 1) if block is not None and head is not None else 0
    stamp = info.get("blockTimeStamp")
    return ChainTx(
        network=network.id, tx_hash=txid, status=status,
        block_height=int(block) if block is not None else None, confirmations=confirmations,
        timestamp=int(stamp) // 1000 if stamp else None,
        fee_paid=int(info.get("fee") or 0) if info else None,
        transfers=tuple(transfers),
        final=None if solid is None or block is None else int(block) <= solid,
        contract_recipients=frozenset(t.to_address for t in transfers if t.to_address in contracts),
    )


class TronAdapter(Adapter):
    """Verifies Tron transactions over the java-tron HTTP API, endpoints tried in priority order."""

    family = "tron"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit), max_bytes=self.max_answer_bytes)
                         for url in self.endpoints]
        self._tokens: dict[str, tuple[int | None, str | None]] = {}
        self._no_solid: set[int] = set()   # endpoints without /walletsolidity

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 lower-case hex digits, without a 0x prefix."""
        return super().normalize_tx_hash(tx_hash).lower().removeprefix("0x")

    def identify(self, client: HttpClient) -> str:
        """The blockID of block 0 (`/wallet/getblockbynum`)."""
        block = self._post(client, "/wallet/getblockbynum", {"num": 0})
        ident = block.get("blockID")
        if not isinstance(ident, str) or not ident:
            raise RpcUnavailable(f"{client.label}/wallet/getblockbynum answered no blockID for block 0")
        return ident.lower()

    def fetch(self, tx_hash: str) -> ChainTx:
        """Fetch one transaction, its info and the head block."""
        result = self.fetch_many([tx_hash])[0]
        if isinstance(result, ChainError):
            raise result
        return result

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Many transactions on a small thread pool (the HTTP API has no batch); one head lookup per
        endpoint and call."""
        results, txids = self.split_hashes(hashes)
        heads: dict[int, tuple[int, int | None]] = {}

        def on(client: HttpClient, wanted: list[str]) -> list[FetchResult]:
            if id(client) not in heads:
                heads[id(client)] = (self._head(client), self._solid_head(client))
            head, solid = heads[id(client)]

            def one(txid: str) -> FetchResult:
                try:
                    return self._fetch_on(client, txid, head, solid)
                except ChainError as exc:
                    return exc

            with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
                return list(pool.map(one, wanted))

        if txids:
            for i, result in self.fetch_across(self._clients, txids, on).items():
                results[i] = result
            self._fill_tokens([r for r in results if isinstance(r, ChainTx)])
            results = [self.with_decimals(r) if isinstance(r, ChainTx) else r for r in results]
        return [r if r is not None else RpcUnavailable("internal: no result") for r in results]

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    # -- TRC-20 decimals and symbols ------------------------------------------------------------------
    def _fill_tokens(self, txs: list[ChainTx]) -> None:
        tokens = sorted({t.asset for tx in txs for t in tx.transfers if t.decimals is None and not t.non_fungible
                         and t.asset.startswith("T") and t.asset not in self._tokens})
        for token in tokens:
            try:
                self._tokens[token] = self.failover(self._clients, functools.partial(self._token_info, token=token),
                                                    confirm=lambda _: False)
            except ChainError:
                self._tokens[token] = (None, None)

    def with_decimals(self, tx: ChainTx) -> ChainTx:
        """The transaction with the token decimals the chain reported filled in."""
        if all(t.decimals is not None or t.asset not in self._tokens for t in tx.transfers):
            return tx
        return replace(tx, transfers=tuple(
            replace(t, decimals=self._tokens[t.asset][0]) if t.decimals is None and t.asset in self._tokens else t
            for t in tx.transfers))

    def _token_info(self, client: HttpClient, token: str) -> tuple[int | None, str | None]:
        """decimals() and symbol() (else name()) of a TRC-20 token, by constant calls."""
        answers = []
        for selector in ("decimals()", "symbol()", "name()"):
            doc = self._post(client, "/wallet/triggerconstantcontract", {
                "owner_address": token, "contract_address": token, "function_selector": selector,
                "parameter": "", "visible": True})
            values = doc.get("constant_result") or []
            answers.append("0x" + values[0] if values and isinstance(values[0], str) else None)
        dec = answers[0]
        decimals = int(dec, 16) if dec and len(dec) == 66 and int(dec, 16) <= 77 else None
        return decimals, abi_text(answers[1]) or abi_text(answers[2])

    def token_symbol(self, asset: str) -> str | None:
        """The TRC-20 token's own symbol, where the node answered it."""
        return self._tokens.get(asset, (None, None))[1]

    # -- one endpoint -----------------------------------------------------------------------------
    def _post(self, client: HttpClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
        _, answer = client.post(path, body)
        if not isinstance(answer, dict):
            raise RpcUnavailable(f"{client.label}{path} answered something that is not a JSON object")
        if "Error" in answer:   # java-tron reports its own exceptions this way
            raise RpcUnavailable(f"{client.label}{path}: {answer['Error']}")
        return answer

    def _head(self, client: HttpClient) -> int:
        block = self._post(client, "/wallet/getnowblock", {})
        try:
            raw = block["block_header"]["raw_data"]
            number = int(raw["number"])
        except (KeyError, TypeError, ValueError):
            raise RpcUnavailable(f"{client.label}/wallet/getnowblock answered no block number") from None
        stamp = raw.get("timestamp")
        self.check_head(client.label, int(stamp) / 1000 if isinstance(stamp, int) else None)
        return number

    def _solid_head(self, client: HttpClient) -> int | None:
        """The solidified head (final blocks), or None where the endpoint does not serve it."""
        if id(client) in self._no_solid:
            return None
        try:
            block = self._post(client, "/walletsolidity/getnowblock", {})
            return int(block["block_header"]["raw_data"]["number"])
        except (ChainError, KeyError, TypeError, ValueError):
            self._no_solid.add(id(client))
            return None

    def _fetch_on(self, client: HttpClient, txid: str, head: int, solid: int | None) -> ChainTx:
        tx = self._post(client, "/wallet/gettransactionbyid", {"value": txid, "visible": True})
        if not tx:
            return ChainTx.not_found(self.network.id, txid)   # java-tron answers {} for unknown ids
        info = self._post(client, "/wallet/gettransactioninfobyid", {"value": txid, "visible": True})
        try:
            return parse_transaction(self.network, txid, tx, info, head, solid)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {txid} "
                                 f"({type(exc).__name__}: {exc})") from None
