"""Tron addresses: base58check of the network's version byte (0x41) and 20 bytes; the API also writes
them as 41-prefixed hex, and ABI words hold the bare 20 bytes."""

from __future__ import annotations

import re

from chains.addresses.base import AddressCodec
from chains.base58 import b58check_decode, b58check_encode

_HEX = re.compile(r"(?:0x)?([0-9a-fA-F]{2})([0-9a-fA-F]{40})")
_BARE_HEX = re.compile(r"(?:0x)?([0-9a-fA-F]{40})")


class TronCodec(AddressCodec):
    """Keys and display are base58check; a hex form is accepted where the registry lists `hex`."""

    @property
    def _version(self) -> bytes:
        return self.params.version or b"\x41"

    def validate(self, address: str) -> str:
        """The base58check form of a well-formed address (base58 or, if accepted, 41-prefixed hex)."""
        value = address.strip()
        hex_form = _HEX.fullmatch(value)
        if hex_form and "hex" in self.params.forms:
            if bytes.fromhex(hex_form.group(1)) != self._version:
                raise self.invalid(value, f"hex form must start with {self._version.hex()}")
            return b58check_encode(self._version + bytes.fromhex(hex_form.group(2)))
        if "base58" not in self.params.forms:
            raise self.invalid(value, f"expected {self._version.hex()} and 40 hex digits")
        try:
            raw = b58check_decode(value)
        except ValueError as exc:
            why = "fails its base58check checksum" if "checksum" in str(exc) else str(exc)
            raise self.invalid(value, why) from None
        if len(raw) != 21 or raw[:1] != self._version:
            raise self.invalid(value, f"base58check payload is not version {self._version.hex()} and 20 bytes")
        return value

    def fallback(self, value: str) -> str:
        """20 bytes of hex (an ABI word's address) as base58check; anything else (a TRC-10 id) as given."""
        bare = _BARE_HEX.fullmatch(value)
        return b58check_encode(self._version + bytes.fromhex(bare.group(1))) if bare else value
