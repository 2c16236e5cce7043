"""TON over tonapi v2 (`GET /v2/blockchain/transactions/{hash}`): TON value moved by the transaction's
messages, the text comment as memo.

Transfers: the value an internal inbound message credited to the transaction's account (a deposit
arriving), and, for a wallet's external-in transaction (a user sending), the value of each internal
message it sent, each with its message's text comment (`decoded_op_name` text_comment).
Failed: `success` false or `aborted` (compute or action phase failed; a bounceable inbound value goes
back), or an inbound message that is itself a bounce (`bounced`: funds returning, not a deposit).
Jettons: a jetton transfer is a chain of messages across jetton wallets, and the transaction a user
names shows only one hop of it; a transaction carrying a jetton operation is reported unverifiable
here instead of as a TON transfer or as "not ours".
Confirmations: tonapi serves transactions from blocks its liteservers applied, i.e. shard blocks
already referenced by a masterchain block, which TON treats as final: 1 confirmation once found.
Not found: HTTP 404 with tonapi's `{"error": ...}` body (tonapi also looks the hash up as an inbound
message hash; such an answer is accepted only when its inbound message has that hash).
Identity: the zero-state root hash of `GET /v2/liteserver/get_masterchain_info` (`init.root_hash`), which
differs between mainnet and testnet.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.pooled import fetch_pooled
from chains.ton import address

# jetton transfer, internal_transfer, transfer_notification, burn (TEP-74)
JETTON_OPS = {"0x0f8a7ea5", "0x178d4519", "0x7362d09c", "0x595f07bc"}
JETTON_NAMES = {"jetton_transfer", "jetton_internal_transfer", "jetton_notify", "jetton_burn"}


def hash_hex(value: str) -> str:
    """A transaction or message hash, hex or base64 (standard or url-safe), as 64 lower-case hex digits."""
    text = value.strip()
    if len(text) == 64:
        return text.lower()
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return text
    return raw.hex() if len(raw) == 32 else text


def _comment(msg: dict[str, Any]) -> str | None:
    if msg.get("decoded_op_name") == "text_comment":
        text = (msg.get("decoded_body") or {}).get("text")
        return str(text) if text else None
    return None


def _is_jetton(msg: dict[str, Any]) -> bool:
    return msg.get("op_code") in JETTON_OPS or msg.get("decoded_op_name") in JETTON_NAMES


def _addr(ref: dict[str, Any] | None) -> str | None:
    return address.normalize(ref["address"]) if ref and ref.get("address") else None


class TonAdapter(Adapter):
    """Verifies TON transactions over tonapi v2 endpoints, tried in priority order."""

    family = "ton"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, address_: str) -> str:
        """`workchain:hex` for any form of a TON address (bounceable and non-bounceable alike)."""
        return address.normalize(address_)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """64 lower-case hex digits (base64 hashes as explorers show them are converted)."""
        return hash_hex(super().normalize_tx_hash(tx_hash))

    def identify(self, client: HttpClient) -> str:
        """The zero-state root hash (hex) the endpoint's liteserver reports."""
        _, info = client.get("/v2/liteserver/get_masterchain_info")
        root = ((info or {}).get("init") or {}).get("root_hash") if isinstance(info, dict) else None
        if not isinstance(root, str):
            raise RpcUnavailable(f"{client.label} answered get_masterchain_info without a zero-state hash")
        return hash_hex(root)

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Many transactions on a small thread pool (tonapi has no batch lookup by hash)."""
        return fetch_pooled(self, hashes, lambda h: self.failover(
            self._clients, lambda client: self._fetch_on(client, h)))

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    def _fetch_on(self, client: HttpClient, txid: str) -> ChainTx:
        path = f"/v2/blockchain/transactions/{txid}"
        status, answer = client.get(path, ok_statuses=(404,))
        if not isinstance(answer, dict):
            raise RpcUnavailable(f"{client.label}{path} answered something that is not a JSON object")
        if status == 404:
            if "not found" in str(answer.get("error", "")).lower():
                return ChainTx.not_found(self.network.id, txid)
            raise RpcUnavailable(f"{client.label}{path} answered HTTP 404 without tonapi's not-found answer")
        try:
            return self.parse(txid, answer)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {txid} "
                                 f"({type(exc).__name__}: {exc})") from None

    def parse(self, txid: str, tx: dict[str, Any]) -> ChainTx:
        """A tonapi v2 transaction object -> ChainTx."""
        in_msg = tx.get("in_msg") or {}
        if hash_hex(str(tx["hash"])) != txid and hash_hex(str(in_msg.get("hash", ""))) != txid:
            raise RpcUnavailable(f"asked for {txid}, the endpoint answered transaction {tx['hash']}")
        messages = [in_msg, *(tx.get("out_msgs") or [])]
        if any(_is_jetton(m) for m in messages):
            raise RpcUnavailable(f"{txid} carries a jetton transfer, which this adapter does not verify "
                                 "(it spans several transactions); check it on the explorer")
        failed = tx.get("success") is False or bool(tx.get("aborted")) or bool(in_msg.get("bounced"))
        transfers: list[Transfer] = []
        decimals = self.network.native_decimals
        if in_msg.get("msg_type") == "int_msg" and int(in_msg.get("value") or 0) > 0:
            to = _addr(in_msg.get("destination")) or _addr(tx.get("account"))
            if to:
                transfers.append(Transfer(_addr(in_msg.get("source")), to, NATIVE, int(in_msg["value"]),
                                          decimals, _comment(in_msg)))
        if in_msg.get("msg_type") == "ext_in_msg":
            for out in tx.get("out_msgs") or []:
                to = _addr(out.get("destination"))
                if out.get("msg_type") == "int_msg" and to and int(out.get("value") or 0) > 0:
                    transfers.append(Transfer(_addr(tx.get("account")), to, NATIVE, int(out["value"]),
                                              decimals, _comment(out)))
        return ChainTx(
            network=self.network.id, tx_hash=txid, status=TxStatus.FAILED if failed else TxStatus.CONFIRMED,
            block_height=None, confirmations=1, timestamp=tx.get("utime"),
            fee_paid=int(tx.get("total_fees") or 0), transfers=tuple(transfers))
