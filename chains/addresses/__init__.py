"""Pure address codecs per chain family (validate, normalise, display), one lookup: `codec(network)`.

The coin parameters the codecs read are the `address` table of each network's row in networks.toml.
A family whose codec lives beside its adapter (`chains/<family>/address.py`) gets `AdapterCodec`; one
with neither gets `RegexCodec` (the registry's `address_regex`, text as given).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from chains.addresses.base import AddressCodec, InvalidAddress

if TYPE_CHECKING:
    from chains.networks import Network

__all__ = ["AddressCodec", "InvalidAddress", "codec", "codecs"]


@cache
def codecs() -> dict[str, type[AddressCodec]]:
    """Family -> codec class; families absent here use AdapterCodec where they have an address module,
    else RegexCodec. Imported on first use: loading the registry (chains.addresses.params) needs none."""
    from chains.addresses.evm import EvmCodec
    from chains.addresses.solana import SolanaCodec
    from chains.addresses.tron import TronCodec
    from chains.addresses.utxo import UtxoCodec

    return {"evm": EvmCodec, "utxo": UtxoCodec, "tron": TronCodec, "solana": SolanaCodec}


@cache
def codec(network: Network) -> AddressCodec:
    """The address codec of a network (one instance per registry row)."""
    from chains.addresses.bridge import AdapterCodec, has_module
    from chains.addresses.generic import RegexCodec

    family = network.family
    if family in codecs():
        return codecs()[family](network)
    return AdapterCodec(network) if has_module(family) else RegexCodec(network)
