"""The case service: each action one transaction (transition, approval row, audit row), version-checked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from recovery import actor_names, audit
from recovery.case_models import Actor, Approval, Case, Quote, Valuation
from recovery.case_opening import OpeningActions
from recovery.case_prepare import PrepareActions, current_digest
from recovery.case_recovery import RecoveryActions
from recovery.dbtypes import Clock, clock_scope, utcnow
from recovery.errors import BadInput, Refused
from recovery.fees import FeePolicy, load_policy
from recovery.outcomes import Outcome, info, quotable_outcomes
from recovery.quotes import FeeEstimator, adapter_fee_estimator, build_quote, require_current
from recovery.workflow import FINAL, CaseStatus, Verification, fire

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from chains.base import ChainTx
    from chains.conditions import Condition
    from recovery.case_conditions import Evaluation
    from recovery.triage import Verdict

ROLES = ("agent", "wallet", "clearing", "security")
APPROVER_ROLES = ("wallet", "clearing", "security")

Verifier = Callable[[Session, str, str], "Verdict"]
TxFetcher = Callable[[str, str], "ChainTx"]


@dataclass
class CaseService(OpeningActions, PrepareActions, RecoveryActions):
    """The actions on cases; verifier, fetcher and fee estimator default to the chain adapters."""

    engine: Engine
    policy: FeePolicy | None = None
    high_value_usd: Decimal | None = None
    config_rpc: dict[str, Any] | None = None
    verifier: Verifier | None = None
    fetcher: TxFetcher | None = None
    estimator: FeeEstimator | None = None
    hot_wallets: dict[str, list[str]] | None = None   # network id -> our hot wallets (config [hot_wallets])
    conditions_file: Path | None = None   # config [conditions] file; None: chains/conditions.toml
    clock: Clock | None = None   # what "now" is for every stamp and expiry check; None: the system clock
    tick: Callable[[float], None] | None = None   # between polls for confirmations (time.sleep; a devnet mines)

    def __post_init__(self) -> None:
        self.policy = self.policy or load_policy()
        if self.high_value_usd is None:
            self.high_value_usd = self.policy.high_value_usd

    # -- plumbing -----------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work."""
        from recovery.db import session_scope

        with clock_scope(self.clock), session_scope(self.engine) as s:
            yield s

    def case(self, s: Session, case_id: int) -> Case:
        """The case, or bad input naming the id."""
        case = s.get(Case, case_id)
        if case is None:
            raise BadInput(f"case {case_id} does not exist")
        return case

    def actor(self, s: Session, name: str | None, role: str | None = None) -> Actor:
        """The acting actor, refused when unknown or without the role."""
        if not name:
            raise BadInput("no acting agent: give --as NAME or set RECOVERY_ACTOR")
        actor = s.exec(select(Actor).where(Actor.name == actor_names.clean(name))).first()
        if actor is None:
            actor, hint = actor_names.find(s, name)
        if actor is None:
            raise Refused(f"unknown actor {name!r}: {hint}add them with `recovery actors add {name} --role ROLE`")
        if role is not None and role not in actor.role_set():
            held = ", ".join(sorted(actor.role_set())) or "none"
            raise Refused(f"{name} does not hold the {role} role (roles: {held})")
        return actor

    def save(self, s: Session, case: Case, **values: Any) -> None:
        """Write changes only if nobody changed the case since it was read (optimistic concurrency)."""
        values["updated_at"] = utcnow()
        result = s.execute(
            update(Case).where(col(Case.id) == case.id, col(Case.version) == case.version)
            .values(version=case.version + 1, **values).execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Refused(f"case {case.id} was changed by someone else at the same moment; nothing was done: "
                          f"look at it again (`recovery case show {case.id}`) and retry")
        s.refresh(case)

    def transition(self, s: Session, case: Case, event: str, actor: str, data: dict[str, Any] | None = None,
                   values: dict[str, Any] | None = None, **facts: Any) -> CaseStatus:
        """Fire the event, save the case with its new state, and append the audit row."""
        before = case.status
        after = fire(before, event, case_id=case.id, **facts)
        self.save(s, case, status=after.value, **(values or {}))
        audit.append(s, actor=actor, event=event, case_id=case.id, from_status=before, to_status=after.value,
                     data=data)
        return after

    # -- recovery conditions (conditional networks) ------------------------------------------------
    def declared(self, network_id: str) -> tuple[Condition, ...]:
        """The recovery conditions a network's cases are held to (none on the direct tier)."""
        from recovery.case_confirm import declared

        return declared(network_id, self.conditions_file)

    def max_price_age(self) -> timedelta:
        """How old a price may be to count (the fee policy's `[quote] max_price_age_hours`)."""
        assert self.policy is not None
        return timedelta(hours=float(self.policy.max_price_age_hours))

    def conditions(self, s: Session, case: Case) -> Evaluation:
        """The case's recovery conditions and where each stands."""
        from recovery.case_confirm import case_evaluation

        return case_evaluation(s, case, self.declared(case.network), self.max_price_age())

    # -- actors -------------------------------------------------------------------------------
    def add_actor(self, name: str, roles: list[str], by: str | None = None) -> Actor:
        """Add an actor, or add roles to an existing one."""
        name = actor_names.clean(name)
        if not name:
            raise BadInput("NAME must not be empty")
        bad = [r for r in roles if r not in ROLES]
        if bad or not roles:
            raise BadInput(f"--role must be one of {', '.join(ROLES)} (got {', '.join(bad) or 'none'})")
        with self.session() as s:
            actor = s.exec(select(Actor).where(Actor.name == name)).first()
            if actor is None:
                actor_names.refuse_duplicate(s, name, roles)
                actor = Actor(name=name, added_by=by)
            actor.roles = ",".join(sorted(actor.role_set() | set(roles)))
            s.add(actor)
            s.flush()
            audit.append(s, actor=by or name, event="actor_added", data={"name": name, "roles": actor.roles})
            return actor

    def remove_role(self, name: str, role: str, by: str | None = None) -> Actor:
        """Revoke one role of an actor (audited); approvals given before stay as they were given."""
        if role not in ROLES:
            raise BadInput(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.session() as s:
            actor = s.exec(select(Actor).where(Actor.name == name.strip())).first()
            if actor is None:
                raise BadInput(f"unknown actor {name!r}")
            held = actor.role_set()
            if role not in held:
                raise Refused(f"{actor.name} does not hold the {role} role (roles: "
                              f"{', '.join(sorted(held)) or 'none'})")
            actor.roles = ",".join(sorted(held - {role}))
            s.add(actor)
            s.flush()
            audit.append(s, actor=by or actor.name, event="role_removed",
                         data={"name": actor.name, "role": role, "roles": actor.roles})
            return actor

    # -- verifying ------------------------------------------------------------------------------
    def verify(self, case_id: int, actor: str | None) -> Case:
        """Verify the case's transaction on chain and apply the verdict."""
        with self.session() as s:
            self.actor(s, actor, "agent")
            case = self.case(s, case_id)
            fire_check(case, "verify")
            verifier = self.verifier or _default_verifier(self.config_rpc)
            verdict = verifier(s, case.network, case.tx_hash)
        return self.apply_verdict(case_id, actor, verdict)

    def apply_verdict(self, case_id: int, actor: str | None, verdict: Verdict) -> Case:
        """Record a verification; changed facts void the approvals and the quote given so far.

        A verification that could not reach the chain (unverifiable) changes nothing and is refused.
        """
        from recovery.case_facts import classify, facts_of

        assert self.policy is not None
        if verdict.outcome is Outcome.UNVERIFIABLE:
            with self.session() as s:
                self.actor(s, actor, "agent")
                case = self.case(s, case_id)
            raise Refused(f"case {case_id} was not verified: {verdict.reason}"
                          + (f" ({verdict.error})" if verdict.error else "")
                          + f" Nothing was changed: the case stays {case.status} with its facts and "
                          f"{case.confirmations if case.confirmations is not None else 'no'} confirmations; "
                          "verify it again later.")
        young = timedelta(hours=float(self.policy.not_found_wait_hours))
        with self.session() as s:
            who = self.actor(s, actor, "agent")
            case = self.case(s, case_id)
            kind, reason = classify(case, verdict, young=young)
            values: dict[str, Any] = {"confirmations": verdict.confirmations, "verified_at": utcnow(),
                                      "reason": reason}
            changed = False
            if kind != Verification.wait or case.facts_hash is None:
                facts = facts_of(s, verdict)
                # amount and decimals hold amount_base, the block height holds its time
                hashed = {k: v for k, v in facts.items() if k not in ("amount_base", "block_time")}
                digest = hashlib.sha256(audit.canonical(hashed).encode()).hexdigest()
                changed = case.facts_hash is not None and digest != case.facts_hash
                values.update({k: v for k, v in facts.items() if k in _FACT_COLUMNS}, facts_hash=digest,
                              recoverable=verdict.recoverable)
            voided = unconfirmed = 0
            if changed:
                from recovery.case_confirm import void_confirmations

                voided = self._void_approvals(s, case)
                unconfirmed = void_confirmations(s, case)
                values["quote_id"] = None
            data = {"outcome": verdict.outcome.value, "status": verdict.status, "reason": reason,
                    "verification": kind.value, "facts_changed": changed, "approvals_voided": voided,
                    "confirmations_voided": unconfirmed,
                    "confirmations": verdict.confirmations, "amount": verdict.amount, "asset": verdict.asset,
                    "token_symbol": verdict.token_symbol, "found_on_network": verdict.found_on_network}
            self.transition(s, case, "verify", who.name, data, values, verification=kind, changed=changed)
            return case

    def _void_approvals(self, s: Session, case: Case) -> int:
        rows = active_approvals(s, case.id)
        now = utcnow()
        for row in rows:
            row.voided_at = now
            s.add(row)
        return len(rows)

    # -- valuation and quotes -------------------------------------------------------------------
    def value(self, case_id: int, actor: str | None, usd_price: Decimal) -> Valuation:
        """Clearing enters a USD price for the case's asset (needed when none was imported)."""
        if not usd_price.is_finite() or usd_price <= 0:
            raise BadInput(f"--usd-price must be a positive number, not {usd_price}")
        with self.session() as s:
            who = self.actor(s, actor, "clearing")
            case = self.case(s, case_id)
            if case.asset is None:
                raise Refused(f"case {case_id} is {case.status}: verify it before valuing its asset")
            if CaseStatus(case.status) in FINAL:
                raise Refused(f"case {case_id} is {case.status}: a final state takes no valuation")
            val = Valuation(case_id=case_id, network=case.network, asset=case.asset, usd_price=usd_price,
                            entered_by=who.name)
            s.add(val)
            self.save(s, case)
            audit.append(s, actor=who.name, event="value", case_id=case.id, from_status=case.status,
                         to_status=case.status, data={"asset": case.asset, "usd_price": usd_price})
            return val

    def quote(self, case_id: int, actor: str | None) -> tuple[Case, Quote]:
        """Issue (or re-issue) the case's quote."""
        with self.session() as s:
            who = self.actor(s, actor, "agent")
            case = self.case(s, case_id)
            fire_check(case, "quote")
            quotable = case.outcome is not None and case.outcome in Outcome._value2member_map_ and info(
                case.outcome).quotable
            if not quotable or case.asset is None or case.amount is None:
                raise Refused(f"case {case_id} ({case.outcome or 'not verified'}) cannot be quoted: only "
                              f"{', '.join(quotable_outcomes())} cases are")
            amount = case.amount
            if case.amount_base is not None and case.decimals is not None:
                from recovery.triage import whole_units

                amount = whole_units(case.amount_base, case.decimals)
            from recovery.case_facts import token_symbol_of

            q = build_quote(s, self.policy, network=case.network, asset=case.asset,  # type: ignore[arg-type]
                            amount=amount, outcome=case.outcome, decimals=case.decimals,
                            case_id=case.id, actor=who.name, symbol=token_symbol_of(s, case.id),
                            estimator=self.estimator or adapter_fee_estimator(self.config_rpc))
            s.add(q)
            s.flush()
            from recovery.quotes import quote_json

            # a new quote on an accepted case: the user accepts again and approvals start over
            voided = self._void_approvals(s, case) if case.status in (CaseStatus.awaiting_approval.value,
                                                                      CaseStatus.approved.value) else 0
            self.transition(s, case, "quote", who.name, {"quote": quote_json(q), "approvals_voided": voided},
                            {"quote_id": q.id})
            return case, q

    # -- simple moves ---------------------------------------------------------------------------
    def accept(self, case_id: int, actor: str | None) -> Case:
        """The user accepted the quote: ask for approvals."""
        with self.session() as s:
            who = self.actor(s, actor, "agent")
            case = self.case(s, case_id)
            fire_check(case, "accept")
            require_current(s.get(Quote, case.quote_id) if case.quote_id else None, case_id, "accept")
            self.transition(s, case, "accept", who.name, {"quote_id": case.quote_id}, quote_current=True)
            return case

    def move(self, case_id: int, actor: str | None, event: str, reason: str | None = None) -> Case:
        """defer, decline, reopen, cancel or close: an agent's move with an optional reason."""
        with self.session() as s:
            who = self.actor(s, actor, "agent")
            case = self.case(s, case_id)
            data: dict[str, Any] = {"reason": reason}
            facts: dict[str, Any] = {}
            if event == "defer":
                failed = self.conditions(s, case).failed
                facts["condition_failed"] = bool(failed)
                if failed:
                    said = "; ".join(f"{c.kind}: {c.reason}" for c in failed)
                    reason = f"{reason} ({said})" if reason else f"a recovery condition fails: {said}"
                    data = {"reason": reason, "failed_conditions": [c.kind for c in failed]}
                    if case.status == CaseStatus.awaiting_approval.value:   # they approved a quote left behind
                        data["approvals_voided"] = self._void_approvals(s, case)
                elif case.status != CaseStatus.quoted.value:
                    fire_check(case, event)
                    raise Refused(f"case {case_id} is {case.status}: it can be deferred before a quote only when "
                                  "a recovery condition fails, and none does; quote it and let the user choose")
            values = {"note": reason} if reason else {}
            self.transition(s, case, event, who.name, data, values, **facts)
            return case

    # -- approvals ------------------------------------------------------------------------------
    def needed(self, s: Session, case: Case) -> dict[str, int]:
        """How many approvals each role must give (security twice above the high-value threshold)."""
        q = s.get(Quote, case.quote_id) if case.quote_id else None
        high = q is not None and self.high_value_usd is not None and q.usd_value > self.high_value_usd
        return {"wallet": 1, "clearing": 1, "security": 2 if high else 1}

    def approve(self, case_id: int, actor: str | None, role: str) -> Case:
        """Record an approval; the last one needed moves the case to approved."""
        return self._decide(case_id, actor, role, "approve", None)

    def reject(self, case_id: int, actor: str | None, role: str, reason: str | None) -> Case:
        """An approver rejects the case, with a reason."""
        if not reason or not reason.strip():
            raise BadInput("--reason is required to reject a case")
        return self._decide(case_id, actor, role, "reject", reason.strip())

    def _decide(self, case_id: int, actor: str | None, role: str, decision: str, reason: str | None) -> Case:
        if role not in APPROVER_ROLES:
            raise BadInput(f"--role must be one of {', '.join(APPROVER_ROLES)}, not {role!r}")
        with self.session() as s:
            who = self.actor(s, actor, role)
            case = self.case(s, case_id)
            fire_check(case, decision)
            if who.name == case.opened_by:
                raise Refused(f"{who.name} opened case {case_id} and cannot {decision} it")
            if decision == "approve":
                require_current(s.get(Quote, case.quote_id) if case.quote_id else None, case_id, "approve")
            given = active_approvals(s, case.id)
            mine = [a for a in given if a.actor == who.name]
            if mine:
                raise Refused(f"{who.name} already approved case {case_id} as {mine[0].role}; each approval "
                              "needs a different person")
            needed = self.needed(s, case)
            have = sum(1 for a in given if a.role == role)
            if decision == "approve" and have >= needed[role]:
                raise Refused(f"case {case_id} already has the {role} approval it needs")
            s.add(Approval(case_id=case_id, role=role, actor=who.name, decision=decision, reason=reason,
                           facts_hash=case.facts_hash, digest=current_digest(s, case.id)))
            counts = {r: sum(1 for a in given if a.role == r) + (r == role) for r in APPROVER_ROLES}
            complete = all(counts[r] >= n for r, n in needed.items())
            conditions = self.conditions(s, case)
            if decision == "approve" and complete and not conditions.met:
                raise Refused(f"case {case_id} cannot be approved while a recovery condition of {case.network} is "
                              f"not met: {conditions.blocking()}. Confirm open ones with `recovery case confirm "
                              f"{case_id} --condition NAME`; a failed one can be deferred (`recovery case defer "
                              f"{case_id}`). Nothing was recorded.")
            data: dict[str, Any] = {"role": role, "decision": decision, "reason": reason, "approvals": counts,
                                    "needed": needed}
            values = {"note": reason} if reason else {}
            if conditions.states:
                data["conditions"] = {c.kind: c.state for c in conditions.states}
            self.transition(s, case, decision, who.name, data, values, complete=complete,
                            conditions_met=conditions.met)
            return case


_FACT_COLUMNS = frozenset({"outcome", "chain_status", "asset", "amount", "amount_base", "decimals",
                           "from_address", "deposit_address", "deposit_network", "deposit_user", "block_height",
                           "block_time"})


def fire_check(case: Case, event: str) -> None:
    """Refuse early (before any chain call) when the state does not allow the event at all."""
    from recovery.workflow import allowed_events

    if event not in allowed_events(case.status):
        fire(case.status, event, case_id=case.id)


def active_approvals(s: Session, case_id: int | None) -> list[Approval]:
    """The approvals of a case that are not void, oldest first."""
    return list(s.exec(select(Approval).where(Approval.case_id == case_id, col(Approval.voided_at).is_(None))
                       .order_by(col(Approval.id))))


def list_cases(s: Session, *, status: str | None = None, network: str | None = None,
               outcome: str | None = None, user: str | None = None, older_than: timedelta | None = None,
               newer_than: timedelta | None = None, now: datetime | None = None) -> list[Case]:
    """Cases matching the filters, oldest waiting first; age counts from when the case was opened."""
    now = now or utcnow()
    query = select(Case)
    if status:
        query = query.where(Case.status == status)
    if network:
        query = query.where(Case.network == network)
    if outcome:
        query = query.where(Case.outcome == outcome)
    if user:
        query = query.where(Case.user_id == user)
    if older_than is not None:
        query = query.where(col(Case.opened_at) <= now - older_than)
    if newer_than is not None:
        query = query.where(col(Case.opened_at) >= now - newer_than)
    return list(s.exec(query.order_by(col(Case.updated_at), col(Case.id))))


def _default_verifier(config_rpc: dict[str, Any] | None) -> Verifier:
    def run(s: Session, network: str, tx_hash: str) -> Verdict:
        from recovery.verify import verify

        return verify(s, network, tx_hash, config_rpc=config_rpc)

    return run
