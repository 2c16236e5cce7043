"""The condition evaluator: each kind's states from the facts, unknown where the data is missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chains.conditions import Condition, conditions_for
from recovery.case_conditions import Confirmation, Facts, Price, evaluate, evaluate_one, exempt_reason

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DOT = Facts(network="polkadot", native_symbol="DOT", native_decimals=10, asset="native",
            amount_base=2_779_843_000_000, decimals=10, symbol="DOT", block_time=NOW - timedelta(days=30),
            claimed_at=NOW, now=NOW, price=Price(Decimal("5"), "import", NOW), max_price_age=timedelta(hours=24))


def kind(network: str, name: str) -> Condition:
    return next(c for c in conditions_for(network) if c.kind == name)


@pytest.mark.parametrize(("days", "state", "said"), [
    (30, "holds", "deposit is 30 days old, at most 180"),
    (180, "holds", "deposit is 180 days old, at most 180"),
    (212, "fails", "deposit is 212 days old, at most 180"),
])
def test_max_age_counts_to_the_claim(days: int, state: str, said: str) -> None:
    s = evaluate_one(kind("polkadot", "max_age_days"), replace(DOT, block_time=NOW - timedelta(days=days)))
    assert (s.state, s.reason, s.role) == (state, said, None)
    later = replace(DOT, block_time=NOW - timedelta(days=days), now=NOW + timedelta(days=400))
    assert evaluate_one(kind("polkadot", "max_age_days"), later).state == state   # the claim's day counts


def test_unknown_block_time_is_open_not_holding() -> None:
    s = evaluate_one(kind("polkadot", "max_age_days"), replace(DOT, block_time=None))
    assert s.state == "unknown" and s.is_open and "block time is not known" in s.reason


def test_min_usd_from_the_price_and_unknown_without_one() -> None:
    c = kind("polkadot", "min_usd")
    s = evaluate_one(c, DOT)
    assert s.state == "holds" and "1,389.92 USD" in s.reason and "at least 50.00 USD" in s.reason
    assert evaluate_one(c, replace(DOT, price=Price(Decimal("0.1"), "import", NOW))).state == "fails"
    assert evaluate_one(c, replace(DOT, price=None)).state == "unknown"
    stale = evaluate_one(c, replace(DOT, price=Price(Decimal("5"), "import", NOW - timedelta(hours=25))))
    assert stale.state == "unknown" and "too old" in stale.reason
    assert evaluate_one(c, replace(DOT, amount_base=None)).state == "unknown"


def test_native_floors_of_polkadot_and_cardano() -> None:
    ed = kind("polkadot", "existential_deposit")
    assert evaluate_one(ed, DOT).state == "holds"
    below = evaluate_one(ed, replace(DOT, amount_base=5_000_000_000))
    assert below.state == "fails" and below.reason == "deposit of 0.5 DOT, the existential deposit is 1 DOT"
    token = evaluate_one(ed, replace(DOT, asset="1984"))
    assert token.state == "holds" and "top-up" in token.reason
    ada = Facts(network="cardano", native_symbol="ADA", native_decimals=6, asset="native", amount_base=999_999,
                decimals=6, symbol="ADA", block_time=NOW, claimed_at=NOW, now=NOW)
    assert evaluate_one(kind("cardano", "min_utxo"), ada).state == "fails"
    assert evaluate_one(kind("cardano", "min_utxo"), replace(ada, amount_base=1_000_000)).state == "holds"
    assert evaluate_one(kind("cardano", "min_utxo"), replace(ada, asset=None)).state == "unknown"


def test_person_kinds_need_their_role_until_confirmed() -> None:
    for name, role in (("claimant_proves_sender", "agent"), ("wallet_confirms_key", "wallet")):
        s = evaluate_one(kind("xrp", name), DOT)
        assert (s.state, s.role) == ("needs_person", role) and s.reason.startswith(f"needs {role}: ")
        done = evaluate_one(kind("xrp", name), DOT, Confirmation(name, "wanda", role, NOW, "checked"))
        assert (done.state, done.confirmed_by, done.note) == ("confirmed", "wanda", "checked")


def test_storage_deposit_holds_for_native_near_and_needs_wallet_for_a_token() -> None:
    c = kind("near", "storage_deposit")
    near = Facts(network="near", native_symbol="NEAR", native_decimals=24, asset="native", amount_base=10**23,
                 decimals=24, symbol="NEAR", block_time=NOW, claimed_at=NOW, now=NOW)
    assert evaluate_one(c, near).state == "holds"
    token = evaluate_one(c, replace(near, asset="token.sweat"))
    assert (token.state, token.role) == ("needs_person", "wallet") and "0.00125 NEAR" in token.reason


def test_evaluation_is_met_only_when_every_condition_holds_or_is_confirmed() -> None:
    conds = conditions_for("polkadot")
    ev = evaluate(conds, DOT)
    assert [c.kind for c in ev.open] == ["claimant_proves_sender", "wallet_confirms_key"] and not ev.met
    assert "claimant_proves_sender is open" in ev.blocking()
    both = {k: Confirmation(k, "x", "agent", NOW) for k in ("claimant_proves_sender", "wallet_confirms_key")}
    assert evaluate(conds, DOT, both).met
    old = evaluate(conds, replace(DOT, block_time=NOW - timedelta(days=365)), both)
    assert not old.met and [c.kind for c in old.failed] == ["max_age_days"]


def test_an_uncredited_deposit_is_not_a_recovery() -> None:
    assert exempt_reason("uncredited") and exempt_reason("unlisted_token") is None and exempt_reason(None) is None
