"""Chain adapters: one family per module, the network registry and the RPC plumbing."""
