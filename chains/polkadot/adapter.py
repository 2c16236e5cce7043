"""Polkadot: Substrate API Sidecar (`GET /blocks/{number}`, `GET /runtime/spec`).

Sidecar serves blocks, not transactions: it has no lookup by extrinsic hash. A claim therefore names
the block, `0xHASH@BLOCK_NUMBER`, and that whole form is the transaction's key (credits are recorded the
same way); the adapter reads that block and finds the extrinsic by hash among its `extrinsics[]`. A bare
hash has the network's form but cannot be fetched: bad input naming the missing block. A block that is
answered but does not hold the extrinsic is not found (the claim's hash@block is not on chain); any
error, non-JSON or odd answer (a block other than the one asked) is retriable.

Transfers: the `balances.Transfer` events of the extrinsic (balances.transfer, transferKeepAlive,
transferAllowDeath, transferAll, and the same inside utility.batch*), DOT in planck (10 decimals).
A failed extrinsic (`success: false`, `system.ExtrinsicFailed`) moved nothing but its fee; its intended
transfer is read from the call's args so the claim can be shown. Fee: `info.partialFee`.

Finality: GRANDPA. Sidecar marks each block `finalized`; a finalized block counts as 1 confirmation
(final), one not yet finalized as 0. Polkadot's `min_confirmations` is 1.

Identity: `/runtime/spec` answers `specName` ("polkadot"; Kusama answers "kusama"). Sidecar does not
give the genesis hash there, so the spec name is what the endpoint says it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, FetchResult, Transfer, TxStatus
from chains.errors import ChainError, InvalidTxHash, RpcUnavailable
from chains.http import HttpClient, RateLimiter, RetryPolicy, new_session
from chains.networks import Network
from chains.polkadot import address

TRANSFER_CALLS = ("transfer", "transferKeepAlive", "transferAllowDeath", "transferAll")


def split_id(tx_id: str) -> tuple[str, int | None]:
    """`0xHASH@BLOCK` -> (hash, block number); a bare hash -> (hash, None)."""
    tx_hash, _, block = tx_id.strip().partition("@")
    return tx_hash.lower(), (int(block) if block else None)


def _account(value: Any) -> str:
    """A MultiAddress arg (`{"id": ...}`) or a plain AccountId, normalised."""
    if isinstance(value, dict):
        value = value.get("id", "")
    return address.normalize(str(value))


def _event_transfers(extrinsic: dict[str, Any], decimals: int) -> list[Transfer]:
    out = []
    for event in extrinsic.get("events") or []:
        method = event.get("method") or {}
        if (method.get("pallet"), method.get("method")) != ("balances", "Transfer"):
            continue
        data = event["data"]
        sender, dest, amount = (data["from"], data["to"], data["amount"]) if isinstance(data, dict) else data
        out.append(Transfer(address.normalize(sender), address.normalize(dest), NATIVE, int(amount), decimals))
    return out


def _call_transfers(call: dict[str, Any], signer: str, decimals: int) -> list[Transfer]:
    """The transfers a call asked for (used for failed extrinsics, which emit no Transfer event)."""
    method, args = call.get("method") or {}, call.get("args") or {}
    if method.get("pallet") == "utility":
        return [t for inner in args.get("calls") or [] for t in _call_transfers(inner, signer, decimals)]
    if method.get("pallet") == "balances" and method.get("method") in TRANSFER_CALLS and "value" in args:
        return [Transfer(signer, _account(args["dest"]), NATIVE, int(args["value"]), decimals)]
    return []


def _failed(extrinsic: dict[str, Any]) -> bool:
    events = {((e.get("method") or {}).get("pallet"), (e.get("method") or {}).get("method"))
              for e in extrinsic.get("events") or []}
    return extrinsic.get("success") is False or ("system", "ExtrinsicFailed") in events


def parse_extrinsic(network: Network, tx_id: str, block: dict[str, Any]) -> ChainTx:
    """The extrinsic `hash@block` of a sidecar `/blocks/{n}` answer -> ChainTx (not found if absent)."""
    tx_hash = split_id(tx_id)[0]
    found = [x for x in block["extrinsics"] if str(x.get("hash", "")).lower() == tx_hash]
    if not found:
        return ChainTx.not_found(network.id, tx_id)
    extrinsic = found[0]
    signature = extrinsic.get("signature") or {}
    signer = _account(signature.get("signer")) if signature else None
    failed = _failed(extrinsic)
    decimals = network.native_decimals
    if failed:
        transfers = _call_transfers(extrinsic, signer or "", decimals) if signer else []
    else:
        transfers = _event_transfers(extrinsic, decimals)
    fee = (extrinsic.get("info") or {}).get("partialFee")
    return ChainTx(
        network=network.id, tx_hash=tx_id, status=TxStatus.FAILED if failed else TxStatus.CONFIRMED,
        block_height=int(block["number"]), confirmations=1 if block.get("finalized") is True else 0,
        timestamp=_block_time(block), fee_paid=int(fee) if fee is not None else None, transfers=tuple(transfers),
    )


def _block_time(block: dict[str, Any]) -> int | None:
    """The block's time in seconds: the `timestamp.set` inherent every block carries (`now`, milliseconds)."""
    for x in block.get("extrinsics") or []:
        method = x.get("method") or {}
        now = str((x.get("args") or {}).get("now"))
        if (method.get("pallet"), method.get("method")) == ("timestamp", "set") and now.isdigit():
            return int(now) // 1000
    return None


class PolkadotAdapter(Adapter):
    """Verifies Polkadot extrinsics over Substrate API Sidecar, endpoints tried in priority order."""

    family = "polkadot"
    concurrency = 4
    retry = RetryPolicy(attempts=2, backoff=0.25)

    def __init__(self, network: Network, endpoints: Sequence[str], **options: Any) -> None:
        super().__init__(network, endpoints, **options)
        self._session = new_session(self.concurrency)
        self._clients = [HttpClient(url, timeout=self.timeout, session=self._session, retry=self.retry,
                                    limiter=RateLimiter(self.rate_limit)) for url in self.endpoints]

    @classmethod
    def normalize_address(cls, value: str) -> str:
        """The Polkadot SS58 form of the account key (a Kusama or generic address of the same key
        compares equal)."""
        return address.normalize(value)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """`0xhash` lower-case, with `@block` kept when given."""
        tx_hash_only, block = split_id(super().normalize_tx_hash(tx_hash))
        return tx_hash_only if block is None else f"{tx_hash_only}@{block}"

    def identify(self, client: Any) -> str:
        """The `specName` of `/runtime/spec`."""
        _, spec = client.get("/runtime/spec")
        if not isinstance(spec, dict) or not spec.get("specName"):
            raise RpcUnavailable(f"{client.label}/runtime/spec answered no specName")
        return str(spec["specName"])

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Each claim's block on a small thread pool (sidecar has no batch)."""
        results, ids = self.split_hashes(hashes)
        for i, tx_id in list(ids.items()):
            if split_id(tx_id)[1] is None:
                results[i] = InvalidTxHash(f"{tx_id!r}: sidecar finds an extrinsic only in its block: "
                                           "write it as 0xHASH@BLOCK_NUMBER")
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

    def _fetch_on(self, client: HttpClient, tx_id: str) -> ChainTx:
        number = split_id(tx_id)[1]
        _, block = client.get(f"/blocks/{number}")
        try:
            if str(block["number"]) != str(number):
                raise ValueError(f"answered block {block['number']}")
            return parse_extrinsic(self.network, tx_id, block)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RpcUnavailable(f"{client.label} answered a malformed block {number} "
                                 f"({type(exc).__name__}: {exc})") from None
