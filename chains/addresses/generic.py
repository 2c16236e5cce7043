"""The fallback codec of families without their own: the registry's `address_regex`, text kept as given."""

from __future__ import annotations

import re
from typing import Any

from chains.addresses.base import AddressCodec


class RegexCodec(AddressCodec):
    """An address is valid when it matches the network's `address_regex`; the key is the trimmed text."""

    def validate(self, address: str) -> str:
        """The trimmed address, if it has the network's form."""
        value = address.strip()
        if re.fullmatch(self.network.address_regex, value) is None:
            raise self.invalid(value, f"expected the form {self.network.address_regex}")
        return value


class AdapterCodec(RegexCodec):
    """A family whose codec lives beside its adapter (chains/<family>/address.py): the registry's form
    checked, then the key and display are the adapter's `normalize_address`."""

    _adapter: Any = None

    def validate(self, address: str) -> str:
        """The adapter's key of an address that has the network's form."""
        from chains.registry import adapter_class

        value = super().validate(address)
        if self._adapter is None:
            self._adapter = adapter_class(self.network)(self.network, ())   # endpoint-less: its rules only
        try:
            return self._adapter.normalize_address(value)
        except ValueError as exc:
            raise self.invalid(value, str(exc)) from None
