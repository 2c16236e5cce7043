"""Moved to `chains.addresses.utxo` (and `chains.addresses.bech32`); kept for the code that imports it here."""

from chains.addresses.bech32 import (
    BECH32_CHARSET,
    CASH_TYPES,
    cashaddr_decode,
    cashaddr_encode,
    convertbits,
    segwit_decode,
    segwit_encode,
)
from chains.addresses.utxo import COINS, CoinParams, coin_params, script_address

__all__ = [
    "BECH32_CHARSET", "CASH_TYPES", "COINS", "CoinParams", "cashaddr_decode", "cashaddr_encode", "coin_params",
    "convertbits", "script_address", "segwit_decode", "segwit_encode",
]
