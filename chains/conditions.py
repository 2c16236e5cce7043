"""Recovery conditions of the conditional networks: `conditions.toml` loaded into frozen rows and checked.

Every condition is a kind from `KINDS`, with the parameters that kind takes. A condition with a `role`
needs a person holding that role to confirm it; one without is checked from the chain and reference
data. Which kinds hold for a case is the case machine's business; this module only declares them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from chains.errors import RegistryError
from chains.networks import registry

DEFAULT_PATH = Path(__file__).with_name("conditions.toml")
ROLES = ("agent", "wallet", "clearing", "security")


@dataclass(frozen=True, slots=True)
class Kind:
    """A condition kind: its parameters (name -> parser), whether a person confirms it, what it means."""

    params: dict[str, type]
    needs_person: bool
    meaning: str
    families: tuple[str, ...] = ()      # empty: any family


KINDS: dict[str, Kind] = {
    "claimant_proves_sender": Kind({}, True, "the claimant proves they control the sending address"),
    "max_age_days": Kind({"days": int}, False, "the deposit is at most this many days old"),
    "min_usd": Kind({"usd": Decimal}, False, "the deposit is worth at least this many US dollars"),
    "wallet_confirms_key": Kind({}, True, "the wallet team confirms the deposit address's key signs on this network"),
    "existential_deposit": Kind({"amount": int}, False,
                                "the account keeps the existential deposit or is emptied whole", ("polkadot",)),
    "storage_deposit": Kind({"amount": int}, True,
                            "our receiving account is registered (storage deposit) with the token", ("near",)),
    "min_utxo": Kind({"amount": int}, False, "each recovery output carries the minimum ADA", ("cardano",)),
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One declared condition of a network."""

    network: str
    kind: str
    role: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_person(self) -> bool:
        """Whether a person must confirm it (it names the role that does)."""
        return self.role is not None

    def describe(self) -> str:
        """One line for tables: the kind, its parameters, who confirms it."""
        args = ", ".join(f"{k}={v}" for k, v in self.params.items())
        who = f" (confirmed by {self.role})" if self.role else ""
        return f"{self.kind}{f' {args}' if args else ''}{who}"


def _parse(path: Path, network: str, index: int, row: Any) -> Condition:
    def fail(why: str) -> RegistryError:
        return RegistryError(f"{path}: network {network}: condition #{index + 1} {why}")

    if not isinstance(row, dict):
        raise fail("must be a table")
    kind_name = row.get("kind")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        raise fail(f"field 'kind' must be one of {', '.join(KINDS)}, got {kind_name!r}")
    family = registry()[network].family
    if kind.families and family not in kind.families:
        raise fail(f"kind {kind_name!r} applies to {', '.join(kind.families)} networks, not {family}")
    role = row.get("role")
    if kind.needs_person and role not in ROLES:
        raise fail(f"kind {kind_name!r} needs a field 'role' naming who confirms it ({', '.join(ROLES)})")
    if not kind.needs_person and role is not None:
        raise fail(f"kind {kind_name!r} is checked from data: field 'role' does not apply")
    params: dict[str, Any] = {}
    for name in row:
        if name not in ("kind", "role") and name not in kind.params:
            raise fail(f"field {name!r} is not a parameter of {kind_name!r}")
    for name, parser in kind.params.items():
        if name not in row:
            raise fail(f"field {name!r} is missing")
        value = row[name]
        try:
            if isinstance(value, bool) or (parser is Decimal and not isinstance(value, str)) \
                    or (parser is int and not isinstance(value, int | str)):
                raise ValueError
            parsed = parser(value)
        except (ValueError, TypeError, InvalidOperation):
            raise fail(f"field {name!r} must be a {parser.__name__} (a string for amounts), got {value!r}") from None
        if parsed < 0:
            raise fail(f"field {name!r} must not be negative")
        params[name] = parsed
    return Condition(network=network, kind=str(kind_name), role=role, params=params)


def load_conditions(path: Path = DEFAULT_PATH) -> dict[str, tuple[Condition, ...]]:
    """Read and check a conditions file; a broken file raises `RegistryError` naming the field."""
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the conditions file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML ({exc})") from None
    networks = registry()
    out: dict[str, tuple[Condition, ...]] = {}
    for network, table in doc.items():
        if network not in networks:
            raise RegistryError(f"{path}: [{network}] is not a network of the registry")
        if networks[network].tier != "conditional":
            raise RegistryError(f"{path}: [{network}] is a direct-tier network: it has no conditions")
        rows = table.get("conditions") if isinstance(table, dict) else None
        if not isinstance(rows, list) or not rows:
            raise RegistryError(f"{path}: [{network}] needs a non-empty 'conditions' list")
        conditions = tuple(_parse(path, network, i, row) for i, row in enumerate(rows))
        kinds = [c.kind for c in conditions]
        if len(set(kinds)) != len(kinds):
            raise RegistryError(f"{path}: [{network}] declares a condition kind twice")
        out[network] = conditions
    missing = [n.id for n in networks.values() if n.tier == "conditional" and n.id not in out]
    if missing:
        raise RegistryError(f"{path}: conditional networks without conditions: {', '.join(missing)}")
    return out


@cache
def conditions() -> dict[str, tuple[Condition, ...]]:
    """The shipped conditions file, loaded once."""
    return load_conditions()


def conditions_for(network_id: str) -> tuple[Condition, ...]:
    """A network's declared conditions; none for a direct-tier network."""
    return conditions().get(network_id, ())
