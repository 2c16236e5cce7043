"""The recovery conditions of a case or a verdict, read from the database, and `case confirm`.

A condition with a role is confirmed by a person holding that role (one row per case and condition in
`condition_confirmations`, audited); a re-verification that changes the facts removes the confirmations
given on the old facts. The case machine reads `evaluation(...).met` before approving.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chains.conditions import Condition, conditions_for, load_conditions
from chains.networks import get_network
from recovery import audit
from recovery.case_conditions import (
    HOLDS,
    ConditionState,
    Confirmation,
    Evaluation,
    Facts,
    Price,
    evaluate,
    evaluate_one,
    exempt_reason,
)
from recovery.case_models import Case, ConditionConfirmation
from recovery.dbtypes import utcnow
from recovery.errors import BadInput, Refused

if TYPE_CHECKING:
    from recovery.cases import CaseService
    from recovery.triage import Verdict

MAX_NOTE = 1000


def declared(network_id: str, path: Path | None = None) -> tuple[Condition, ...]:
    """A network's declared conditions: the shipped file, or the one the config names (`[conditions] file`)."""
    if path is None:
        return conditions_for(network_id)
    return load_conditions(path).get(network_id, ())


def _price(s: Session, network: str, asset: str | None, case_id: int | None) -> Price | None:
    if asset is None:
        return None
    from recovery.quotes import find_price

    p = find_price(s, network, asset, case_id)
    return Price(p.usd_price, p.source, p.as_of) if p else None


def confirmations(s: Session, case_id: int | None) -> dict[str, Confirmation]:
    """The confirmations given on a case, by condition kind."""
    rows = s.exec(select(ConditionConfirmation).where(ConditionConfirmation.case_id == case_id)
                  .order_by(col(ConditionConfirmation.id)))
    return {r.kind: Confirmation(r.kind, r.actor, r.role, r.at, r.note) for r in rows}


def case_facts(s: Session, case: Case, max_price_age: timedelta | None, now: datetime | None = None) -> Facts:
    """What the case's conditions are held against: its verified deposit, measured to its opening."""
    from recovery.case_views import case_symbol

    net = get_network(case.network)
    return Facts(network=net.id, native_symbol=net.native_symbol, native_decimals=net.native_decimals,
                 asset=case.asset, amount_base=case.amount_base, decimals=case.decimals,
                 symbol=case_symbol(s, case), block_time=case.block_time, claimed_at=case.opened_at,
                 now=now or utcnow(), price=_price(s, net.id, case.asset, case.id), max_price_age=max_price_age)


def case_evaluation(s: Session, case: Case, conds: tuple[Condition, ...], max_price_age: timedelta | None,
                    now: datetime | None = None) -> Evaluation:
    """The case's conditions and their states (none on a direct-tier network)."""
    if not conds:
        return Evaluation()
    why = exempt_reason(case.outcome)
    if why:
        return Evaluation((), exempt=why)
    return evaluate(conds, case_facts(s, case, max_price_age, now), confirmations(s, case.id))


def verdict_evaluation(s: Session, verdict: Verdict, conds: tuple[Condition, ...],
                       max_price_age: timedelta | None) -> tuple[ConditionState, ...] | None:
    """The conditions a case of this deposit would be held to, measured to today (None: no case would be)."""
    from recovery.outcomes import info

    if not conds or not info(verdict.outcome).quotable or exempt_reason(verdict.outcome.value):
        return None
    net = get_network(verdict.network)
    now = utcnow()
    facts = Facts(network=net.id, native_symbol=net.native_symbol, native_decimals=net.native_decimals,
                  asset=verdict.asset, amount_base=verdict.amount_base_units, decimals=verdict.decimals,
                  symbol=verdict.symbol, block_time=verdict.block_time, claimed_at=now, now=now,
                  price=_price(s, net.id, verdict.asset, None), max_price_age=max_price_age)
    return evaluate(conds, facts).states


def void_confirmations(s: Session, case: Case) -> int:
    """Remove the confirmations given on facts that a re-verification changed; how many there were."""
    rows = list(s.exec(select(ConditionConfirmation).where(ConditionConfirmation.case_id == case.id)))
    for row in rows:
        s.delete(row)
    return len(rows)


def _condition(case: Case, conds: tuple[Condition, ...], name: str) -> Condition:
    if not conds:
        raise BadInput(f"case {case.id} is on {case.network}, a network without recovery conditions "
                       "(direct tier): there is nothing to confirm")
    found = next((c for c in conds if c.kind == name), None)
    if found is None:
        kinds = [c.kind for c in conds]
        close = get_close_matches(name, kinds, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise BadInput(f"--condition {name!r} is not a condition of {case.network}: {hint}its conditions are "
                       f"{', '.join(kinds)}")
    return found


def confirm(svc: CaseService, case_id: int, actor: str | None, name: str, note: str | None) -> ConditionState:
    """A person holding the condition's role confirms it on the case (audited); bad input names what is wrong."""
    from recovery.workflow import FINAL, CaseStatus

    note = (note or "").strip() or None
    if note is not None and (len(note) > MAX_NOTE or any(ord(ch) < 32 and ch not in "\t\n" for ch in note)):
        raise BadInput(f"--note must be at most {MAX_NOTE} characters of text without control characters")
    with svc.session() as s:
        case = svc.case(s, case_id)
        conds = svc.declared(case.network)
        cond = _condition(case, conds, name.strip())
        why = exempt_reason(case.outcome)
        if why:
            raise BadInput(f"case {case_id}: {why}; there is nothing to confirm")
        if not cond.needs_person:
            state = evaluate_one(cond, case_facts(s, case, svc.max_price_age()))
            raise BadInput(f"--condition {cond.kind} is checked from the chain and reference data, not confirmed "
                           f"by a person: on case {case_id} it {_said(state)}")
        done = s.exec(select(ConditionConfirmation).where(ConditionConfirmation.case_id == case_id,
                                                          ConditionConfirmation.kind == cond.kind)).first()
        if done is not None:
            raise BadInput(f"{cond.kind} of case {case_id} was already confirmed by {done.actor} ({done.role}) "
                           f"at {done.at:%Y-%m-%d %H:%M} UTC")
        who = svc.actor(s, actor, cond.role)
        if CaseStatus(case.status) in FINAL:
            raise Refused(f"case {case_id} is {case.status}: a final state takes no confirmation")
        if case.facts_hash is None:
            raise Refused(f"case {case_id} is {case.status}: verify it before confirming its conditions")
        state = evaluate_one(cond, case_facts(s, case, svc.max_price_age()))
        if state.state == HOLDS:
            raise BadInput(f"{cond.kind} of case {case_id} holds from the data already ({state.reason}): "
                           "there is nothing to confirm")
        assert cond.role is not None
        row = ConditionConfirmation(case_id=case_id, kind=cond.kind, actor=who.name, role=cond.role, note=note,
                                    facts_hash=case.facts_hash)
        s.add(row)
        try:
            svc.save(s, case)
        except IntegrityError:   # confirmed by someone else at the same moment
            raise Refused(f"{cond.kind} of case {case_id} was confirmed by someone else at the same moment: "
                          f"look at it again (`recovery case show {case_id}`)") from None
        audit.append(s, actor=who.name, event="confirm", case_id=case.id, from_status=case.status,
                     to_status=case.status, data={"condition": cond.kind, "role": cond.role, "note": note})
        s.flush()
        return evaluate_one(cond, case_facts(s, case, svc.max_price_age()),
                            Confirmation(row.kind, row.actor, row.role, row.at, row.note))


def _said(state: ConditionState) -> str:
    return {"holds": "holds", "fails": "fails", "unknown": "is unknown"}.get(state.state, state.state) + \
        f" ({state.reason})"
