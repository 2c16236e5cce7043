"""Fee rules of the default policy, and the arithmetic invariants under hypothesis."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.errors import BadInput
from recovery.fees import compute, load_policy, unit

POLICY = load_policy()
D = Decimal


def fee(tier: str, gross: str, price: str = "1", outcome: str | None = "unlisted_token", listed: bool = False,
        decimals: int = 6, network_fee: str = "0"):
    return compute(POLICY, tier=tier, outcome=outcome, listed=listed, gross=D(gross), decimals=decimals,
                   usd_price=D(price), network_fee=D(network_fee))


def test_default_policy_matches_design() -> None:
    assert POLICY.tiers["direct"].percent == 5 and POLICY.tiers["direct"].min_usd == 10
    assert POLICY.tiers["direct"].max_usd == 1000
    assert POLICY.tiers["conditional"].percent == 8 and POLICY.tiers["conditional"].min_usd == 50
    assert POLICY.tiers["conditional"].max_usd == 2000
    assert POLICY.memo_flat_usd == 25 and POLICY.small_below_usd == 50 and POLICY.valid_hours == 24


def test_direct_percentage() -> None:
    b = fee("direct", "1000")
    assert (b.fee, b.net, b.fee_usd, b.recommendation) == (D(50), D(950), D("50.00"), "recover")
    assert b.rule.startswith("direct tier: 5%")


def test_direct_minimum_and_maximum() -> None:
    assert fee("direct", "100").fee == 10 and "minimum applied" in fee("direct", "100").rule
    big = fee("direct", "1000000")
    assert big.fee == 1000 and "maximum applied" in big.rule


def test_conditional_tier() -> None:
    assert fee("conditional", "10000").fee == 800
    assert fee("conditional", "100000").fee == 2000
    assert fee("conditional", "200").fee == 50


def test_memo_flat_fee_on_listed_asset_only() -> None:
    assert fee("direct", "10000", outcome="missing_memo", listed=True).fee == 25
    assert fee("direct", "10000", outcome="wrong_memo", listed=True).rule.startswith("wrong_memo")
    assert fee("direct", "10000", outcome="missing_memo", listed=False).fee == 500


def test_uncredited_has_no_fee() -> None:
    b = fee("direct", "5", outcome="uncredited")
    assert (b.fee, b.net, b.recommendation) == (0, 5, "recover")


def test_small_claim_is_deferred() -> None:
    b = fee("direct", "49.99")
    assert b.recommendation == "defer" and "below the small-claim limit" in b.reason


def test_fee_above_half_the_value_is_deferred() -> None:
    b = fee("conditional", "90")  # 50 USD minimum on 90 USD
    assert b.recommendation == "defer" and "would exceed 50%" in b.reason
    assert fee("conditional", "120").recommendation == "recover"


def test_fee_is_taken_in_the_asset_and_rounded_to_its_decimals() -> None:
    b = fee("direct", "1", price="3012.55", decimals=18)
    assert b.fee == D("0.05") and b.usd_value == D("3012.55")
    c = fee("direct", "3", price="7", decimals=2)  # 21 USD value, 10 USD min = 1.428.. -> 1.43
    assert c.fee == D("1.43") and c.net == D("1.57")


def test_fee_never_above_the_amount() -> None:
    b = fee("conditional", "0.5")
    assert b.fee == D("0.5") and b.net == 0 and "capped" in b.rule


def test_network_fee_passes_through_and_is_capped() -> None:
    b = fee("direct", "1000", network_fee="0.0000001")
    assert b.network_fee == D("0.000001") and b.net == D("949.999999")
    c = fee("direct", "12", network_fee="100")
    assert c.fee + c.network_fee == 12 and c.net == 0


def test_bad_amounts_are_refused() -> None:
    with pytest.raises(BadInput, match="more decimal places"):
        fee("direct", "1.0000001", decimals=6)
    with pytest.raises(BadInput, match="amount must be a positive"):
        fee("direct", "0")
    with pytest.raises(BadInput, match="usd_price"):
        fee("direct", "10", price="0")


def test_policy_override(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[tiers.direct]\npercent = "2"\n[small_claims]\nbelow_usd = "5"\n')
    policy = load_policy(path)
    assert policy.tiers["direct"].percent == 2 and policy.tiers["direct"].min_usd == 10
    assert policy.small_below_usd == 5 and policy.tiers["conditional"].percent == 8
    path.write_text("not toml [")
    with pytest.raises(BadInput, match="not valid TOML"):
        load_policy(path)


@st.composite
def claims(draw):  # type: ignore[no-untyped-def]
    decimals = draw(st.integers(0, 18))
    base = draw(st.integers(1, 10**24))
    price = Decimal(draw(st.integers(1, 10**9))).scaleb(-draw(st.integers(0, 8)))
    nf = Decimal(draw(st.integers(0, 10**20))).scaleb(-draw(st.integers(0, 20)))
    tier = draw(st.sampled_from(["direct", "conditional"]))
    outcome = draw(st.sampled_from(["unlisted_token", "wrong_network", "below_minimum", "missing_memo",
                                    "wrong_memo", "uncredited"]))
    return Decimal(base).scaleb(-decimals), decimals, price, nf, tier, outcome, draw(st.booleans())


@settings(max_examples=400, deadline=None)
@given(claims())
def test_fee_arithmetic_invariants(claim) -> None:  # type: ignore[no-untyped-def]
    gross, decimals, price, nf, tier, outcome, listed = claim
    b = compute(POLICY, tier=tier, outcome=outcome, listed=listed, gross=gross, decimals=decimals,
                usd_price=price, network_fee=nf)
    assert b.gross == gross
    assert b.fee + b.network_fee + b.net == gross
    assert 0 <= b.fee <= gross and b.network_fee >= 0 and b.net >= 0
    for v in (b.fee, b.network_fee, b.net):
        assert v == v.quantize(unit(decimals))
    rule = POLICY.tiers[tier]
    if outcome == "uncredited":
        assert b.fee == 0
    elif not (outcome in ("missing_memo", "wrong_memo") and listed) and b.fee < gross:
        # within min/max up to rounding to one base unit of the asset
        slack = price * unit(decimals)
        assert rule.min_usd - slack <= b.fee * price <= rule.max_usd + slack
    assert b.recommendation in ("recover", "defer")


def test_policy_ages_and_rule_lookup() -> None:
    from recovery.fees import rule_of

    assert POLICY.max_price_age_hours == 24 and POLICY.not_found_wait_hours == 6
    assert rule_of("uncredited") == "no_fee" and rule_of("wrong_memo") == "memo_flat" and rule_of(None) == "tier"
    with pytest.raises(BadInput, match="failed cannot be quoted"):
        rule_of("failed")
    with pytest.raises(BadInput, match="unknown outcome"):
        rule_of("lost")


def test_exact_units_beyond_28_digits() -> None:
    from recovery.fees import plain, to_base
    from recovery.triage import whole_units

    base = 1234567890123123456789012341234
    assert whole_units(base, 18) == D("1234567890123.123456789012341234")
    assert plain(whole_units(base, 18)) == "1234567890123.123456789012341234"
    assert to_base(D("1234567890123.123456789012341234"), 18) == base
    assert whole_units(10**40, 18) == D(10**22) and plain(D("1.50")) == "1.5"
    b = fee("direct", "1234567890123.123456789012341234", price="0.000001", decimals=18)
    assert b.gross == D("1234567890123.123456789012341234") and to_base(b.net, 18) == base - 10**27


def test_builder_limits_come_from_the_policy_and_bad_keys_are_named(tmp_path: Path) -> None:
    assert POLICY.prepare["tron"]["fee_limit"] == 100_000_000   # 100 TRX of energy for a TRC-20 transfer
    ours = tmp_path / "policy.toml"
    ours.write_text("[prepare.utxo]\nfee_rate_per_kvb = 2000\n")
    assert load_policy(ours).prepare["utxo"]["fee_rate_per_kvb"] == 2000
    ours.write_text("[prepare.tron]\nfee_limt = 1\n")
    with pytest.raises(BadInput, match=r"\[prepare.tron\] fee_limt: not a key of this family \(fee_limit\)"):
        load_policy(ours)
    ours.write_text("[prepare.cardano]\nx = 1\n")
    with pytest.raises(BadInput, match=r"\[prepare.cardano\] is not a family with a builder"):
        load_policy(ours)
