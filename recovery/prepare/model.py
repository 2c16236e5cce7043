"""What every transaction builder returns and how a signed transaction is held against it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson

from recovery.errors import Refused

Purpose = Literal["top_up", "recovery"]


class NoBuilder(Refused):
    """The network's family has no transaction builder: the case goes on with `execute --recovery-tx`."""


class CannotBuild(Refused):
    """The node's state does not allow the recovery now (funds short, token balance short, node behind)."""


class SignedMismatch(Refused):
    """A signed transaction is not the prepared one; `field` names the first field that differs."""

    def __init__(self, field_name: str, prepared: object, signed: object) -> None:
        super().__init__(f"{field_name} differs: prepared {prepared!r}, signed {signed!r}")
        self.field = field_name
        self.prepared = prepared
        self.signed = signed


@dataclass(frozen=True)
class BuildRequest:
    """Everything a builder needs from the case; amounts are integer base units."""

    network: str                      # network id, as in chains/networks.toml
    deposit_address: str              # the address that holds the coins (the signer)
    destination: str                  # hot wallet or the user's payout address, already allowed
    asset: str | None                 # token contract / mint / policy.asset; None for the native coin
    amount_base: int                  # what the recovery moves at most (the quoted gross)
    decimals: int
    deposit_tx: str                   # the deposit's transaction hash (UTXO builders spend its outputs)
    outputs: tuple[tuple[str, int, int], ...] = ()   # UTXO: (txid, vout, value) to spend
    policy: dict[str, Any] = field(default_factory=dict)  # fee limits and the like, from the fee policy
    min_amount_base: int = 0          # what the recovery moves at least (the quoted net): a sweep that
    #                                   pays its own fee out of the amount must not fall below it
    funder: str | None = None         # who pays a top-up of the deposit address's fee coin (a hot wallet);
    #                                   None: no top-up, a deposit address short of fees cannot be built


@dataclass(frozen=True)
class UnsignedTx:
    """One transaction to sign; a prepared recovery is a list of them, in signing order."""

    purpose: Purpose
    network: str
    from_address: str
    to_address: str
    asset: str                        # symbol or contract; "native" for the coin itself
    amount_base: int
    unsigned_tx: str                  # exactly what a signer signs (hex, or the family's own encoding)
    fields: dict[str, Any]            # the same transaction as the node's JSON object
    expires: str | None = None        # ISO time or block height after which it cannot be broadcast

    def as_json(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "network": self.network, "from_address": self.from_address,
                "to_address": self.to_address, "asset": self.asset, "amount": str(self.amount_base),
                "unsigned_tx": self.unsigned_tx, "fields": self.fields, "expires": self.expires}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> UnsignedTx:
        """The transaction back from `as_json` (as stored in `prepared_txs.payload`)."""
        return cls(purpose=doc["purpose"], network=doc["network"], from_address=doc["from_address"],
                   to_address=doc["to_address"], asset=doc["asset"], amount_base=int(doc["amount"]),
                   unsigned_tx=doc["unsigned_tx"], fields=dict(doc["fields"]), expires=doc.get("expires"))


def digest(transactions: list[UnsignedTx]) -> str:
    """The prepared recovery's digest: SHA-256 over the unsigned payloads in signing order."""
    h = hashlib.sha256()
    for tx in transactions:
        h.update(orjson.dumps([tx.purpose, tx.network, tx.unsigned_tx]))
    return h.hexdigest()


class Builder(Protocol):
    """A family's builder on one network's endpoints (see `recovery.prepare` for the contract)."""

    def build(self, request: BuildRequest) -> list[UnsignedTx]:
        """The transactions of the recovery in signing order, from the node's state now (nonce, fees,
        balances, inputs); raises CannotBuild saying what is short."""
        ...

    def check_signed(self, prepared: UnsignedTx, signed: str) -> str:
        """Return the signed transaction's hash; raise SignedMismatch naming the field that differs
        (`signature` when it is not signed by `prepared.from_address`)."""
        ...

    def broadcast(self, signed: str) -> str:
        """Send the signed transaction to the network; returns its hash."""
        ...

    def signed_by_hash(self, tx_hash: str) -> str | None:
        """The signed transaction the network holds under this hash, in the form `check_signed` reads
        (None: the network does not know it)."""
        ...
