"""Sui addresses and object ids: `0x` + 32 bytes hex; short forms (`0x2`) are padded with zeros.
Coin types are `ADDRESS::module::Name` (SUI is `0x2::sui::SUI`). Pure functions, no network."""

from __future__ import annotations

import re

_HEX = re.compile(r"(?:0x)?([0-9a-fA-F]{1,64})")
SUI_COIN = "0x2::sui::SUI"


def normalize(address: str) -> str:
    """`0x` + 64 lower-case hex digits; text that is not hex is returned trimmed, unchanged."""
    value = address.strip()
    match = _HEX.fullmatch(value)
    return "0x" + match.group(1).lower().rjust(64, "0") if match else value


def is_valid(address: str) -> bool:
    """Whether the text is a Sui address (full or short hex form)."""
    return _HEX.fullmatch(address.strip()) is not None and address.strip().startswith("0x")


def normalize_coin_type(coin_type: str) -> str:
    """A coin type with its package address padded (`0x2::sui::SUI` -> `0x00…02::sui::SUI`)."""
    parts = coin_type.strip().split("::", 1)
    if len(parts) != 2 or not is_valid(parts[0]):
        return coin_type.strip()
    return f"{normalize(parts[0])}::{parts[1]}"


def display(address: str) -> str:
    """A short form for tables."""
    value = normalize(address)
    return f"{value[:8]}…{value[-6:]}"
