"""Algorand: indexer adapter and the address codec."""
