"""Which endpoints serve a network, and how to show a URL without its secrets."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

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


_SECRETISH = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


def redact(url: str) -> str:
    """The URL with credentials, query values and key-like path segments replaced by ***."""
    scheme_prefix = ""
    if "+" in url.split("://", 1)[0]:
        scheme_prefix, url = url.split("+", 1)
        scheme_prefix += "+"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        host = "***@" + host
    # any long token-like segment, letters only included: API keys can be (Alchemy's are 32 alphanumerics)
    path = "/".join("***" if _SECRETISH.match(seg) else seg for seg in parts.path.split("/"))
    query = "&".join(f"{kv.split('=', 1)[0]}=***" for kv in parts.query.split("&") if kv)
    return scheme_prefix + urlunsplit((parts.scheme, host, path, query, ""))
