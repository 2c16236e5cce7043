"""XRP Ledger: rippled JSON-RPC `tx` (API v1 flat or v2 `tx_json` answers) and `server_info`.

- Identity: `server_info` `info.network_id`. rippled prints it only where the node's config sets one, and
  mainnet needs none, so an absent field reads as 0 (mainnet); testnet (1) and devnet (2) nodes print theirs.
- Finality: a transaction in a validated ledger is final (confirmations 1); one only in an open or closed,
  not yet validated ledger is pending (confirmations 0), whatever its provisional result says.
- Amounts: payments take `meta.delivered_amount`, never `Amount`, so a partial payment counts what arrived;
  XRP in drops (6 decimals), issued currencies as asset `CUR.issuer` with the value's own decimals.
- Memo: the payment's `DestinationTag`, as text.
- Not found: `txnNotFound` proves nothing on a node with partial history, so it is `not_found` only when the
  answer says `searched_all` or the node's `complete_ledgers` start at the first ledger mainnet kept (32570);
  otherwise the lookup is retriable (`unverifiable`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled
from chains.xrpl import codec

RIPPLE_EPOCH = 946684800           # 2000-01-01T00:00:00Z in Unix seconds
FIRST_LEDGER_KEPT = 32570          # mainnet's history begins here (earlier ledgers were lost in 2013)
TF_PARTIAL_PAYMENT = 0x00020000


def _amount(value: Any) -> tuple[str, int, int | None]:
    """An XRPL amount -> (asset, integer amount, decimals): drops, issued currency value, or MPT."""
    if isinstance(value, str):
        return NATIVE, int(value), 6
    if isinstance(value, dict) and "mpt_issuance_id" in value:
        return str(value["mpt_issuance_id"]), int(value["value"]), None
    if isinstance(value, dict):
        try:
            number = Decimal(str(value["value"]))
        except InvalidOperation:
            raise ValueError(f"amount value {value['value']!r} is not a number") from None
        exponent = number.normalize().as_tuple().exponent
        decimals = max(0, -int(exponent)) if isinstance(exponent, int) else 0
        return f"{value['currency']}.{value['issuer']}", int(number.scaleb(decimals)), decimals
    raise ValueError(f"unknown amount form {value!r}")


def _delivered(tx: dict[str, Any], meta: dict[str, Any], success: bool) -> Any:
    delivered = meta.get("delivered_amount")
    if delivered is not None and delivered != "unavailable":
        return delivered
    partial = int(tx.get("Flags") or 0) & TF_PARTIAL_PAYMENT
    if success and partial:
        raise ValueError("a partial payment without meta.delivered_amount: what arrived is unknown")
    return tx.get("DeliverMax", tx.get("Amount"))


def parse_transaction(network: Network, tx_hash: str, result: dict[str, Any]) -> ChainTx:
    """A `tx` result (API v1 or v2) -> ChainTx."""
    tx = result.get("tx_json") or result
    answered = str(result.get("hash") or tx.get("hash") or "")
    if answered.upper() != tx_hash.upper():
        raise ValueError(f"the answer is for transaction {answered or '(none)'}, not the one asked")
    meta = result.get("meta")
    validated = result.get("validated") is True
    if validated and not isinstance(meta, dict):
        raise ValueError("a validated transaction without its metadata")
    code = str((meta or {}).get("TransactionResult") or "")
    status = (TxStatus.PENDING if not validated     # provisional until a validated ledger holds it
              else TxStatus.CONFIRMED if code == "tesSUCCESS" else TxStatus.FAILED)
    transfers: list[Transfer] = []
    if tx.get("TransactionType") == "Payment":
        asset, amount, decimals = _amount(_delivered(tx, meta or {}, status is TxStatus.CONFIRMED))
        tag = tx.get("DestinationTag")
        transfers.append(Transfer(str(tx["Account"]), str(tx["Destination"]), asset, amount, decimals,
                                  None if tag is None else str(int(tag))))
    ledger = result.get("ledger_index", tx.get("ledger_index"))
    date = tx.get("date", result.get("date"))
    return ChainTx(
        network=network.id, tx_hash=tx_hash, status=status,
        block_height=int(ledger) if ledger is not None else None, confirmations=1 if validated else 0,
        timestamp=int(date) + RIPPLE_EPOCH if date is not None else None,
        fee_paid=int(tx["Fee"]) if tx.get("Fee") is not None else None, transfers=tuple(transfers),
    )


class XrplAdapter(Adapter):
    """Verifies XRP Ledger transactions over rippled's JSON-RPC, endpoints tried in priority order."""

    family = "xrpl"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, address: str) -> str:
        """Classic addresses compare as written (base58 is case-sensitive)."""
        return codec.normalize(address)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 hex digits, upper-case as rippled writes them."""
        return super().normalize_tx_hash(tx_hash).upper()

    def identify(self, client: HttpClient) -> str:
        """The node's network id (0, mainnet, where the node prints none)."""
        info = self._server_info(client)
        return str(int(info.get("network_id", 0)))

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """One `tx` call per hash on a small thread pool (rippled has no batch call over HTTP)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(self._clients, lambda c: self._fetch_on(c, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    # -- one endpoint -----------------------------------------------------------------------------
    def _call(self, client: HttpClient, method: str, params: dict[str, Any]) -> dict[str, Any]:
        _, answer = client.post("", {"method": method, "params": [params]})
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, dict):
            raise RpcUnavailable(f"{client.label} answered {method} without a result object")
        return result

    def _server_info(self, client: HttpClient) -> dict[str, Any]:
        result = self._call(client, "server_info", {})
        info = result.get("info")
        if result.get("status") != "success" or not isinstance(info, dict):
            raise RpcUnavailable(f"{client.label} server_info: {result.get('error') or 'no info'}")
        return info

    def _fetch_on(self, client: HttpClient, tx_hash: str) -> ChainTx:
        result = self._call(client, "tx", {"transaction": tx_hash, "binary": False})
        if result.get("error") == "txnNotFound":
            if result.get("searched_all") is True or self._full_history(client):
                return ChainTx.not_found(self.network.id, tx_hash)
            raise RpcUnavailable(f"{client.label} does not hold the full ledger history, so its txnNotFound "
                                 f"does not prove that {tx_hash} does not exist")
        if result.get("status") != "success":
            raise RpcUnavailable(f"{client.label} tx: {result.get('error') or result.get('status')}")
        try:
            return parse_transaction(self.network, tx_hash, result)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {tx_hash} "
                                 f"({type(exc).__name__}: {exc})") from None

    def _full_history(self, client: HttpClient) -> bool:
        ranges = str(self._server_info(client).get("complete_ledgers") or "")
        first = ranges.split(",")[0].split("-")[0]
        return first.isdigit() and int(first) <= FIRST_LEDGER_KEPT and "," not in ranges
