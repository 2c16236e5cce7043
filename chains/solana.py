"""Solana: JSON-RPC `getTransaction` (jsonParsed) and `getSlot`. SOL and SPL token transfers, spl-memo.

Transactions are read at "confirmed" commitment; `getSignatureStatuses` says which are "finalized".
Confirmations are the confirmed tip's slot - the transaction's slot + 1; a transaction is final once
finalized, and triage treats one that is neither final nor `min_confirmations` slots deep as pending.
Each endpoint's chain is checked once (`getGenesisHash`), answers must be about the signature asked, and
a not-found is confirmed on the next endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, RetriableError, RpcUnavailable
from chains.http import RateLimiter, RetryPolicy, new_session
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


def parse_transaction(network: Network, signature: str, tx: dict[str, Any], tip: int,
                      final: bool | None = None) -> ChainTx:
    """A getTransaction (jsonParsed) result, the current (confirmed) slot and whether the signature is
    finalized -> ChainTx. An answer about another signature raises ValueError."""
    signatures = tx["transaction"].get("signatures") or []
    if not signatures or signatures[0] != signature:
        raise ValueError(f"asked for {signature}, answered transaction {(signatures or ['?'])[0]}")
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
        confirmations=max(0, tip - int(slot) + 1) if slot is not None else 0, final=final,
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
                                       retry=self.retry, limiter=RateLimiter(self.rate_limit),
                                       max_bytes=self.max_answer_bytes)
                         for url in self.endpoints]

    def identify(self, client: JsonRpcClient) -> str:
        """The endpoint's genesis hash (`getGenesisHash`)."""
        answer = client.call("getGenesisHash")
        if not isinstance(answer, str) or not answer:
            raise RpcUnavailable(f"{client.label} answered getGenesisHash with {str(answer)[:40]!r}")
        return answer

    def fetch(self, tx_hash: str) -> ChainTx:
        """Fetch one transaction and the current slot."""
        result = self.fetch_many([tx_hash])[0]
        if isinstance(result, ChainError):
            raise result
        return result

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """One JSON-RPC batch of getTransaction calls, getSignatureStatuses and getSlot per endpoint;
        signatures an endpoint could not answer (or did not know) go to the next one."""
        results, signatures = self.split_hashes(hashes)
        if signatures:
            for i, result in self.fetch_across(self._clients, signatures, self._fetch_on).items():
                results[i] = result
        return [r if r is not None else RpcUnavailable("internal: no result") for r in results]

    def _fetch_on(self, client: JsonRpcClient, wanted: list[str]) -> list[FetchResult]:
        calls = [("getTransaction", [sig, TX_CONFIG]) for sig in wanted]
        answers = client.batch([*calls, ("getSignatureStatuses", [wanted]), ("getSlot", [SLOT_CONFIG])])
        tip, statuses = answers[-1], answers[-2]
        if isinstance(tip, ChainError) or not isinstance(tip, int) or isinstance(tip, bool):
            raise tip if isinstance(tip, RetriableError) else RpcUnavailable(
                f"{client.label}: getSlot answered {tip!r}")
        if self.max_head_age is not None:
            stamp = client.call("getBlockTime", [tip])
            self.check_head(client.label, stamp if isinstance(stamp, int) else None)
        finals = _finalized(statuses, len(wanted))
        out: list[FetchResult] = []
        for sig, answer, final in zip(wanted, answers[:-2], finals, strict=True):
            if isinstance(answer, ChainError):
                out.append(answer)
            elif answer is None:
                out.append(ChainTx.not_found(self.network.id, sig))
            else:
                try:
                    out.append(self._parse(client, sig, answer, tip, final))
                except ChainError as exc:
                    out.append(exc)
        return out

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _parse(self, client: JsonRpcClient, signature: str, tx: Any, tip: Any, final: bool | None) -> ChainTx:
        try:
            return parse_transaction(self.network, signature, tx, int(tip), final)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {signature} "
                                 f"({type(exc).__name__}: {exc})") from None


def _finalized(statuses: Any, count: int) -> list[bool | None]:
    """Per signature: finalized or not, from a getSignatureStatuses result; None where it cannot say."""
    values = statuses.get("value") if isinstance(statuses, dict) else None
    if not isinstance(values, list) or len(values) != count:
        return [None] * count
    return [None if not isinstance(v, dict) else v.get("confirmationStatus") == "finalized" for v in values]
