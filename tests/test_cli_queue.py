"""A day on the queue: amounts with their unit, approvals counting down, closed cases, tables at 80 columns."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.cli import ok, run

pytestmark = pytest.mark.anvil
PEOPLE = [("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")]


def text(*args: str, actor: str | None = None, columns: int | None = None) -> str:
    code, out, err = run(*args, actor=actor, columns=columns)
    assert code == 0, (args, err)
    return out


def _unlisted_case(evm_scenario: Any) -> str:
    for name, role in PEOPLE:
        assert run("actors", "add", name, "--role", role)[0] == 0
    claim = evm_scenario.claim("Unlisted token sent to a deposit address")
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1003",
                 actor="ann")["id"])
    ok("case", "verify", cid, actor="ann")
    ok("case", "value", cid, "--usd-price", "0.002", actor="carl")
    return cid


def test_amounts_print_with_their_unit_at_display_precision(scenario_env: dict[str, str], evm_scenario: Any) -> None:
    cid = _unlisted_case(evm_scenario)
    rndm = evm_scenario.tokens["RNDM"]
    quote = ok("case", "quote", cid, actor="ann")
    assert quote["symbol"] == "RNDM"                    # the token's own symbol() read from the chain
    listing = text("case", "list", columns=200)
    assert "25,000 RNDM" in listing
    panel = text("case", "show", cid, columns=200)
    assert "25,000 RNDM" in panel and "50.00 USD" in panel and "5,000 RNDM" in panel
    message = text("case", "quote", cid, "--message")
    assert "25,000 RNDM (the token RNDM, contract address " + rndm + ")" in message
    assert message.count(rndm) == 1                       # the whole address once, then the symbol
    assert "(about $10.00)" in message and "You would receive" in message
    assert not re.search(r"\d\.\d{9,}", message)        # no 15-18 decimal tails


def test_needed_counts_down_and_a_closed_case_does_not_wait(scenario_env: dict[str, str],
                                                           evm_scenario: Any) -> None:
    cid = _unlisted_case(evm_scenario)
    ok("case", "quote", cid, actor="ann")
    ok("case", "accept", cid, actor="ann")
    panel = text("case", "show", cid, columns=200)
    assert "still needed: wallet ×1, clearing ×1, security ×1" in panel
    ok("case", "approve", cid, "--role", "wallet", actor="wanda")
    doc = ok("case", "show", cid)
    assert doc["approvals_missing"] == {"clearing": 1, "security": 1}
    assert "still needed: clearing ×1, security ×1" in text("case", "show", cid, columns=200)
    ok("case", "approve", cid, "--role", "clearing", actor="carl")
    assert "still needed: security ×1" in text("case", "show", cid, columns=200)

    stranger = evm_scenario.claim("ETH sent to someone else's address")
    other = ok("case", "open", "--network", "ethereum", "--tx", stranger.tx_hash, "--user", "u-1001", actor="ann")
    rejected = ok("case", "verify", str(other["id"]), actor="ann")
    assert rejected["status"] == "rejected" and rejected["waiting_seconds"] is None
    panel = text("case", "show", str(other["id"]), columns=200)
    assert "opened" in panel and "waiting" not in panel
    row = next(line for line in text("case", "list", "--status", "rejected", columns=200).splitlines()
               if "rejected" in line)
    assert not re.search(r"\d+m\s+\d+m", row)            # the age, and no waiting time beside it


@pytest.mark.parametrize("columns", [80, 200])
def test_list_and_history_fit_the_width_and_keep_hashes_whole(scenario_env: dict[str, str], evm_scenario: Any,
                                                             columns: int) -> None:
    cid = _unlisted_case(evm_scenario)
    claim = evm_scenario.claim("Unlisted token sent to a deposit address")
    for screen in (text("case", "list", columns=columns), text("case", "history", cid, columns=columns)):
        assert max(len(line.rstrip()) for line in screen.splitlines()) <= columns, screen
    history = text("case", "history", cid, columns=columns)
    assert re.fullmatch(r"0x[0-9a-f]{64}", claim.tx_hash)
    assert claim.tx_hash in history                      # all 66 characters on one line
    assert "tx_hash=[1]" in history                       # in the cell a marker, the whole hash under the table
    assert re.search(r"^\[1\] #\d+ " + claim.tx_hash + "$", history, re.MULTILINE)
    wide = text("case", "history", cid, "--wide", columns=columns)
    assert f"tx_hash={claim.tx_hash}" in wide            # --wide: the full value in its cell


def test_a_claim_found_on_another_network_moves_there(scenario_env: dict[str, str], evm_scenario: Any) -> None:
    for name, role in PEOPLE:
        assert run("actors", "add", name, "--role", role)[0] == 0
    claim = evm_scenario.claim("BSC transaction claimed on Ethereum")
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", "u-1002",
                 actor="ann")["id"])
    case = ok("case", "verify", cid, actor="ann")
    assert case["status"] == "rejected" and case["outcome"] == "not_found"
    assert f"`recovery case open --network bsc --tx {claim.tx_hash} --user u-1002`" in case["reason"]
    assert f"`recovery case move-network {cid} bsc`" in case["reason"]

    code, _, err = run("case", "move-network", cid, "polygon", actor="ann")
    assert code == 1 and "was found on bsc, not on polygon" in err
    assert run("case", "move-network", cid, "bsc", actor="wanda")[0] == 1        # agents only
    moved = ok("case", "move-network", cid, "bsc", actor="ann")
    assert (moved["network"], moved["status"], moved["outcome"]) == ("bsc", "verified", "uncredited")
    assert moved["tx_hash"] == claim.tx_hash and moved["user_id"] == "u-1002"
    old = ok("case", "show", cid)
    assert old["status"] == "rejected" and old["note"] == f"moved to case {moved['id']} on bsc"
    history = ok("case", "history", cid)
    assert history[-1]["event"] == "move_network" and history[-1]["data"] == {"network": "bsc",
                                                                               "to_case": moved["id"]}
    opened = ok("case", "history", str(moved["id"]))[0]
    assert opened["data"]["reason"].startswith(f"moved from case {cid} on ethereum")
    code, _, err = run("case", "move-network", cid, "bsc", actor="ann")   # the claim is already open there
    assert code == 1 and f"case {moved['id']}" in err
    assert ok("audit", "verify")["ok"] is True


def test_batch_summary_fits_80_columns(scenario_env: dict[str, str], evm_scenario: Any, tmp_path: Any) -> None:
    claims = evm_scenario.files["claims"]
    out = text("batch", "verify", str(claims), "-o", str(tmp_path / "out.csv"), columns=80)
    summary = out[out.index("By outcome"):]
    assert max(len(line.rstrip()) for line in summary.splitlines()) <= 80, summary
    by_network = summary.split("By network")[1]
    ethereum = next(line for line in by_network.splitlines() if line.startswith("ethereum"))
    assert "not_found 2" in ethereum and ethereum.rstrip().endswith(" 13")   # one row per network, folded
    assert "bsc" in by_network and "uncredited 1" in " ".join(by_network.split())
