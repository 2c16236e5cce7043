"""What every transaction builder returns and how a signed transaction is held against it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson

Purpose = Literal["top_up", "recovery"]


class NoBuilder(Exception):
    """The network's family has no transaction builder: the case goes on with `execute --recovery-tx`."""


class SignedMismatch(Exception):
    """A signed transaction is not the prepared one; `field` names the first field that differs."""

    def __init__(self, field_name: str, prepared: object, signed: object) -> None:
        super().__init__(f"{field_name} differs: prepared {prepared!r}, signed {signed!r}")
        self.field = field_name


@dataclass(frozen=True)
class BuildRequest:
    """Everything a builder needs from the case; amounts are integer base units."""

    network: str                      # network id, as in chains/networks.toml
    deposit_address: str              # the address that holds the coins (the signer)
    destination: str                  # hot wallet or the user's payout address, already allowed
    asset: str | None                 # token contract / mint / policy.asset; None for the native coin
    amount_base: int                  # what the recovery moves (the deposit's amount)
    decimals: int
    deposit_tx: str                   # the deposit's transaction hash (UTXO builders spend its outputs)
    outputs: tuple[tuple[str, int, int], ...] = ()   # UTXO: (txid, vout, value) to spend
    policy: dict[str, Any] = field(default_factory=dict)  # fee limits and the like, from the fee policy


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


def digest(transactions: list[UnsignedTx]) -> str:
    """The prepared recovery's digest: SHA-256 over the unsigned payloads in signing order."""
    h = hashlib.sha256()
    for tx in transactions:
        h.update(orjson.dumps([tx.purpose, tx.network, tx.unsigned_tx]))
    return h.hexdigest()


class Builder(Protocol):
    """A family's builder: `build` asks the node for nonce, fees and inputs; `check_signed` compares."""

    def build(self, request: BuildRequest) -> list[UnsignedTx]: ...

    def check_signed(self, prepared: UnsignedTx, signed: str) -> str:
        """Return the signed transaction's hash; raise SignedMismatch naming the field that differs."""
        ...
