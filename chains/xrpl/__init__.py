"""XRP Ledger: rippled JSON-RPC adapter and the classic-address codec."""
