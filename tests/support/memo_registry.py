"""A test copy of the network registry for the memo-network tests: the shipped rows, with the endpoint
identity dropped where no recorded identity answer exists (so replayed endpoints are not asked for one),
plus extra rows for recorded chains of a family that the registry does not list (Kava for cosmos).

Used through the `memo_registry` fixture pattern: write it, point RECOVERY_NETWORKS at it, clear the caches.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chains.networks import DEFAULT_PATH, Network, load_registry, registry
from recovery import reference

# Kava mainnet (kava-3, Cosmos SDK 0.38): the recorded MsgSend transactions are of this chain
KAVA: dict[str, Any] = {
    "id": "kava", "name": "Kava", "family": "cosmos", "tier": "conditional", "native_symbol": "KAVA",
    "native_decimals": 6, "min_confirmations": 1, "memo_required": True, "memo_regex": "^[0-9A-Za-z_-]{1,64}$",
    "address_regex": "^kava1[02-9ac-hj-np-z]{38,58}$", "tx_hash_regex": "^[0-9a-fA-F]{64}$",
    "explorer_tx_url": "https://www.mintscan.io/kava/tx/{tx}", "rpc": ["legacy+https://api.data.kava.io"],
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):   # an inline table (a network's `address` parameters)
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    return f"'{value}'" if "'" not in value and "\n" not in value else json.dumps(value)


def write(path: Path, *, drop_identity: Iterable[str] = (), extra: Iterable[dict[str, Any]] = (),
          changed: dict[str, dict[str, Any]] | None = None) -> Path:
    """The shipped registry written to `path` with these networks' `identity` removed, fields of some
    networks changed (`{network id: {field: value}}`) and rows added."""
    rows = tomllib.loads(DEFAULT_PATH.read_text())["network"]
    drop = set(drop_identity)
    lines: list[str] = []
    for row in [*rows, *extra]:
        row = {**row, **(changed or {}).get(row["id"], {})}
        lines.append("[[network]]")
        lines += [f"{k} = {_value(v)}" for k, v in row.items() if not (k == "identity" and row["id"] in drop)]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def use(monkeypatch: pytest.MonkeyPatch, path: Path) -> Iterator[None]:
    """Make `path` the registry in force for one test (caches cleared before and after)."""
    monkeypatch.setenv("RECOVERY_NETWORKS", str(path))
    registry.cache_clear()
    reference._adapter.cache_clear()
    yield
    monkeypatch.delenv("RECOVERY_NETWORKS", raising=False)
    registry.cache_clear()
    reference._adapter.cache_clear()


def shipped(network_id: str) -> Network:
    """A network as the shipped registry has it (its endpoint identity included)."""
    return load_registry(DEFAULT_PATH)[network_id]
