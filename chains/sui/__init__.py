"""Sui: the JSON-RPC adapter and the address / coin-type codec."""
