"""Cosmos SDK chains (Cosmos Hub): the LCD REST adapter and the bech32 address codec."""

from chains.cosmos.adapter import CosmosAdapter

__all__ = ["CosmosAdapter"]
