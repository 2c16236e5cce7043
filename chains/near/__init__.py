"""NEAR Protocol: the JSON-RPC adapter and the account-id codec."""
