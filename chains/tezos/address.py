"""Tezos addresses: base58check of a 3-byte prefix and a 20-byte key hash. tz1 (ed25519), tz2
(secp256k1), tz3 (p256), tz4 (bls) are implicit accounts, KT1 originated contracts. Operation hashes
are base58check of prefix 0x0574 and 32 bytes (`o…`). Pure functions, no network."""

from __future__ import annotations

from chains.base58 import b58check_decode, b58check_encode

PREFIXES = {
    "tz1": bytes.fromhex("06a19f"), "tz2": bytes.fromhex("06a1a1"), "tz3": bytes.fromhex("06a1a4"),
    "tz4": bytes.fromhex("06a1a6"), "KT1": bytes.fromhex("025a79"),
}
OPERATION = bytes.fromhex("0574")
# the binary form Michelson uses for an address: tag 00 + curve byte for implicit, 01 + hash + 00 for KT1
_CURVES = {0: "tz1", 1: "tz2", 2: "tz3", 3: "tz4"}


def decode(address: str) -> tuple[str, bytes]:
    """(kind, 20-byte hash) of a Tezos address; ValueError if it is not one."""
    value = address.strip()
    kind = value[:3]
    prefix = PREFIXES.get(kind)
    if prefix is None:
        raise ValueError(f"{address!r} is not a tz1/tz2/tz3/tz4/KT1 address")
    try:
        raw = b58check_decode(value)
    except (ValueError, KeyError):
        raise ValueError(f"{address!r} has a bad base58check checksum") from None
    if not raw.startswith(prefix) or len(raw) != len(prefix) + 20:
        raise ValueError(f"{address!r} is not a Tezos address")
    return kind, raw[len(prefix):]


def encode(kind: str, key_hash: bytes) -> str:
    """The address of a 20-byte key hash of a kind (tz1…KT1)."""
    return b58check_encode(PREFIXES[kind] + key_hash)


def from_bytes(data: bytes) -> str:
    """An address from its 22-byte Michelson binary form."""
    if len(data) == 22 and data[0] == 0 and data[1] in _CURVES:
        return encode(_CURVES[data[1]], data[2:])
    if len(data) == 22 and data[0] == 1 and data[21] == 0:
        return encode("KT1", data[1:21])
    raise ValueError("not a 22-byte Michelson address")


def is_valid(address: str) -> bool:
    """Whether the text is a Tezos address."""
    try:
        decode(address)
        return True
    except ValueError:
        return False


def is_contract(address: str) -> bool:
    """Whether the address is an originated contract (KT1)."""
    return address.strip().startswith("KT1") and is_valid(address)


def is_operation_hash(text: str) -> bool:
    """Whether the text is an operation-group hash (`o…`, 32 bytes)."""
    try:
        raw = b58check_decode(text.strip())
    except (ValueError, KeyError):
        return False
    return raw.startswith(OPERATION) and len(raw) == 34


def normalize(address: str) -> str:
    """Addresses are case-sensitive base58: only trimmed."""
    return address.strip()


def display(address: str) -> str:
    """A short form for tables."""
    value = normalize(address)
    return f"{value[:7]}…{value[-5:]}"
