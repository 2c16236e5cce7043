"""Cosmos SDK chains over the LCD REST API: bank `MsgSend` / `MsgMultiSend` transfers and the tx memo.

Two shapes of the same transaction lookup, chosen per endpoint:
- `GET /cosmos/tx/v1beta1/txs/{hash}` (the gRPC gateway, SDK 0.40 and later), the default;
- `GET /txs/{hash}` (the legacy LCD, SDK 0.45 and earlier) for an endpoint written `legacy+URL`.

Failed: a non-zero `code` (and, legacy, a message log with `success: false`); the fee is still paid.
Confirmations: Tendermint/CometBFT blocks are final once committed (no reorganisation), so a
transaction the API returns from a block is confirmed with 1 confirmation.
Amounts: integer base units of the denom; the network's native denom is the micro-unit of its symbol
(`uatom`, exponent 6); other denoms (`ibc/...`, `factory/...`) are the asset as written, decimals unknown.
Not found: only the API's own not-found answer naming the hash (gateway: HTTP 404 with gRPC code 5
NotFound; legacy: HTTP 404 whose error says the tx was not found). Any other answer, or one for another
hash, is retriable.
Identity: the chain id from `GET /cosmos/base/tendermint/v1beta1/node_info` (`default_node_info.network`;
legacy `GET /node_info`, `node_info.network`), e.g. `cosmoshub-4`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.cosmos import address
from chains.errors import RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled

LEGACY = "legacy+"
SEND = ("/cosmos.bank.v1beta1.MsgSend", "cosmos-sdk/MsgSend")
MULTI_SEND = ("/cosmos.bank.v1beta1.MsgMultiSend", "cosmos-sdk/MsgMultiSend")
GRPC_NOT_FOUND = 5
# metric prefixes of base denoms: `u` micro (uatom), `m` milli, `n` nano, `a` atto
_EXPONENT = {"u": 6, "m": 3, "n": 9, "a": 18}


class CosmosClient(HttpClient):
    """An LCD endpoint and which of the two API shapes it speaks."""

    def __init__(self, url: str, **options: Any) -> None:
        self.legacy = url.startswith(LEGACY)
        super().__init__(url.removeprefix(LEGACY), **options)


def _timestamp(value: str | None) -> int | None:
    if not value:
        return None
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _message(msg: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(type, fields) of a message in either shape (`@type` inline, or legacy `{type, value}`)."""
    if "@type" in msg:
        return msg["@type"], msg
    return msg.get("type", ""), msg.get("value") or {}


class CosmosAdapter(Adapter):
    """Verifies Cosmos SDK transactions over LCD REST endpoints, tried in priority order."""

    family = "cosmos"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self.hrp = address.hrp_of(network.address_regex)
        self._session = new_session(self.concurrency)
        self._clients = [CosmosClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                      limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    def normalize_address(self, address_: str) -> str:  # type: ignore[override]
        """Lower-case bech32 for a valid address of the network's prefix; denoms and others unchanged."""
        return address.normalize(address_, self.hrp)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 upper-case hex digits, as the chain writes them."""
        return super().normalize_tx_hash(tx_hash).upper()

    # -- identity -----------------------------------------------------------------------------
    def identify(self, client: CosmosClient) -> str:
        """The chain id the endpoint's node reports."""
        if client.legacy:
            _, info = client.get("/node_info")
            node = info.get("node_info") if isinstance(info, dict) else None
        else:
            _, info = client.get("/cosmos/base/tendermint/v1beta1/node_info")
            node = info.get("default_node_info") if isinstance(info, dict) else None
        if not isinstance(node, dict) or not isinstance(node.get("network"), str):
            raise RpcUnavailable(f"{client.label} answered node_info without a network (chain id)")
        return str(node["network"])

    # -- fetching -----------------------------------------------------------------------------
    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Many transactions on a small thread pool (the REST API has no batch)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(
            self._clients, lambda client: self._fetch_on(client, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: CosmosClient, txid: str) -> ChainTx:
        path = f"/txs/{txid}" if client.legacy else f"/cosmos/tx/v1beta1/txs/{txid}"
        status, answer = client.get(path, ok_statuses=(404,))
        if not isinstance(answer, dict):
            raise RpcUnavailable(f"{client.label}{path} answered something that is not a JSON object")
        if status == 404:
            if self._says_not_found(answer, client.legacy, txid):
                return ChainTx.not_found(self.network.id, txid)
            raise RpcUnavailable(f"{client.label}{path} answered HTTP 404 without the API's not-found answer")
        try:
            return self.parse(txid, answer)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {txid} "
                                 f"({type(exc).__name__}: {exc})") from None

    @staticmethod
    def _says_not_found(answer: dict[str, Any], legacy: bool, txid: str) -> bool:
        # legacy: {"error": "Tx: RPC error -32603 - Internal error: tx (<HASH>) not found"}, HTTP 404;
        # gateway: {"code": 5, "message": "tx not found: <hash>", "details": []}, HTTP 404
        text = str(answer.get("error" if legacy else "message", "")).lower()
        return "not found" in text and txid.lower() in text and (legacy or answer.get("code") == GRPC_NOT_FOUND)

    # -- parsing ------------------------------------------------------------------------------
    def _asset(self, denom: str) -> tuple[str, int | None]:
        prefix, rest = denom[:1], denom[1:]
        if rest == self.network.native_symbol.lower() and _EXPONENT.get(prefix) == self.network.native_decimals:
            return NATIVE, self.network.native_decimals
        return denom, None

    def _coins(self, sender: str | None, to: str, coins: list[dict[str, Any]], memo: str | None) -> list[Transfer]:
        out = []
        for coin in coins:
            asset, decimals = self._asset(coin["denom"])
            out.append(Transfer(sender, to, asset, int(coin["amount"]), decimals, memo))
        return out

    def parse(self, txid: str, answer: dict[str, Any]) -> ChainTx:
        """A `/cosmos/tx/v1beta1/txs/{hash}` or legacy `/txs/{hash}` answer -> ChainTx."""
        if "tx_response" in answer:
            resp, body = answer["tx_response"], answer["tx"]["body"]
            messages, memo = body.get("messages") or [], body.get("memo")
            fee = (answer["tx"].get("auth_info") or {}).get("fee") or {}
        else:   # legacy: the TxResponse itself, with the amino StdTx under tx.value
            resp, value = answer, answer["tx"]["value"]
            messages, memo, fee = value.get("msg") or [], value.get("memo"), value.get("fee") or {}
        if str(resp["txhash"]).upper() != txid:
            raise RpcUnavailable(f"asked for {txid}, the endpoint answered transaction {resp['txhash']}")
        memo = memo or None
        transfers: list[Transfer] = []
        for msg in messages:
            kind, fields = _message(msg)
            if kind in SEND:
                transfers += self._coins(fields["from_address"], fields["to_address"], fields["amount"], memo)
            elif kind in MULTI_SEND:
                inputs = fields.get("inputs") or []
                sender = inputs[0]["address"] if len(inputs) == 1 else None
                for output in fields.get("outputs") or []:
                    transfers += self._coins(sender, output["address"], output["coins"], memo)
        logs = resp.get("logs") or []
        failed = int(resp.get("code") or 0) != 0 or any(log.get("success") is False for log in logs)
        fee_paid = sum(int(c["amount"]) for c in fee.get("amount") or [] if self._asset(c["denom"])[0] == NATIVE)
        return ChainTx(
            network=self.network.id, tx_hash=txid, status=TxStatus.FAILED if failed else TxStatus.CONFIRMED,
            block_height=int(resp["height"]), confirmations=1, timestamp=_timestamp(resp.get("timestamp")),
            fee_paid=fee_paid, transfers=tuple(transfers))
