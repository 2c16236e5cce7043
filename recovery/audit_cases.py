"""Each case as its audit rows tell it (status, claimant, amounts, approvals, confirmed conditions),
compared with the tables.

A direct edit of `cases` or `approvals` leaves the audit rows as they were (they are keyed: they cannot be
rewritten to match), so the two disagree and `audit verify` names the case.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from recovery.case_models import Approval, AuditEntry, Case, ConditionConfirmation


@dataclass
class _Told:
    """What the audit rows say about one case."""

    status: str | None = None
    user_id: str | None = None
    network: str | None = None
    tx_hash: str | None = None
    claimed_amount: Decimal | None = None
    amount: Decimal | None = None
    recovered_amount: Decimal | None = None
    facts_applied: bool = False
    approvals: list[tuple[str, str, str]] = field(default_factory=list)   # (role, actor, decision), all
    active: list[tuple[str, str, str]] = field(default_factory=list)      # those not voided
    confirmed: dict[str, str] = field(default_factory=dict)               # condition kind -> who confirmed it


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _replay(rows: list[AuditEntry]) -> dict[int, _Told]:
    told: dict[int, _Told] = {}
    for row in rows:
        if row.case_id is None:
            continue
        t = told.setdefault(row.case_id, _Told())
        data = json.loads(row.data)
        if row.to_status:
            t.status = row.to_status
        if data.get("approvals_voided"):   # changed facts, or a new quote on an accepted case
            t.active = []
        if data.get("confirmations_voided"):   # changed facts
            t.confirmed = {}
        if row.event == "open":
            t.user_id, t.network, t.tx_hash = data.get("user_id"), data.get("network"), data.get("tx_hash")
            t.claimed_amount = _dec(data.get("amount"))
        elif row.event == "verify":
            if data.get("verification") != "wait" or not t.facts_applied:   # as CaseService.apply_verdict does
                t.amount, t.facts_applied = _dec(data.get("amount")), True
        elif row.event in ("approve", "reject"):
            decision = (data.get("role"), row.actor, data.get("decision"))
            t.approvals.append(decision)   # type: ignore[arg-type]
            t.active.append(decision)      # type: ignore[arg-type]
        elif row.event == "confirm":
            t.confirmed[str(data.get("condition"))] = row.actor
        elif row.event == "execute":
            t.recovered_amount = _dec(data.get("amount"))
    return told


def check_cases(session: Session, rows: list[AuditEntry]) -> Iterator[tuple[int, str]]:
    """(case id, what disagrees) for every case whose row differs from what its audit rows derive."""
    told = _replay(rows)
    approvals: dict[int, list[Approval]] = {}
    for a in session.exec(select(Approval).order_by(col(Approval.id))):
        approvals.setdefault(a.case_id, []).append(a)
    confirmed: dict[int, dict[str, str]] = {}
    for c in session.exec(select(ConditionConfirmation).order_by(col(ConditionConfirmation.id))):
        confirmed.setdefault(c.case_id, {})[c.kind] = c.actor
    ids: set[int] = set()
    for case in session.exec(select(Case).order_by(col(Case.id))):
        assert case.id is not None
        ids.add(case.id)
        t = told.get(case.id)
        if t is None:
            yield case.id, f"case {case.id} has no audit rows"
            continue
        for name, stored, derived in (
                ("status", case.status, t.status), ("user_id", case.user_id, t.user_id),
                ("network", case.network, t.network), ("tx_hash", case.tx_hash, t.tx_hash),
                ("claimed amount", case.claimed_amount, t.claimed_amount), ("amount", case.amount, t.amount),
                ("recovered amount", case.recovered_amount, t.recovered_amount)):
            if stored != derived:
                yield case.id, f"case {case.id}: {name} is {_show(stored)} in the table, {_show(derived)} in its " \
                               "audit rows"
        given = approvals.get(case.id, [])
        every = Counter((a.role, a.actor, a.decision) for a in given)
        active = Counter((a.role, a.actor, a.decision) for a in given if a.voided_at is None)
        if every != Counter(t.approvals) or active != Counter(t.active):
            yield case.id, f"case {case.id}: its approvals ({_approvals(active)}) are not the ones its audit " \
                           f"rows record ({_approvals(Counter(t.active))})"
        mine = confirmed.get(case.id, {})
        if mine != t.confirmed:
            yield case.id, f"case {case.id}: its confirmed conditions ({_confirmed(mine)}) are not the ones its " \
                           f"audit rows record ({_confirmed(t.confirmed)})"
    for case_id in sorted(set(told) - ids):
        yield case_id, f"case {case_id} is in the audit log but not in the cases table"


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    return repr(format(value, "f") if isinstance(value, Decimal) else value)


def _approvals(counts: Counter[tuple[str, str, str]]) -> str:
    return ", ".join(f"{role} {decision} by {actor}" for role, actor, decision in sorted(counts.elements())) \
        or "none"


def _confirmed(kinds: dict[str, str]) -> str:
    return ", ".join(f"{k} by {a}" for k, a in sorted(kinds.items())) or "none"
