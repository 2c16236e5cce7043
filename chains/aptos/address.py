"""Aptos account addresses: `0x` + 32 bytes hex; short forms (`0x1`, special addresses) are padded
with zeros. Coin types are `ADDRESS::module::Name` (APT is `0x1::aptos_coin::AptosCoin`); fungible-asset
metadata objects are addresses. Pure functions, no network."""

from __future__ import annotations

import re

_HEX = re.compile(r"0x([0-9a-fA-F]{1,64})")
APT_COIN = "0x1::aptos_coin::AptosCoin"


def normalize(address: str) -> str:
    """`0x` + 64 lower-case hex digits (AIP-40 long form); other text trimmed, unchanged."""
    value = address.strip()
    match = _HEX.fullmatch(value)
    return "0x" + match.group(1).lower().rjust(64, "0") if match else value


def is_valid(address: str) -> bool:
    """Whether the text is an Aptos address (long or short hex form)."""
    return _HEX.fullmatch(address.strip()) is not None


def normalize_type(type_tag: str) -> str:
    """A coin type with every address in it padded (`0x1::aptos_coin::AptosCoin` -> long form)."""
    return re.sub(r"0x[0-9a-fA-F]{1,64}(?=::)", lambda m: normalize(m.group(0)), type_tag.strip())


def display(address: str) -> str:
    """A short form for tables."""
    value = normalize(address)
    return f"{value[:8]}…{value[-6:]}"
