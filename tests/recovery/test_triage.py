"""Triage on a real Anvil devnet: every EVM outcome of the design, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from recovery.db import make_engine, session_scope
from recovery.devnet import MISSING_HASH
from recovery.triage import Outcome
from recovery.verify import verify

ALL_EVM_OUTCOMES = {o.value for o in Outcome} - {"missing_memo", "wrong_memo", "unverifiable"}


def _verify(db_url: str, network: str, tx_hash: str) -> Any:
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            return verify(session, network, tx_hash)
    finally:
        engine.dispose()


def test_scenario_covers_every_evm_outcome(evm_scenario: Any) -> None:
    assert {c.expected for c in evm_scenario.claims} == ALL_EVM_OUTCOMES


def test_each_claim_gets_its_outcome(evm_scenario: Any, scenario_env: dict[str, str], db_url: str) -> None:
    for claim in evm_scenario.claims:
        verdict = _verify(db_url, claim.network, claim.tx_hash)
        assert verdict.outcome.value == claim.expected, (claim.label, verdict.reason)
        if claim.user_id and verdict.outcome in (Outcome.UNCREDITED, Outcome.CREDITED, Outcome.UNLISTED_TOKEN):
            assert verdict.user_id == claim.user_id


def test_uncredited_facts_and_json_shape(evm_scenario: Any, scenario_env: dict[str, str], db_url: str) -> None:
    claim = evm_scenario.claim("ETH deposit never credited")
    doc = _verify(db_url, claim.network, claim.tx_hash).to_json()
    assert doc["outcome"] == "uncredited" and doc["recoverable"] == "yes"
    assert doc["status"] == "confirmed" and doc["confirmations"] >= 12 and doc["block_height"] > 0
    assert doc["amount"] == "0.5" and doc["asset"] == "native" and doc["symbol"] == "ETH"
    assert doc["transfers"] == [{"from_address": evm_scenario.users["alice"],
                                 "to_address": evm_scenario.deposits["u-1001"], "asset": "native",
                                 "amount": "0.5", "amount_base_units": str(10**18 // 2), "decimals": 18,
                                 "memo": None, "non_fungible": False}]
    assert doc["explorer_url"] == f"https://etherscan.io/tx/{claim.tx_hash}"
    assert doc["found_on_network"] is None


def test_unlisted_token_amount_uses_on_chain_decimals(evm_scenario: Any, scenario_env: dict[str, str],
                                                      db_url: str) -> None:
    claim = evm_scenario.claim("Unlisted token sent to a deposit address")
    verdict = _verify(db_url, claim.network, claim.tx_hash)
    assert verdict.asset == evm_scenario.tokens["RNDM"]
    assert verdict.amount == Decimal(25_000)       # decimals() read from the contract: 18
    assert verdict.deposit_address == evm_scenario.deposits["u-1003"]


def test_wrong_network_names_where_the_address_is_ours(evm_scenario: Any, scenario_env: dict[str, str],
                                                       db_url: str) -> None:
    claim = evm_scenario.claim("ETH sent to our BSC-only address")
    verdict = _verify(db_url, claim.network, claim.tx_hash)
    assert (verdict.deposit_network, verdict.user_id, verdict.amount) == ("bsc", "u-1002", Decimal(2))


def test_not_found_reports_the_sibling_network(evm_scenario: Any, scenario_env: dict[str, str], db_url: str) -> None:
    claim = evm_scenario.claim("BSC transaction claimed on Ethereum")
    verdict = _verify(db_url, "ethereum", claim.tx_hash)
    assert verdict.outcome is Outcome.NOT_FOUND and verdict.found_on_network == "bsc"
    assert _verify(db_url, "ethereum", MISSING_HASH).found_on_network is None


def test_unreachable_node_is_unverifiable_not_not_found(scenario_env: dict[str, str], db_url: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERY_RPC_POLYGON", "http://127.0.0.1:9")  # discard port: connection refused
    verdict = _verify(db_url, "polygon", MISSING_HASH)
    assert verdict.outcome is Outcome.UNVERIFIABLE and verdict.recoverable == "retry"
    assert "127.0.0.1:9" in (verdict.error or "")


def test_credited_lookup_is_case_insensitive_on_the_hash(evm_scenario: Any, scenario_env: dict[str, str],
                                                         db_url: str) -> None:
    claim = evm_scenario.claim("ETH deposit already credited")
    verdict = _verify(db_url, "ethereum", "0x" + claim.tx_hash[2:].upper())
    assert verdict.outcome is Outcome.CREDITED


def test_recipient_the_adapter_marks_as_contract_is_contract_address(engine: Any) -> None:
    """Families without a code lookup (Tron) mark contract recipients on the ChainTx itself."""
    from chains.base import NATIVE, ChainTx, Transfer, TxStatus
    from chains.networks import get_network
    from recovery.reference import Reference
    from recovery.triage import Triage

    usdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"   # the USDT contract on Tron
    tx = ChainTx("tron", "ab" * 32, TxStatus.CONFIRMED, block_height=1, confirmations=100,
                 transfers=(Transfer("TW3NSuhTNWLrChj9WTixDCUAVZgjLuq7Vz", usdt, NATIVE, 10**6, 6),),
                 contract_recipients=frozenset({usdt}))
    with session_scope(engine) as session:
        verdict = Triage(Reference(session), get_network("tron")).run([tx])[0]
        plain = Triage(Reference(session), get_network("tron")).run([replace(tx, contract_recipients=frozenset())])[0]
    assert verdict.outcome is Outcome.CONTRACT_ADDRESS
    assert plain.outcome is Outcome.NOT_OUR_ADDRESS
