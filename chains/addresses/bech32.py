"""Bech32 / bech32m segwit addresses (BIP 173, BIP 350) and CashAddr (the Bitcoin Cash variant)."""

from __future__ import annotations

from collections.abc import Iterable

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = {0: 1}          # witness v0 uses bech32, v1+ bech32m
_BECH32M = 0x2BC830A3


def _bech32_polymod(values: Iterable[int]) -> int:
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


def convertbits(data: Iterable[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    """Regroup a bit string (8-bit bytes to 5-bit groups and back); ValueError on bad padding."""
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise ValueError("value out of range")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        raise ValueError("invalid padding")
    return out


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    """The bech32 (v0) or bech32m (v1+) address of a witness program."""
    data = [version] + convertbits(program, 8, 5, True)
    const = _BECH32_CONST.get(version, _BECH32M)
    poly = _bech32_polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def segwit_decode(hrp: str, address: str) -> tuple[int, bytes]:
    """(witness version, program) of a segwit address; ValueError saying why if it is not one for `hrp`."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixed upper and lower case (bech32 is one or the other)")
    addr = address.lower()
    pos = addr.rfind("1")
    if addr[:pos] != hrp:
        raise ValueError(f"not a segwit address of prefix {hrp!r}")
    if len(addr) > 90 or len(addr) - pos < 8:
        raise ValueError("wrong length for a segwit address")
    try:
        data = [BECH32_CHARSET.index(c) for c in addr[pos + 1:]]
    except ValueError:
        raise ValueError("a character outside the bech32 alphabet") from None
    if not data[0] <= 16:
        raise ValueError(f"witness version {data[0]} is above 16")
    if _bech32_polymod(_hrp_expand(hrp) + data) != _BECH32_CONST.get(data[0], _BECH32M):
        kind = "bech32" if data[0] == 0 else "bech32m"
        raise ValueError(f"fails its {kind} checksum (witness v{data[0]} uses {kind})")
    try:
        program = bytes(convertbits(data[1:-6], 5, 8, False))
    except ValueError:
        raise ValueError("bad padding in the witness program") from None
    if not 2 <= len(program) <= 40 or (data[0] == 0 and len(program) not in (20, 32)):
        raise ValueError(f"a witness v{data[0]} program of {len(program)} bytes")
    return data[0], program


# -- CashAddr (bitcoincash.org spec/cashaddr.md) --------------------------------------------------

_CASH_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
#: CashAddr type -> (legacy kind, token-aware); types 2 and 3 are the CashTokens forms of 0 and 1
CASH_TYPES = {0: ("p2pkh", False), 1: ("p2sh", False), 2: ("p2pkh", True), 3: ("p2sh", True)}
_CASH_SIZES = (20, 24, 28, 32, 40, 48, 56, 64)


def _cash_polymod(values: Iterable[int]) -> int:
    c = 1
    for d in values:
        top = c >> 35
        c = ((c & 0x07FFFFFFFF) << 5) ^ d
        for i in range(5):
            if (top >> i) & 1:
                c ^= _CASH_GEN[i]
    return c ^ 1


def cashaddr_encode(prefix: str, kind: int, payload: bytes) -> str:
    """The CashAddr of a hash: `kind` is the type (0 P2PKH, 1 P2SH), the size is taken from the hash."""
    version = (kind << 3) | _CASH_SIZES.index(len(payload))
    data = convertbits(bytes([version]) + payload, 8, 5, True)
    poly = _cash_polymod([ord(c) & 31 for c in prefix] + [0] + data + [0] * 8)
    checksum = [(poly >> 5 * (7 - i)) & 31 for i in range(8)]
    return prefix + ":" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def cashaddr_decode(address: str, default_prefix: str = "bitcoincash") -> tuple[str, int, bytes]:
    """(prefix, type, hash) of a CashAddr with or without its prefix; ValueError saying why if not one."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixed upper and lower case (CashAddr is one or the other)")
    addr = address.lower()
    prefix, _, body = addr.rpartition(":")
    prefix = prefix or default_prefix
    try:
        data = [BECH32_CHARSET.index(c) for c in body]
    except ValueError:
        raise ValueError("a character outside the CashAddr alphabet") from None
    if len(data) < 9 or _cash_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 0:
        raise ValueError("fails its CashAddr checksum")
    try:
        raw = bytes(convertbits(data[:-8], 5, 8, False))
    except ValueError:
        raise ValueError("bad padding in the CashAddr payload") from None
    if not raw:
        raise ValueError("an empty CashAddr payload")
    version, payload = raw[0], raw[1:]
    if version & 0x80 or len(payload) != _CASH_SIZES[version & 7]:
        raise ValueError("CashAddr version does not match its length")
    return prefix, version >> 3, payload
