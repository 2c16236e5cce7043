"""The address codec protocol: validate (strict, for what people type), normalise (the key the tables
and triage compare, lenient for what a chain writes), display (the form people read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains.errors import DefiniteError

if TYPE_CHECKING:
    from chains.networks import Network


class InvalidAddress(DefiniteError, ValueError):
    """The text is not an address of the network: wrong form, bad checksum, wrong length or version."""


class AddressCodec:
    """Base of the family codecs; pure functions of the network's registry row, no network access."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.params = network.address

    def invalid(self, address: str, why: str) -> InvalidAddress:
        """The error for an address of the wrong form, naming the network and the reason."""
        return InvalidAddress(f"{address.strip()!r} is not a {self.network.name} address: {why}")

    def validate(self, address: str) -> str:
        """The key of a well-formed address (checksum, length and version checked); `InvalidAddress`
        saying why otherwise."""
        raise NotImplementedError

    def fallback(self, value: str) -> str:
        """The key of text that is not a valid address (a token id, a form the codec does not read)."""
        return value

    def normalize(self, address: str) -> str:
        """The key of an address as a chain or a file writes it; text that fails validation is keyed
        by `fallback`, so comparing never raises."""
        value = address.strip()
        try:
            return self.validate(value)
        except InvalidAddress:
            return self.fallback(value)

    def is_valid(self, address: str) -> bool:
        """Whether `validate` accepts the address."""
        try:
            self.validate(address)
        except InvalidAddress:
            return False
        return True

    def display(self, address: str) -> str:
        """The form to show people (by default the key); text that is not an address as given."""
        return self.normalize(address)
