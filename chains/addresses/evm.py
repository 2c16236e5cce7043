"""EVM addresses: 20 bytes as 0x hex; mixed case must be the EIP-55 checksum, keys are lower-case."""

from __future__ import annotations

import re

from chains.addresses.base import AddressCodec

_HEX = re.compile(r"0x[0-9a-fA-F]{40}")


def eip55(address: str) -> str:
    """The EIP-55 mixed-case checksum form of a 0x hex address."""
    from eth_hash.auto import keccak  # imported on first use: its backend loads in ~20 ms

    body = address.lower().removeprefix("0x")
    digest = keccak(body.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(h, 16) >= 8 else c for c, h in zip(body, digest[:40], strict=True))


class EvmCodec(AddressCodec):
    """EIP-55 (https://eips.ethereum.org/EIPS/eip-55): all-lower and all-upper hex carry no checksum and
    are accepted; mixed case is a checksum and must be the right one."""

    def validate(self, address: str) -> str:
        """The lower-case hex of a well-formed address; a mistyped checksum is refused."""
        value = address.strip()
        if not _HEX.fullmatch(value):
            raise self.invalid(value, "expected 0x and 40 hex digits")
        body = value[2:]
        if body != body.lower() and body != body.upper() and eip55(value) != value:
            raise self.invalid(value, f"mixed case that is not its EIP-55 checksum ({eip55(value)})")
        return value.lower()

    def fallback(self, value: str) -> str:
        """Lower-case: hex compares without case (token ids such as `0xabc…#5` included)."""
        return value.lower()

    def display(self, address: str) -> str:
        """The EIP-55 checksum form."""
        key = self.normalize(address)
        return eip55(key) if _HEX.fullmatch(key) else key
