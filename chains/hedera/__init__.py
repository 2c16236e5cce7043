"""Hedera: mirror node REST adapter and the entity / transaction id codec."""
