"""Families whose address codec lives beside their adapter (`chains/<family>/address.py`): validity from
that module's `is_valid`, keys from the adapter's `normalize_address` (the family's rule, asset ids such
as coin types included), so the reference tables and triage key them as the adapter does."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import TYPE_CHECKING, Any

from chains.addresses.base import AddressCodec

if TYPE_CHECKING:
    from chains.networks import Network


def has_module(family: str) -> bool:
    """Whether the family ships its own address module (checked without importing the adapter)."""
    try:
        return find_spec(f"chains.{family}.address") is not None
    except ModuleNotFoundError:
        return False


class AdapterCodec(AddressCodec):
    """The codec of a family with `chains/<family>/address.py` and an adapter in the registry's table."""

    def __init__(self, network: Network) -> None:
        super().__init__(network)
        self._module: ModuleType | None = None
        self._adapter: Any = None

    @property
    def module(self) -> ModuleType:
        """The family's address module."""
        if self._module is None:
            self._module = import_module(f"chains.{self.network.family}.address")
        return self._module

    def _key(self, value: str) -> str:
        from chains.base import Adapter
        from chains.registry import adapter_class

        if self._adapter is None:
            cls = adapter_class(self.network)
            # an adapter that keeps the base rule would call back here: its key is the text as given
            own = any("normalize_address" in vars(k) for k in cls.__mro__ if k not in (Adapter, object))
            self._adapter = cls(self.network, ()) if own else False
        return str(self._adapter.normalize_address(value)) if self._adapter else value

    def _valid(self, value: str) -> bool:
        if self.network.family == "cosmos":      # bech32 of the network's own prefix
            return bool(self.module.is_valid(value, self.module.hrp_of(self.network.address_regex)))
        return bool(self.module.is_valid(value))

    def validate(self, address: str) -> str:
        """The adapter's key of an address the family's module accepts (checksums included)."""
        value = address.strip()
        if not self._valid(value):
            raise self.invalid(value, f"{self.network.family} address rules (checksum, length or form)")
        return self._key(value)

    def fallback(self, value: str) -> str:
        """The adapter's key of text that is no address (a coin type, a denom, an asset unit)."""
        return self._key(value)
