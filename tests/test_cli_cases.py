"""A whole case through the CLI against Anvil: verify, value, quote, approvals, on-chain execute, audit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cli import ok, run

pytestmark = pytest.mark.anvil


def test_unlisted_token_case_end_to_end(scenario_env: dict[str, str], evm_scenario: Any, anvil_nodes: Any,
                                       monkeypatch: pytest.MonkeyPatch, ethereum_restored: Any) -> None:
    from recovery.devnet import send_token

    for name, role in [("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")]:
        assert run("actors", "add", name, "--role", role)[0] == 0
    claim = evm_scenario.claim("Unlisted token sent to a deposit address")
    assert run("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003")[0] == 2
    assert run("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003",
               actor="wanda")[0] == 1
    case = ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003", actor="ann")
    cid = str(case["id"])
    assert case["status"] == "open" and case["opened_by"] == "ann" and case["approvals"] == []

    case = ok("case", "verify", cid, actor="ann")
    assert (case["status"], case["outcome"], case["amount"]) == ("verified", "unlisted_token", "25000")

    code, _, err = run("case", "quote", cid, actor="ann")
    assert code == 1 and "valuation" in err
    assert run("case", "value", cid, "--usd-price", "0.002", actor="ann")[0] == 1   # not clearing
    assert run("case", "value", cid, "--usd-price", "abc", actor="carl")[0] == 2
    ok("case", "value", cid, "--usd-price", "0.002", actor="carl")
    quote = ok("case", "quote", cid, actor="ann")
    assert quote["usd_value"] == "50.00" and quote["fee"] == "5000" and quote["rule"].startswith("direct")
    assert quote["network_fee_note"] is None and quote["recommendation"] == "recover"
    assert quote["gross"] == "25000"
    from decimal import Decimal
    assert Decimal(quote["fee"]) + Decimal(quote["network_fee"]) + Decimal(quote["net"]) == 25000

    code, text, _ = run("case", "quote", cid, "--message")
    assert code == 0 and "service fee of 5,000 RNDM" in text and "You would receive" in text

    code, _, err = run("case", "approve", cid, "--role", "wallet", actor="wanda")
    assert code == 1 and "quoted: approve is not allowed" in err and "accept" in err
    ok("case", "accept", cid, actor="ann")
    assert run("case", "approve", cid, "--role", "wallet", actor="ann")[0] == 1
    assert run("case", "approve", cid, "--role", "nobody", actor="wanda")[0] == 2
    for who, role in (("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")):
        case = ok("case", "approve", cid, "--role", role, actor=who)
    assert case["status"] == "approved" and {a["role"] for a in case["approvals"]} == {"wallet", "clearing",
                                                                                      "security"}
    eth = anvil_nodes["ethereum"]
    rndm, deposit, whale = evm_scenario.tokens["RNDM"], evm_scenario.deposits["u-1003"], evm_scenario.users["whale"]
    hot = eth.accounts()[8]
    monkeypatch.setenv("RECOVERY_HOT_WALLETS_ETHEREUM", hot)
    top_up = send_token(eth, whale, rndm, deposit, 80_000 * 10**18)  # so every recovery attempt can be mined
    eth.mine(1)
    wrong_sender = send_token(eth, evm_scenario.users["alice"], rndm, hot, 10**18)
    eth.mine(12)
    code, _, err = run("case", "execute", cid, "--recovery-tx", wrong_sender, actor="wanda")
    assert code == 1 and err.startswith("from_address:") and "deposit address" in err
    over = send_token(eth, deposit, rndm, hot, 25_001 * 10**18)
    eth.mine(12)
    code, _, err = run("case", "execute", cid, "--recovery-tx", over, actor="wanda")
    assert code == 1 and err.startswith("amount:") and "more than the quoted gross" in err
    elsewhere = send_token(eth, deposit, rndm, whale, 24_000 * 10**18)   # not one of our hot wallets
    eth.mine(12)
    code, _, err = run("case", "execute", cid, "--recovery-tx", elsewhere, actor="wanda")
    assert code == 1 and err.startswith("to_address:") and whale in err and "RECOVERY_HOT_WALLETS_ETHEREUM" in err
    assert ok("case", "show", cid)["status"] == "approved"
    good = send_token(eth, deposit, rndm, hot, 24_000 * 10**18)
    eth.mine(1)
    code, _, err = run("case", "execute", cid, "--recovery-tx", good, actor="wanda")
    assert code == 1 and err.startswith("confirmations:") and "1 of the 12" in err
    eth.mine(11)
    case = ok("case", "execute", cid, "--recovery-tx", good, actor="wanda")
    assert case["status"] == "executed" and case["recovered_amount"] == "24000"
    assert case["recovered_base_units"] == str(24_000 * 10**18)
    assert top_up
    ok("case", "credit", cid, "--ledger-ref", "L-77", actor="carl")
    case = ok("case", "close", cid, actor="ann")
    assert case["status"] == "closed"
    history = ok("case", "history", cid)
    assert [h["event"] for h in history] == ["open", "verify", "value", "quote", "accept", "approve", "approve",
                                             "approve", "execute", "credit", "close"]
    code, _, err = run("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003",
                       actor="ann")
    assert code == 1 and f"case {cid} (closed) already handled this transaction" in err
    assert run("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003",
               "--reopen-of", cid, actor="ann")[0] == 2   # no --reason
    again = ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003",
               "--reopen-of", cid, "--reason", "user says a second transfer", actor="ann")
    assert again["reopen_of"] == int(cid) and again["status"] == "open"
    ok("case", "cancel", str(again["id"]), actor="ann")
    listed = ok("case", "list", "--status", "closed", "--network", "ethereum")
    assert [c["id"] for c in listed] == [case["id"]] and "waiting_seconds" in listed[0]
    assert run("case", "list", "--older-than", "soon")[0] == 2
    assert ok("audit", "verify")["ok"] is True

    from sqlalchemy import create_engine, text
    engine = create_engine(scenario_env["RECOVERY_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":   # the append-only trigger holds unless a superuser lifts it
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 6"))
    engine.dispose()
    code, _, err = run("audit", "verify")
    assert code == 1 and "row 6" in err


def test_unreachable_reverification_and_a_direct_credit(scenario_env: dict[str, str], evm_scenario: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A node that is down changes nothing and exits 1; an uncredited case is credited without execute."""
    from tests.support.loopback import refused_url

    for name, role in [("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")]:
        assert run("actors", "add", name, "--role", role)[0] == 0
    claim = evm_scenario.claim("ETH deposit never credited")
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1001",
                 actor="ann")["id"])
    before = ok("case", "verify", cid, actor="ann")
    assert before["status"] == "verified" and before["outcome"] == "uncredited" and before["confirmations"] >= 12
    monkeypatch.setenv("RECOVERY_RPC_ETHEREUM", refused_url())
    code, _, err = run("case", "verify", cid, "--json", actor="ann")
    assert code == 1 and "Nothing was changed" in err and "stays verified" in err
    after = ok("case", "show", cid)
    keep = ("status", "outcome", "reason", "confirmations", "verified_at", "version", "amount")
    assert {k: after[k] for k in keep} == {k: before[k] for k in keep}
    monkeypatch.setenv("RECOVERY_RPC_ETHEREUM", scenario_env["RECOVERY_RPC_ETHEREUM"])

    assert run("case", "payout", cid, "not-an-address", actor="ann")[0] == 2
    payout = evm_scenario.users["bob"]
    assert ok("case", "payout", cid, payout, actor="ann")["payout_address"] == payout.lower()
    quote = ok("case", "quote", cid, actor="ann")
    assert quote["fee"] == "0" and quote["rule"].startswith("uncredited")
    ok("case", "accept", cid, actor="ann")
    for who, role in (("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")):
        ok("case", "approve", cid, "--role", role, actor=who)
    code, _, err = run("case", "execute", cid, "--recovery-tx", "0x" + "42" * 32, actor="wanda")
    assert code == 1 and "needs no recovery transaction" in err
    case = ok("case", "credit", cid, "--ledger-ref", "L-1", actor="carl")
    assert case["status"] == "credited" and case["recovery_tx"] is None and case["deposit_recovered"] is True

    assert ok("actors", "remove-role", "wanda", "--role", "wallet", actor="ann")["roles"] == []
    assert run("actors", "remove-role", "wanda", "--role", "wallet")[0] == 1
    assert run("actors", "remove-role", "nobody", "--role", "wallet")[0] == 2
    assert ok("audit", "verify")["ok"] is True


def test_standalone_quote(scenario_env: dict[str, str], evm_scenario: Any) -> None:
    doc = ok("quote", "--network", "ethereum", "--asset", evm_scenario.tokens["DUSD"], "--amount", "1000")
    assert (doc["gross"], doc["fee"], doc["symbol"]) == ("1000", "50", "DUSD")
    assert doc["network_fee_note"] is None and doc["price_source"]
    assert Decimal_sum(doc) == Decimal_of(doc["gross"])
    code, _, err = run("quote", "--network", "ethereum", "--asset", evm_scenario.tokens["RNDM"],
                       "--amount", "10", "--decimals", "18")
    assert code == 1 and "no USD price" in err
    assert run("quote", "--network", "ethereum", "--asset", "native", "--amount", "-1")[0] == 2
    small = ok("quote", "--network", "ethereum", "--asset", "native", "--amount", "0.01")
    assert small["recommendation"] == "defer"


def Decimal_of(text: str) -> Any:  # noqa: N802
    from decimal import Decimal
    return Decimal(text)


def Decimal_sum(doc: dict[str, Any]) -> Any:  # noqa: N802
    return Decimal_of(doc["fee"]) + Decimal_of(doc["network_fee"]) + Decimal_of(doc["net"])
