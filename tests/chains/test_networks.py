"""The registry's key groups and address parameters: symmetric by construction, checked on load with the
network and field named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chains.errors import RegistryError
from chains.networks import DEFAULT_PATH, key_peers, load_registry, registry

REGISTRY = registry()


def rewritten(tmp_path: Path, network: str, pattern: str, replacement: str) -> Path:
    """A copy of the shipped registry with one line of one network's table rewritten."""
    blocks = DEFAULT_PATH.read_text().split("[[network]]")
    (index,) = [i for i, b in enumerate(blocks) if f"\nid = '{network}'\n" in b]
    blocks[index], count = re.subn(pattern, replacement, blocks[index], count=1, flags=re.M)
    assert count == 1, f"{pattern!r} not in {network}"
    path = tmp_path / "networks.toml"
    path.write_text("[[network]]".join(blocks))
    return path


def test_key_sharing_is_symmetric_and_excludes_zksync() -> None:
    peers = {n.id: {p.id for p in key_peers(n)} for n in REGISTRY.values()}
    for a, others in peers.items():
        assert a not in others
        for b in others:
            assert a in peers[b], (a, b)
    evm = {n.id for n in REGISTRY.values() if n.family == "evm"}
    assert peers["ethereum"] == evm - {"ethereum", "zksync"}
    assert peers["zksync"] == set() and all("zksync" not in p for p in peers.values())
    assert peers["bitcoin"] == {"bitcoin-cash"} and peers["bitcoin-cash"] == {"bitcoin"}
    assert peers["litecoin"] == peers["tron"] == peers["solana"] == set()


def test_contract_deposit_addresses_take_no_key_group(tmp_path: Path) -> None:
    path = rewritten(tmp_path, "polygon", r"^key_group = .*$", "key_group = 'evm'\ndeposit_addresses = 'contract'")
    with pytest.raises(RegistryError, match=r"network polygon: field 'key_group' cannot be set where deposit "
                                            r"addresses are contracts"):
        load_registry(path)
    path = rewritten(tmp_path, "polygon", r"^key_group = .*$", "deposit_addresses = 'contract'")
    nets = load_registry(path)
    assert nets["polygon"].deposit_addresses == "contract" and nets["polygon"].key_group is None


@pytest.mark.parametrize(("network", "pattern", "replacement", "field", "why"), [
    ("litecoin", r"^address = .*$", "key_group = 'bitcoin'\n\\g<0>", "key_group",
     "keys are written differently"),
    ("litecoin", r"p2sh = \['32', '05'\]", "p2sh = ['32', 'zz']", "address.p2sh", "hex"),
    ("litecoin", r"p2sh = \['32', '05'\]", "p2sh = ['30']", "address.p2sh", "shares a version byte"),
    ("bitcoin", r", hrp = 'bc'", "", "address.hrp", "required exactly where forms include 'segwit'"),
    ("bitcoin", r"forms = \['base58', 'segwit'\]", "forms = ['base58', 'bech33']", "address.forms",
     "non-empty list"),
    ("bitcoin-cash", r"display = 'cashaddr'", "display = 'segwit'", "address.display", "accepted forms"),
    ("dogecoin", r", p2sh = \['16'\]", "", "address.p2sh", "is missing"),
    ("tron", r"version = '41'", "version = '41', hrp = 'tr'", "address.hrp", "not an address parameter"),
    ("xrp", r"^rpc = .*$", "\\g<0>\naddress = { forms = ['base58'] }", "address.forms", "no address codec"),
    ("ethereum", r"^key_group = .*$", "key_group = 'EVM'", "key_group", "lower-case"),
    ("bitcoin", r"^rpc_verbosity = .*$", "rpc_verbosity = 3", "rpc_verbosity", "0, 1 or 2"),
])
def test_bad_key_group_or_address_parameters_name_network_and_field(
        tmp_path: Path, network: str, pattern: str, replacement: str, field: str, why: str) -> None:
    path = rewritten(tmp_path, network, pattern, replacement)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert f"network {network}: field '{field}'" in message and why in message, message
