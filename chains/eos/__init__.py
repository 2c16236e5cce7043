"""EOS (Antelope): the chain API history adapter and the account-name codec."""

from chains.eos.adapter import EosAdapter

__all__ = ["EosAdapter"]
