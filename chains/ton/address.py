"""TON addresses: raw `workchain:hex` and user-friendly base64 (36 bytes: flags, workchain, 32-byte
account id, CRC16-XMODEM), in its bounceable (`EQ...`) and non-bounceable (`UQ...`) forms.

Every form of one account normalises to the raw `0:<64 lower-case hex>` key, so a deposit address
imported as `UQ...` matches the `0:...` the API writes and the `EQ...` an explorer shows."""

from __future__ import annotations

import base64
import binascii
import re

BOUNCEABLE = 0x11
NON_BOUNCEABLE = 0x51
TESTNET = 0x80
_RAW = re.compile(r"(-?\d+):([0-9a-fA-F]{64})")


def crc16(data: bytes) -> int:
    """CRC16-XMODEM (polynomial 0x1021, initial 0), as user-friendly addresses use."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def parse(address: str) -> tuple[int, bytes, bool] | None:
    """(workchain, account id, testnet flag) of a raw or user-friendly address; None when invalid."""
    value = address.strip()
    raw = _RAW.fullmatch(value)
    if raw:
        return int(raw.group(1)), bytes.fromhex(raw.group(2)), False
    if len(value) != 48:
        return None
    try:
        data = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(data) != 36 or int.from_bytes(data[34:], "big") != crc16(data[:34]):
        return None
    tag = data[0]
    if tag & ~TESTNET not in (BOUNCEABLE, NON_BOUNCEABLE):
        return None
    workchain = data[1] - 256 if data[1] > 127 else data[1]
    return workchain, data[2:34], bool(tag & TESTNET)


def is_valid(address: str) -> bool:
    """A mainnet address of the basechain (0) or masterchain (-1), in any form."""
    parsed = parse(address)
    return parsed is not None and not parsed[2] and parsed[0] in (0, -1)


def normalize(address: str) -> str:
    """`workchain:hex` (lower case) for any valid form; anything else unchanged."""
    parsed = parse(address)
    if parsed is None or parsed[2]:
        return address.strip()
    return f"{parsed[0]}:{parsed[1].hex()}"


def display(address: str, bounceable: bool = True) -> str:
    """The user-friendly url-safe form (`EQ...` bounceable, `UQ...` non-bounceable)."""
    parsed = parse(address)
    if parsed is None:
        raise ValueError(f"{address!r} is not a TON address")
    workchain, account, testnet = parsed
    tag = (BOUNCEABLE if bounceable else NON_BOUNCEABLE) | (TESTNET if testnet else 0)
    body = bytes([tag, workchain & 0xFF]) + account
    return base64.urlsafe_b64encode(body + crc16(body).to_bytes(2, "big")).decode()
