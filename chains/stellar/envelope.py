"""A reader for the parts of a Stellar transaction envelope (XDR) that verification needs: the signed
payload (to re-derive the transaction hash under a network passphrase), the memo and the operations that
move value to an address. Operations that move value in ways the envelope does not state (path payments
strict-send, account merges, Soroban calls) are reported as undecoded, never guessed."""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from chains.stellar import codec

NATIVE_ASSET = "native"
# operation type -> name, for operations that move no value to a destination account
_NO_TRANSFER = {3: "manage_sell_offer", 4: "create_passive_sell_offer", 5: "set_options", 6: "change_trust",
                9: "inflation", 10: "manage_data", 11: "bump_sequence", 12: "manage_buy_offer",
                16: "begin_sponsoring_future_reserves", 17: "end_sponsoring_future_reserves"}


class Undecoded(ValueError):
    """The envelope holds something this reader does not decode; the answer cannot be read in full."""


@dataclass(frozen=True)
class Payment:
    """One operation that credits a destination account."""

    source: str
    destination: str
    asset: str
    amount: int           # stroops (7 decimals)
    mux_id: int | None = None


@dataclass(frozen=True)
class Envelope:
    """What the envelope says, and the bytes its hash is taken over."""

    kind: int
    signed: bytes          # envelope type + transaction: hash = sha256(sha256(passphrase) + signed)
    source: str
    memo_type: str
    memo: str | None
    payments: tuple[Payment, ...]

    def hash_under(self, passphrase: str) -> str:
        """The transaction hash on the network with this passphrase."""
        return hashlib.sha256(hashlib.sha256(passphrase.encode()).digest() + self.signed).hexdigest()


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise Undecoded("the envelope ends early")
        out = self.data[self.pos:self.pos + n]
        self.pos += n + (-n % 4)
        return out

    def u32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def i64(self) -> int:
        return int(struct.unpack(">q", self.take(8))[0])

    def var(self, limit: int) -> bytes:
        n = self.u32()
        if n > limit:
            raise Undecoded(f"a field of {n} bytes where at most {limit} are allowed")
        return self.take(n)

    def account_id(self) -> str:
        if self.u32() != 0:
            raise Undecoded("a public key that is not ed25519")
        return codec.account(self.take(32))

    def muxed(self) -> tuple[str, int | None]:
        kind = self.u32()
        if kind == 0:
            return codec.account(self.take(32)), None
        if kind == 0x100:
            mux_id = int(struct.unpack(">Q", self.take(8))[0])
            return codec.account(self.take(32)), mux_id
        raise Undecoded(f"muxed account type {kind}")

    def asset(self) -> str:
        kind = self.u32()
        if kind == 0:
            return NATIVE_ASSET
        if kind in (1, 2):
            code = self.take(4 if kind == 1 else 12).rstrip(b"\0").decode("ascii", errors="replace")
            return f"{code}:{self.account_id()}"
        raise Undecoded(f"asset type {kind}")

    def optional(self) -> bool:
        return self.u32() == 1


def _memo(r: _Reader) -> tuple[str, str | None]:
    kind = r.u32()
    if kind == 0:
        return "none", None
    if kind == 1:
        return "text", r.var(28).decode("utf-8", errors="replace")
    if kind == 2:
        return "id", str(int(struct.unpack(">Q", r.take(8))[0]))
    if kind in (3, 4):
        return ("hash" if kind == 3 else "return"), base64.b64encode(r.take(32)).decode()
    raise Undecoded(f"memo type {kind}")


def _skip_preconditions(r: _Reader) -> None:
    kind = r.u32()
    if kind == 1:
        r.take(16)
    elif kind == 2:
        if r.optional():
            r.take(16)                       # time bounds
        if r.optional():
            r.take(8)                        # ledger bounds
        if r.optional():
            r.take(8)                        # min sequence number
        r.take(8 + 4)                        # min sequence age, min ledger gap
        for _ in range(r.u32()):             # extra signers
            if r.u32() == 3:
                r.take(32)
                r.var(64)
            else:
                r.take(32)
    elif kind != 0:
        raise Undecoded(f"precondition type {kind}")


def _skip_no_transfer(r: _Reader, kind: int) -> None:
    if kind in (3, 12):                      # manage sell / buy offer
        r.asset(), r.asset(), r.take(8 + 8 + 8)
    elif kind == 4:
        r.asset(), r.asset(), r.take(8 + 8)
    elif kind == 5:                          # set options: eight optional fields and an optional signer
        if r.optional():
            r.account_id()
        for _ in range(6):
            if r.optional():
                r.take(4)
        if r.optional():
            r.var(32)
        if r.optional():
            if r.u32() == 3:
                r.take(32)
                r.var(64)
            else:
                r.take(32)
            r.take(4)
    elif kind == 6:
        if r.u32() == 3:                     # liquidity pool share: constant-product parameters
            r.u32(), r.asset(), r.asset(), r.take(4)
        else:
            r.pos -= 4
            r.asset()
        r.take(8)
    elif kind == 10:
        r.var(64)
        if r.optional():
            r.var(64)
    elif kind == 11:
        r.take(8)
    elif kind == 16:
        r.account_id()


def _operations(r: _Reader, tx_source: str) -> tuple[Payment, ...]:
    payments = []
    for _ in range(r.u32()):
        source = r.muxed()[0] if r.optional() else tx_source
        kind = r.u32()
        if kind == 0:                        # create account
            destination = r.account_id()
            payments.append(Payment(source, destination, NATIVE_ASSET, r.i64()))
        elif kind == 1:                      # payment
            destination, mux_id = r.muxed()
            asset = r.asset()
            payments.append(Payment(source, destination, asset, r.i64(), mux_id))
        elif kind == 2:                      # path payment strict receive: the destination amount is exact
            r.asset(), r.take(8)
            destination, mux_id = r.muxed()
            asset = r.asset()
            amount = r.i64()
            for _ in range(r.u32()):
                r.asset()
            payments.append(Payment(source, destination, asset, amount, mux_id))
        elif kind in _NO_TRANSFER:
            _skip_no_transfer(r, kind)
        else:
            raise Undecoded(f"operation type {kind} (its effect is not stated in the envelope or not decoded)")
    return tuple(payments)


def _transaction(r: _Reader, v0: bool) -> tuple[str, str, str | None, tuple[Payment, ...]]:
    source = codec.account(r.take(32)) if v0 else r.muxed()[0]
    r.take(4 + 8)                            # fee, sequence number
    if v0:
        if r.optional():
            r.take(16)
    else:
        _skip_preconditions(r)
    memo_type, memo = _memo(r)
    payments = _operations(r, source)
    if r.u32() != 0:
        raise Undecoded("a Soroban transaction (extension data is not decoded)")
    return source, memo_type, memo, payments


def read(envelope_xdr: str) -> Envelope:
    """Decode a base64 TransactionEnvelope."""
    try:
        data = base64.b64decode(envelope_xdr, validate=True)
    except ValueError:
        raise Undecoded("the envelope is not base64") from None
    r = _Reader(data)
    kind = r.u32()
    if kind in (0, 2):
        start = r.pos
        source, memo_type, memo, payments = _transaction(r, v0=kind == 0)
        body = data[start:r.pos]
        # a v0 envelope is signed as the equivalent v1 transaction: its bare key becomes a muxed ed25519
        signed = struct.pack(">I", 2) + (struct.pack(">I", 0) + body if kind == 0 else body)
        return Envelope(kind, signed, source, memo_type, memo, payments)
    if kind == 5:                            # fee bump: the outer transaction is what the hash covers
        start = r.pos
        r.muxed(), r.take(8)
        if r.u32() != 2:
            raise Undecoded("a fee bump around something other than a v1 transaction")
        source, memo_type, memo, payments = _transaction(r, v0=False)
        for _ in range(r.u32()):             # the inner signatures are part of the fee bump transaction
            r.take(4), r.var(64)
        if r.u32() != 0:
            raise Undecoded("fee bump extension")
        return Envelope(kind, struct.pack(">I", 5) + data[start:r.pos], source, memo_type, memo, payments)
    raise Undecoded(f"envelope type {kind}")
