"""SS58 addresses (Substrate): base58 of prefix + 32-byte public key + 2 checksum bytes, the checksum
being blake2b-512("SS58PRE" + prefix + key). Polkadot's prefix is 0, Kusama's 2, generic Substrate 42.
One key has one address per prefix: comparisons go by the key. Pure functions, no network."""

from __future__ import annotations

import hashlib
import re

from chains.base58 import b58decode, b58encode

POLKADOT = 0
KUSAMA = 2
SUBSTRATE = 42
_HEX_KEY = re.compile(r"0x[0-9a-fA-F]{64}")


def _checksum(data: bytes) -> bytes:
    return hashlib.blake2b(b"SS58PRE" + data, digest_size=64).digest()[:2]


def _prefix_bytes(prefix: int) -> bytes:
    if prefix < 64:
        return bytes([prefix])
    if prefix < 16384:   # the two-byte form of the SS58 spec
        return bytes([((prefix & 0xFC) >> 2) | 0x40, (prefix >> 8) | ((prefix & 0x03) << 6)])
    raise ValueError(f"SS58 prefix {prefix} out of range")


def encode(public_key: bytes, prefix: int = POLKADOT) -> str:
    """The SS58 address of a 32-byte public key under a network prefix."""
    if len(public_key) != 32:
        raise ValueError("an SS58 account key has 32 bytes")
    body = _prefix_bytes(prefix) + public_key
    return b58encode(body + _checksum(body))


def decode(address: str) -> tuple[int, bytes]:
    """(network prefix, public key) of an SS58 address; ValueError if it is not one."""
    try:
        raw = b58decode(address.strip())
    except (ValueError, KeyError):
        raise ValueError(f"{address!r} is not base58") from None
    if len(raw) == 35:
        prefix, size = raw[0], 1
    elif len(raw) == 36 and raw[0] & 0x40:
        prefix, size = ((raw[0] & 0x3F) << 2) | (raw[1] >> 6) | ((raw[1] & 0x3F) << 8), 2
    else:
        raise ValueError(f"{address!r} is not an SS58 account address")
    if prefix > 63 and size == 1:
        raise ValueError(f"{address!r} has a reserved SS58 prefix")
    body, check = raw[:-2], raw[-2:]
    if _checksum(body) != check:
        raise ValueError(f"{address!r} has a bad SS58 checksum")
    return prefix, body[size:]


def public_key(address: str) -> bytes:
    """The account key of an SS58 address of any prefix, or of a 0x-hex key."""
    value = address.strip()
    if _HEX_KEY.fullmatch(value):
        return bytes.fromhex(value[2:])
    return decode(value)[1]


def is_valid(address: str, prefix: int = POLKADOT) -> bool:
    """Whether the text is an SS58 address of this network prefix."""
    try:
        return decode(address)[0] == prefix
    except ValueError:
        return False


def normalize(address: str) -> str:
    """The Polkadot (prefix 0) form of the key, whatever prefix the address came in; unchanged if it
    is not an address (so a malformed row is kept and reported, not silently rewritten)."""
    try:
        return encode(public_key(address), POLKADOT)
    except ValueError:
        return address.strip()


def display(address: str) -> str:
    """A short form for tables."""
    value = normalize(address)
    return f"{value[:6]}…{value[-6:]}"
