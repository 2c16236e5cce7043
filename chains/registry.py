"""The explicit family -> adapter table, and building an adapter for a network."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.util import find_spec
from typing import Any

from chains.base import Adapter
from chains.endpoints import resolve_endpoints
from chains.errors import RegistryError, UnsupportedNetwork
from chains.networks import Network, get_network, registry

# Adapter modules are imported only when a network of their family is used (web3 is slow to import).


def _evm() -> type[Adapter]:
    from chains.evm import EvmAdapter
    return EvmAdapter


def _utxo() -> type[Adapter]:
    from chains.utxo import UtxoAdapter
    return UtxoAdapter


def _tron() -> type[Adapter]:
    from chains.tron import TronAdapter
    return TronAdapter


def _solana() -> type[Adapter]:
    from chains.solana import SolanaAdapter
    return SolanaAdapter


def _cosmos() -> type[Adapter]:
    from chains.cosmos import CosmosAdapter
    return CosmosAdapter


def _ton() -> type[Adapter]:
    from chains.ton import TonAdapter
    return TonAdapter


def _eos() -> type[Adapter]:
    from chains.eos import EosAdapter
    return EosAdapter


def _tezos() -> type[Adapter]:
    from chains.tezos.adapter import TezosAdapter
    return TezosAdapter


def _polkadot() -> type[Adapter]:
    from chains.polkadot.adapter import PolkadotAdapter
    return PolkadotAdapter


def _cardano() -> type[Adapter]:
    from chains.cardano.adapter import CardanoAdapter
    return CardanoAdapter


def _near() -> type[Adapter]:
    from chains.near.adapter import NearAdapter
    return NearAdapter


def _aptos() -> type[Adapter]:
    from chains.aptos.adapter import AptosAdapter
    return AptosAdapter


def _sui() -> type[Adapter]:
    from chains.sui.adapter import SuiAdapter
    return SuiAdapter


def _xrpl() -> type[Adapter]:
    from chains.xrpl.adapter import XrplAdapter
    return XrplAdapter


def _stellar() -> type[Adapter]:
    from chains.stellar.adapter import StellarAdapter
    return StellarAdapter


def _algorand() -> type[Adapter]:
    from chains.algorand.adapter import AlgorandAdapter
    return AlgorandAdapter


def _hedera() -> type[Adapter]:
    from chains.hedera.adapter import HederaAdapter
    return HederaAdapter


ADAPTERS: dict[str, Callable[[], type[Adapter]]] = {
    "evm": _evm,
    "utxo": _utxo,
    "tron": _tron,
    "solana": _solana,
    "cosmos": _cosmos,
    "ton": _ton,
    "eos": _eos,
    "tezos": _tezos,
    "polkadot": _polkadot,
    "cardano": _cardano,
    "near": _near,
    "aptos": _aptos,
    "sui": _sui,
    "xrpl": _xrpl,
    "stellar": _stellar,
    "algorand": _algorand,
    "hedera": _hedera,
}

#: families whose adapter tests run on real recorded mainnet data (or a real node); `networks list` shows
#: a network ready only when its family is here. Add a family only with such tests.
TESTED_ON_REAL_DATA: frozenset[str] = frozenset({
    "evm", "utxo", "tron", "solana", "xrpl", "stellar", "algorand", "hedera", "cosmos", "ton", "eos",
    "tezos", "polkadot", "cardano", "near", "aptos", "sui",
})


def adapter_ready(family: str) -> bool:
    """Whether the family has an adapter whose module is present (checked without importing it)."""
    return family in ADAPTERS and find_spec(f"chains.{family}") is not None


def tested_on_real_data(family: str) -> bool:
    """Whether the family's adapter is tested on real recorded transactions."""
    return family in TESTED_ON_REAL_DATA


def adapter_class(network: Network) -> type[Adapter]:
    """The adapter class of a network's family, or `UnsupportedNetwork`."""
    loader = ADAPTERS.get(network.family)
    if loader is None:
        raise UnsupportedNetwork(
            f"network {network.id!r} ({network.family}) has no adapter yet; it cannot be verified here"
        )
    return loader()


def answer_limit(limits: Mapping[str, Any] | None, network: Network) -> int | None:
    """The config file's `[limits] max_answer_bytes` for a network: one number for every family, or a
    table by family or network id (`[limits.max_answer_bytes]` `evm = 33554432`); None: the family's
    default. A value that is not a positive integer is a configuration error naming the key."""
    value = (limits or {}).get("max_answer_bytes")
    if isinstance(value, Mapping):
        value = value.get(network.id, value.get(network.family))
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RegistryError(f"config [limits] max_answer_bytes for {network.id} must be a positive number "
                            f"of bytes, not {value!r}")
    return value


def get_adapter(
    network_id: str,
    *,
    rpc: str | None = None,
    config_rpc: Mapping[str, str | list[str]] | None = None,
    timeout: float = 20.0,
    limits: Mapping[str, Any] | None = None,
) -> Adapter:
    """An adapter for the network, on the endpoints that resolve for it; `limits` is the config
    file's `[limits]` table."""
    network = get_network(network_id)
    endpoints = resolve_endpoints(network, rpc, config_rpc)
    return adapter_class(network)(network, endpoints.urls, timeout=timeout,
                                  max_answer_bytes=answer_limit(limits, network))


def same_family(network: Network) -> list[Network]:
    """The other networks of the network's family, in registry order."""
    return [n for n in registry().values() if n.family == network.family and n.id != network.id]
