"""Quotes from reference prices and valuations, network fees from the node's gas price, the user message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from recovery.db import session_scope
from recovery.errors import BadInput, NotConfigured
from recovery.fees import load_policy
from recovery.quotes import adapter_fee_estimator, build_quote, quote_json, quote_message

pytestmark = pytest.mark.anvil
POLICY = load_policy()


def test_native_quote_carries_the_gas_price_network_fee(scenario_env: dict[str, str], engine,
                                                        evm_scenario: Any, anvil_nodes: Any) -> None:
    gas_price = int(anvil_nodes["ethereum"].rpc("eth_gasPrice"), 16)
    with session_scope(engine) as s:
        q = build_quote(s, POLICY, network="ethereum", asset="native", amount=Decimal(2), outcome="wrong_network",
                        estimator=adapter_fee_estimator(None))
    assert q.network_fee == Decimal(gas_price * 21_000).scaleb(-18)
    assert q.gross == q.fee + q.network_fee + q.net and q.network_fee_note is None
    assert q.usd_value == Decimal("6025.10") and q.fee == Decimal("0.1")
    assert q.symbol == "ETH" and (q.expires_at - q.created_at).total_seconds() == 24 * 3600


def test_token_quote_converts_the_native_network_fee(scenario_env: dict[str, str], engine,
                                                     evm_scenario: Any) -> None:
    dusd = evm_scenario.tokens["DUSD"]
    with session_scope(engine) as s:
        q = build_quote(s, POLICY, network="ethereum", asset=dusd, amount=Decimal(1000), outcome="unlisted_token",
                        estimator=adapter_fee_estimator(None))
    assert q.network_fee > 0 and q.fee == 50 and q.net == 1000 - 50 - q.network_fee
    assert q.network_fee == q.network_fee.quantize(Decimal("0.000001"))


def test_unknown_network_fee_is_said(scenario_env: dict[str, str], engine, evm_scenario: Any) -> None:
    with session_scope(engine) as s:
        q = build_quote(s, POLICY, network="ethereum", asset="native", amount=Decimal(1), outcome=None)
    assert q.network_fee == 0 and q.network_fee_note == "network fee not estimated"
    assert quote_json(q)["network_fee_note"] == "network fee not estimated"


def test_unknown_price_and_decimals(scenario_env: dict[str, str], engine, evm_scenario: Any) -> None:
    rndm = evm_scenario.tokens["RNDM"]
    with session_scope(engine) as s:
        with pytest.raises(BadInput, match="--decimals"):
            build_quote(s, POLICY, network="ethereum", asset=rndm, amount=Decimal(1), outcome=None)
        with pytest.raises(NotConfigured, match="no USD price"):
            build_quote(s, POLICY, network="ethereum", asset=rndm, amount=Decimal(1), outcome=None, decimals=18)


def test_message_for_a_deferral(scenario_env: dict[str, str], engine, evm_scenario: Any) -> None:
    with session_scope(engine) as s:
        q = build_quote(s, POLICY, network="ethereum", asset="native", amount=Decimal("0.005"),
                        outcome="below_minimum")
    text = quote_message(q, user_id="u-1001", outcome="below_minimum")
    assert q.recommendation == "defer"
    assert text.startswith("Dear u-1001,") and "below the minimum deposit" in text
    assert "service fee of ≈ 0.00331945 ETH" in text and "You would receive" in text   # 8 places on screen
    assert "advice, however, is to wait" in text and "valid until" in text
