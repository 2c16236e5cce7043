"""The configuration file (TOML) and the settings derived from it and the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recovery.errors import BadInput

APP = "recovery"
# the sections a config file may hold; a section not listed here is an error naming it
SECTIONS = ("rpc", "database", "fees", "approvals", "rate_limits", "hot_wallets", "limits", "audit",
            "conditions")
# sections whose keys are network ids
NETWORK_SECTIONS = ("rpc", "hot_wallets", "rate_limits")


def _user_dir(kind: str) -> Path:
    import platformdirs

    fn = platformdirs.user_config_dir if kind == "config" else platformdirs.user_data_dir
    return Path(fn(APP, appauthor=False))


@dataclass(frozen=True)
class Config:
    """Settings in force: config file values, overridden by the environment."""

    path: Path | None = None
    rpc: dict[str, Any] = field(default_factory=dict)
    database_url: str | None = None
    fee_policy: Path | None = None
    conditions_file: Path | None = None    # [conditions] file: the recovery conditions (chains/conditions.toml)
    high_value_usd: str | None = None
    rate_limits: dict[str, float] = field(default_factory=dict)
    hot_wallets: dict[str, list[str]] = field(default_factory=dict)   # network id -> recovery destinations
    raw: dict[str, Any] = field(default_factory=dict)


def config_path() -> Path:
    """`RECOVERY_CONFIG`, else `config.toml` in the user config directory."""
    env = os.environ.get("RECOVERY_CONFIG")
    return Path(env) if env else _user_dir("config") / "config.toml"


def check_names(path: Path, doc: dict[str, Any]) -> None:
    """Unknown sections and unknown network ids in the per-network sections are bad input with a "did you
    mean"; a misspelled key would otherwise be ignored and a default used in its place."""
    import difflib

    for name, value in doc.items():
        if name not in SECTIONS:
            close = difflib.get_close_matches(name.lower(), SECTIONS, n=1)
            hint = f"did you mean [{close[0]}]?" if close else f"known sections: {', '.join(SECTIONS)}"
            raise BadInput(f"{path}: unknown section [{name}]; {hint}")
        if name in NETWORK_SECTIONS and isinstance(value, dict):
            from chains.networks import registry, suggest_network

            for key in value:
                if key not in registry():
                    near = suggest_network(key)
                    raise BadInput(f"{path}: [{name}] {key!r} is not a network id"
                                   + (f"; did you mean {near!r}?" if near else "; see `recovery networks list`"))


def load_config(path: Path | None = None) -> Config:
    """Read the config file if it exists; a malformed file is bad input naming the file.

    A file named on purpose (`--config` or `RECOVERY_CONFIG` on the command line, passed as `path`) must
    exist; the default one may be absent.
    """
    named = path is not None
    path = path or config_path()
    if not path.is_file():
        if named:
            what = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise BadInput(f"config file {path} {what} (from --config or RECOVERY_CONFIG)")
        return Config()
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: not valid TOML ({exc})") from None
    check_names(path, doc)
    rpc = doc.get("rpc", {})
    if not isinstance(rpc, dict):
        raise BadInput(f"{path}: [rpc] must be a table of network id = URL or [URLs]")
    fees = doc.get("fees", {})
    policy = fees.get("policy") if isinstance(fees, dict) else None
    return Config(
        path=path,
        rpc=rpc,
        database_url=doc.get("database", {}).get("url"),
        fee_policy=(path.parent / policy) if policy else None,
        conditions_file=_conditions_file(path, doc.get("conditions", {})),
        high_value_usd=str(doc["approvals"]["high_value_usd"]) if "high_value_usd" in doc.get(
            "approvals", {}) else None,
        rate_limits=_rates(path, doc.get("rate_limits", {})),
        hot_wallets=_hot_wallets(doc.get("hot_wallets", {}), path),
        raw=doc,
    )


def _conditions_file(path: Path, table: Any) -> Path | None:
    """`[conditions] file = "my_conditions.toml"` (relative to the config file); None: the shipped one."""
    name = table.get("file") if isinstance(table, dict) else None
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip() or set(table) != {"file"}:
        raise BadInput(f"{path}: [conditions] takes one key, file = \"PATH\" (a conditions file)")
    return path.parent / name


def _rates(path: Path, table: dict[str, Any]) -> dict[str, float]:
    try:
        return {k: float(v) for k, v in table.items()}
    except (AttributeError, TypeError, ValueError):
        raise BadInput(f"{path}: [rate_limits] values must be numbers (requests per second)") from None


def _hot_wallets(table: Any, path: Path) -> dict[str, list[str]]:
    if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(a, str) for a in v) for v in table.values()):
        raise BadInput(f"{path}: [hot_wallets] must be a table of network id = [addresses]")
    return {str(k): [a.strip() for a in v if a.strip()] for k, v in table.items()}


def hot_wallets_env(network_id: str) -> str:
    """The environment variable naming a network's hot wallets: `RECOVERY_HOT_WALLETS_<ID>`."""
    return "RECOVERY_HOT_WALLETS_" + network_id.upper().replace("-", "_")


def hot_wallets(config: Config, network_id: str) -> list[str]:
    """The network's hot wallets: `RECOVERY_HOT_WALLETS_<ID>` (comma-separated) if set, else the config's."""
    env = os.environ.get(hot_wallets_env(network_id))
    if env is not None:
        return [a.strip() for a in env.split(",") if a.strip()]
    return list(config.hot_wallets.get(network_id, []))


def database_url(config: Config) -> str:
    """`RECOVERY_DATABASE_URL`, the config file's [database] url, else SQLite in the user data dir."""
    url = os.environ.get("RECOVERY_DATABASE_URL") or config.database_url
    if url:
        return url
    data = _user_dir("data")
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / 'recovery.sqlite3'}"
