"""The Solana builder: one legacy transaction paid and signed by the deposit address. SOL moves with a
system transfer; an SPL token with `transferChecked` from the deposit address's associated token
account to the destination's, created first (idempotent) where `getAccountInfo` finds none. The recent
blockhash comes from `getLatestBlockhash`; past its `lastValidBlockHeight` the transaction cannot land
and must be prepared again.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from chains.base58 import b58encode
from chains.errors import TxNotFound
from chains.networks import Network
from recovery.prepare.ed25519 import verify
from recovery.prepare.model import BuildRequest, CannotBuild, SignedMismatch, UnsignedTx
from recovery.prepare.nodes import clients, first_answer
from recovery.prepare.solana_tx import (
    TOKEN_PROGRAM,
    Instruction,
    associated_token_account,
    compile_message,
    create_ata_idempotent,
    key,
    parse_message,
    parse_transaction,
    system_transfer,
    transfer_checked,
    unsigned_transaction,
)

NATIVE_NAMES = (None, "native", "SOL")
COMMITMENT = {"commitment": "finalized"}


class SolanaBuilder:
    """Builds and checks SOL and SPL recovery transactions over Solana JSON-RPC endpoints."""

    def __init__(self, network: Network, endpoints: Sequence[str], *, timeout: float = 20.0) -> None:
        if network.family != "solana":
            raise ValueError(f"{network.id} is not a Solana network")
        if not endpoints:
            raise ValueError(f"no endpoint for {network.id}")
        self.network = network
        self.clients = clients(endpoints, timeout=timeout)

    def _call(self, method: str, params: list[Any]) -> Any:
        return first_answer(self.clients, method, params)

    def _token_account(self, account: str, mint: str, owner: str) -> dict[str, Any] | None:
        """The parsed token account, None if it does not exist; CannotBuild if it is another's."""
        answer = self._call("getAccountInfo", [account, {"encoding": "jsonParsed", **COMMITMENT}])
        value = answer.get("value") if isinstance(answer, dict) else None
        if value is None:
            return None
        info = ((value.get("data") or {}).get("parsed") or {}).get("info") if isinstance(value.get("data"), dict) \
            else None
        if not isinstance(info, dict) or info.get("mint") != mint or info.get("owner") != owner:
            raise CannotBuild(f"{account} is not {owner}'s token account for {mint}")
        return info

    def build(self, request: BuildRequest) -> list[UnsignedTx]:
        """One transaction from the deposit address (fee payer and signer) to the destination."""
        owner, dest = request.deposit_address, request.destination
        key(owner), key(dest)
        fields: dict[str, Any] = {"fee_payer": owner}
        instructions: list[Instruction]
        if request.asset in NATIVE_NAMES:
            instructions = [system_transfer(owner, dest, request.amount_base)]
            asset = "native"
        else:
            mint = str(request.asset)
            program = str(request.policy.get("token_program", TOKEN_PROGRAM))
            source = associated_token_account(owner, mint, program)
            target = associated_token_account(dest, mint, program)
            held = self._token_account(source, mint, owner)
            if held is None:
                raise CannotBuild(f"{owner} has no token account for {mint} ({source})")
            balance = int((held.get("tokenAmount") or {}).get("amount", 0))
            if balance < request.amount_base:
                raise CannotBuild(f"{source} holds {balance} of {mint}, the recovery moves {request.amount_base}")
            decimals = (held.get("tokenAmount") or {}).get("decimals")
            if decimals is not None and int(decimals) != request.decimals:
                raise CannotBuild(f"{mint} has {decimals} decimals, the case says {request.decimals}")
            instructions = []
            create = self._token_account(target, mint, dest) is None
            if create:
                instructions.append(create_ata_idempotent(owner, target, dest, mint, program))
            instructions.append(transfer_checked(source, mint, target, owner, request.amount_base,
                                                 request.decimals, program))
            fields.update(source_token_account=source, destination_token_account=target,
                          creates_destination_account=create, token_program=program)
            asset = mint
        latest = self._call("getLatestBlockhash", [COMMITMENT])
        value = latest["value"]
        message = compile_message(owner, instructions, value["blockhash"])
        fields.update(recentBlockhash=value["blockhash"], lastValidBlockHeight=int(value["lastValidBlockHeight"]),
                      context_slot=(latest.get("context") or {}).get("slot"),
                      header=list(message.header), accountKeys=list(message.account_keys),
                      instructions=[{"programIdIndex": p, "accounts": list(a), "data": b58encode(d)}
                                    for p, a, d in message.instructions],
                      transaction_base64=base64.b64encode(unsigned_transaction(message)).decode())
        return [UnsignedTx(purpose="recovery", network=self.network.id, from_address=owner, to_address=dest,
                           asset=asset, amount_base=request.amount_base,
                           unsigned_tx=base64.b64encode(message.serialize()).decode(), fields=fields,
                           expires=str(value["lastValidBlockHeight"]))]

    def check_signed(self, prepared: UnsignedTx, signed: str) -> str:
        """The signature (the transaction id) of a signed wire transaction (base64) whose message is
        the prepared one and whose signatures verify, the deposit address's among them."""
        try:
            signatures, message_bytes = parse_transaction(base64.b64decode(signed.strip(), validate=True))
            got = parse_message(message_bytes)
        except ValueError as exc:
            raise SignedMismatch("transaction", "a base64 legacy Solana transaction", f"unreadable ({exc})") from None
        want_bytes = base64.b64decode(prepared.unsigned_tx)
        if message_bytes != want_bytes:
            want = parse_message(want_bytes)
            for name in ("header", "account_keys", "recent_blockhash"):
                if getattr(want, name) != getattr(got, name):
                    raise SignedMismatch(name, getattr(want, name), getattr(got, name))
            for n, (a, b) in enumerate(zip(want.instructions, got.instructions, strict=False)):
                if a != b:
                    raise SignedMismatch(f"instructions[{n}]", a, b)
            raise SignedMismatch("instructions", len(want.instructions), len(got.instructions))
        signers = got.signers()
        if len(signatures) != len(signers):
            raise SignedMismatch("signatures", len(signers), len(signatures))
        for signer, sig in zip(signers, signatures, strict=True):
            if not verify(key(signer), message_bytes, sig):
                raise SignedMismatch("signature", f"a valid signature of {signer}", b58encode(sig))
        if prepared.from_address not in signers:
            raise SignedMismatch("signature", f"signed by {prepared.from_address}", ", ".join(signers))
        return b58encode(signatures[0])

    def broadcast(self, signed: str) -> str:
        """`sendTransaction` (base64); the signature."""
        return str(self._call("sendTransaction", [signed.strip(), {"encoding": "base64"}]))

    def signed_by_hash(self, tx_hash: str) -> str | None:
        """The wire transaction (base64) the node holds under this signature."""
        try:
            answer = self._call("getTransaction", [tx_hash, {"encoding": "base64", "commitment": "confirmed",
                                                            "maxSupportedTransactionVersion": 0}])
        except TxNotFound:
            return None
        if not isinstance(answer, dict):
            return None
        tx = answer.get("transaction")
        return str(tx[0]) if isinstance(tx, list) and tx else None


def builder(network: Network, endpoints: Sequence[str], *, timeout: float = 20.0) -> SolanaBuilder:
    """The builder of a Solana network over its endpoints (priority order)."""
    return SolanaBuilder(network, endpoints, timeout=timeout)
