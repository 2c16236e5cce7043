"""`case prepare` and `case execute --signed-tx` through the CLI against Anvil: the demo's unlisted-token
case on a token-only deposit address (a gas top-up first), approvals bound to the digest, a re-preparation
that voids them, tampered and foreign transactions refused with the field that differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recovery.devnet import send_token, sign_fields
from tests.support.cli import ok, run

pytestmark = pytest.mark.anvil
HOT = 8


def _accepted_case(evm_scenario: Any) -> str:
    for name, role in [("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")]:
        assert run("actors", "add", name, "--role", role)[0] == 0
    claim = evm_scenario.claim("Unlisted token sent to a deposit address")
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003",
                 actor="ann")["id"])
    ok("case", "verify", cid, actor="ann")
    ok("case", "value", cid, "--usd-price", "0.002", actor="carl")
    ok("case", "quote", cid, actor="ann")
    ok("case", "accept", cid, actor="ann")
    return cid


def test_prepare_sign_broadcast_and_record(scenario_env: dict[str, str], evm_scenario: Any, anvil_nodes: Any,
                                           monkeypatch: pytest.MonkeyPatch, ethereum_restored: Any,  # noqa: F811
                                           tmp_path: Path) -> None:
    eth = anvil_nodes["ethereum"]
    keys = eth.dev_keys()
    hot = eth.accounts()[HOT]
    deposit = evm_scenario.deposits["u-1003"]
    rndm = evm_scenario.tokens["RNDM"]
    monkeypatch.setenv("RECOVERY_HOT_WALLETS_ETHEREUM", hot)
    eth.mine(1)                                   # what waits in the mempool for this address lands first
    eth.rpc("anvil_setBalance", deposit, "0x0")   # a token-only deposit address: no ETH for gas
    cid = _accepted_case(evm_scenario)

    assert run("case", "prepare", cid, actor="carl")[0] == 1          # not wallet
    out_file = tmp_path / "prepared.json"
    doc = ok("case", "prepare", cid, "-o", str(out_file), actor="wanda")
    assert json.loads(out_file.read_text()) == doc
    assert set(doc) >= {"case_id", "digest", "transactions"} and doc["case_id"] == int(cid)
    top_up, recovery = doc["transactions"]
    assert [top_up["purpose"], recovery["purpose"]] == ["top_up", "recovery"]
    assert set(recovery) >= {"purpose", "network", "from_address", "to_address", "asset", "amount", "unsigned_tx",
                             "fields"}
    assert (top_up["from_address"], top_up["to_address"], top_up["asset"]) == (hot, deposit, "native")
    assert (recovery["from_address"], recovery["to_address"], recovery["asset"]) == (deposit, hot, rndm)
    assert recovery["amount"] == str(25_000 * 10**18) and recovery["unsigned_tx"].startswith("0x02")
    assert set(recovery["fields"]) >= {"from", "to", "value", "data", "nonce", "gas", "maxFeePerGas",
                                       "maxPriorityFeePerGas", "chainId"}
    assert int(top_up["amount"]) == int(recovery["fields"]["gas"], 16) * int(recovery["fields"]["maxFeePerGas"], 16)
    old = doc["digest"]
    case = ok("case", "show", cid)
    assert case["prepared"]["digest"] == old and case["status"] == "awaiting_approval"
    code, panel, _ = run("case", "show", cid)
    assert code == 0 and f"digest {old}" in panel             # what every approver sees

    for who, role in (("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")):
        case = ok("case", "approve", cid, "--role", role, actor=who)
    assert case["status"] == "approved" and {a["digest"] for a in case["approvals"]} == {old}

    # the hot wallet's nonce moves on: preparing again gives a new digest and voids the approvals given to
    # the old one, and the old signed top-up is refused naming the nonce
    stale_top_up = sign_fields(top_up["fields"], keys[hot])
    eth.rpc("eth_sendTransaction", {"from": hot, "to": eth.accounts()[1], "value": "0x1"})
    eth.mine(1)
    doc = ok("case", "prepare", cid, actor="wanda")
    assert doc["digest"] != old
    case = ok("case", "show", cid)
    assert case["status"] == "awaiting_approval" and case["approvals"] == []
    assert {a["digest"] for a in case["voided_approvals"]} == {old}
    for who, role in (("wanda", "wallet"), ("carl", "clearing")):
        ok("case", "approve", cid, "--role", role, actor=who)
    assert ok("case", "show", cid)["status"] == "awaiting_approval"
    case = ok("case", "approve", cid, "--role", "security", actor="sam")
    assert case["status"] == "approved" and {a["digest"] for a in case["approvals"]} == {doc["digest"]}

    top_up, recovery = doc["transactions"]
    signed_top_up = sign_fields(top_up["fields"], keys[hot])
    signed_recovery = sign_fields(recovery["fields"], keys[deposit])
    code, _, err = run("case", "execute", cid, "--signed-tx", stale_top_up, "--signed-tx", signed_recovery,
                       "--broadcast", "--wait", "0", actor="wanda")
    assert code == 1 and err.startswith("nonce differs")
    data = recovery["fields"]["data"]
    tampered = sign_fields({**recovery["fields"], "data": data[:-1] + ("1" if data[-1] == "0" else "0")},
                           keys[deposit])
    code, _, err = run("case", "execute", cid, "--signed-tx", signed_top_up, "--signed-tx", tampered,
                       "--broadcast", "--wait", "0", actor="wanda")
    assert code == 1 and err.startswith("data differs")
    by_hot = sign_fields(recovery["fields"], keys[hot])
    code, _, err = run("case", "execute", cid, "--signed-tx", signed_top_up, "--signed-tx", by_hot, actor="wanda")
    assert code == 1 and err.startswith("from differs") and hot in err
    assert run("case", "execute", cid, actor="wanda")[0] == 2
    assert eth.rpc("eth_getBalance", deposit, "latest") == "0x0"      # nothing was sent by the refusals

    # broadcast: the top-up goes out but is not mined within --wait 0; the same command again finds it mined,
    # records it and sends the recovery, which is recorded by hash once it has its confirmations
    code, _, err = run("case", "execute", cid, "--signed-tx", signed_top_up, "--signed-tx", signed_recovery,
                       "--broadcast", "--wait", "0", actor="wanda")
    assert code == 1 and "has 0 of the 1 confirmations" in err
    eth.mine(1)
    code, _, err = run("case", "execute", cid, "--signed-tx", signed_top_up, "--signed-tx", signed_recovery,
                       "--broadcast", "--wait", "0", actor="wanda")
    assert code == 1 and "of the 12 confirmations" in err and "--recovery-tx 0x" in err
    recovery_hash = err.split("--recovery-tx ")[1].split("`")[0]
    stray = send_token(eth, evm_scenario.users["alice"], rndm, hot, 10**18)
    eth.mine(12)
    code, _, err = run("case", "execute", cid, "--recovery-tx", stray, actor="wanda")
    assert code == 1 and " differs: prepared " in err
    case = ok("case", "execute", cid, "--recovery-tx", recovery_hash, actor="wanda")
    assert case["status"] == "executed" and case["recovered_base_units"] == str(25_000 * 10**18)
    ok("case", "credit", cid, "--ledger-ref", "L-prep", actor="carl")
    assert ok("case", "close", cid, actor="ann")["status"] == "closed"
    events = [h["event"] for h in ok("case", "history", cid)]
    assert events == ["open", "verify", "value", "quote", "accept", "prepare", "approve", "approve", "approve",
                      "prepare", "approve", "approve", "approve", "top_up", "execute", "credit", "close"]
    assert ok("audit", "verify")["ok"] is True


def test_prepare_on_a_case_that_is_not_accepted_is_refused(scenario_env: dict[str, str], evm_scenario: Any) -> None:
    for name, role in [("ann", "agent"), ("wanda", "wallet")]:
        run("actors", "add", name, "--role", role)
    claim = evm_scenario.claim("ETH sent to our BSC-only address")
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1002",
                 actor="ann")["id"])
    code, _, err = run("case", "prepare", cid, actor="wanda")
    assert code == 1 and "is open: prepare is not allowed" in err
