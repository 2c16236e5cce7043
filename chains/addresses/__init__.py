"""Pure address codecs per chain family (validate, normalise, display), one lookup: `codec(network)`.

The coin parameters the codecs read are the `address` table of each network's row in networks.toml.
A family without a codec here uses the codec beside its adapter (`AdapterCodec`) or, without an adapter,
`RegexCodec` (the registry's `address_regex`, text as given).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from chains.addresses.base import AddressCodec, InvalidAddress
from chains.addresses.evm import EvmCodec
from chains.addresses.generic import AdapterCodec, RegexCodec
from chains.addresses.solana import SolanaCodec
from chains.addresses.tron import TronCodec
from chains.addresses.utxo import UtxoCodec

if TYPE_CHECKING:
    from chains.networks import Network

__all__ = ["AddressCodec", "InvalidAddress", "codec", "CODECS"]

#: family -> codec class; families absent here use RegexCodec
CODECS: dict[str, type[AddressCodec]] = {
    "evm": EvmCodec,
    "utxo": UtxoCodec,
    "tron": TronCodec,
    "solana": SolanaCodec,
}


@cache
def codec(network: Network) -> AddressCodec:
    """The address codec of a network (one instance per registry row): the family's own, else the one
    beside its adapter, else the registry's regex."""
    from chains.registry import ADAPTERS

    fallback = AdapterCodec if network.family in ADAPTERS else RegexCodec
    return CODECS.get(network.family, fallback)(network)
