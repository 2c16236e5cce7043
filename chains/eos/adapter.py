"""EOS over the chain API's history (`POST /v1/history/get_transaction`, served by Greymass and by
Hyperion's v1 compatibility layer): `transfer` actions of any token contract, with their memo.

Assets: `native` for the network's symbol on `eosio.token`, else `contract:SYMBOL` (e.g.
`tethertether:USDT`); the precision is the one the quantity string carries (`0.0012 EOS` = 12 base
units, 4 decimals). With `traces` in the answer, the transfers are the token contract's own traces
(inline transfers included, the notifications to sender and recipient skipped); without, the
transaction's top-level actions.
Failed: a receipt status other than `executed` (`soft_fail`, `hard_fail`, `expired`); `delayed` is
pending. Most failing EOS transactions never reach a block at all (rejected at push).
Confirmations: a block is final once irreversible (`block_num <= last_irreversible_block`); until then
the transaction is pending; after, confirmations count the irreversible blocks from its block on.
Not found: the history API's `tx_not_found` error (code 3040011, HTTP 500); any other error answer,
or an answer for another id, is retriable.
Identity: `chain_id` of `GET /v1/chain/get_info` (mainnet `aca376f2...`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.eos import address
from chains.errors import RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled

TX_NOT_FOUND = 3040011
NATIVE_CONTRACT = "eosio.token"
FAILED = {"soft_fail", "hard_fail", "expired"}


def parse_quantity(quantity: str) -> tuple[int, int, str]:
    """`"0.0012 EOS"` -> (12, 4, "EOS"): base units, precision, symbol."""
    number, symbol = quantity.strip().split(" ")
    whole, _, fraction = number.partition(".")
    try:
        Decimal(number)
    except InvalidOperation:
        raise ValueError(f"bad quantity {quantity!r}") from None
    return int(whole + fraction), len(fraction), symbol


def _timestamp(value: str | None) -> int | None:
    if not value:
        return None
    return int(datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp())


class EosAdapter(Adapter):
    """Verifies EOS transactions over chain API history endpoints, tried in priority order."""

    family = "eos"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, address_: str) -> str:
        """Account names have one form."""
        return address.normalize(address_)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 lower-case hex digits."""
        return super().normalize_tx_hash(tx_hash).lower()

    def identify(self, client: HttpClient) -> str:
        """The chain id the endpoint reports."""
        _, info = client.get("/v1/chain/get_info")
        if not isinstance(info, dict) or not isinstance(info.get("chain_id"), str):
            raise RpcUnavailable(f"{client.label}/v1/chain/get_info answered no chain_id")
        return str(info["chain_id"])

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Many transactions on a small thread pool (the history API has no batch)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(
            self._clients, lambda client: self._fetch_on(client, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: HttpClient, txid: str) -> ChainTx:
        path = "/v1/history/get_transaction"
        status, answer = client.post(path, {"id": txid}, ok_statuses=(400, 500))
        if not isinstance(answer, dict):
            raise RpcUnavailable(f"{client.label}{path} answered something that is not a JSON object")
        if status != 200 or "error" in answer:
            error = answer.get("error") or {}
            if isinstance(error, dict) and error.get("code") == TX_NOT_FOUND:
                return ChainTx.not_found(self.network.id, txid)
            name = error.get("name") if isinstance(error, dict) else error
            raise RpcUnavailable(f"{client.label}{path} answered HTTP {status} ({name or answer.get('message')})")
        try:
            return self.parse(txid, answer)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {txid} "
                                 f"({type(exc).__name__}: {exc})") from None

    def _transfer(self, contract: str, data: dict[str, Any]) -> Transfer:
        amount, precision, symbol = parse_quantity(str(data["quantity"]))
        native = contract == NATIVE_CONTRACT and symbol == self.network.native_symbol
        return Transfer(str(data["from"]), str(data["to"]), NATIVE if native else f"{contract}:{symbol}",
                        amount, precision, str(data.get("memo") or "") or None)

    def parse(self, txid: str, answer: dict[str, Any]) -> ChainTx:
        """A get_transaction answer (with or without traces) -> ChainTx."""
        if str(answer["id"]).lower() != txid:
            raise RpcUnavailable(f"asked for {txid}, the endpoint answered transaction {answer['id']}")
        transfers: list[Transfer] = []
        if answer.get("traces"):
            for trace in answer["traces"]:
                act = trace["act"]
                if act["name"] == "transfer" and trace["receiver"] == act["account"] and isinstance(act["data"], dict):
                    transfers.append(self._transfer(act["account"], act["data"]))
        else:
            for act in answer["trx"]["trx"]["actions"]:
                if act["name"] == "transfer" and isinstance(act["data"], dict):
                    transfers.append(self._transfer(act["account"], act["data"]))
        receipt = answer["trx"]["receipt"]["status"]
        block, lib = int(answer["block_num"]), int(answer["last_irreversible_block"])
        if receipt in FAILED:
            status, confirmations = TxStatus.FAILED, 0
        elif receipt != "executed" or block > lib:
            status, confirmations = TxStatus.PENDING, 0
        else:
            status, confirmations = TxStatus.CONFIRMED, lib - block + 1
        return ChainTx(network=self.network.id, tx_hash=txid, status=status, block_height=block,
                       confirmations=confirmations, timestamp=_timestamp(answer.get("block_time")),
                       transfers=tuple(transfers))
