"""`case move-network`: a claim made on the wrong network, carried to the network its hash is on.

A case is bound to its network (its deposit key is network + hash), and a rejected case stays final.
So the move opens the claim's case on the right network, verifies it there, and records on the old
case where the claim went (an audit row and its note); an old case still live is cancelled first.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlmodel import col, select

from recovery import audit
from recovery.case_models import AuditEntry, Case
from recovery.errors import BadInput, Refused
from recovery.outcomes import Outcome
from recovery.workflow import FINAL, CaseStatus

if TYPE_CHECKING:
    from recovery.cases import CaseService


def found_on(svc: CaseService, case_id: int) -> str | None:
    """The network the case's latest verification found its hash on, if any."""
    with svc.session() as s:
        data = s.exec(select(AuditEntry.data).where(AuditEntry.case_id == case_id, AuditEntry.event == "verify")
                      .order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    return json.loads(data).get("found_on_network") if data else None


def move_network(svc: CaseService, case_id: int, actor: str | None, network: str) -> tuple[Case, Case]:
    """Open and verify the claim of a not-found case on the network its hash was found on (agent).

    Returns (the old case, the new case)."""
    from chains.networks import get_network

    target = get_network(network).id
    with svc.session() as s:
        who = svc.actor(s, actor, "agent")
        old = svc.case(s, case_id)
        if old.outcome != Outcome.NOT_FOUND.value:
            raise Refused(f"case {case_id} is {old.outcome or 'not verified'}: only a case whose transaction "
                          f"was not found on {old.network} can move to another network (verify it first)")
        if target == old.network:
            raise BadInput(f"case {case_id} is already on {target}")
    where = found_on(svc, case_id)
    if where != target:
        seen = f"was found on {where}" if where else "was not found on any other network"
        raise Refused(f"case {case_id}: its transaction {seen}, not on {target}; verify it again "
                      f"(`recovery case verify {case_id}`) if it has been mined since")
    if CaseStatus(old.status) not in FINAL:
        svc.move(case_id, who.name, "cancel", f"moved to {target}")
    reason = f"moved from case {case_id} on {old.network}: the transaction is on {target}"
    new = svc.open(who.name, network=target, tx_hash=old.tx_hash, user_id=old.user_id, asset=old.claimed_asset,
                   amount=old.claimed_amount, memo=old.claimed_memo, reason=reason)
    assert new.id is not None
    with svc.session() as s:
        old = svc.case(s, case_id)
        svc.save(s, old, note=f"moved to case {new.id} on {target}")
        audit.append(s, actor=who.name, event="move_network", case_id=case_id, from_status=old.status,
                     to_status=old.status, data={"network": target, "to_case": new.id})
    return old, svc.verify(new.id, who.name)
