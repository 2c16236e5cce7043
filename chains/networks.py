"""The network registry: `networks.toml` loaded into frozen `Network` rows and validated."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chains.addresses.params import AddressParams, ParamError, parse_params
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
    chain_id: int | None = None
    #: networks with the same key group share keys: an address of one is controlled by the same key on
    #: the others (wrong_network); None shares with none. One name per network: symmetric by construction
    key_group: str | None = None
    #: "key" (externally owned, derived from a key) or "contract" (a deposit contract, which exists only
    #: on the chain it was deployed on: such a network cannot be in a key group)
    deposit_addresses: str = "key"
    #: the coin parameters of the family's address codec (chains/addresses/)
    address: AddressParams = AddressParams()
    #: utxo: the `getrawtransaction` verbosity the node is asked for
    rpc_verbosity: int = 1
    #: what an endpoint of this network says it is (genesis hash, chain id, network passphrase...), in the
    #: form the family's adapter reads it; EVM networks use `chain_id`
    identity: str | None = None
    #: an endpoint whose newest block is older than this is behind (unavailable); None: not checked
    max_head_age_seconds: int | None = None
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
        """Whether the address is one of this network's: its family's codec (checksum, length, version),
        or `address_regex` where the family has no codec yet."""
        from chains.addresses import codec  # the codecs (hashlib, base58...) only where an address is read

        return codec(self).is_valid(address)

    def valid_memo(self, memo: str) -> bool:
        """Whether the memo has this network's form (any memo where the network sets none)."""
        return not self.memo_regex or re.fullmatch(self.memo_regex, memo) is not None


# field name -> (type, required)
_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    "id": (str, True), "name": (str, True), "family": (str, True), "tier": (str, True),
    "native_symbol": (str, True), "native_decimals": (int, True), "min_confirmations": (int, True),
    "memo_required": (bool, True), "memo_regex": (str, True), "address_regex": (str, True),
    "tx_hash_regex": (str, True), "explorer_tx_url": (str, True), "rpc": (list, True),
    "chain_id": (int, False), "identity": (str, False), "key_group": (str, False),
    "deposit_addresses": (str, False), "address": (dict, False), "rpc_verbosity": (int, False),
    "max_head_age_seconds": (int, False),
    "aliases": (list, False),
}
DEPOSIT_ADDRESSES = ("key", "contract")


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
    if row.get("max_head_age_seconds", 1) <= 0:
        raise fail("max_head_age_seconds", "must be positive")
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
    if "key_group" in row and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["key_group"]):
        raise fail("key_group", "must be lower-case words joined by '-'")
    if row.get("deposit_addresses", "key") not in DEPOSIT_ADDRESSES:
        raise fail("deposit_addresses", "must be 'key' or 'contract'")
    if row.get("deposit_addresses") == "contract" and "key_group" in row:
        raise fail("key_group", "cannot be set where deposit addresses are contracts: a contract exists "
                                "only on the chain it was deployed on, no key controls it elsewhere")
    if not 0 <= row.get("rpc_verbosity", 1) <= 2:
        raise fail("rpc_verbosity", "must be 0, 1 or 2")
    data = dict(row)
    data["rpc"] = tuple(row["rpc"])
    try:
        data["address"] = parse_params(row["family"], row.get("address"))
    except ParamError as exc:
        raise fail(exc.field, exc.why) from None
    if not all(isinstance(a, str) and _label(a) for a in row.get("aliases", [])):
        raise fail("aliases", "must be a list of non-empty labels")
    data["aliases"] = tuple(row.get("aliases", []))
    return Network(**data)


def _label(text: str) -> str:
    """A label as compared: lower case, letters and digits only (`ERC-20` is `erc20`)."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _check_key_groups(path: Path, networks: dict[str, Network]) -> None:
    """Every key group has two networks or more, of one family, whose codecs write keys alike."""
    groups: dict[str, list[Network]] = {}
    for net in networks.values():
        if net.key_group:
            groups.setdefault(net.key_group, []).append(net)
    for name, members in groups.items():
        first = members[0]
        why = "has no other network: a group of one shares nothing (a typo?)" if len(members) == 1 else None
        for net in members[1:]:
            if net.family != first.family:
                why = f"mixes families ({net.family} here, {first.family} on {first.id})"
            elif (net.address.p2pkh[:1], net.address.p2sh[:1]) != (first.address.p2pkh[:1], first.address.p2sh[:1]):
                why = (f"joins networks whose keys are written differently (preferred base58 versions differ "
                       f"from {first.id}'s), so their addresses never compare equal")
            if why:
                raise RegistryError(f"{path}: network {net.id}: field 'key_group' {name!r} {why}")
        if why:
            raise RegistryError(f"{path}: network {first.id}: field 'key_group' {name!r} {why}")


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
    _check_key_groups(path, networks)
    seen: dict[str, str] = {_label(n.id): n.id for n in networks.values()}
    for net in networks.values():
        for alias in net.aliases:
            owner = seen.setdefault(_label(alias), net.id)
            if owner != net.id:
                raise RegistryError(f"{path}: network {net.id}: field 'aliases' repeats {alias!r} of {owner}")
    return networks


@cache
def shipped_registry() -> dict[str, Network]:
    """The shipped file's registry, read once per process (its networks are frozen)."""
    return load_registry(DEFAULT_PATH)


@cache
def registry() -> dict[str, Network]:
    """The registry in force: `RECOVERY_NETWORKS` if set, else the shipped file."""
    override = os.environ.get("RECOVERY_NETWORKS")
    return load_registry(Path(override)) if override else shipped_registry()


def key_peers(network: Network) -> list[Network]:
    """The other networks of the network's key group, in registry order (none without a group)."""
    if network.key_group is None:
        return []
    return [n for n in registry().values() if n.key_group == network.key_group and n.id != network.id]


def networks_with_identity(family: str, identity: str) -> list[Network]:
    """The registry's networks of this family whose endpoints report `identity`: the one that matches it
    exactly, else those whose first fact (e.g. a genesis hash) it shares."""
    nets = [n for n in registry().values() if n.family == family and n.expected_identity()]
    exact = [n for n in nets if n.expected_identity() == identity]
    if exact or not identity:
        return exact
    first = identity.split()[0]
    return [n for n in nets if (n.expected_identity() or "").split()[0] == first]


def network_with_identity(family: str, identity: str) -> Network | None:
    """The one registry network of this family whose endpoints report `identity`, if exactly one."""
    found = networks_with_identity(family, identity)
    return found[0] if len(found) == 1 else None


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
