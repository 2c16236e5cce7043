"""Solana: JSON-RPC `getTransaction` (jsonParsed) and `getSlot`. SOL and SPL token transfers, spl-memo."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, RetriableError, RpcUnavailable
from chains.http import RateLimiter, RetryPolicy, all_failed, failover, new_session
from chains.jsonrpc import JsonRpcClient
from chains.networks import Network

TX_CONFIG = {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0, "commitment": "confirmed"}
SLOT_CONFIG = {"commitment": "confirmed"}
TOKEN_PROGRAMS = ("spl-token", "spl-token-2022")
SYSTEM_TRANSFERS = ("transfer", "transferWithSeed")
TOKEN_TRANSFERS = ("transfer", "transferChecked")
UNKNOWN_MINT = "unknown-mint"


def _instructions(tx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Top-level instructions, each followed by the inner instructions it invoked."""
    inner: dict[int, list[dict[str, Any]]] = {}
    for group in (tx.get("meta") or {}).get("innerInstructions") or []:
        inner.setdefault(int(group["index"]), []).extend(group.get("instructions") or [])
    for index, ix in enumerate(tx["transaction"]["message"].get("instructions") or []):
        yield ix
        yield from inner.get(index, [])


def _parsed(ix: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    parsed = ix.get("parsed")
    if isinstance(parsed, dict) and isinstance(parsed.get("info"), dict):
        return str(parsed.get("type")), parsed["info"]
    return None


class _TokenAccounts:
    """Token account -> (owner, mint, decimals), from the token balances and the tx's own instructions."""

    def __init__(self, tx: dict[str, Any]) -> None:
        meta = tx.get("meta") or {}
        keys = [k["pubkey"] if isinstance(k, dict) else k
                for k in tx["transaction"]["message"].get("accountKeys") or []]
        self.owner: dict[str, str] = {}
        self.mint: dict[str, str] = {}
        self.decimals: dict[str, int] = {}
        for balance in (meta.get("preTokenBalances") or []) + (meta.get("postTokenBalances") or []):
            account = keys[int(balance["accountIndex"])]
            self.mint[account] = balance["mint"]
            if balance.get("owner"):
                self.owner[account] = balance["owner"]
            amount = balance.get("uiTokenAmount") or {}
            if amount.get("decimals") is not None:
                self.decimals[account] = int(amount["decimals"])
        # accounts created in this very transaction: balances of old nodes carry no owner
        for ix in _instructions(tx):
            parsed = _parsed(ix)
            if not parsed:
                continue
            kind, info = parsed
            if ix.get("program") in TOKEN_PROGRAMS and kind.startswith("initializeAccount"):
                self.owner.setdefault(info["account"], info["owner"])
            elif ix.get("program") == "spl-associated-token-account" and "wallet" in info:
                self.owner.setdefault(info["account"], info["wallet"])

    def token_transfer(self, info: dict[str, Any], memo: str | None) -> Transfer:
        """A parsed spl-token transfer/transferChecked, with owners in place of token accounts."""
        source, destination = info["source"], info["destination"]
        checked = info.get("tokenAmount") or {}
        amount = int(checked["amount"] if checked else info["amount"])
        mint = info.get("mint") or self.mint.get(source) or self.mint.get(destination) or UNKNOWN_MINT
        decimals = checked.get("decimals")
        if decimals is None:
            decimals = self.decimals.get(destination, self.decimals.get(source))
        sender = (self.owner.get(source) or info.get("authority") or info.get("multisigAuthority")
                  or source)
        return Transfer(sender, self.owner.get(destination, destination), mint, amount,
                        None if decimals is None else int(decimals), memo)


def parse_transaction(network: Network, signature: str, tx: dict[str, Any], tip: int) -> ChainTx:
    """A getTransaction (jsonParsed) result and the current slot -> ChainTx."""
    meta = tx.get("meta") or {}
    instructions = list(_instructions(tx))
    memos = [ix["parsed"] for ix in instructions
             if ix.get("program") == "spl-memo" and isinstance(ix.get("parsed"), str)]
    memo = "\n".join(memos) if memos else None
    accounts = _TokenAccounts(tx)
    transfers: list[Transfer] = []
    for ix in instructions:
        parsed = _parsed(ix)
        if not parsed:
            continue
        kind, info = parsed
        program = ix.get("program")
        if program == "system" and kind in SYSTEM_TRANSFERS:
            transfers.append(Transfer(info["source"], info["destination"], NATIVE, int(info["lamports"]),
                                      network.native_decimals, memo))
        elif program in TOKEN_PROGRAMS and kind in TOKEN_TRANSFERS:
            transfers.append(accounts.token_transfer(info, memo))
    slot = tx.get("slot")
    return ChainTx(
        network=network.id, tx_hash=signature,
        status=TxStatus.FAILED if meta.get("err") is not None else TxStatus.CONFIRMED,
        block_height=int(slot) if slot is not None else None,
        confirmations=max(0, tip - int(slot)) if slot is not None else 0,
        timestamp=tx.get("blockTime"),
        fee_paid=int(meta["fee"]) if meta.get("fee") is not None else None,
        transfers=tuple(transfers),
    )


class SolanaAdapter(Adapter):
    """Verifies Solana signatures over JSON-RPC, endpoints tried in priority order."""

    family = "solana"
    max_batch = 50
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [JsonRpcClient(url, timeout=self.timeout, max_batch=self.max_batch, session=self._session,
                                       retry=self.retry, limiter=RateLimiter(self.rate_limit))
                         for url in self.endpoints]

    def fetch(self, tx_hash: str) -> ChainTx:
        """Fetch one transaction and the current slot (two plain calls: no batch needed)."""
        signature = self.normalize_tx_hash(tx_hash)

        def on(client: JsonRpcClient) -> ChainTx:
            tx = client.call("getTransaction", [signature, TX_CONFIG])
            if tx is None:
                return ChainTx.not_found(self.network.id, signature)
            tip = client.call("getSlot", [SLOT_CONFIG])
            return self._parse(client, signature, tx, tip)

        return failover(self._clients, on, self.network.name)

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """One JSON-RPC batch of getTransaction calls plus a getSlot; slots a provider could not
        answer are retried on the next provider."""
        results, signatures = self.split_hashes(hashes)
        pending = list(signatures)
        errors: dict[int, list[RetriableError]] = {i: [] for i in pending}
        for client in self._clients:
            if not pending:
                break
            calls = [("getTransaction", [signatures[i], TX_CONFIG]) for i in pending]
            try:
                answers = client.batch([*calls, ("getSlot", [SLOT_CONFIG])])
                tip = answers[-1]
                if isinstance(tip, ChainError) or not isinstance(tip, int):
                    raise tip if isinstance(tip, RetriableError) else RpcUnavailable(
                        f"{client.label}: getSlot answered {tip!r}")
            except RetriableError as exc:
                for i in pending:
                    errors[i].append(exc)
                continue
            still: list[int] = []
            for i, answer in zip(pending, answers[:-1], strict=True):
                try:
                    if isinstance(answer, ChainError):
                        raise answer
                    results[i] = (ChainTx.not_found(self.network.id, signatures[i]) if answer is None
                                  else self._parse(client, signatures[i], answer, tip))
                except RetriableError as exc:
                    errors[i].append(exc)
                    still.append(i)
                except ChainError as exc:
                    results[i] = exc
            pending = still
        for i in pending:
            results[i] = all_failed(self.network.name, errors[i])
        return [r if r is not None else RpcUnavailable("internal: no result") for r in results]

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _parse(self, client: JsonRpcClient, signature: str, tx: Any, tip: Any) -> ChainTx:
        try:
            return parse_transaction(self.network, signature, tx, int(tip))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {signature} "
                                 f"({type(exc).__name__}: {exc})") from None
