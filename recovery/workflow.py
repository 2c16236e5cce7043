"""The case lifecycle as one declarative state machine; `python -m recovery.workflow --mermaid` draws it."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.states import States

from recovery.errors import Refused


class CaseStatus(StrEnum):
    """Where a case stands; persisted as this value in `cases.status`."""

    open = "open"
    verified = "verified"
    rejected = "rejected"
    quoted = "quoted"
    awaiting_approval = "awaiting_approval"
    approved = "approved"
    executed = "executed"
    credited = "credited"
    closed = "closed"
    deferred = "deferred"
    declined = "declined"
    cancelled = "cancelled"


FINAL = frozenset({CaseStatus.rejected, CaseStatus.closed, CaseStatus.declined, CaseStatus.cancelled})


class Verification(StrEnum):
    """What a verification means for the case: go on, stop, or wait and verify again."""

    recoverable = "recoverable"
    unrecoverable = "unrecoverable"
    wait = "wait"


class CaseMachine(StateMachine):
    """The case lifecycle of design section 6; guards receive the facts as keyword arguments."""

    s = States.from_enum(CaseStatus, initial=CaseStatus.open, final=list(FINAL), use_enum_instance=True)

    # verification: first decision on an open case, then re-verification of a live case
    verify = (
        s.open.to(s.verified, cond="is_recoverable")
        | s.open.to(s.rejected, cond="is_unrecoverable")
        | s.open.to.itself(internal=True)
        | s.verified.to(s.rejected, cond="is_unrecoverable")
        | s.verified.to.itself(internal=True)
        | s.quoted.to(s.rejected, cond="is_unrecoverable")
        | s.quoted.to(s.verified, cond="facts_changed")
        | s.quoted.to.itself(internal=True)
        | s.awaiting_approval.to(s.rejected, cond="is_unrecoverable")
        | s.awaiting_approval.to(s.verified, cond="facts_changed")
        | s.awaiting_approval.to.itself(internal=True)
        | s.approved.to(s.rejected, cond="is_unrecoverable")
        | s.approved.to(s.verified, cond="facts_changed")
        | s.approved.to.itself(internal=True)
        | s.deferred.to(s.rejected, cond="is_unrecoverable")
        | s.deferred.to.itself(internal=True)
    )
    # a re-issued quote (the last one expired) voids the acceptance and approvals given on the old one
    quote = (
        s.verified.to(s.quoted) | s.quoted.to.itself(internal=True) | s.deferred.to(s.quoted)
        | s.awaiting_approval.to(s.quoted) | s.approved.to(s.quoted)
    )
    accept = s.quoted.to(s.awaiting_approval, cond="quote_is_current")
    # a failed recovery condition (chains/conditions.toml) lets a case wait before it is quoted or approved
    defer = (s.quoted.to(s.deferred) | s.verified.to(s.deferred, cond="a_condition_failed")
             | s.awaiting_approval.to(s.deferred, cond="a_condition_failed"))
    reopen = s.deferred.to(s.verified)
    decline = s.quoted.to(s.declined)
    approve = (
        s.awaiting_approval.to(s.approved, cond=["approvals_complete", "conditions_met"])
        | s.awaiting_approval.to.itself(internal=True, unless="approvals_complete")
    )
    reject = s.awaiting_approval.to(s.rejected) | s.approved.to(s.rejected)
    # the wallet team prepares the unsigned recovery once the user accepted; preparing again (new nonce, new
    # fees) voids the approvals given to the old digest, so an approved case awaits security's approval again
    # (`prepare` is a name of the library's own: the machine calls it prepare_recovery, the rest `prepare`)
    prepare_recovery = s.awaiting_approval.to.itself() | s.approved.to(s.awaiting_approval)
    execute = s.approved.to(s.executed, cond=["recovery_moves_funds", "recovery_tx_matches"])
    # uncredited and memo cases: the funds already sit at our address, only the ledger entry is missing
    credit = s.executed.to(s.credited) | s.approved.to(s.credited, cond="funds_already_ours")
    close = s.credited.to(s.closed)
    # design section 6: from any non-final state, executed and credited included (the audit log keeps
    # the recovery transaction of a case cancelled after the funds moved)
    cancel = (
        s.open.to(s.cancelled) | s.verified.to(s.cancelled) | s.quoted.to(s.cancelled)
        | s.awaiting_approval.to(s.cancelled) | s.approved.to(s.cancelled) | s.deferred.to(s.cancelled)
        | s.executed.to(s.cancelled) | s.credited.to(s.cancelled)
    )

    # -- guards, named after the business rule --------------------------------------------------
    def is_recoverable(self, verification: Verification | None = None) -> bool:
        """The verification found funds we can recover."""
        return verification == Verification.recoverable

    def is_unrecoverable(self, verification: Verification | None = None) -> bool:
        """The verification found nothing we can recover."""
        return verification == Verification.unrecoverable

    def facts_changed(self, changed: bool = False) -> bool:
        """The re-verification changed the on-chain facts (approvals given so far are void)."""
        return changed

    def quote_is_current(self, quote_current: bool = False) -> bool:
        """The case has a quote that has not expired."""
        return quote_current

    def approvals_complete(self, complete: bool = False) -> bool:
        """Wallet, clearing and security (twice above the high-value threshold) have approved."""
        return complete

    def conditions_met(self, conditions_met: bool = False) -> bool:
        """Every recovery condition of a conditional network holds or is confirmed (none: met)."""
        return conditions_met

    def a_condition_failed(self, condition_failed: bool = False) -> bool:
        """A recovery condition of the case fails on its facts (age, value, amount)."""
        return condition_failed

    def recovery_moves_funds(self, on_chain: bool | None = None) -> bool:
        """The outcome needs an on-chain recovery transaction (recovery.outcomes `on_chain`)."""
        return on_chain is True

    def funds_already_ours(self, on_chain: bool | None = None) -> bool:
        """The outcome needs no on-chain recovery: the funds are at our address (uncredited, memo cases)."""
        return on_chain is False

    def recovery_tx_matches(self, tx_ok: bool = False) -> bool:
        """The recovery transaction was verified on chain against the case and its quote."""
        return tx_ok


class _Holder:
    """The model the machine reads and writes its state on (the ORM row is updated separately)."""

    def __init__(self, status: CaseStatus) -> None:
        self.status = status


_MACHINE_ID = {"prepare": "prepare_recovery"}   # event name -> the machine's id where they differ
_NAME = {v: k for k, v in _MACHINE_ID.items()}
EVENTS: tuple[str, ...] = tuple(_NAME.get(e.id, e.id) for e in CaseMachine.events)  # type: ignore[attr-defined]


def allowed_events(status: str) -> list[str]:
    """The events the machine accepts in this state (before guards)."""
    machine = CaseMachine(_Holder(CaseStatus(status)), state_field="status")
    return [_NAME.get(e.id, e.id) for e in machine.allowed_events]


def fire(status: str, event: str, *, case_id: int | None = None, **facts: Any) -> CaseStatus:
    """The state after `event` from `status`; an event the state does not allow is refused."""
    current = CaseStatus(status)
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    holder = _Holder(current)
    machine = CaseMachine(holder, state_field="status")
    label = f"case {case_id}" if case_id is not None else "the case"
    try:
        machine.send(_MACHINE_ID.get(event, event), **facts)
    except TransitionNotAllowed:
        allowed = [_NAME.get(e.id, e.id) for e in machine.allowed_events]
        if event in allowed:
            raise Refused(f"{label} is {current.value}: {event} is not possible now "
                          f"(a condition is not met)") from None
        raise Refused(
            f"{label} is {current.value}: {event} is not allowed in that state; "
            f"allowed: {', '.join(allowed) or 'none (final state)'}"
        ) from None
    return CaseStatus(holder.status)


def mermaid() -> str:
    """The Mermaid stateDiagram of the machine, from its definition."""
    from statemachine.contrib.diagram import MermaidGraphMachine

    return MermaidGraphMachine(CaseMachine).get_mermaid()


def markdown() -> str:
    """The `docs/case-states.md` page: the diagram and the table of events."""
    from recovery.outcomes import OUTCOMES

    direct = ", ".join(f"`{o.value}`" for o, row in OUTCOMES.items() if row.quotable and not row.on_chain)
    lines = [
        "# Case states",
        "",
        "Generated from `recovery/workflow.py` by",
        "`python -m recovery.workflow --mermaid > docs/case-states.md`; do not edit by hand.",
        "",
        "```mermaid",
        mermaid().rstrip(),
        "```",
        "",
        "Final states: " + ", ".join(sorted(f"`{f.value}`" for f in FINAL)) + ". Events not drawn keep the",
        "state (re-verification with unchanged facts, a re-issued quote, an approval that is not the last).",
        "An event a state does not allow is refused, naming the state and the events it allows.",
        "",
        f"Cases of outcomes whose funds already sit at our address ({direct}; the `on_chain` column of",
        "`recovery/outcomes.py`) go from `approved` straight to `credited`; the others are `executed` first.",
        "A quote that expired is refused at accept, at every approval, at execute and at a direct credit;",
        "re-quoting an `awaiting_approval` or `approved` case voids its approvals and the user accepts again.",
        "",
        "On a conditional network the last approval reaches `approved` only when every recovery condition",
        "(`chains/conditions.toml`) holds or is confirmed (`conditions_met`); a case one of whose conditions",
        "fails may be deferred from `verified` or `awaiting_approval` too (`a_condition_failed`).",
        "",
        "`prepare` (wallet) builds the unsigned recovery of an accepted case and stores its digest; approvals",
        "record the digest they were given to, security's is required for `execute --signed-tx`, and preparing",
        "again with other payloads voids the approvals of the old digest (an `approved` case awaits approval).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--mermaid" in sys.argv[1:]:
        sys.stdout.write(markdown())
    else:
        sys.stderr.write("usage: python -m recovery.workflow --mermaid\n")
        raise SystemExit(2)
