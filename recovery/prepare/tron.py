"""The Tron builder: the node writes the unsigned transaction (`/wallet/createtransaction` for TRX,
`/wallet/triggersmartcontract` calling `transfer(address,uint256)` for a TRC-20 token, its fee limit from
the policy), and the builder reads the node's `raw_data_hex` back to be sure it is the one asked for:
owner, payee or contract, amount or call data, fee limit. The signer signs the txID (SHA-256 of
`raw_data_hex`) with the deposit address's secp256k1 key; the node's expiration is the deadline.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chains.errors import RetriableError, RpcUnavailable
from chains.http import HttpClient, RetryPolicy
from chains.networks import Network
from recovery.prepare.model import BuildRequest, CannotBuild, NoBuilder, SignedMismatch, UnsignedTx
from recovery.prepare.tron_tx import (
    TRANSFER,
    TRIGGER,
    RawTx,
    parse_raw,
    parse_signed_transaction,
    signed_transaction,
    signer,
    to_base58,
    to_bytes,
    txid,
)

TRANSFER_SELECTOR = "transfer(address,uint256)"
NATIVE_NAMES = (None, "native", "TRX")


def transfer_call(destination: bytes, amount: int) -> str:
    """The ABI arguments of transfer(address,uint256): the 20-byte address and the amount, 32 bytes each."""
    return destination[1:].rjust(32, b"\0").hex() + amount.to_bytes(32, "big").hex()


class TronBuilder:
    """Builds and checks TRX and TRC-20 recovery transactions over java-tron HTTP endpoints."""

    def __init__(self, network: Network, endpoints: Sequence[str], *, timeout: float = 20.0) -> None:
        if network.family != "tron":
            raise ValueError(f"{network.id} is not a Tron network")
        if not endpoints:
            raise ValueError(f"no endpoint for {network.id}")
        self.network = network
        self.clients = [HttpClient(u, timeout=timeout, retry=RetryPolicy(attempts=2, backoff=0.2)) for u in endpoints]

    def _post(self, path: str, body: dict[str, Any], check: Any = None) -> Any:
        """POST on the first endpoint that answers (and whose answer `check` accepts)."""
        last: RetriableError | None = None
        for client in self.clients:
            try:
                _, answer = client.post(path, body)
                return check(client.label, answer) if check else answer
            except RetriableError as exc:
                last = exc
        assert last is not None
        raise last

    # -- building -------------------------------------------------------------------------------

    def build(self, request: BuildRequest) -> list[UnsignedTx]:
        """One TRX transfer or one TRC-20 transfer() call from the deposit address to the destination."""
        owner, dest = to_bytes(request.deposit_address), to_bytes(request.destination)
        native = request.asset in NATIVE_NAMES
        if native:
            body: dict[str, Any] = {"owner_address": owner.hex(), "to_address": dest.hex(),
                                    "amount": request.amount_base, "visible": False}
            path = "/wallet/createtransaction"
            want = {"contract_type": TRANSFER, "owner": owner, "to": dest, "amount": request.amount_base,
                    "data": b"", "fee_limit": 0}
        else:
            if request.asset is None:
                raise NoBuilder("no token")
            fee_limit = request.policy.get("fee_limit")
            if not isinstance(fee_limit, int) or isinstance(fee_limit, bool) or fee_limit <= 0:
                raise CannotBuild(f"{request.network}: a TRC-20 recovery needs the policy's fee_limit "
                                  "(sun the call may burn for energy)")
            contract = to_bytes(request.asset)
            parameter = transfer_call(dest, request.amount_base)
            body = {"owner_address": owner.hex(), "contract_address": contract.hex(),
                    "function_selector": TRANSFER_SELECTOR, "parameter": parameter, "fee_limit": fee_limit,
                    "call_value": 0, "visible": False}
            path = "/wallet/triggersmartcontract"
            want = {"contract_type": TRIGGER, "owner": owner, "to": contract, "amount": 0,
                    "data": bytes.fromhex("a9059cbb" + parameter), "fee_limit": fee_limit}

        def check(label: str, answer: Any) -> dict[str, Any]:
            return self._answered(label, path, answer, want)

        tx = self._post(path, body, check)
        raw = parse_raw(tx["raw_data_hex"])
        expires = datetime.fromtimestamp(raw.expiration / 1000, UTC).isoformat().replace("+00:00", "Z")
        fields = {**tx, "fee_limit": raw.fee_limit, "expiration": raw.expiration, "sign": "txID"}
        return [UnsignedTx(purpose="recovery", network=self.network.id, from_address=request.deposit_address,
                           to_address=request.destination, asset="native" if native else str(request.asset),
                           amount_base=request.amount_base, unsigned_tx=tx["raw_data_hex"], fields=fields,
                           expires=expires)]

    def _answered(self, label: str, path: str, answer: Any, want: dict[str, Any]) -> dict[str, Any]:
        """The node's transaction, checked against what was asked; a refusal is CannotBuild."""
        if not isinstance(answer, dict):
            raise RpcUnavailable(f"{label}{path} answered {type(answer).__name__}")
        tx = answer.get("transaction") if path.endswith("triggersmartcontract") else answer
        result = answer.get("result") if path.endswith("triggersmartcontract") else None
        if isinstance(result, dict) and result.get("result") is not True or not isinstance(tx, dict) \
                or "raw_data_hex" not in tx:
            raise CannotBuild(f"the node refused the transaction: {_refusal(answer)}")
        raw_hex = tx["raw_data_hex"]
        if txid(raw_hex) != tx.get("txID"):
            raise RpcUnavailable(f"{label}{path}: txID {tx.get('txID')} is not the SHA-256 of raw_data_hex")
        try:
            raw = parse_raw(raw_hex)
        except ValueError as exc:
            raise RpcUnavailable(f"{label}{path}: raw_data_hex is unreadable ({exc})") from None
        for name, value in want.items():
            got = getattr(raw, name)
            if got != value:
                shown = (to_base58(value), to_base58(got)) if name in ("owner", "to") else (value, got)
                raise RpcUnavailable(f"{label}{path} wrote {name} {shown[1]!r} where {shown[0]!r} was asked")
        if raw.contracts != 1:
            raise RpcUnavailable(f"{label}{path} wrote {raw.contracts} contracts into one transaction")
        return dict(tx)

    # -- signed transactions --------------------------------------------------------------------

    def check_signed(self, prepared: UnsignedTx, signed: str) -> str:
        """The txID of a signed transaction (its JSON, or the protobuf `Transaction` in hex) that is
        the prepared one and carries the deposit address's signature."""
        raw_hex, signatures, claimed = _read_signed(signed)
        if raw_hex != prepared.unsigned_tx:
            want, got = parse_raw(prepared.unsigned_tx), _parse_or_none(raw_hex)
            for name in RawTx.__dataclass_fields__:
                a, b = getattr(want, name), getattr(got, name, None)
                if a != b:
                    raise SignedMismatch(name, _show(a), _show(b))
            raise SignedMismatch("raw_data_hex", prepared.unsigned_tx, raw_hex)
        tx_id = txid(raw_hex)
        if claimed is not None and claimed != tx_id:
            raise SignedMismatch("txID", tx_id, claimed)
        owner = to_bytes(prepared.from_address)
        signers = []
        for sig in signatures:
            try:
                signers.append(signer(tx_id, sig))
            except Exception:   # eth_keys raises its own BadSignature family for a malformed signature
                signers.append(b"")
        if owner not in signers:
            raise SignedMismatch("signature", f"signed by {prepared.from_address}",
                                 ", ".join(to_base58(s) if s else "unreadable" for s in signers) or "unsigned")
        return tx_id

    def broadcast(self, signed: str) -> str:
        """`/wallet/broadcasthex` with the protobuf transaction; the txID."""
        raw_hex, signatures, _ = _read_signed(signed)
        answer = self._post("/wallet/broadcasthex", {"transaction": signed_transaction(raw_hex, signatures)})
        if not isinstance(answer, dict) or answer.get("result") is not True:
            raise CannotBuild(f"the node refused the broadcast: {_refusal(answer)}")
        return txid(raw_hex)

    def signed_by_hash(self, tx_hash: str) -> str | None:
        """The transaction the node holds under this txID as JSON (None: `{}`, it does not know it)."""
        answer = self._post("/wallet/gettransactionbyid", {"value": tx_hash})
        if not isinstance(answer, dict) or not answer.get("raw_data_hex"):
            return None
        return json.dumps(answer)


def _read_signed(signed: str) -> tuple[str, list[str], str | None]:
    text = signed.strip()
    try:
        if text.startswith("{"):
            doc = json.loads(text)
            doc = doc.get("transaction", doc)
            return str(doc["raw_data_hex"]).lower(), [str(s) for s in doc.get("signature") or []], doc.get("txID")
        raw, sigs = parse_signed_transaction(text)
        return raw, sigs, None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SignedMismatch("transaction", "a Tron transaction (JSON or protobuf hex)",
                             f"unreadable ({exc})") from None


def _parse_or_none(raw_hex: str) -> RawTx | None:
    try:
        return parse_raw(raw_hex)
    except ValueError:
        return None


def _show(value: object) -> object:
    if isinstance(value, bytes):
        return to_base58(value) if len(value) == 21 and value[0] == 0x41 else value.hex()
    return value


def _refusal(answer: Any) -> str:
    """The node's reason: `Error`, or `result.message` (hex-encoded text on java-tron)."""
    if not isinstance(answer, dict):
        return repr(answer)[:200]
    result: dict[str, Any] = answer["result"] if isinstance(answer.get("result"), dict) else answer
    message = result.get("message") or answer.get("Error") or ""
    with contextlib.suppress(ValueError, TypeError):   # java-tron writes the message as hex text
        message = bytes.fromhex(message).decode("utf-8")
    code = result.get("code")
    return f"{code}: {message}" if code else str(message) or json.dumps(answer)[:200]


def builder(network: Network, endpoints: Sequence[str], *, timeout: float = 20.0) -> TronBuilder:
    """The builder of a Tron network over its endpoints (priority order)."""
    return TronBuilder(network, endpoints, timeout=timeout)
