"""TON: the tonapi v2 adapter and the raw / user-friendly address codec."""

from chains.ton.adapter import TonAdapter

__all__ = ["TonAdapter"]
