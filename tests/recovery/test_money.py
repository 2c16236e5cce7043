"""The one money formatter: the asset's unit, its display precision, USD to the cent; exact, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from recovery.money import amount, number, usd


@pytest.mark.parametrize(("value", "symbol", "decimals", "text"), [
    (Decimal("50"), "USD", 2, "50 USD"),
    (Decimal("0.600000000000000000"), "ETH", 18, "0.6 ETH"),
    (Decimal("0.5"), "ETH", 18, "0.5 ETH"),
    (Decimal("25000"), "RNDM", 18, "25,000 RNDM"),
    (Decimal("1.899978491061472"), "ETH", 18, "≈ 1.89997849 ETH"),   # 8 decimals on screen, said to be cut
    (Decimal("0.000000000000001234"), "ETH", 18, "0.000000000000001234 ETH"),  # tiny: significant digits kept
    (Decimal("0.123456"), "DUSD", 6, "0.123456 DUSD"),
    (Decimal("12.5"), "DUSD", 2, "12.5 DUSD"),
])
def test_amount_at_the_assets_display_precision(value: Decimal, symbol: str, decimals: int, text: str) -> None:
    assert amount(value, symbol, decimals) == text


def test_the_stored_value_is_not_rounded() -> None:
    value = Decimal("1.899978491061472")
    number(value, 18)
    assert value == Decimal("1.899978491061472")
    assert amount(None, "ETH") == ""


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("50"), "50.00 USD"), (Decimal("301.2575"), "301.26 USD"), ("6025.1", "6,025.10 USD"),
    (Decimal("0.004"), "0.00 USD"), (Decimal("0.005"), "0.01 USD"),
])
def test_usd_to_the_cent(value: Decimal | str, text: str) -> None:
    assert usd(value) == text


def test_an_unlisted_token_without_a_chain_symbol_is_named_by_its_address_once() -> None:
    from datetime import UTC, datetime

    from recovery.case_models import Quote
    from recovery.quotes import quote_message
    from recovery.triage import short

    token = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
    now = datetime.now(UTC)
    q = Quote(network="ethereum", asset=token, symbol=short(token), decimals=18,
              gross=Decimal("25000.123456789012345678"), fee=Decimal("1250.006172839450617284"),
              network_fee=Decimal(0), net=Decimal("23750.117283949561728394"), usd_price=Decimal("0.002"),
              usd_value=Decimal("50.000246913578024691"), fee_usd=Decimal("2.500012345678901234"), rule="r",
              recommendation="recover", reason="r", price_source="t", price_as_of=now, expires_at=now)
    text = quote_message(q, outcome="unlisted_token")
    assert f"(the token with contract address {token})" in text and text.count(token) == 1
    assert f"You would receive ≈ 23,750.11728395 {short(token)} in your account." in text
    assert "(about $2.50)" in text
