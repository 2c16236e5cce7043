"""Bitcoin-family transactions as bytes: serialize and parse (segwit-aware), txid, output scripts of
addresses, and a BIP-174 PSBT of an unsigned transaction. No keys, no signing."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chains.networks import Network

SEQUENCE_FINAL = 0xFFFFFFFF
SIGHASH_ALL = 0x01
SIGHASH_FORKID = 0x40


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: the hash key-hash scripts commit to."""
    sha = hashlib.sha256(data).digest()
    try:
        return hashlib.new("ripemd160", sha).digest()
    except ValueError:   # an OpenSSL without the legacy provider
        from Crypto.Hash import RIPEMD160

        return RIPEMD160.new(sha).digest()


def dsha256(data: bytes) -> bytes:
    """SHA-256 twice, as block and transaction ids use it."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


@dataclass(frozen=True)
class TxIn:
    """One input: the outpoint it spends (txid as written, big-endian hex), its script and witness."""

    txid: str
    vout: int
    script_sig: bytes = b""
    sequence: int = SEQUENCE_FINAL
    witness: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class TxOut:
    """One output: base units and the script it pays to."""

    value: int
    script: bytes


@dataclass(frozen=True)
class Tx:
    """A whole transaction."""

    version: int
    inputs: tuple[TxIn, ...]
    outputs: tuple[TxOut, ...]
    locktime: int = 0
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def serialize(self, witness: bool = True) -> bytes:
        """The wire form; with witness data (BIP-144 marker and flag) only where an input has some."""
        with_witness = witness and any(i.witness for i in self.inputs)
        out = bytearray(self.version.to_bytes(4, "little", signed=True))
        if with_witness:
            out += b"\x00\x01"
        out += varint(len(self.inputs))
        for i in self.inputs:
            out += bytes.fromhex(i.txid)[::-1] + i.vout.to_bytes(4, "little")
            out += varint(len(i.script_sig)) + i.script_sig + i.sequence.to_bytes(4, "little")
        out += varint(len(self.outputs))
        for o in self.outputs:
            out += o.value.to_bytes(8, "little") + varint(len(o.script)) + o.script
        if with_witness:
            for i in self.inputs:
                out += varint(len(i.witness))
                for item in i.witness:
                    out += varint(len(item)) + item
        out += self.locktime.to_bytes(4, "little")
        return bytes(out)

    def txid(self) -> str:
        """The transaction id: double SHA-256 of the form without witness, byte-reversed."""
        return dsha256(self.serialize(witness=False))[::-1].hex()


def varint(n: int) -> bytes:
    """Bitcoin's CompactSize."""
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError(f"the transaction ends at byte {len(self.data)}, {n} more wanted at {self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def num(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def varint(self) -> int:
        first = self.num(1)
        return self.num({0xFD: 2, 0xFE: 4, 0xFF: 8}[first]) if first >= 0xFD else first

    def chunk(self) -> bytes:
        return self.take(self.varint())


def parse_tx(raw: bytes | str) -> Tx:
    """A serialized transaction (bytes or hex) back into a `Tx`; ValueError if it is not one whole."""
    data = bytes.fromhex(raw) if isinstance(raw, str) else raw
    r = _Reader(data)
    version = int.from_bytes(r.take(4), "little", signed=True)
    segwit = data[r.pos:r.pos + 2] == b"\x00\x01"
    if segwit:
        r.take(2)
    n_in = r.varint()
    raw_inputs = []
    for _ in range(n_in):
        txid = r.take(32)[::-1].hex()
        vout = r.num(4)
        script = r.chunk()
        raw_inputs.append((txid, vout, script, r.num(4)))
    outputs = []
    for _ in range(r.varint()):
        value = r.num(8)
        outputs.append(TxOut(value, r.chunk()))
    witnesses: list[tuple[bytes, ...]] = [()] * n_in
    if segwit:
        witnesses = [tuple(r.chunk() for _ in range(r.varint())) for _ in range(n_in)]
    locktime = r.num(4)
    if r.pos != len(data):
        raise ValueError(f"{len(data) - r.pos} bytes follow the transaction's locktime")
    inputs = tuple(TxIn(t, v, s, q, w) for (t, v, s, q), w in zip(raw_inputs, witnesses, strict=True))
    return Tx(version, inputs, tuple(outputs), locktime)


# -- scripts ------------------------------------------------------------------------------------


def p2pkh(digest: bytes) -> bytes:
    """OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG."""
    return b"\x76\xa9\x14" + digest + b"\x88\xac"


def p2sh(digest: bytes) -> bytes:
    """OP_HASH160 <20> OP_EQUAL."""
    return b"\xa9\x14" + digest + b"\x87"


def witness_program(version: int, program: bytes) -> bytes:
    """OP_n <program>."""
    return bytes([0 if version == 0 else 0x50 + version, len(program)]) + program


def address_script(network: Network, address: str) -> bytes:
    """The output script an address of `network` pays to; InvalidAddress if it is none of its."""
    from chains.addresses import codec
    from chains.addresses.bech32 import CASH_TYPES, cashaddr_decode, segwit_decode
    from chains.base58 import b58check_decode

    params = network.address
    key = codec(network).validate(address)   # raises InvalidAddress with the reason
    if params.hrp and key.startswith(params.hrp + "1"):
        version, program = segwit_decode(params.hrp, key)
        return witness_program(version, program)
    if ":" in key or (params.cashaddr_prefix and key[0] in "pq" and len(key) > 40):
        _, kind, payload = cashaddr_decode(key, default_prefix=params.cashaddr_prefix or "")
        if len(payload) != 20:
            raise ValueError(f"{address}: a {len(payload)}-byte CashAddr hash has no standard script here")
        return p2pkh(payload) if CASH_TYPES[kind][0] == "p2pkh" else p2sh(payload)
    raw = b58check_decode(key)
    for make, versions in ((p2pkh, params.p2pkh), (p2sh, params.p2sh)):
        for v in versions:
            if raw.startswith(v) and len(raw) == len(v) + 20:
                return make(raw[len(v):])
    raise ValueError(f"{address}: base58 version {raw[:1].hex()} is none of {network.id}'s")


def script_kind(script: bytes) -> str:
    """p2pkh, p2sh, p2wpkh, p2wsh, p2tr, or 'other'."""
    if len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return "p2pkh"
    if len(script) == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return "p2sh"
    if len(script) == 22 and script[:2] == b"\x00\x14":
        return "p2wpkh"
    if len(script) == 34 and script[:2] == b"\x00\x20":
        return "p2wsh"
    if len(script) == 34 and script[:2] == b"\x51\x20":
        return "p2tr"
    return "other"


#: virtual size each spent script kind adds, signature included (a 72-byte DER signature, a compressed
#: key); P2SH is taken as P2SH-P2WPKH, the one P2SH deposit form exchanges issue
INPUT_VBYTES = {"p2pkh": 148, "p2wpkh": 68, "p2sh": 91, "p2tr": 58}


def estimate_vsize(input_kinds: list[str], output_scripts: list[bytes]) -> int:
    """The signed transaction's virtual size in vbytes, rounded up."""
    segwit = any(k != "p2pkh" for k in input_kinds)
    base = 4 + 4 + len(varint(len(input_kinds))) + len(varint(len(output_scripts)))
    base += sum(8 + len(varint(len(s))) + len(s) for s in output_scripts)
    return base + sum(INPUT_VBYTES[k] for k in input_kinds) + (1 if segwit else 0)


def pushes(script: bytes) -> list[bytes]:
    """The data pushed by a push-only script (a scriptSig); stops at the first opcode that is no push."""
    out, pos = [], 0
    while pos < len(script):
        op = script[pos]
        if op == 0:
            out.append(b"")
            pos += 1
            continue
        if op > 0x4E:
            break
        size_len = {0x4C: 1, 0x4D: 2, 0x4E: 4}.get(op, 0)
        size = op if not size_len else int.from_bytes(script[pos + 1:pos + 1 + size_len], "little")
        start = pos + 1 + size_len
        out.append(script[start:start + size])
        pos = start + size
    return out


def is_der_signature(item: bytes) -> bool:
    """An ECDSA signature as scripts carry it: DER (0x30, length byte) plus one sighash byte."""
    return 9 <= len(item) <= 73 and item[0] == 0x30 and item[1] == len(item) - 3


# -- PSBT (BIP-174) -----------------------------------------------------------------------------


def _kv(key: bytes, value: bytes) -> bytes:
    return varint(len(key)) + key + varint(len(value)) + value


def psbt(tx: Tx, prev_txs: list[bytes | None], prev_outs: list[TxOut], sighash: int) -> str:
    """The base64 PSBT of an unsigned transaction: per input the previous transaction (non-witness
    inputs) or the spent output (witness inputs), and the sighash type to sign with."""
    out = bytearray(b"psbt\xff")
    out += _kv(b"\x00", tx.serialize(witness=False)) + b"\x00"
    for prev, spent in zip(prev_txs, prev_outs, strict=True):
        if prev is not None:
            out += _kv(b"\x00", prev)
        if script_kind(spent.script) != "p2pkh":
            out += _kv(b"\x01", spent.value.to_bytes(8, "little") + varint(len(spent.script)) + spent.script)
        out += _kv(b"\x03", sighash.to_bytes(4, "little")) + b"\x00"
    out += b"\x00" * len(tx.outputs)
    return base64.b64encode(bytes(out)).decode()
