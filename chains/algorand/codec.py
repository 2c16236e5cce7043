"""Algorand addresses: base32 (no padding) of the 32-byte public key and a 4-byte checksum, the last four
bytes of its SHA-512/256."""

from __future__ import annotations

import base64
import hashlib


def _checksum(key: bytes) -> bytes:
    return hashlib.new("sha512_256", key).digest()[-4:]


def encode(key: bytes) -> str:
    """The 58-character address of a 32-byte public key."""
    if len(key) != 32:
        raise ValueError("an Algorand public key is 32 bytes")
    return base64.b32encode(key + _checksum(key)).decode().rstrip("=")


def decode(address: str) -> bytes:
    """The public key of an address; ValueError on a wrong form or checksum."""
    value = address.strip()
    if len(value) != 58 or value != value.upper():
        raise ValueError(f"{address!r} is not an Algorand address")
    try:
        raw = base64.b32decode(value + "======")
    except ValueError:
        raise ValueError(f"{address!r} is not base32") from None
    key, check = raw[:32], raw[32:]
    if _checksum(key) != check or encode(key) != value:
        raise ValueError(f"{address!r} fails its checksum")
    return key


def is_valid(address: str) -> bool:
    """Whether the text is an address with a good checksum."""
    try:
        decode(address)
    except ValueError:
        return False
    return True


def normalize(address: str) -> str:
    """The canonical form (addresses are upper-case base32)."""
    return address.strip().upper()


def display(address: str) -> str:
    """The address as people read it."""
    return normalize(address)
