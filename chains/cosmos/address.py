"""Cosmos SDK account addresses: bech32 (BIP-173) with the chain's human-readable part (`cosmos1...`)."""

from __future__ import annotations

import re

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_HRP_IN_REGEX = re.compile(r"\^?\(?([a-z]+)1")


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= _GEN[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(data: list[int], from_bits: int, to_bits: int, pad: bool) -> bytes | None:
    acc = bits = 0
    out = bytearray()
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (to_bits - bits)) & maxv)
    elif not pad and (bits >= from_bits or (acc << (to_bits - bits)) & maxv):
        return None
    return bytes(out)


def bech32_decode(address: str) -> tuple[str, bytes] | None:
    """(hrp, payload bytes) of a valid bech32 string, or None (bad checksum, mixed case, bad character)."""
    if address.lower() != address and address.upper() != address:
        return None
    value = address.lower()
    pos = value.rfind("1")
    if pos < 1 or pos + 7 > len(value) or len(value) > 90:
        return None
    hrp = value[:pos]
    data = [CHARSET.find(c) for c in value[pos + 1:]]
    if -1 in data or _polymod(_hrp_expand(hrp) + data) != 1:
        return None
    payload = _convert(data[:-6], 5, 8, False)
    return None if payload is None else (hrp, payload)


def bech32_encode(hrp: str, payload: bytes) -> str:
    """The bech32 string of a payload under a human-readable part."""
    data = list(_convert(list(payload), 8, 5, True) or b"")
    poly = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def hrp_of(address_regex: str) -> str:
    """The human-readable part a network's address regex starts with (`^cosmos1...` -> `cosmos`)."""
    match = _HRP_IN_REGEX.match(address_regex)
    if not match:
        raise ValueError(f"cannot read a bech32 prefix from {address_regex!r}")
    return match.group(1)


def is_valid(address: str, hrp: str) -> bool:
    """A valid account address of this prefix: bech32 checksum, 20-byte (key) or 32-byte (module) payload."""
    decoded = bech32_decode(address.strip())
    return decoded is not None and decoded[0] == hrp and len(decoded[1]) in (20, 32)


def normalize(address: str, hrp: str) -> str:
    """The lower-case form of a valid address (bech32 is case-insensitive); anything else unchanged."""
    value = address.strip()
    return value.lower() if is_valid(value, hrp) else value


def display(address: str) -> str:
    """The form people read and explorers link: lower case."""
    return address.strip().lower()
