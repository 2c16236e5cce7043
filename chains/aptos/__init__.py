"""Aptos: the REST adapter and the address codec."""
