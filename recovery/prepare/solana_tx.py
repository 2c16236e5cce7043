"""Solana legacy messages and transactions as bytes, program derived addresses (the associated token
account), and the instructions a recovery uses: system transfer, SPL transferChecked, and creating
the payee's associated token account (idempotent)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chains.base58 import b58decode, b58encode
from recovery.prepare.ed25519 import on_curve

SYSTEM_PROGRAM = "11111111111111111111111111111111"
TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ATA_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"


def key(address: str) -> bytes:
    """A base58 public key as its 32 bytes; ValueError if it is not 32 bytes."""
    raw = b58decode(address.strip())
    if len(raw) != 32:
        raise ValueError(f"{address} is {len(raw)} bytes, not a 32-byte Solana key")
    return raw


def find_program_address(seeds: list[bytes], program: bytes) -> tuple[bytes, int]:
    """The program derived address of the seeds and its bump: the first of bumps 255..0 whose hash is
    off the curve (so no private key exists for it)."""
    for bump in range(255, -1, -1):
        candidate = hashlib.sha256(b"".join(seeds) + bytes([bump]) + program + b"ProgramDerivedAddress").digest()
        if not on_curve(candidate):
            return candidate, bump
    raise ValueError("no program derived address for these seeds")


def associated_token_account(owner: str, mint: str, token_program: str = TOKEN_PROGRAM) -> str:
    """The associated token account of an owner for a mint."""
    address, _ = find_program_address([key(owner), key(token_program), key(mint)], key(ATA_PROGRAM))
    return b58encode(address)


def compact_u16(n: int) -> bytes:
    """Solana's short-vec length prefix."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_compact(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("the message ends inside a length")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


@dataclass(frozen=True)
class Instruction:
    """One instruction: its program, its accounts as (key, signer, writable), its data."""

    program: str
    accounts: tuple[tuple[str, bool, bool], ...]
    data: bytes


def system_transfer(source: str, destination: str, lamports: int) -> Instruction:
    """System program Transfer (instruction 2)."""
    return Instruction(SYSTEM_PROGRAM, ((source, True, True), (destination, False, True)),
                       (2).to_bytes(4, "little") + lamports.to_bytes(8, "little"))


def transfer_checked(source: str, mint: str, destination: str, owner: str, amount: int, decimals: int,
                     token_program: str = TOKEN_PROGRAM) -> Instruction:
    """SPL Token TransferChecked (instruction 12): the mint and its decimals are checked on chain."""
    return Instruction(token_program, ((source, False, True), (mint, False, False), (destination, False, True),
                                       (owner, True, False)),
                       bytes([12]) + amount.to_bytes(8, "little") + bytes([decimals]))


def create_ata_idempotent(payer: str, account: str, owner: str, mint: str,
                          token_program: str = TOKEN_PROGRAM) -> Instruction:
    """Associated Token Account CreateIdempotent (instruction 1): a no-op where the account exists."""
    return Instruction(ATA_PROGRAM, ((payer, True, True), (account, False, True), (owner, False, False),
                                     (mint, False, False), (SYSTEM_PROGRAM, False, False),
                                     (token_program, False, False)), bytes([1]))


@dataclass(frozen=True)
class Message:
    """A legacy message: header, account keys, recent blockhash, compiled instructions."""

    header: tuple[int, int, int]      # required signatures, read-only signed, read-only unsigned
    account_keys: tuple[str, ...]
    recent_blockhash: str
    instructions: tuple[tuple[int, tuple[int, ...], bytes], ...]   # (program index, account indexes, data)

    def serialize(self) -> bytes:
        """The bytes every signer signs."""
        out = bytearray(bytes(self.header))
        out += compact_u16(len(self.account_keys)) + b"".join(key(k) for k in self.account_keys)
        out += key(self.recent_blockhash) + compact_u16(len(self.instructions))
        for program, accounts, data in self.instructions:
            out += bytes([program]) + compact_u16(len(accounts)) + bytes(accounts)
            out += compact_u16(len(data)) + data
        return bytes(out)

    def signers(self) -> tuple[str, ...]:
        """The keys whose signatures the transaction needs, in order."""
        return self.account_keys[:self.header[0]]


def compile_message(payer: str, instructions: list[Instruction], recent_blockhash: str) -> Message:
    """Accounts ordered as the runtime wants them (the payer first; signers before the rest, writable
    before read-only) and each instruction compiled against that order."""
    flags: dict[str, list[bool]] = {payer: [True, True]}
    for ix in instructions:
        for k, signer, writable in ix.accounts:
            f = flags.setdefault(k, [False, False])
            f[0], f[1] = f[0] or signer, f[1] or writable
        flags.setdefault(ix.program, [False, False])
    order = sorted(flags, key=lambda k: (k != payer, not flags[k][0], not flags[k][1]))
    signed = [k for k in order if flags[k][0]]
    header = (len(signed), sum(1 for k in signed if not flags[k][1]),
              sum(1 for k in order if not flags[k][0] and not flags[k][1]))
    index = {k: i for i, k in enumerate(order)}
    compiled = tuple((index[ix.program], tuple(index[k] for k, _, _ in ix.accounts), ix.data) for ix in instructions)
    return Message(header, tuple(order), recent_blockhash, compiled)


def parse_message(data: bytes) -> Message:
    """A legacy message from its bytes; ValueError for a versioned (v0) message or trailing bytes."""
    if not data or data[0] & 0x80:
        raise ValueError("a versioned message, not a legacy one")
    if len(data) < 3:
        raise ValueError("too short for a message header")
    header = (data[0], data[1], data[2])
    count, pos = _read_compact(data, 3)
    keys = tuple(b58encode(data[pos + 32 * i:pos + 32 * (i + 1)]) for i in range(count))
    pos += 32 * count
    blockhash = b58encode(data[pos:pos + 32])
    pos += 32
    n, pos = _read_compact(data, pos)
    instructions = []
    for _ in range(n):
        program = data[pos]
        na, pos = _read_compact(data, pos + 1)
        accounts = tuple(data[pos:pos + na])
        nd, pos = _read_compact(data, pos + na)
        instructions.append((program, accounts, data[pos:pos + nd]))
        pos += nd
    if pos != len(data):
        raise ValueError(f"{len(data) - pos} bytes follow the message")
    return Message(header, keys, blockhash, tuple(instructions))


def parse_transaction(data: bytes) -> tuple[list[bytes], bytes]:
    """A wire transaction's signatures and message bytes."""
    count, pos = _read_compact(data, 0)
    signatures = [data[pos + 64 * i:pos + 64 * (i + 1)] for i in range(count)]
    pos += 64 * count
    if pos > len(data) or any(len(s) != 64 for s in signatures):
        raise ValueError("the transaction ends inside its signatures")
    return signatures, data[pos:]


def unsigned_transaction(message: Message) -> bytes:
    """The wire transaction with a zeroed slot for each signature (what wallets take to sign)."""
    return compact_u16(message.header[0]) + b"\0" * 64 * message.header[0] + message.serialize()
