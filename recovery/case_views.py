"""Cases as JSON documents (design section 9) and durations for people."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from recovery.case_models import Approval, Case, Quote
from recovery.dbtypes import utcnow
from recovery.errors import BadInput
from recovery.quotes import quote_json
from recovery.workflow import FINAL, CaseStatus, allowed_events

if TYPE_CHECKING:
    from recovery.case_conditions import Evaluation

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, field: str) -> timedelta:
    """`90m`, `12h`, `3d`, `2w` (or a number of seconds) as a timedelta; bad input names the field."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise BadInput(f"{field} must be a duration such as 30m, 12h, 3d or 2w, not {text!r}")
    from recovery.bounds import MAX_DURATION

    seconds = int(m.group(1)) * _UNITS[m.group(2) or "s"]
    if seconds > MAX_DURATION.total_seconds():
        raise BadInput(f"{field} {text.strip()!r} is longer than the limit of {MAX_DURATION.days:,} days")
    return timedelta(seconds=seconds)


def human(delta: timedelta) -> str:
    """A short duration: `3d 4h`, `5h 12m`, `7m`."""
    secs = max(0, int(delta.total_seconds()))
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def approval_json(a: Approval) -> dict[str, Any]:
    """One approval or rejection."""
    return {"role": a.role, "actor": a.actor, "decision": a.decision, "reason": a.reason, "at": a.at,
            "voided_at": a.voided_at, "digest": a.digest}


def case_symbol(s: Session, case: Case, quote: Quote | None = None) -> str | None:
    """The unit of the case's amount: the listing's symbol, the native coin's, the token's own, or its address."""
    if case.asset is None:
        return None
    if quote is not None:
        return quote.symbol
    from chains.base import NATIVE
    from chains.networks import get_network
    from recovery.reference import Reference
    from recovery.triage import short

    listed = Reference(s).listed_asset(case.network, case.asset)
    if listed is not None:
        return listed.symbol
    if case.asset == NATIVE:
        return get_network(case.network).native_symbol
    from recovery.case_facts import token_symbol_of

    return token_symbol_of(s, case.id) or short(case.asset)


def missing_approvals(needed: dict[str, int] | None, rows: list[Approval]) -> dict[str, int] | None:
    """What each role still has to approve: the needed count less the approvals given and not void."""
    if needed is None:
        return None
    given = [a.role for a in rows if a.voided_at is None and a.decision == "approve"]
    return {r: n - given.count(r) for r, n in needed.items() if n > given.count(r)}


def case_json(s: Session, case: Case, needed: dict[str, int] | None = None,
              now: datetime | None = None, conditions: Evaluation | None = None) -> dict[str, Any]:
    """The case document: state, facts, current quote, approvals (void ones apart), the recovery conditions
    (when evaluated: `conditions` is None where not), what may happen next."""
    now = now or utcnow()
    quote = s.get(Quote, case.quote_id) if case.quote_id else None
    rows = list(s.exec(select(Approval).where(Approval.case_id == case.id).order_by(col(Approval.id))))
    final = CaseStatus(case.status) in FINAL
    return {
        "id": case.id, "status": case.status, "version": case.version, "network": case.network,
        "tx_hash": case.tx_hash, "user_id": case.user_id, "opened_by": case.opened_by,
        "opened_at": case.opened_at, "updated_at": case.updated_at,
        "age_seconds": int((now - case.opened_at).total_seconds()),
        "waiting_seconds": None if final else int((now - case.updated_at).total_seconds()),
        "final": final,
        "claimed": {"asset": case.claimed_asset, "amount": case.claimed_amount, "memo": case.claimed_memo},
        "outcome": case.outcome, "recoverable": case.recoverable, "reason": case.reason,
        "chain_status": case.chain_status, "asset": case.asset, "symbol": case_symbol(s, case, quote),
        "amount": case.amount,
        "amount_base_units": None if case.amount_base is None else str(case.amount_base),
        "decimals": case.decimals, "from_address": case.from_address,
        "deposit_address": case.deposit_address, "deposit_network": case.deposit_network,
        "deposit_user": case.deposit_user, "block_height": case.block_height,
        "confirmations": case.confirmations, "verified_at": case.verified_at,
        "quote": quote_json(quote, now) if quote else None,
        "approvals": [approval_json(a) for a in rows if a.voided_at is None],
        "voided_approvals": [approval_json(a) for a in rows if a.voided_at is not None],
        "approvals_needed": needed, "approvals_missing": missing_approvals(needed, rows),
        "recovery_tx": case.recovery_tx, "recovered_amount": case.recovered_amount,
        "recovered_base_units": None if case.recovered_base is None else str(case.recovered_base),
        "payout_address": case.payout_address, "reopen_of": case.reopen_of,
        "deposit_recovered": case.deposit_recovered is not None,
        "ledger_ref": case.ledger_ref, "note": case.note,
        "block_time": case.block_time,
        "conditions": None if conditions is None else conditions.to_json(),
        "conditions_exempt": None if conditions is None else conditions.exempt,
        "conditions_met": None if conditions is None else conditions.met,
        "prepared": _prepared(s, case),
        "allowed_events": allowed_events(case.status),
    }


def _prepared(s: Session, case: Case) -> dict[str, Any] | None:
    """The live prepared recovery (digest, transactions in signing order), or None."""
    from recovery.case_prepare import prepared_of

    prepared = prepared_of(s, case.id)
    return prepared.as_json() if prepared else None
