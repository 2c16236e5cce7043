"""Stellar: Horizon adapter, the StrKey address codec and a reader for transaction envelopes."""
