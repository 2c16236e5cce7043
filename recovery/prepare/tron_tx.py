"""Tron transactions as bytes: the protobuf `Transaction.raw` read into the fields a recovery cares
about, txID, a signed `Transaction` written for `broadcasthex`, and the signer a signature recovers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chains.base58 import b58check_decode, b58check_encode

TRANSFER = "TransferContract"              # contract type 1
TRIGGER = "TriggerSmartContract"           # contract type 31
_TYPES = {1: TRANSFER, 31: TRIGGER}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("the protobuf ends inside a number")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("a protobuf number longer than 64 bits")


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """A protobuf message's (field number, value) pairs in order: ints for varints, bytes otherwise."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            out.append((number, value))
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError(f"field {number} runs past the end of the message")
            out.append((number, data[pos:pos + size]))
            pos += size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            out.append((number, data[pos:pos + width]))
            pos += width
        else:
            raise ValueError(f"field {number} has wire type {wire}")
    return out


def _key(number: int, wire: int) -> bytes:
    return _encode_varint(number << 3 | wire)


def _encode_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


@dataclass(frozen=True)
class RawTx:
    """What `Transaction.raw` says: one contract, its parties and amounts, and the validity window."""

    contract_type: str
    owner: bytes                 # 21 bytes, 0x41-prefixed
    to: bytes                    # TransferContract: the payee; TriggerSmartContract: the contract
    amount: int                  # TransferContract: sun; TriggerSmartContract: call_value
    data: bytes                  # TriggerSmartContract call data
    ref_block_bytes: bytes
    ref_block_hash: bytes
    expiration: int              # ms since the epoch
    timestamp: int
    fee_limit: int
    contracts: int               # how many contracts the transaction holds (a recovery has one)


def parse_raw(raw_hex: str) -> RawTx:
    """`raw_data_hex` decoded; ValueError when it is not one TRX transfer or one contract call."""
    raw = bytes.fromhex(raw_hex)
    top: dict[int, int | bytes] = {}
    contracts: list[bytes] = []
    for number, value in fields(raw):
        if number == 11 and isinstance(value, bytes):
            contracts.append(value)
        else:
            top[number] = value
    if not contracts:
        raise ValueError("the transaction holds no contract")
    contract = dict(fields(contracts[0]))
    kind = _TYPES.get(int(contract.get(1, 0)))     # type 0 (AccountCreate) is the proto default
    if kind is None:
        raise ValueError(f"contract type {contract.get(1, 0)!r} is neither a TRX transfer nor a contract call")
    parameter = dict(fields(_bytes(contract.get(2))))
    body = dict(fields(_bytes(parameter.get(2))))
    # both contracts: owner_address = 1, to_address / contract_address = 2, amount / call_value = 3
    return RawTx(contract_type=kind, owner=_bytes(body.get(1)), to=_bytes(body.get(2)),
                 amount=int(body.get(3, 0)), data=_bytes(body.get(4)) if kind == TRIGGER else b"",
                 ref_block_bytes=_bytes(top.get(1)), ref_block_hash=_bytes(top.get(4)),
                 expiration=int(top.get(8, 0)), timestamp=int(top.get(14, 0)), fee_limit=int(top.get(18, 0)),
                 contracts=len(contracts))


def _bytes(value: int | bytes | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, int):
        raise ValueError("a number where the protobuf should hold bytes")
    return value


def txid(raw_hex: str) -> str:
    """SHA-256 of the raw transaction: the id and the digest that is signed."""
    return hashlib.sha256(bytes.fromhex(raw_hex)).hexdigest()


def signed_transaction(raw_hex: str, signatures: list[str]) -> str:
    """The protobuf `Transaction` (raw = 1, signature = 2) as hex, as `/wallet/broadcasthex` takes it."""
    raw = bytes.fromhex(raw_hex)
    out = _key(1, 2) + _encode_varint(len(raw)) + raw
    for sig in signatures:
        s = bytes.fromhex(sig.removeprefix("0x"))
        out += _key(2, 2) + _encode_varint(len(s)) + s
    return out.hex()


def parse_signed_transaction(hex_text: str) -> tuple[str, list[str]]:
    """The raw transaction and signatures of a protobuf `Transaction`."""
    raw, sigs = "", []
    for number, value in fields(bytes.fromhex(hex_text)):
        if number == 1 and isinstance(value, bytes):
            raw = value.hex()
        elif number == 2 and isinstance(value, bytes):
            sigs.append(value.hex())
    if not raw:
        raise ValueError("no raw transaction in it")
    return raw, sigs


def to_bytes(address: str) -> bytes:
    """A base58check Tron address (or 41-prefixed hex) as its 21 bytes."""
    value = address.strip()
    if len(value) == 42 and value.lower().startswith("41"):
        return bytes.fromhex(value)
    raw = b58check_decode(value)
    if len(raw) != 21 or raw[0] != 0x41:
        raise ValueError(f"{address} is not a Tron account address")
    return raw


def to_base58(address: bytes) -> str:
    """21 address bytes in base58check (T...)."""
    return b58check_encode(address)


def signer(tx_id: str, signature: str) -> bytes:
    """The 21-byte address whose key made a 65-byte (r, s, v) signature over the txID."""
    from eth_keys import keys  # secp256k1 recovery, a web3 dependency: imported only to check a signature

    sig = bytearray(bytes.fromhex(signature.removeprefix("0x")))
    if len(sig) < 65:
        raise ValueError(f"a signature of {len(sig)} bytes, not 65")
    del sig[65:]    # java-tron reads the first 65 bytes; some wallets pad (mainnet holds such signatures)
    if sig[64] >= 27:
        sig[64] -= 27
    public = keys.Signature(signature_bytes=bytes(sig)).recover_public_key_from_msg_hash(bytes.fromhex(tx_id))
    return b"\x41" + public.to_canonical_address()
