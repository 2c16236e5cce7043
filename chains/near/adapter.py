"""NEAR: JSON-RPC `tx` (the transaction and all its receipt outcomes) and `block`.

A NEAR transaction is looked up by its hash *and its signer*: the RPC routes the query to the signer's
shard and has no hash-only lookup, so a claim is written `HASH@signer.near`, and that whole form is the
transaction's key (credits are recorded the same way). A bare hash has the network's form but cannot
be fetched: it is bad input naming the missing signer.

Transfers: `Transfer` actions (NEAR, 24 decimals) and NEP-141 `ft_transfer` / `ft_transfer_call`
function calls (amount, receiver and memo from the call's JSON args; the asset is the token contract).
Token decimals are not fetched (`ft_metadata` is a view call whose answer we have no recording of):
they come from the asset listing. A deposit attached to another function call is not a transfer.

Status: `Failure` in the transaction's status or in any receipt outcome is failed. Only the RPC's
`UNKNOWN_TRANSACTION` error is not found; every other error or odd answer is retriable.

Finality: where the answer carries `final_execution_status` (nodes since 1.39), `FINAL` (the
transaction and all its receipts in final blocks) is 1 confirmation and anything else 0, and no block
is looked up (`block_height` stays unknown). Older answers: NEAR blocks are final once `block` with
`finality: final` reaches them (Doomslug plus BFT finality, about two blocks); confirmations = final
height - the transaction's block height + 1, 0 while the block is not final. One confirmation means final.
The block's header also gives the transaction's time (unknown on the newer answers, which look up no block).

Identity: `status` answers `chain_id` ("mainnet").
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, InvalidTxHash, RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.near import address
from chains.networks import Network

FT_METHODS = ("ft_transfer", "ft_transfer_call")
NOT_FOUND_CAUSE = "UNKNOWN_TRANSACTION"
FINAL = "FINAL"


def split_id(tx_id: str) -> tuple[str, str | None]:
    """`HASH@signer` -> (hash, signer); a bare hash -> (hash, None)."""
    tx_hash, _, signer = tx_id.strip().partition("@")
    return tx_hash, (address.normalize(signer) if signer else None)


def _failed(status: Any) -> bool:
    return isinstance(status, dict) and "Failure" in status


def _ft_args(action: dict[str, Any]) -> dict[str, Any] | None:
    try:
        args = json.loads(base64.b64decode(action.get("args") or ""))
    except (ValueError, binascii.Error):
        return None
    return args if isinstance(args, dict) else None


def _transfers(network: Network, tx: dict[str, Any]) -> list[Transfer]:
    signer, receiver = tx["signer_id"], tx["receiver_id"]
    out: list[Transfer] = []
    for action in tx.get("actions") or []:
        if not isinstance(action, dict):
            continue            # argument-less actions ("CreateAccount") are plain strings
        if "Transfer" in action:
            out.append(Transfer(signer, receiver, NATIVE, int(action["Transfer"]["deposit"]),
                                network.native_decimals))
        call = action.get("FunctionCall")
        if call and call.get("method_name") in FT_METHODS:
            args = _ft_args(call)
            if args and "receiver_id" in args and "amount" in args:
                memo = args.get("memo")
                out.append(Transfer(signer, address.normalize(str(args["receiver_id"])), receiver,
                                    int(args["amount"]), None, str(memo) if memo else None))
    return out


def parse_transaction(network: Network, tx_id: str, result: dict[str, Any], height: int | None,
                      final_height: int | None, timestamp: int | None = None) -> ChainTx:
    """A `tx` result, its block's height (and time, seconds) and the final head's height -> ChainTx
    (keyed `HASH@signer`)."""
    tx = result["transaction"]
    if tx["hash"] != split_id(tx_id)[0]:
        raise ValueError(f"answer is for transaction {tx['hash']}")
    outcomes = [result["transaction_outcome"], *(result.get("receipts_outcome") or [])]
    failed = _failed(result.get("status")) or any(_failed(o["outcome"].get("status")) for o in outcomes)
    burnt = sum(int(o["outcome"].get("tokens_burnt") or 0) for o in outcomes)
    confirmations = 0
    if "final_execution_status" in result:
        confirmations = 1 if result["final_execution_status"] == FINAL else 0
    elif height is not None and final_height is not None and final_height >= height:
        confirmations = final_height - height + 1
    transfers = _transfers(network, tx)
    return ChainTx(
        network=network.id, tx_hash=tx_id, status=TxStatus.FAILED if failed else TxStatus.CONFIRMED,
        block_height=height, confirmations=confirmations, timestamp=timestamp, fee_paid=burnt,
        transfers=tuple(transfers),
        # the receiver of a function call runs code: a deposit sent to it went to a contract
        contract_recipients=frozenset({tx["receiver_id"]} if any(
            isinstance(a, dict) and "FunctionCall" in a for a in tx.get("actions") or []) else ()),
    )


class NearAdapter(Adapter):
    """Verifies NEAR transactions over JSON-RPC, endpoints tried in priority order."""

    family = "near"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, account: str) -> str:
        """Account ids are lower-case."""
        return address.normalize(account)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """`HASH` or `HASH@signer`, the signer lower-cased."""
        value = super().normalize_tx_hash(tx_hash)
        bare, signer = split_id(value)
        return f"{bare}@{signer}" if signer else bare

    def identify(self, client: Any) -> str:
        """The `chain_id` of the node's `status`."""
        return str(self._call(client, "status", [])["chain_id"])

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Each transaction on a small thread pool (the RPC has no batch); one final-head lookup each."""
        results, ids = self.split_hashes(hashes)
        for i, tx_id in list(ids.items()):
            if split_id(tx_id)[1] is None:
                results[i] = InvalidTxHash(
                    f"{tx_id!r}: NEAR looks a transaction up by hash and signer: write it as HASH@signer.near")
                del ids[i]

        def one(i: int) -> FetchResult:
            try:
                return self.failover(self._clients, lambda client: self._fetch_on(client, ids[i]))
            except ChainError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            for i, result in zip(ids, pool.map(one, ids), strict=True):
                results[i] = result
        return [r if r is not None else RpcUnavailable("internal: no result") for r in results]

    def close(self) -> None:
        """Release connections."""
        self._session.close()

    # -- one endpoint -----------------------------------------------------------------------------
    def _call(self, client: HttpClient, method: str, params: Any) -> Any:
        """One JSON-RPC call; returns the result, or the error object under the key `error`."""
        _, answer = client.post("", {"jsonrpc": "2.0", "id": "dontcare", "method": method, "params": params})
        if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
            raise RpcUnavailable(f"{client.label} answered {method} with something that is not JSON-RPC")
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            cause = (error.get("cause") or {}).get("name") if isinstance(error.get("cause"), dict) else None
            if method == "tx" and cause == NOT_FOUND_CAUSE:
                return None
            raise RpcUnavailable(f"{client.label}: {method} failed ({cause or error.get('message') or error})")
        if not isinstance(answer["result"], dict):
            raise RpcUnavailable(f"{client.label} answered {method} without a result object")
        return answer["result"]

    def _height(self, client: HttpClient, block: dict[str, Any]) -> tuple[int, int | None]:
        """The block's height and time in seconds (its header's `timestamp` is in nanoseconds)."""
        try:
            header = self._call(client, "block", block)["header"]
            stamp = header.get("timestamp")
            return int(header["height"]), int(stamp) // 1_000_000_000 if isinstance(stamp, int) else None
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RpcUnavailable(f"{client.label}: block {block} answered no height") from None

    def _fetch_on(self, client: HttpClient, tx_id: str) -> ChainTx:
        tx_hash, signer = split_id(tx_id)
        result = self._call(client, "tx", [tx_hash, signer])
        if result is None:
            return ChainTx.not_found(self.network.id, tx_id)
        if isinstance(result, dict) and "final_execution_status" in result:
            # nodes since 1.39 say how final the whole execution is: FINAL is final, anything else not yet
            height, final, stamp = None, None, None
        else:
            try:
                block_hash = result["transaction_outcome"]["block_hash"]
            except (KeyError, TypeError):
                raise RpcUnavailable(f"{client.label} answered a transaction without its block") from None
            height, stamp = self._height(client, {"block_id": block_hash})
            final = self._height(client, {"finality": "final"})[0]
        try:
            return parse_transaction(self.network, tx_id, result, height, final, stamp)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed transaction {tx_hash} "
                                 f"({type(exc).__name__}: {exc})") from None
