"""Solana addresses: an ed25519 public key (or program-derived address), 32 bytes in base58."""

from __future__ import annotations

from chains.addresses.base import AddressCodec
from chains.base58 import b58decode, b58encode

KEY_BYTES = 32


class SolanaCodec(AddressCodec):
    """Base58 is case-sensitive and has no checksum: the length is the only check there is."""

    def validate(self, address: str) -> str:
        """The address itself, if it is 32 bytes of base58 written without extra leading '1's."""
        value = address.strip()
        try:
            raw = b58decode(value)
        except ValueError as exc:
            raise self.invalid(value, str(exc)) from None
        if len(raw) != KEY_BYTES:
            raise self.invalid(value, f"decodes to {len(raw)} bytes, not the {KEY_BYTES} of a key")
        if b58encode(raw) != value:
            raise self.invalid(value, "not the canonical base58 of its bytes")
        return value
