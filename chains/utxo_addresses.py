"""Bitcoin-family address codecs (bech32/bech32m, CashAddr; base58check is chains.base58) and per-coin data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chains.base58 import b58check_encode

# -- per-coin data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoinParams:
    """What tells the coins apart: base58 version bytes, segwit hrp, CashAddr prefix, RPC verbosity."""

    p2pkh: bytes
    p2sh: bytes
    hrp: str | None = None            # bech32 segwit prefix, None where the coin has no segwit
    cashaddr: str | None = None       # CashAddr prefix, the coin's display form for P2PKH/P2SH
    #: `getrawtransaction` verbosity: a number (zcashd and old forks reject a JSON bool); 2 makes
    #: Bitcoin Core >= 25 add vin[].prevout and fee, and older Core nodes read any non-zero as verbose
    verbosity: int = 1


COINS: dict[str, CoinParams] = {
    "bitcoin": CoinParams(p2pkh=b"\x00", p2sh=b"\x05", hrp="bc", verbosity=2),
    "litecoin": CoinParams(p2pkh=b"\x30", p2sh=b"\x32", hrp="ltc"),
    "dogecoin": CoinParams(p2pkh=b"\x1e", p2sh=b"\x16"),
    "bitcoin-cash": CoinParams(p2pkh=b"\x00", p2sh=b"\x05", cashaddr="bitcoincash"),
    "dash": CoinParams(p2pkh=b"\x4c", p2sh=b"\x10"),
    "zcash": CoinParams(p2pkh=b"\x1c\xb8", p2sh=b"\x1c\xbd"),
}

SEGWIT_HRPS = tuple(sorted({c.hrp for c in COINS.values() if c.hrp}))

# -- bech32 / bech32m (BIP 173, BIP 350) ----------------------------------------------------------

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
    """(witness version, program) of a segwit address; ValueError if it is not one for `hrp`."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixed case")
    addr = address.lower()
    pos = addr.rfind("1")
    if addr[:pos] != hrp or len(addr) > 90 or len(addr) - pos < 8:
        raise ValueError("not a segwit address of this prefix")
    try:
        data = [BECH32_CHARSET.index(c) for c in addr[pos + 1:]]
    except ValueError:
        raise ValueError("character outside the bech32 alphabet") from None
    if not data[0] <= 16:
        raise ValueError("bad witness version")
    if _bech32_polymod(_hrp_expand(hrp) + data) != _BECH32_CONST.get(data[0], _BECH32M):
        raise ValueError("bad bech32 checksum")
    program = bytes(convertbits(data[1:-6], 5, 8, False))
    if not 2 <= len(program) <= 40 or (data[0] == 0 and len(program) not in (20, 32)):
        raise ValueError("bad witness program length")
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
    """(prefix, type, hash) of a CashAddr with or without its prefix; ValueError if not one."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixed case")
    addr = address.lower()
    prefix, _, body = addr.rpartition(":")
    prefix = prefix or default_prefix
    try:
        data = [BECH32_CHARSET.index(c) for c in body]
    except ValueError:
        raise ValueError("character outside the CashAddr alphabet") from None
    if len(data) < 9 or _cash_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 0:
        raise ValueError("bad CashAddr checksum")
    raw = bytes(convertbits(data[:-8], 5, 8, False))
    version, payload = raw[0], raw[1:]
    if version & 0x80 or len(payload) != _CASH_SIZES[version & 7]:
        raise ValueError("CashAddr version does not match its length")
    return prefix, version >> 3, payload


# -- scripts and normalisation ------------------------------------------------------------------


def script_address(script_hex: str, coin: CoinParams) -> str | None:
    """The address a standard output script pays to (P2PKH, P2SH, witness programs), else None."""
    try:
        s = bytes.fromhex(script_hex)
    except ValueError:
        return None
    if len(s) == 25 and s[:3] == b"\x76\xa9\x14" and s[23:] == b"\x88\xac":
        kind, digest = "p2pkh", s[3:23]
    elif len(s) == 23 and s[:2] == b"\xa9\x14" and s[22] == 0x87:
        kind, digest = "p2sh", s[2:22]
    elif coin.hrp and 4 <= len(s) <= 42 and (s[0] == 0 or 0x51 <= s[0] <= 0x60) and s[1] == len(s) - 2:
        version = 0 if s[0] == 0 else s[0] - 0x50
        if version == 0 and len(s) not in (22, 34):
            return None
        return segwit_encode(coin.hrp, version, s[2:])
    else:
        return None
    if coin.cashaddr:
        return cashaddr_encode(coin.cashaddr, 0 if kind == "p2pkh" else 1, digest)
    return b58check_encode((coin.p2pkh if kind == "p2pkh" else coin.p2sh) + digest)


# CashAddr prefix -> the base58 version bytes of the same key on the legacy format
_CASH_LEGACY = {c.cashaddr: c for c in COINS.values() if c.cashaddr}


def normalize(address: str) -> str:
    """The form to compare addresses in: bech32 lower-cased, a 160-bit CashAddr as its legacy base58
    address (same hash and type), anything else (legacy base58 is case-sensitive) as given."""
    addr = address.strip()
    low = addr.lower()
    if addr not in (low, addr.upper()):
        return addr
    for hrp in SEGWIT_HRPS:
        if low.startswith(hrp + "1"):
            try:
                segwit_decode(hrp, low)
            except ValueError:
                continue
            return low
    try:
        prefix, kind, digest = cashaddr_decode(low)
    except (ValueError, IndexError):
        return addr
    coin = _CASH_LEGACY.get(prefix)
    if coin is None or kind not in CASH_TYPES:
        return addr
    if len(digest) != 20:                     # P2SH-32 has no legacy form: the CashAddr is canonical
        return f"{prefix}:{low.rpartition(':')[2]}"
    version = coin.p2pkh if CASH_TYPES[kind][0] == "p2pkh" else coin.p2sh
    return b58check_encode(version + digest)
