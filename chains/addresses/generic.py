"""The fallback codec of families without their own: the registry's `address_regex`, text kept as given."""

from __future__ import annotations

import re

from chains.addresses.base import AddressCodec


class RegexCodec(AddressCodec):
    """An address is valid when it matches the network's `address_regex`; the key is the trimmed text."""

    def validate(self, address: str) -> str:
        """The trimmed address, if it has the network's form."""
        value = address.strip()
        if re.fullmatch(self.network.address_regex, value) is None:
            raise self.invalid(value, f"expected the form {self.network.address_regex}")
        return value

