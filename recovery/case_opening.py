"""Opening a case: one live case per deposit, a second one only on purpose; the user's payout address."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from recovery import audit
from recovery.case_models import Case
from recovery.case_recovery import CaseExists, deposit_key
from recovery.errors import BadInput, Refused
from recovery.workflow import FINAL, CaseStatus

if TYPE_CHECKING:
    from recovery.case_models import Actor


def latest_cases(s: Session, network: str, tx_keys: list[str]) -> dict[str, Case]:
    """tx key -> the newest case of that deposit on this network (any state): the rule `open` applies."""
    found: dict[str, Case] = {}
    unique = sorted(set(tx_keys))
    for i in range(0, len(unique), 500):
        rows = s.exec(select(Case).where(Case.network == network, col(Case.tx_key).in_(unique[i:i + 500]))
                      .order_by(col(Case.id)))
        for case in rows:
            found[case.tx_key] = case
    return found


class OpeningActions:
    """`open` and `set_payout` of the case service (mixed into `CaseService`)."""

    if TYPE_CHECKING:
        def session(self) -> AbstractContextManager[Session]: ...
        def case(self, s: Session, case_id: int) -> Case: ...
        def actor(self, s: Session, name: str | None, role: str | None = None) -> Actor: ...
        def save(self, s: Session, case: Case, **values: Any) -> None: ...

    def open(self, actor: str | None, *, network: str, tx_hash: str, user_id: str, asset: str | None = None,
             amount: Decimal | None = None, memo: str | None = None, payout_address: str | None = None,
             reopen_of: int | None = None, reason: str | None = None) -> Case:
        """Open a case for a claim: one live case per deposit, and a second case only on purpose."""
        from chains.networks import get_network
        from recovery.reference import key_tx

        get_network(network)
        if not user_id.strip():
            raise BadInput("--user must not be empty")
        if amount is not None and (not amount.is_finite() or amount <= 0):
            raise BadInput(f"--amount must be a positive number, not {amount}")
        if reopen_of is not None and not (reason or "").strip():
            raise BadInput("--reason is required with --reopen-of (kept in the audit log)")
        payout = _payout(network, payout_address) if payout_address is not None else None
        tx_key = key_tx(network, tx_hash)
        try:
            with self.session() as s:
                who = self.actor(s, actor, "agent")
                prior = latest_cases(s, network, [tx_key]).get(tx_key)
                _may_open(prior, reopen_of, network)
                case = Case(status=CaseStatus.open.value, network=network, tx_hash=tx_hash.strip(), tx_key=tx_key,
                            user_id=user_id.strip(), claimed_asset=asset, claimed_amount=amount,
                            claimed_memo=memo, payout_address=payout, reopen_of=reopen_of, opened_by=who.name)
                s.add(case)
                s.flush()   # the live-case index refuses a second live case here, even from a racing agent
                audit.append(s, actor=who.name, event="open", case_id=case.id, to_status=case.status, data={
                    "network": network, "tx_hash": case.tx_hash, "user_id": case.user_id, "asset": asset,
                    "amount": amount, "memo": memo, "payout_address": payout, "reopen_of": reopen_of,
                    "reason": reason.strip() if reason else None,
                    "deposit_recovered_by": _recovered_by(s, prior)})
                return case
        except IntegrityError:
            with self.session() as s:
                live = latest_cases(s, network, [tx_key]).get(tx_key)
            if live is None:
                raise
            raise CaseExists(live.id, f"case {live.id} is already {live.status} for this transaction "  # type: ignore[arg-type]
                                      "(opened at the same moment by someone else)") from None

    def set_payout(self, case_id: int, actor: str | None, address: str) -> Case:
        """Record the user's own payout address (a destination `execute` accepts), before the user accepts."""
        with self.session() as s:
            who = self.actor(s, actor, "agent")
            case = self.case(s, case_id)
            if CaseStatus(case.status) not in (CaseStatus.open, CaseStatus.verified, CaseStatus.quoted,
                                               CaseStatus.deferred):
                raise Refused(f"case {case_id} is {case.status}: the payout address can be set only before the "
                              "user accepts the quote (re-quote the case to change it)")
            payout = _payout(case.network, address)
            before = case.payout_address
            self.save(s, case, payout_address=payout)
            audit.append(s, actor=who.name, event="payout", case_id=case.id, from_status=case.status,
                         to_status=case.status, data={"payout_address": payout, "previous": before})
            return case


def _payout(network: str, address: str) -> str:
    """A payout address in the network's canonical form, or bad input naming the option."""
    from chains.networks import get_network
    from recovery.reference import key_address

    text = address.strip()
    if not text or not get_network(network).valid_address(text):
        raise BadInput(f"--payout-address {address!r} is not a {network} address")
    try:
        return key_address(network, text)
    except ValueError as exc:
        raise BadInput(f"--payout-address {address!r}: {exc}") from None


def _may_open(prior: Case | None, reopen_of: int | None, network: str) -> None:
    """Refuse a second case of a deposit unless it names the earlier one on purpose."""
    if prior is None:
        if reopen_of is not None:
            raise BadInput(f"--reopen-of {reopen_of}: this transaction on {network} has no earlier case")
        return
    if CaseStatus(prior.status) not in FINAL:
        raise CaseExists(prior.id, f"case {prior.id} is already {prior.status} for this "  # type: ignore[arg-type]
                                   "transaction")
    if reopen_of is None:
        raise CaseExists(prior.id, f"case {prior.id} ({prior.status}) already handled this transaction on "  # type: ignore[arg-type]
                                   f"{network}; to open another case on purpose give --reopen-of {prior.id} "
                                   "--reason WHY")
    if reopen_of != prior.id:
        raise BadInput(f"--reopen-of {reopen_of}: the latest case of this transaction is case {prior.id}")


def _recovered_by(s: Session, prior: Case | None) -> int | None:
    if prior is None:
        return None
    done = s.exec(select(Case).where(Case.deposit_recovered == deposit_key(prior))).first()
    return done.id if done else None
