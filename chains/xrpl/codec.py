"""XRP Ledger classic addresses: base58 with the ripple alphabet and a 4-byte double-SHA256 checksum."""

from __future__ import annotations

import hashlib

ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
ACCOUNT_VERSION = 0x00


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def encode_account(account_id: bytes) -> str:
    """A 20-byte account id -> its classic address (r...)."""
    if len(account_id) != 20:
        raise ValueError("an XRPL account id is 20 bytes")
    raw = bytes([ACCOUNT_VERSION]) + account_id
    raw += _checksum(raw)
    number = int.from_bytes(raw, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(ALPHABET[rem])
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return ALPHABET[0] * pad + "".join(reversed(out))


def decode_account(address: str) -> bytes:
    """The 20-byte account id of a classic address; ValueError if the form or checksum is wrong."""
    number = 0
    for char in address:
        if char not in _INDEX:
            raise ValueError(f"{char!r} is not in the XRPL base58 alphabet")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(address) - len(address.lstrip(ALPHABET[0]))
    raw = b"\0" * pad + body
    if len(raw) != 25 or raw[0] != ACCOUNT_VERSION:
        raise ValueError(f"{address!r} is not an XRPL classic address")
    if _checksum(raw[:-4]) != raw[-4:]:
        raise ValueError(f"{address!r} fails its checksum")
    return raw[1:21]


def is_valid(address: str) -> bool:
    """Whether the text is a classic address with a good checksum."""
    try:
        decode_account(address.strip())
    except ValueError:
        return False
    return True


def normalize(address: str) -> str:
    """The canonical form: classic addresses are case-sensitive and have one spelling, so stripped text."""
    return address.strip()


def display(address: str) -> str:
    """The address as people read it (unchanged: the classic form is already the display form)."""
    return normalize(address)
