"""A network's address parameters (the `address` table of its registry row), checked per family."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: family -> (accepted form names, the registry keys its codec reads, the keys it requires)
SCHEMA: dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = {
    "utxo": (("base58", "segwit", "cashaddr"),
             frozenset({"forms", "display", "p2pkh", "p2sh", "hrp", "cashaddr_prefix"}),
             frozenset({"forms", "p2pkh", "p2sh"})),
    "tron": (("base58", "hex"), frozenset({"forms", "display", "version"}), frozenset({"version"})),
    "evm": (("hex",), frozenset({"forms", "display"}), frozenset()),
    "solana": (("base58",), frozenset({"forms", "display"}), frozenset()),
}
_HEX_BYTES = re.compile(r"(?:[0-9a-f]{2})+")
_PREFIX = re.compile(r"[a-z][a-z0-9]{0,82}")


class ParamError(ValueError):
    """A bad `address` key: which one and why (the registry loader adds file and network)."""

    def __init__(self, key: str, why: str) -> None:
        super().__init__(f"address.{key} {why}")
        self.field = f"address.{key}"
        self.why = why


@dataclass(frozen=True, slots=True)
class AddressParams:
    """What a family's codec needs to know of one coin: accepted forms, display form, version bytes,
    prefixes. Versions are lists, the first the preferred one (the form keys are written in)."""

    forms: tuple[str, ...] = ()
    display: str | None = None
    p2pkh: tuple[bytes, ...] = ()          # base58check versions of pay-to-key-hash addresses
    p2sh: tuple[bytes, ...] = ()           # base58check versions of pay-to-script-hash addresses
    hrp: str | None = None                 # segwit human-readable part (bech32/bech32m)
    cashaddr_prefix: str | None = None     # CashAddr prefix
    version: bytes | None = None           # the one base58check version of an account address (Tron)

    @property
    def display_form(self) -> str | None:
        """The form addresses are shown in: `display`, else the first accepted form."""
        return self.display or (self.forms[0] if self.forms else None)


def _versions(key: str, value: Any) -> tuple[bytes, ...]:
    if not isinstance(value, list) or not value:
        raise ParamError(key, "must be a non-empty list of hex version bytes, e.g. ['00']")
    out = []
    for item in value:
        if not isinstance(item, str) or not _HEX_BYTES.fullmatch(item):
            raise ParamError(key, f"has {item!r}: version bytes are lower-case hex, e.g. '00' or '1cb8'")
        out.append(bytes.fromhex(item))
    if len(set(out)) != len(out):
        raise ParamError(key, "names a version twice")
    return tuple(out)


def parse_params(family: str, raw: Any) -> AddressParams:
    """The `address` table of a network of `family`, checked; `ParamError` names the bad key."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParamError("*", "must be a table, e.g. address = { forms = ['base58'] }")
    if family not in SCHEMA:
        if raw:
            raise ParamError(next(iter(raw)), f"is not read: the {family} family has no address codec yet")
        return AddressParams()
    forms_known, keys, required = SCHEMA[family]
    for key in raw:
        if key not in keys:
            raise ParamError(key, f"is not an address parameter of the {family} family "
                                  f"(known: {', '.join(sorted(keys))})")
    for key in sorted(required - raw.keys()):
        raise ParamError(key, "is missing")
    forms = raw.get("forms", list(forms_known))
    if not isinstance(forms, list) or not forms or not all(f in forms_known for f in forms):
        raise ParamError("forms", f"must be a non-empty list of {', '.join(forms_known)}")
    display = raw.get("display")
    if display is not None and display not in forms:
        raise ParamError("display", f"must be one of the accepted forms ({', '.join(forms)})")
    params: dict[str, Any] = {"forms": tuple(forms), "display": display}
    for key in ("p2pkh", "p2sh"):
        if key in raw:
            params[key] = _versions(key, raw[key])
    if "version" in raw:
        (params["version"],) = _versions("version", [raw["version"]])
    for key, form in (("hrp", "segwit"), ("cashaddr_prefix", "cashaddr")):
        value = raw.get(key)
        if (form in forms) != (value is not None):
            raise ParamError(key, f"is required exactly where forms include {form!r}")
        if value is not None and (not isinstance(value, str) or not _PREFIX.fullmatch(value)):
            raise ParamError(key, f"must be a lower-case prefix, got {value!r}")
        params[key] = value
    if set(params.get("p2pkh", ())) & set(params.get("p2sh", ())):
        raise ParamError("p2sh", "shares a version byte with p2pkh: the two kinds could not be told apart")
    return AddressParams(**params)
