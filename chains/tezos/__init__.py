"""Tezos: the TzKT adapter and the address codec."""
