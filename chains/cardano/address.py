"""Cardano addresses. Shelley: bech32 (no 90-character limit), human part `addr` on mainnet (`stake` for
reward accounts), the header byte's low nibble the network id (1 = mainnet). Byron: base58 of the CBOR
`[tag 24 (bytes payload), crc32(payload)]`, e.g. `Ae2…` and `DdzFF…`. Pure functions, no network."""

from __future__ import annotations

import zlib

from chains.base58 import b58decode

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
MAINNET = 1
SHELLEY_HRPS = ("addr", "stake")


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_decode(text: str) -> tuple[str, bytes]:
    """(human part, payload bytes) of a bech32 string of any length; ValueError if it is not one."""
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixed case")
    value = text.lower()
    pos = value.rfind("1")
    if pos < 1 or len(value) - pos < 8:
        raise ValueError("no bech32 separator")
    hrp = value[:pos]
    try:
        data = [CHARSET.index(c) for c in value[pos + 1:]]
    except ValueError:
        raise ValueError("character outside the bech32 alphabet") from None
    if _polymod(_hrp_expand(hrp) + data) != 1:
        raise ValueError("bad bech32 checksum")
    acc = bits = 0
    out = bytearray()
    for d in data[:-6]:
        acc, bits = (acc << 5) | d, bits + 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or acc & ((1 << bits) - 1):   # leftover bits must be zero padding
        raise ValueError("bad bech32 padding")
    return hrp, bytes(out)


def _cbor_head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, next position) of the CBOR item head at `pos`."""
    first = data[pos]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, pos + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or pos + 1 + size > len(data):
        raise ValueError("unsupported CBOR head")
    return major, int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


def byron_payload(text: str) -> bytes:
    """The CBOR payload of a Byron address after checking its CRC32; ValueError if it is not one."""
    try:
        raw = b58decode(text)
        major, count, pos = _cbor_head(raw, 0)
        if (major, count) != (4, 2):
            raise ValueError("not a two-element array")
        major, tag, pos = _cbor_head(raw, pos)
        if (major, tag) != (6, 24):
            raise ValueError("not tag 24")
        major, length, pos = _cbor_head(raw, pos)
        if major != 2:
            raise ValueError("payload is not bytes")
        payload, pos = raw[pos:pos + length], pos + length
        major, crc, pos = _cbor_head(raw, pos)
    except (IndexError, KeyError, ValueError) as exc:
        raise ValueError(f"not a Byron address ({exc})") from None
    if major != 0 or pos != len(raw) or zlib.crc32(payload) != crc:
        raise ValueError("bad Byron address checksum")
    return payload


def network_id(text: str) -> int | None:
    """The network id of a Shelley address (None for Byron, whose network lives in its attributes)."""
    hrp, payload = bech32_decode(text)
    if hrp not in SHELLEY_HRPS and not hrp.endswith("_test"):
        raise ValueError(f"human part {hrp!r} is not an address")
    if not payload:
        raise ValueError("empty address")
    return payload[0] & 0x0F


def is_valid(text: str) -> bool:
    """Whether the text is a mainnet Shelley address or a well-formed Byron address."""
    value = text.strip()
    try:
        if value[:4].lower() in ("addr", "stak"):
            return network_id(value) == MAINNET and bech32_decode(value)[0] in SHELLEY_HRPS
        byron_payload(value)
        return True
    except (ValueError, IndexError):
        return False


def normalize(text: str) -> str:
    """Shelley addresses lower-cased (bech32 is case-insensitive); Byron base58 kept as written."""
    value = text.strip()
    return value.lower() if value[:4].lower() in ("addr", "stak") else value


def display(text: str) -> str:
    """A short form for tables."""
    value = normalize(text)
    return f"{value[:12]}…{value[-6:]}" if len(value) > 24 else value
