"""Which endpoints serve a network, and how to show a URL without its secrets."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from chains.networks import Network


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The resolved endpoint list of a network and where it came from."""

    urls: tuple[str, ...]
    source: str  # "--rpc", "env RECOVERY_RPC_X", "config", "registry"

    @property
    def explicit(self) -> bool:
        """Whether someone chose these endpoints (flag, env or config) rather than the registry."""
        return self.source != "registry"


def _as_list(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(u.strip() for u in items if u and u.strip())


def resolve_endpoints(
    network: Network,
    cli_rpc: str | None = None,
    config_rpc: Mapping[str, str | list[str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Endpoints:
    """First match wins: `--rpc`, env `RECOVERY_RPC_<ID>`, config `[rpc]`, registry default."""
    env = os.environ if environ is None else environ
    if cli_rpc:
        return Endpoints(_as_list(cli_rpc), "--rpc")
    var = network.env_var()
    if env.get(var):
        return Endpoints(_as_list(env[var]), f"env {var}")
    if config_rpc and config_rpc.get(network.id):
        return Endpoints(_as_list(config_rpc[network.id]), "config")
    return Endpoints(network.rpc, "registry")


# Path prefixes known to be public per provider type (host suffix or scheme prefix); anything after
# them, and any other path, is hidden. The registry's own default endpoints are public as written.
_PROVIDER_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("infura.io", ("v3",)),
    ("alchemy.com", ("v2",)),
    ("blockfrost.io", ("api", "v0")),
    ("esplora+", ("api",)),
)
_GENERIC_PATHS: tuple[tuple[str, ...], ...] = (("rpc",), ("api",), ("jsonrpc",), ("ext", "bc", "C", "rpc"))
_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
HIDDEN = "***"
_HOST = re.compile(r"[A-Za-z0-9._\-]*|[0-9A-Fa-f:.%]+")   # a name, an IPv4 or an IPv6 literal


@lru_cache(maxsize=1)
def _registry_paths() -> frozenset[tuple[str, str]]:
    """(scheme+host[:port], path) of every default endpoint the registry ships: public by definition."""
    from chains.networks import shipped_registry

    pairs = set()
    for net in shipped_registry().values():
        for url in net.rpc:
            prefix, _, rest = url.rpartition("+") if "+" in url.split("://", 1)[0] else ("", "", url)
            parts = urlsplit(rest)
            pairs.add((prefix + (parts.hostname or "") + (f":{parts.port}" if parts.port else ""),
                       parts.path.rstrip("/")))
    return frozenset(pairs)


def _public_path(kind: str, host: str, path: str) -> str:
    """The part of `path` known to be public for this provider, plus a marker when more was there."""
    if not path or path == "/":
        return path
    if (kind + host, path.rstrip("/")) in _registry_paths():
        return path
    segments = [s for s in path.split("/") if s]
    known = [prefix for suffix, prefix in _PROVIDER_PATHS if host.endswith(suffix) or kind == suffix]
    best: tuple[str, ...] = ()
    for prefix in (*known, *_GENERIC_PATHS):
        if tuple(segments[:len(prefix)]) == prefix and len(prefix) > len(best):
            best = prefix
    kept = "".join("/" + s for s in best)
    return kept + (f"/{HIDDEN}" if len(segments) > len(best) else "")


def redact(url: str) -> str:
    """The URL as it may be shown or stored: scheme, host and port, and a path only where it is known to be
    public for that provider; userinfo, query, fragment, `;params` and every other path are replaced by ***.

    Structure decides, not the look of a value: a secret anywhere after the host never survives."""
    kind = ""
    head = url.split("://", 1)[0]
    if "://" in url and "+" in head and not head.startswith(_DATABASE_SCHEMES):
        kind, url = url.split("+", 1)
        kind += "+"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return HIDDEN
    host = parts.hostname or ""
    if not _HOST.fullmatch(host):
        return HIDDEN
    if not parts.scheme or not host and not parts.scheme.startswith("sqlite"):
        return HIDDEN
    if ":" in host:
        host = f"[{host}]"   # IPv6 literal
    if port:
        host = f"{host}:{port}"
    shown = host
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        shown = f"{HIDDEN}@{host}"
    if parts.scheme.startswith(_DATABASE_SCHEMES):
        path = parts.path.split(";", 1)[0]   # the database name or file is no secret; parameters may be
    else:
        path = _public_path(kind, host, parts.path)
    rest = f"?{HIDDEN}" if parts.query or url.rstrip().endswith("?") else ""
    rest += f"#{HIDDEN}" if parts.fragment else ""
    return f"{kind}{parts.scheme}://{shown}{path}{rest}"
