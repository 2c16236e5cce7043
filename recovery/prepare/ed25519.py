"""Ed25519 as Solana needs it here, no key in sight: whether 32 bytes are a curve point (program
derived addresses are the ones that are not) and signature verification (RFC 8032, section 5.1.7)."""

from __future__ import annotations

import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
_Point = tuple[int, int, int, int]        # extended coordinates (X, Y, Z, T)


def _recover_x(y: int, sign: int) -> int | None:
    """The x of a point with this y (None where there is none), as curve25519-dalek decompresses:
    y is read modulo p, and x = 0 with the sign bit set is let through."""
    y2 = y * y % P
    x2 = (y2 - 1) * pow(D * y2 + 1, P - 2, P) % P
    if x2 == 0:
        return 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    return P - x if x & 1 != sign else x


def decompress(data: bytes) -> _Point | None:
    """The point 32 bytes encode, None if they encode none."""
    if len(data) != 32:
        return None
    value = int.from_bytes(data, "little")
    y, sign = (value & ((1 << 255) - 1)) % P, value >> 255
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def on_curve(data: bytes) -> bool:
    """Whether 32 bytes are a point of the curve (what a program derived address must not be)."""
    return decompress(data) is not None


def _add(a: _Point, b: _Point) -> _Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa, bb = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    cc, dd = t1 * 2 * D * t2 % P, z1 * 2 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k: int, point: _Point) -> _Point:
    out: _Point = (0, 1, 1, 0)
    while k:
        if k & 1:
            out = _add(out, point)
        point = _add(point, point)
        k >>= 1
    return out


def _same(a: _Point, b: _Point) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


_BY = 4 * pow(5, P - 2, P) % P
_BASE: _Point = (_recover_x(_BY, 0) or 0, _BY, 1, (_recover_x(_BY, 0) or 0) * _BY % P)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is the holder of `public_key`'s signature over `message`."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a, r = decompress(public_key), decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    return _same(_mul(s, _BASE), _add(r, _mul(k, a)))
