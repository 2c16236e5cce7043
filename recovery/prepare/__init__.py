"""Unsigned recovery transactions built from a case: one builder module per chain family.

The contract a family module follows (`recovery/prepare/<family>.py`, listed in `FAMILIES`):

- It exposes `builder(network, endpoints, *, timeout=20.0) -> Builder`: `network` is the resolved
  `chains.networks.Network`, `endpoints` the URLs `chains.endpoints.resolve_endpoints` gave for it
  (priority order; never printed unredacted). Creating the builder does not touch the network.
- `Builder` is the protocol of `recovery.prepare.model`: `build(BuildRequest)` asks the node (nonce, fees,
  balances, spendable outputs) and returns the `UnsignedTx` list in signing order (a `top_up` first where
  the deposit address lacks the fee coin, then the `recovery`); `check_signed(prepared, signed)` decodes a
  signed transaction, compares it field by field with the prepared one (raising `SignedMismatch(field,
  prepared, signed)` at the first difference, `signature` when the signer is not `from_address`) and
  returns its hash; `broadcast(signed)` sends it and returns the hash; `signed_by_hash(hash)` gives back
  the signed transaction a network holds, so that a hash recorded after the fact is checked the same way.
- `UnsignedTx.unsigned_tx` is exactly what a signer signs (hex, or the family's own encoding) and the
  digest of a prepared recovery is `model.digest()` over those payloads; `fields` is the same transaction
  as the node's JSON object. Amounts are integer base units, never floats.
- A node's refusal or a shortfall is `CannotBuild` (a `Refused`: exit 1, one line saying what is short);
  the chain errors of `chains.errors` (RpcUnavailable, WrongChain...) pass through as they are.

A family that is not listed, or whose module is not there yet, raises `NoBuilder`: the wallet team
builds the transaction elsewhere and the case goes on with `recovery case execute ID --recovery-tx HASH`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from typing import TYPE_CHECKING

from recovery.prepare.model import (
    Builder,
    BuildRequest,
    CannotBuild,
    NoBuilder,
    SignedMismatch,
    UnsignedTx,
    digest,
)

if TYPE_CHECKING:
    from chains.networks import Network

__all__ = ["FAMILIES", "Builder", "BuildRequest", "CannotBuild", "NoBuilder", "SignedMismatch", "UnsignedTx",
           "builder_for", "digest", "has_builder", "no_builder_message"]

#: chain family -> the module of its builder, imported on first use
FAMILIES: dict[str, str] = {
    "evm": "recovery.prepare.evm",
    "utxo": "recovery.prepare.utxo",
    "tron": "recovery.prepare.tron",
    "solana": "recovery.prepare.solana",
}


def has_builder(family: str) -> bool:
    """Whether the family has a builder module (checked without importing it)."""
    name = FAMILIES.get(family)
    return name is not None and find_spec(name) is not None


def no_builder_message(network: Network) -> str:
    """What the wallet team does on a network whose family has no builder."""
    return (f"{network.id} ({network.family}) has no transaction builder here: build and sign the recovery "
            "with the wallet's own tools, then record it with `recovery case execute ID --recovery-tx HASH` "
            "(checked on chain against the quote and the hot wallets)")


def builder_for(network: Network, *, rpc: str | None = None,
                config_rpc: Mapping[str, str | list[str]] | None = None,
                endpoints: Sequence[str] | None = None, timeout: float = 20.0) -> Builder:
    """The builder of the network's family on its endpoints (`endpoints`, else resolved from `--rpc`,
    env, config and registry as for verification); `NoBuilder` when the family has none."""
    if not has_builder(network.family):
        raise NoBuilder(no_builder_message(network))
    module = importlib.import_module(FAMILIES[network.family])
    if endpoints is None:
        from chains.endpoints import resolve_endpoints

        endpoints = resolve_endpoints(network, rpc, config_rpc).urls
    return module.builder(network, tuple(endpoints), timeout=timeout)  # type: ignore[no-any-return]
