"""The network registry: `networks.toml` loaded into frozen `Network` rows and validated."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chains.errors import RegistryError, UnsupportedNetwork

DEFAULT_PATH = Path(__file__).with_name("networks.toml")
TIERS = ("direct", "conditional")
FAMILIES = (
    "evm", "utxo", "tron", "solana", "xrpl", "stellar", "cosmos", "ton", "eos",
    "hedera", "algorand", "tezos", "polkadot", "cardano", "near", "aptos", "sui",
)


@dataclass(frozen=True, slots=True)
class Network:
    """One row of the registry."""

    id: str
    name: str
    family: str
    tier: str
    native_symbol: str
    native_decimals: int
    min_confirmations: int
    memo_required: bool
    memo_regex: str
    address_regex: str
    tx_hash_regex: str
    explorer_tx_url: str
    rpc: tuple[str, ...]
    shares_keys_with: tuple[str, ...]
    chain_id: int | None = None
    #: what an endpoint of this network says it is (genesis hash, chain id, network passphrase...), in the
    #: form the family's adapter reads it; EVM networks use `chain_id`
    identity: str | None = None
    #: labels exchanges and users write for this network (`ETH`, `ERC20`, `BEP20`): answered with a
    #: "did you mean" naming the id, never taken silently in place of it
    aliases: tuple[str, ...] = ()

    def expected_identity(self) -> str | None:
        """The identity an endpoint must report to be this network; None where none is recorded."""
        if self.identity is not None:
            return self.identity
        return None if self.chain_id is None else str(self.chain_id)

    def explorer_url(self, tx_hash: str) -> str:
        """The public explorer page of a transaction (a claim's `@block` / `@signer` part is not in it)."""
        return self.explorer_tx_url.replace("{tx}", tx_hash.split("@", 1)[0])

    def env_var(self) -> str:
        """The environment variable that overrides this network's endpoint."""
        return "RECOVERY_RPC_" + self.id.upper().replace("-", "_")

    def valid_address(self, address: str) -> bool:
        """Whether the address has this network's form."""
        return re.fullmatch(self.address_regex, address.strip()) is not None

    def valid_memo(self, memo: str) -> bool:
        """Whether the memo has this network's form (any memo where the network sets none)."""
        return not self.memo_regex or re.fullmatch(self.memo_regex, memo) is not None


# field name -> (type, required)
_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    "id": (str, True), "name": (str, True), "family": (str, True), "tier": (str, True),
    "native_symbol": (str, True), "native_decimals": (int, True), "min_confirmations": (int, True),
    "memo_required": (bool, True), "memo_regex": (str, True), "address_regex": (str, True),
    "tx_hash_regex": (str, True), "explorer_tx_url": (str, True), "rpc": (list, True),
    "shares_keys_with": (list, True), "chain_id": (int, False), "identity": (str, False),
    "aliases": (list, False),
}


def _check_row(path: Path, index: int, row: dict[str, Any]) -> Network:
    ident = row.get("id") if isinstance(row.get("id"), str) else f"#{index + 1}"

    def fail(field: str, why: str) -> RegistryError:
        return RegistryError(f"{path}: network {ident}: field {field!r} {why}")

    for name in row:
        if name not in _FIELDS:
            raise fail(name, "is not a registry field")
    for name, (kind, required) in _FIELDS.items():
        if name not in row:
            if required:
                raise fail(name, "is missing")
            continue
        value = row[name]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise fail(name, f"must be {getattr(kind, '__name__', kind)}, got {value!r}")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["id"]):
        raise fail("id", "must be lower-case words joined by '-'")
    if row["family"] not in FAMILIES:
        raise fail("family", f"must be one of {', '.join(FAMILIES)}")
    if row["tier"] not in TIERS:
        raise fail("tier", "must be 'direct' or 'conditional'")
    if row["family"] == "evm" and "chain_id" not in row:
        raise fail("chain_id", "is required for evm networks")
    if not 0 <= row["native_decimals"] <= 30:
        raise fail("native_decimals", "must be between 0 and 30")
    if row["min_confirmations"] < 0:
        raise fail("min_confirmations", "must not be negative")
    for name in ("memo_regex", "address_regex", "tx_hash_regex"):
        if name != "memo_regex" and not row[name]:
            raise fail(name, "must not be empty")
        try:
            re.compile(row[name])
        except re.error as exc:
            raise fail(name, f"is not a valid regex ({exc})") from None
    if row["memo_required"] and not row["memo_regex"]:
        raise fail("memo_regex", "is required where memo_required is true")
    if "{tx}" not in row["explorer_tx_url"] or not row["explorer_tx_url"].startswith("https://"):
        raise fail("explorer_tx_url", "must be an https URL with a {tx} placeholder")
    if not row["rpc"] or not all(isinstance(u, str) and "://" in u for u in row["rpc"]):
        raise fail("rpc", "must be a non-empty list of URLs")
    if not all(isinstance(s, str) for s in row["shares_keys_with"]):
        raise fail("shares_keys_with", "must be a list of network ids")
    data = dict(row)
    data["rpc"] = tuple(row["rpc"])
    data["shares_keys_with"] = tuple(row["shares_keys_with"])
    if not all(isinstance(a, str) and _label(a) for a in row.get("aliases", [])):
        raise fail("aliases", "must be a list of non-empty labels")
    data["aliases"] = tuple(row.get("aliases", []))
    return Network(**data)


def _label(text: str) -> str:
    """A label as compared: lower case, letters and digits only (`ERC-20` is `erc20`)."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def load_registry(path: Path = DEFAULT_PATH) -> dict[str, Network]:
    """Read and validate a registry file; a broken file raises `RegistryError` naming the field."""
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the network registry ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML ({exc})") from None
    rows = doc.get("network")
    if not isinstance(rows, list) or not rows:
        raise RegistryError(f"{path}: no [[network]] tables")
    networks: dict[str, Network] = {}
    for index, row in enumerate(rows):
        net = _check_row(path, index, row)
        if net.id in networks:
            raise RegistryError(f"{path}: network {net.id}: field 'id' is a duplicate")
        networks[net.id] = net
    seen: dict[str, str] = {_label(n.id): n.id for n in networks.values()}
    for net in networks.values():
        for alias in net.aliases:
            owner = seen.setdefault(_label(alias), net.id)
            if owner != net.id:
                raise RegistryError(f"{path}: network {net.id}: field 'aliases' repeats {alias!r} of {owner}")
    for net in networks.values():
        for other in net.shares_keys_with:
            if other not in networks:
                raise RegistryError(f"{path}: network {net.id}: field 'shares_keys_with' names "
                                    f"unknown network {other!r}")
            if networks[other].family != net.family:
                raise RegistryError(f"{path}: network {net.id}: field 'shares_keys_with' names "
                                    f"{other!r} of another family")
    return networks


@cache
def registry() -> dict[str, Network]:
    """The registry in force: `RECOVERY_NETWORKS` if set, else the shipped file."""
    override = os.environ.get("RECOVERY_NETWORKS")
    return load_registry(Path(override) if override else DEFAULT_PATH)


def network_with_identity(family: str, identity: str) -> Network | None:
    """The registry's network of this family whose endpoints report `identity`, if any."""
    return next((n for n in registry().values() if n.family == family and n.expected_identity() == identity), None)


def suggest_network(name: str) -> str | None:
    """The network id a label stands for (`ETH`, `TRC20`), else the closest id, else None."""
    import difflib

    nets = registry()
    label = _label(name)
    for net in nets.values():
        if label in {_label(a) for a in net.aliases} | {_label(net.id)}:
            return net.id
    by_label = {_label(n.id): n.id for n in nets.values()} | {_label(a): n.id for n in nets.values()
                                                               for a in n.aliases}
    close = difflib.get_close_matches(label, list(by_label), n=1, cutoff=0.75)
    return by_label[close[0]] if close else None


def get_network(network_id: str) -> Network:
    """One network by id, or `UnsupportedNetwork` with a "did you mean" (labels such as ETH or TRC20
    name their network) or the list of known ids."""
    nets = registry()
    try:
        return nets[network_id.strip().lower()]
    except KeyError:
        hint = suggest_network(network_id)
        if hint:
            aliases = ", ".join(nets[hint].aliases)
            raise UnsupportedNetwork(f"unknown network {network_id!r}; did you mean {hint!r}"
                                     + (f" (labels: {aliases})?" if aliases else "?")) from None
        raise UnsupportedNetwork(
            f"unknown network {network_id!r}; known: {', '.join(sorted(nets))}"
        ) from None
