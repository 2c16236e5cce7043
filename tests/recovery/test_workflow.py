"""Every transition of the case machine, its guards, strict refusals, and the generated diagram."""

from __future__ import annotations

from pathlib import Path

import pytest

from recovery.errors import Refused
from recovery.workflow import EVENTS, FINAL, CaseStatus, Verification, allowed_events, fire, markdown

R, U, W = Verification.recoverable, Verification.unrecoverable, Verification.wait

# (from, event, facts, to)
MOVES = [
    ("open", "verify", {"verification": R}, "verified"),
    ("open", "verify", {"verification": U}, "rejected"),
    ("open", "verify", {"verification": W}, "open"),
    ("verified", "verify", {"verification": R}, "verified"),
    ("verified", "verify", {"verification": U}, "rejected"),
    ("quoted", "verify", {"verification": R, "changed": True}, "verified"),
    ("quoted", "verify", {"verification": R, "changed": False}, "quoted"),
    ("quoted", "verify", {"verification": U}, "rejected"),
    ("awaiting_approval", "verify", {"verification": R, "changed": True}, "verified"),
    ("awaiting_approval", "verify", {"verification": R}, "awaiting_approval"),
    ("awaiting_approval", "verify", {"verification": U}, "rejected"),
    ("approved", "verify", {"verification": R, "changed": True}, "verified"),
    ("approved", "verify", {"verification": W}, "approved"),
    ("approved", "verify", {"verification": U}, "rejected"),
    ("deferred", "verify", {"verification": R, "changed": True}, "deferred"),
    ("deferred", "verify", {"verification": U}, "rejected"),
    ("verified", "quote", {}, "quoted"),
    ("quoted", "quote", {}, "quoted"),
    ("deferred", "quote", {}, "quoted"),
    ("quoted", "accept", {"quote_current": True}, "awaiting_approval"),
    ("quoted", "defer", {}, "deferred"),
    ("quoted", "decline", {}, "declined"),
    ("deferred", "reopen", {}, "verified"),
    ("awaiting_approval", "approve", {"complete": False}, "awaiting_approval"),
    ("awaiting_approval", "approve", {"complete": True, "conditions_met": True}, "approved"),
    ("verified", "defer", {"condition_failed": True}, "deferred"),
    ("awaiting_approval", "defer", {"condition_failed": True}, "deferred"),
    ("awaiting_approval", "reject", {}, "rejected"),
    ("awaiting_approval", "prepare", {}, "awaiting_approval"),
    ("approved", "prepare", {}, "awaiting_approval"),   # a new digest voids security's approval
    ("approved", "reject", {}, "rejected"),
    ("approved", "execute", {"tx_ok": True, "on_chain": True}, "executed"),
    ("approved", "credit", {"on_chain": False}, "credited"),
    ("awaiting_approval", "quote", {}, "quoted"),
    ("approved", "quote", {}, "quoted"),
    ("executed", "credit", {}, "credited"),
    ("credited", "close", {}, "closed"),
] + [(s, "cancel", {}, "cancelled") for s in ("open", "verified", "quoted", "awaiting_approval", "approved",
                                              "deferred", "executed", "credited")]


@pytest.mark.parametrize(("before", "event", "facts", "after"), MOVES)
def test_transition(before: str, event: str, facts: dict, after: str) -> None:
    assert fire(before, event, **facts) == CaseStatus(after)


@pytest.mark.parametrize(("before", "event", "facts"), [
    ("quoted", "accept", {"quote_current": False}),
    ("approved", "execute", {"tx_ok": False, "on_chain": True}),
    ("approved", "execute", {"tx_ok": True, "on_chain": False}),   # uncredited/memo: nothing to execute
    ("approved", "execute", {"tx_ok": True}),                      # strict: the outcome must say so
    ("approved", "credit", {"on_chain": True}),                    # on-chain recovery first
    ("approved", "credit", {}),
    ("awaiting_approval", "approve", {"complete": True, "conditions_met": False}),   # a condition is open
    ("awaiting_approval", "approve", {"complete": True}),          # strict: the conditions must be said met
    ("verified", "defer", {"condition_failed": False}),            # before a quote only on a failed condition
    ("awaiting_approval", "defer", {}),
])
def test_guard_refuses(before: str, event: str, facts: dict) -> None:
    with pytest.raises(Refused, match=f"is {before}: {event} is not possible now"):
        fire(before, event, case_id=7, **facts)


def test_every_event_not_allowed_is_refused_naming_state_and_allowed_events() -> None:
    allowed = {(m[0], m[1]) for m in MOVES}
    for status in CaseStatus:
        for event in EVENTS:
            if (status.value, event) in allowed:
                continue
            with pytest.raises(Refused) as info:
                fire(status.value, event, case_id=3)
            msg = str(info.value)
            assert f"case 3 is {status.value}: {event} is not allowed" in msg
            for ok in allowed_events(status.value):
                assert ok in msg


def test_final_states_allow_nothing() -> None:
    for status in FINAL:
        assert allowed_events(status.value) == []
        with pytest.raises(Refused, match="none \\(final state\\)"):
            fire(status.value, "cancel")


def test_every_non_final_state_can_be_cancelled() -> None:
    for status in CaseStatus:
        assert ("cancel" in allowed_events(status.value)) is (status not in FINAL)


def test_diagram_in_docs_is_generated_from_the_machine() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "case-states.md"
    assert doc.read_text() == markdown()
    text = markdown()
    assert "stateDiagram-v2" in text and "awaiting_approval --> approved" in text
    assert "approved --> credited : Credit [funds_already_ours]" in text
    assert "`uncredited`, `missing_memo`, `wrong_memo`" in text
