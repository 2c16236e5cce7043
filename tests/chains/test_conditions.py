"""The declared recovery conditions (chains/conditions.toml): they load, name only known kinds with
their parameters, cover every conditional network, and a broken file is refused naming the field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chains.conditions import DEFAULT_PATH, KINDS, conditions, conditions_for, load_conditions
from chains.errors import RegistryError
from chains.networks import registry

GENERIC = {"claimant_proves_sender", "max_age_days", "min_usd", "wallet_confirms_key"}


def test_shipped_file_loads_with_known_kinds_only() -> None:
    loaded = conditions()
    conditional = {n.id for n in registry().values() if n.tier == "conditional"}
    assert set(loaded) == conditional and len(conditional) == 16
    for network, declared in loaded.items():
        kinds = {c.kind for c in declared}
        assert kinds <= set(KINDS) and kinds >= GENERIC, network
        for c in declared:
            assert set(c.params) == set(KINDS[c.kind].params)
            assert c.needs_person == KINDS[c.kind].needs_person
    specific = {(c.network, c.kind) for declared in loaded.values() for c in declared if c.kind not in GENERIC}
    assert specific == {("polkadot", "existential_deposit"), ("near", "storage_deposit"), ("cardano", "min_utxo")}


def test_parameters_are_typed() -> None:
    by_kind = {c.kind: c for c in conditions_for("near")}
    assert by_kind["storage_deposit"].params == {"amount": 1_250_000_000_000_000_000_000}   # 0.00125 NEAR
    assert by_kind["min_usd"].params == {"usd": Decimal(50)} and by_kind["max_age_days"].params == {"days": 180}
    assert by_kind["wallet_confirms_key"].role == "wallet" and by_kind["claimant_proves_sender"].role == "agent"
    assert {c.kind: c.params for c in conditions_for("polkadot")}["existential_deposit"] == {"amount": 10**10}
    assert conditions_for("bitcoin") == ()
    assert by_kind["storage_deposit"].describe() == (
        "storage_deposit amount=1250000000000000000000 (confirmed by wallet)")


def shipped_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PATH.read_text()
    assert old in text
    path = tmp_path / "conditions.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("kind = 'min_utxo'", "kind = 'min_utxos'", "field 'kind' must be one of"),
    ("[sui]", "[bitcoin]", r"\[bitcoin\] is a direct-tier network"),
    ("[sui]", "[suix]", r"\[suix\] is not a network"),
    ("{ kind = 'min_utxo', amount = '1000000' }", "{ kind = 'min_utxo', amount = 1.5 }",
     "field 'amount' must be a int"),
    ("{ kind = 'min_usd', usd = '50' }", "{ kind = 'min_usd', usd = 50.5 }", "field 'usd' must be a Decimal"),
    ("{ kind = 'max_age_days', days = 180 }", "{ kind = 'max_age_days', days = -1 }", "must not be negative"),
    ("{ kind = 'max_age_days', days = 180 }", "{ kind = 'max_age_days' }", "field 'days' is missing"),
    ("{ kind = 'claimant_proves_sender', role = 'agent' }", "{ kind = 'claimant_proves_sender' }",
     "needs a field 'role'"),
    ("{ kind = 'max_age_days', days = 180 }", "{ kind = 'max_age_days', days = 180, role = 'wallet' }",
     "field 'role' does not apply"),
    ("{ kind = 'min_utxo', amount = '1000000' }", "{ kind = 'min_utxo', amount = '1000000', memo = 'x' }",
     "field 'memo' is not a parameter"),
    ("{ kind = 'existential_deposit', amount = '10000000000' }",
     "{ kind = 'existential_deposit', amount = '10000000000' }, { kind = 'existential_deposit', amount = '1' }",
     "declares a condition kind twice"),
])
def test_broken_file_names_the_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        load_conditions(shipped_with(tmp_path, old, new))


def test_network_specific_kind_on_another_family_is_refused(tmp_path: Path) -> None:
    path = shipped_with(tmp_path, "[sui]\nconditions = [\n",
                        "[sui]\nconditions = [\n  { kind = 'min_utxo', amount = '1' },\n")
    with pytest.raises(RegistryError, match="network sui: condition #1 kind 'min_utxo' applies to cardano"):
        load_conditions(path)


def test_every_conditional_network_must_declare(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text()
    path = tmp_path / "conditions.toml"
    path.write_text(text[:text.index("[sui]")])
    with pytest.raises(RegistryError, match="without conditions: sui"):
        load_conditions(path)
