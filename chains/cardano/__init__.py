"""Cardano: the Blockfrost adapter and the address codec (Shelley bech32, Byron base58)."""
