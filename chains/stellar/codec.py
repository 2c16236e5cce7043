"""Stellar StrKey: base32 of a version byte, the key and a CRC16-XModem checksum (G... accounts, M... muxed)."""

from __future__ import annotations

import base64
import struct

ACCOUNT = 6 << 3     # 'G'
MUXED = 12 << 3      # 'M'


def crc16_xmodem(data: bytes) -> int:
    """CRC-16/XMODEM (poly 0x1021, init 0), as StrKey uses it."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def encode(version: int, payload: bytes) -> str:
    """StrKey text of a version byte and payload."""
    body = bytes([version]) + payload
    return base64.b32encode(body + struct.pack("<H", crc16_xmodem(body))).decode().rstrip("=")


def decode(text: str, version: int) -> bytes:
    """The payload of a StrKey of this version; ValueError on a wrong form, version or checksum."""
    value = text.strip()
    if not value or value != value.upper() or len(value) % 8 in (1, 3, 6):
        raise ValueError(f"{text!r} is not a Stellar StrKey")
    try:
        raw = base64.b32decode(value + "=" * (-len(value) % 8))
    except ValueError:
        raise ValueError(f"{text!r} is not base32") from None
    if encode(raw[0], raw[1:-2]) != value:     # non-canonical padding bits
        raise ValueError(f"{text!r} is not canonical StrKey")
    if raw[0] != version:
        raise ValueError(f"{text!r} is not of StrKey version {version >> 3}")
    if struct.unpack("<H", raw[-2:])[0] != crc16_xmodem(raw[:-2]):
        raise ValueError(f"{text!r} fails its checksum")
    return raw[1:-2]


def account(key: bytes) -> str:
    """The G... address of a 32-byte ed25519 public key."""
    return encode(ACCOUNT, key)


def muxed(key: bytes, mux_id: int) -> str:
    """The M... address of a key and a 64-bit id."""
    return encode(MUXED, key + struct.pack(">Q", mux_id))


def is_valid(address: str) -> bool:
    """Whether the text is a G... account with a good checksum."""
    try:
        return len(decode(address, ACCOUNT)) == 32
    except ValueError:
        return False


def normalize(address: str) -> str:
    """The canonical form: an M... muxed address is compared by the account it belongs to."""
    value = address.strip()
    if value.startswith("M"):
        try:
            return account(decode(value, MUXED)[:32])
        except ValueError:
            return value
    return value


def display(address: str) -> str:
    """The address as people read it."""
    return address.strip()
