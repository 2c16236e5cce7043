"""Polkadot: the Substrate API Sidecar adapter and the SS58 address codec."""
