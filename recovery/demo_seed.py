"""Months of claims for the report, walked through the case service on a simulated clock.

Every case is opened, verified, valued, quoted, accepted, approved, executed, credited, closed, deferred,
declined, cancelled or rejected by the service itself (`CaseService`, its rules, its audit log); only the
chain is stood in for: verdicts and recovery transactions are made here, as the service's tests make them.
The steps of all cases run in time order on one clock, so the audit log reads as the team's months did.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from sqlalchemy import Engine

from chains.base import NATIVE, ChainTx, Transfer, TxStatus
from chains.networks import get_network
from recovery.cases import CaseService
from recovery.errors import Refused
from recovery.quotes import base_amounts
from recovery.triage import Outcome, Verdict

AGENTS = ("ann", "abe", "ada")
APPROVERS = {"wallet": ("wanda", "walt"), "clearing": ("carl", "cleo"), "security": ("sam", "sue", "sid")}
# network -> USD price of its native coin (imported each simulated day), and the networks it shares keys with
NATIVE_USD = {"ethereum": "3000", "bsc": "600", "polygon": "0.5", "arbitrum": "3000", "base": "3000",
              "ethereum-classic": "25", "xrp": "0.6"}
EVM = ("ethereum", "bsc", "polygon", "arbitrum", "base", "ethereum-classic")
XRP_DEPOSIT = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"   # a shared memo address stands in for ours on xrp
# outcome -> weight among claims; memo outcomes are claims on xrp, the others on the EVM networks
MIX = {Outcome.UNLISTED_TOKEN: 30, Outcome.WRONG_NETWORK: 18, Outcome.UNCREDITED: 10, Outcome.BELOW_MINIMUM: 9,
       Outcome.MISSING_MEMO: 6, Outcome.WRONG_MEMO: 3, Outcome.NOT_OUR_ADDRESS: 10, Outcome.CONTRACT_ADDRESS: 5,
       Outcome.FAILED: 4, Outcome.NOT_FOUND: 5}
HOUR = timedelta(hours=1)


@dataclass
class SeedSummary:
    """What the seeding did: cases opened and each service action taken (by event), refusals met."""

    cases: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    requotes: int = 0


@dataclass
class _Claim:
    index: int
    network: str
    outcome: Outcome
    verdict: Verdict
    case_id: int = 0
    quote_expires: datetime | None = None
    stuck_role: str | None = None    # an approver who does not get to it (the queue the report shows)
    round: int = 0                   # each acceptance starts a round of approvals; older steps lapse
    requoting: bool = False
    token_usd: Decimal = Decimal(1)  # what clearing values an unlisted token at


class _Sim:
    """The simulated clock and the time-ordered steps of every claim."""

    def __init__(self, service: CaseService, rng: random.Random, end: datetime, engine: Engine) -> None:
        self.service, self.rng, self.end, self.engine = service, rng, end, engine
        self.now = end
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = 0
        self.summary = SeedSummary()
        self.recoveries: dict[str, ChainTx] = {}
        self.priced_day: str | None = None
        self.hot = "0x" + "f0" * 20

    def at(self, when: datetime, step: Callable[[], None]) -> None:
        if when <= self.end:
            self.seq += 1
            heapq.heappush(self.queue, (when, self.seq, step))

    def later(self, hours: float, step: Callable[[], None]) -> None:
        self.at(self.now + timedelta(hours=max(hours, 0.01)), step)

    def hours(self, mean: float) -> float:
        return self.rng.expovariate(1 / mean)

    def did(self, event: str) -> None:
        self.summary.actions[event] = self.summary.actions.get(event, 0) + 1

    def run(self) -> None:
        while self.queue:
            self.now, _, step = heapq.heappop(self.queue)
            self._prices()
            step()

    def _prices(self) -> None:
        """Import the day's native prices once a day, as a price feed would (through `recovery import`)."""
        from recovery.reference_import import import_file

        day = self.now.strftime("%Y-%m-%d")
        if day == self.priced_day:
            return
        self.priced_day = day
        as_of = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "prices.csv"
            with path.open("w", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(["network", "asset", "usd_price", "as_of", "source"])
                for net, usd in NATIVE_USD.items():
                    out.writerow([net, NATIVE, usd, as_of.isoformat(), "seed feed"])
            report = import_file(self.engine, "prices", path)
        if report.errors:
            raise RuntimeError(f"seed prices refused: {report.errors}")

    # -- the steps of one claim -----------------------------------------------------------------
    def open(self, claim: _Claim) -> None:
        agent = self.rng.choice(AGENTS)
        case = self.service.open(agent, network=claim.network, tx_hash=claim.verdict.tx_hash,
                                 user_id=claim.verdict.user_id or f"u-{claim.index}")
        claim.case_id = case.id  # type: ignore[assignment]
        self.summary.cases += 1
        self.did("open")
        if self.rng.random() < 0.02:
            self.later(self.hours(10), lambda: self.move(claim, "cancel", "the user withdrew the claim"))
            return
        self.later(self.hours(3), lambda: self.verify(claim))

    def verify(self, claim: _Claim) -> None:
        if claim.verdict.status == "confirmed" and claim.verdict.block_time is None:
            # the deposit was mined a while before the user wrote in (a conditional network's age condition)
            claim.verdict = replace(claim.verdict, block_time=self.now - timedelta(hours=2 + self.hours(48)))
        self.service.verifier = lambda s, n, h: claim.verdict
        case = self.service.verify(claim.case_id, self.rng.choice(AGENTS))
        self.did("verify")
        if case.status == "open":        # not found while young: look again after the wait
            self.later(6 + self.hours(4), lambda: self.verify(claim))
        elif case.status == "verified":
            self._confirm_conditions(claim)
            if claim.outcome is Outcome.UNLISTED_TOKEN:
                self.later(self.hours(30), lambda: self.value(claim))
            else:
                self.later(self.hours(8), lambda: self.quote(claim))

    def _confirm_conditions(self, claim: _Claim) -> None:
        """On a conditional network the people its conditions name confirm theirs (the claimant's proof is
        sometimes never given: such a case waits in the queue)."""
        with self.service.session() as s:
            states = self.service.conditions(s, self.service.case(s, claim.case_id)).states
        for state in states:
            if state.state == "needs_person" and (state.kind != "claimant_proves_sender" or self.rng.random() < 0.9):
                person = self.rng.choice(AGENTS if state.role == "agent" else APPROVERS[str(state.role)])
                self.later(self.hours(2), lambda k=state.kind, p=person: self._confirm(claim, k, p))  # type: ignore[misc]

    def _confirm(self, claim: _Claim, kind: str, person: str) -> None:
        from recovery.case_confirm import confirm

        with self.service.session() as s:
            status = self.service.case(s, claim.case_id).status
        if status in ("verified", "quoted", "awaiting_approval", "approved"):
            confirm(self.service, claim.case_id, person, kind, None)
            self.did("confirm")

    def value(self, claim: _Claim) -> None:
        self.service.value(claim.case_id, self.rng.choice(APPROVERS["clearing"]), claim.token_usd)
        self.did("value")
        self.later(self.hours(2), lambda: self.quote(claim))

    def quote(self, claim: _Claim) -> None:
        case, q = self.service.quote(claim.case_id, self.rng.choice(AGENTS))
        self.did("quote")
        claim.quote_expires, claim.requoting = q.expires_at, False
        claim.round += 1   # approvals given on an earlier quote are void; their pending steps lapse
        roll = self.rng.random()
        if q.recommendation == "defer" and (roll < 0.85 or base_amounts(q)["net"] <= 0):
            self.later(self.hours(4), lambda: self.move(claim, "defer", "waiting for network support: " + q.reason))
        elif roll < 0.06:
            self.later(self.hours(6), lambda: self.move(claim, "decline", "the user declined the fee"))
        else:
            self.later(self.hours(5), lambda: self.accept(claim))

    def accept(self, claim: _Claim) -> None:
        if self._expired(claim):
            return
        self.service.accept(claim.case_id, self.rng.choice(AGENTS))
        self.did("accept")
        claim.round += 1
        if claim.stuck_role is None and self.rng.random() < 0.04:
            claim.stuck_role = self.rng.choice(tuple(APPROVERS))
        for role, mean in (("wallet", 3), ("clearing", 4), ("security", 6)):
            if role != claim.stuck_role:
                self.later(self.hours(mean), lambda r=role, n=claim.round: self.approve(claim, r, n))  # type: ignore[misc]

    def approve(self, claim: _Claim, role: str, round_: int) -> None:
        if round_ != claim.round or self._expired(claim):
            return
        with self.service.session() as s:
            case = self.service.case(s, claim.case_id)
            given = _active(s, claim.case_id)
            needs = self.service.needed(s, case)[role]
        taken = {a.actor for a in given}
        who = next((p for p in APPROVERS[role] if p not in taken), None)
        if who is None or sum(a.role == role for a in given) >= needs:
            return
        with self.service.session() as s:
            conditions = self.service.conditions(s, self.service.case(s, claim.case_id))
        complete = all(sum(a.role == r for a in given) + (r == role) >= n for r, n in self._needed(claim).items())
        if complete and conditions.failed:    # a condition fails (too small, too old): the case waits
            self.move(claim, "defer", None)
            return
        if complete and conditions.open:      # a person has not confirmed yet: the case waits for them
            return
        case = self.service.approve(claim.case_id, who, role)
        self.did("approve")
        if case.status == "awaiting_approval" and sum(a.role == role for a in given) + 1 < needs:
            # above the high-value threshold: a second security approver
            self.later(self.hours(6), lambda: self.approve(claim, role, round_))
        if case.status == "approved":
            from recovery.case_recovery import on_chain

            self.later(self.hours(4), (lambda: self.execute(claim)) if on_chain(case) else (lambda: self.credit(claim)))

    def _needed(self, claim: _Claim) -> dict[str, int]:
        with self.service.session() as s:
            return dict(self.service.needed(s, self.service.case(s, claim.case_id)))

    def execute(self, claim: _Claim) -> None:
        if self._expired(claim):
            return
        from recovery.case_models import Case, Quote

        with self.service.session() as s:
            case = s.get(Case, claim.case_id)
            q = s.get(Quote, case.quote_id)  # type: ignore[union-attr]
            assert case is not None and q is not None and case.deposit_address and case.asset
            tx_hash = _hash(f"recovery {claim.index} {case.quote_id}")
            self.recoveries[tx_hash] = ChainTx(
                case.network, tx_hash, TxStatus.CONFIRMED, block_height=20_000_000 + claim.index,
                confirmations=get_network(case.network).min_confirmations + 3,
                transfers=(Transfer(case.deposit_address, self.hot, case.asset, base_amounts(q)["net"], q.decimals),))
        self.service.execute(claim.case_id, self.rng.choice(APPROVERS["wallet"]), tx_hash)
        self.did("execute")
        self.later(self.hours(10), lambda: self.credit(claim))

    def credit(self, claim: _Claim) -> None:
        if self._expired(claim):
            return
        self.service.credit(claim.case_id, self.rng.choice(APPROVERS["clearing"]), f"L-{claim.index:06d}")
        self.did("credit")
        if self.rng.random() < 0.9:
            self.later(self.hours(30), lambda: self.move(claim, "close", None))

    def move(self, claim: _Claim, event: str, reason: str | None) -> None:
        self.service.move(claim.case_id, self.rng.choice(AGENTS), event, reason)
        self.did(event)

    def _expired(self, claim: _Claim) -> bool:
        """A step after the quote expired: the agent re-quotes instead (the user accepts again, approvals
        start over), as the service requires."""
        with self.service.session() as s:
            status = self.service.case(s, claim.case_id).status
        if claim.quote_expires is None or self.now < claim.quote_expires or status not in (
                "quoted", "awaiting_approval", "approved"):
            return False
        if not claim.requoting:
            claim.requoting = True
            self.summary.requotes += 1
            again = self.value if claim.outcome is Outcome.UNLISTED_TOKEN else self.quote   # a fresh price first
            self.later(self.hours(6), lambda: again(claim))
        return True


def _active(s, case_id: int):  # type: ignore[no-untyped-def]
    from recovery.cases import active_approvals

    return active_approvals(s, case_id)


def _hash(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


def _address(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _claim(index: int, rng: random.Random) -> _Claim:
    """One claim and the verdict the chain would give it."""
    outcome = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    memo = outcome in (Outcome.MISSING_MEMO, Outcome.WRONG_MEMO)
    network = "xrp" if memo else rng.choices(EVM, weights=(30, 25, 12, 12, 11, 10))[0]
    net = get_network(network)
    user = f"u-{10000 + index}"
    usd = Decimal(str(round(rng.lognormvariate(5.6, 1.5), 2))) + 1
    if outcome is Outcome.BELOW_MINIMUM:
        usd = Decimal(rng.randint(300, 4500)) / 100
    asset, decimals, price, symbol = NATIVE, net.native_decimals, Decimal(NATIVE_USD[network]), None
    if outcome is Outcome.UNLISTED_TOKEN:
        asset = _address(f"token {network} {rng.randint(1, 6)}")
        decimals, price, symbol = rng.choice((6, 18)), Decimal(rng.choice(("0.002", "0.05", "0.4", "1", "2.5"))), "TKN"
    base = int((usd / price * Decimal(10) ** decimals).to_integral_value(ROUND_DOWN))
    tx = _hash(f"claim {index}")[2:].upper() if network == "xrp" else _hash(f"claim {index}")
    deposit = XRP_DEPOSIT if memo else _address(f"deposit {user} {network}")
    ours = outcome not in (Outcome.NOT_OUR_ADDRESS, Outcome.CONTRACT_ADDRESS, Outcome.FAILED, Outcome.NOT_FOUND)
    transfer = Transfer(_address(f"sender {index}"), deposit, asset, base, decimals,
                        memo="999999" if outcome is Outcome.WRONG_MEMO else None)
    deposit_network = network
    if outcome is Outcome.WRONG_NETWORK:
        deposit_network = "bsc" if network != "bsc" else "ethereum"
    verdict = Verdict(
        network=network, tx_hash=tx, status="failed" if outcome is Outcome.FAILED else "confirmed",
        outcome=outcome, reason=outcome.value.replace("_", " "), block_height=19_000_000 + index,
        confirmations=net.min_confirmations + 50, transfers=(transfer,), transfer=transfer, asset=asset,
        token_symbol=symbol, amount=Decimal(base).scaleb(-decimals), user_id=user if ours else None,
        deposit_address=deposit if ours else None, deposit_network=deposit_network if ours else None)
    if outcome is Outcome.NOT_FOUND:
        verdict = Verdict(network=network, tx_hash=tx, status="not_found", outcome=outcome,
                          reason=f"{network} does not know this transaction.")
    return _Claim(index, network, outcome, verdict, token_usd=price)


def seed_cases(engine: Engine, *, count: int, end: datetime, days: int = 120, seed: int = 7) -> SeedSummary:
    """Open `count` claims over the `days` before `end` (more of them lately) and walk each through the service."""
    rng = random.Random(seed)
    service = CaseService(engine, hot_wallets={net: ["0x" + "f0" * 20] for net in EVM},
                          estimator=lambda network, asset: 21_000 * 20 * 10**9 if network in EVM else 12)
    sim = _Sim(service, rng, end, engine)
    service.clock = lambda: sim.now
    service.fetcher = lambda network, tx_hash: sim.recoveries[tx_hash]
    start = end - timedelta(days=days)
    sim.now = start
    for name in AGENTS:
        service.add_actor(name, ["agent"])
    for role, names in APPROVERS.items():
        for name in names:
            service.add_actor(name, [role])
    span = (end - start).total_seconds()
    for i in range(count):
        # the claim rate grows over the period (a square root spreads the opening times toward `end`)
        when = start + timedelta(seconds=span * rng.random() ** 0.8)
        claim = _claim(i, rng)
        sim.at(when, lambda claim=claim: sim.open(claim))  # type: ignore[misc]
    try:
        sim.run()
    except Refused as exc:
        raise RuntimeError(f"the seeding met a refusal the simulation does not expect at {sim.now}: {exc}") from exc
    return sim.summary


def seed_for_report(engine: Engine, count: int = 300) -> SeedSummary:
    """The demo's months of claims, ending now."""
    from recovery.dbtypes import utcnow

    return seed_cases(engine, count=count, end=utcnow())
