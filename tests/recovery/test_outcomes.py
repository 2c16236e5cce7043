"""One table of outcomes: every outcome is classified, and every place that needs one reads the table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from recovery.case_facts import classify
from recovery.case_models import Case, Quote
from recovery.errors import BadInput
from recovery.fees import compute, load_policy, rule_of
from recovery.outcomes import EFFECTS, FEE_RULES, OUTCOMES, RECOVERABLE_VALUES, Outcome, info, user_text
from recovery.quotes import quote_message
from recovery.triage import RECOVERABLE
from recovery.workflow import Verification, fire
from tests.recovery.test_cases import verdict

POLICY = load_policy()
# design section 5, column "recoverable"
DESIGN = {"credited": "no", "uncredited": "yes", "pending": "wait", "below_minimum": "per_policy",
          "deposits_suspended": "wait", "missing_memo": "yes", "wrong_memo": "yes", "unlisted_token": "yes",
          "wrong_network": "yes", "contract_address": "no", "not_our_address": "no", "failed": "no",
          "not_found": "no", "unverifiable": "retry"}
# design section 6: the outcomes whose cases can be quoted
QUOTABLE = {"unlisted_token", "wrong_network", "below_minimum", "missing_memo", "wrong_memo", "uncredited"}


def test_every_outcome_has_one_complete_row() -> None:
    from rich.style import Style

    assert set(OUTCOMES) == set(Outcome)
    for outcome, row in OUTCOMES.items():
        assert row.recoverable in RECOVERABLE_VALUES and row.effect in EFFECTS, outcome
        assert row.fee_rule is None or row.fee_rule in FEE_RULES, outcome
        assert row.text and Style.parse(row.colour), outcome
        assert not row.on_chain or row.quotable, outcome   # only a quotable case is ever executed


@pytest.mark.parametrize("outcome", list(Outcome))
def test_triage_reads_the_table(outcome: Outcome) -> None:
    assert RECOVERABLE[outcome] == info(outcome).recoverable == DESIGN[outcome.value]
    assert replace(verdict(), outcome=outcome).recoverable == DESIGN[outcome.value]


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_case_machine_reads_the_table(outcome: Outcome) -> None:
    def case(age: timedelta) -> Case:
        return Case(status="open", network="ethereum", tx_hash="h", tx_key="h", user_id="u1", opened_by="ann",
                    opened_at=datetime.now(UTC) - age)

    kind, _ = classify(case(timedelta(days=1)), replace(verdict(), outcome=outcome), young=timedelta(hours=6))
    assert kind is Verification(info(outcome).effect)
    assert (kind is Verification.recoverable) is (outcome.value in QUOTABLE)
    waits = classify(case(timedelta(0)), replace(verdict(), outcome=outcome), young=timedelta(hours=6))[0]
    assert (waits is Verification.wait) is (info(outcome).wait_while_young or info(outcome).effect == "wait")
    if info(outcome).quotable:
        on_chain = info(outcome).on_chain
        assert fire("approved", "execute" if on_chain else "credit", on_chain=on_chain, tx_ok=True)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_fee_policy_reads_the_table(outcome: Outcome) -> None:
    if not info(outcome).quotable:
        with pytest.raises(BadInput, match="cannot be quoted"):
            rule_of(outcome.value)
        return
    b = compute(POLICY, tier="direct", outcome=outcome.value, listed=True, gross=Decimal(1000), decimals=6,
                usd_price=Decimal(1))
    expected = {"no_fee": Decimal(0), "memo_flat": POLICY.memo_flat_usd, "tier": Decimal(50)}
    assert b.fee == expected[rule_of(outcome.value)]


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_user_message_reads_the_table(outcome: Outcome) -> None:
    text = user_text(outcome.value, "Ethereum")
    assert text == info(outcome).text.format(network="Ethereum") and "{" not in text
    if info(outcome).quotable:
        now = datetime.now(UTC)
        q = Quote(network="ethereum", asset="native", symbol="ETH", decimals=18, gross=Decimal(1), fee=Decimal(0),
                  network_fee=Decimal(0), net=Decimal(1), usd_price=Decimal(1), usd_value=Decimal(1),
                  fee_usd=Decimal(0), rule="r", recommendation="recover", reason="r", price_source="t",
                  price_as_of=now, expires_at=now)
        assert text in quote_message(q, outcome=outcome.value)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_cli_renders_the_tables_colour(outcome: Outcome) -> None:
    from rich.console import Console

    from recovery.commands.case_render import case_panel

    doc = {"id": 1, "status": "verified", "network": "ethereum", "tx_hash": "h", "user_id": "u", "opened_by": "a",
           "age_seconds": 0, "waiting_seconds": 0, "outcome": outcome.value, "recoverable": "yes", "reason": "r",
           "amount": None, "recovery_tx": None, "ledger_ref": None, "note": None, "allowed_events": [],
           "quote": None, "approvals": [], "voided_approvals": []}
    from rich.color import ColorSystem
    from rich.style import Style

    console = Console(record=True, color_system="standard", force_terminal=True, width=160)
    console.print(case_panel(doc))
    shown = console.export_text(styles=True)
    assert Style.parse(info(outcome).colour).render(outcome.value, color_system=ColorSystem.STANDARD) in shown
