"""`case prepare` and `case execute --signed-tx`: the unsigned recovery built from the case and the node, its
digest bound to the approvals, and a signed transaction held against it before it is broadcast."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from recovery import audit
from recovery.case_models import Case, PreparedTx, Quote
from recovery.dbtypes import utcnow
from recovery.errors import BadInput, Refused

if TYPE_CHECKING:
    from chains.base import ChainTx
    from chains.networks import Network
    from recovery.case_models import Actor
    from recovery.fees import FeePolicy
    from recovery.prepare import Builder, UnsignedTx
    from recovery.workflow import CaseStatus

POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Prepared:
    """A case's live preparation: its digest and transactions in signing order."""

    case_id: int
    digest: str
    transactions: list[UnsignedTx]
    created_by: str
    created_at: Any
    unchanged: bool = False      # preparing again gave the same payloads: nothing was voided

    def as_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "digest": self.digest,
                "transactions": [t.as_json() for t in self.transactions],
                "created_by": self.created_by, "created_at": self.created_at}


def live_rows(s: Session, case_id: int | None) -> list[PreparedTx]:
    """The rows of the case's live preparation, in signing order (none: not prepared)."""
    return list(s.exec(select(PreparedTx).where(PreparedTx.case_id == case_id,
                                                col(PreparedTx.superseded_at).is_(None))
                       .order_by(col(PreparedTx.position))))


def current_digest(s: Session, case_id: int | None) -> str | None:
    """The digest of the case's live preparation, or None."""
    rows = live_rows(s, case_id)
    return rows[0].digest if rows else None


def unsigned(row: PreparedTx) -> UnsignedTx:
    """The stored transaction."""
    from recovery.prepare import UnsignedTx

    return UnsignedTx.from_json(json.loads(row.payload))


def prepared_of(s: Session, case_id: int | None) -> Prepared | None:
    """The case's live preparation, or None."""
    rows = live_rows(s, case_id)
    if not rows:
        return None
    return Prepared(int(case_id or 0), rows[0].digest, [unsigned(r) for r in rows], rows[0].created_by,
                    rows[0].created_at)


class PrepareActions:
    """`prepare`, `execute_signed` and the prepared-transaction check of `execute` (mixed into CaseService)."""

    config_rpc: dict[str, Any] | None
    fetcher: Callable[[str, str], ChainTx] | None
    tick: Callable[[float], None] | None
    policy: FeePolicy | None

    if TYPE_CHECKING:
        def session(self) -> AbstractContextManager[Session]: ...
        def case(self, s: Session, case_id: int) -> Case: ...
        def actor(self, s: Session, name: str | None, role: str | None = None) -> Actor: ...
        def transition(self, s: Session, case: Case, event: str, actor: str, data: dict[str, Any] | None = None,
                       values: dict[str, Any] | None = None, **facts: Any) -> CaseStatus: ...
        def destinations(self, case: Case) -> tuple[list[str], str]: ...
        def needed(self, s: Session, case: Case) -> dict[str, int]: ...
        def execute(self, case_id: int, actor: str | None, recovery_tx: str) -> Case: ...

    def builder(self, network: Network) -> Builder:
        """The network's builder on the configured endpoints (NoBuilder where its family has none)."""
        from recovery.prepare import builder_for

        return builder_for(network, config_rpc=self.config_rpc)

    def prepare(self, case_id: int, actor: str | None, to: str | None = None) -> Prepared:
        """Build the case's unsigned recovery from the node, store it, and void the approvals given to
        another digest (security's given to none); the same payloads again change nothing."""
        from chains.base import NATIVE
        from chains.networks import get_network
        from recovery.case_recovery import _not_recovered_elsewhere, on_chain
        from recovery.cases import fire_check
        from recovery.config import Config, hot_wallets
        from recovery.prepare import BuildRequest, digest
        from recovery.quotes import base_amounts, require_current
        from recovery.reference import key_address

        with self.session() as s:
            who = self.actor(s, actor, "wallet")
            case = self.case(s, case_id)
            fire_check(case, "prepare")
            if not on_chain(case):
                raise Refused(f"case {case_id} ({case.outcome}) needs no recovery transaction: the funds already "
                              f"sit at our address; clearing credits the user with `recovery case credit {case_id}`")
            network = get_network(case.network)
            builder = self.builder(network)
            q = require_current(s.get(Quote, case.quote_id) if case.quote_id else None, case_id, "prepare")
            _not_recovered_elsewhere(s, case)
            if not case.deposit_address or not case.asset:
                raise Refused(f"case {case_id} has no verified deposit address and asset")
            allowed, source = self.destinations(case)
            hot = hot_wallets(Config(hot_wallets=getattr(self, "hot_wallets", None) or {}), case.network)
            if to is not None and key_address(case.network, to) not in {key_address(case.network, a)
                                                                        for a in allowed}:
                raise BadInput(f"--to {to} is neither a hot wallet of {case.network} ({source}) nor the case's "
                               "payout address")
            destination = to or (hot[0] if hot else case.payout_address)
            if not destination:
                raise Refused(f"case {case_id}: no destination for the recovery: configure the hot wallets of "
                              f"{case.network} ({source}) or record the user's payout address")
            limits = base_amounts(q)
            request = BuildRequest(network=case.network, deposit_address=case.deposit_address,
                                   destination=destination, asset=None if case.asset == NATIVE else case.asset,
                                   amount_base=limits["gross"], min_amount_base=limits["net"],
                                   decimals=q.decimals, deposit_tx=case.tx_key, funder=hot[0] if hot else None,
                                   policy=self.policy.prepare.get(network.family, {}) if self.policy else {})
            version = case.version
        txs = builder.build(request)
        new = digest(txs)
        with self.session() as s:
            case = self.case(s, case_id)
            if case.version != version:
                raise Refused(f"case {case_id} was changed by someone else while its recovery was built; nothing "
                              f"was stored: prepare it again")
            old = live_rows(s, case_id)
            if old and old[0].digest == new:
                return Prepared(case_id, new, txs, old[0].created_by, old[0].created_at, unchanged=True)
            now = utcnow()
            for row in old:
                row.superseded_at = now
                s.add(row)
            s.flush()
            for position, tx in enumerate(txs):
                s.add(PreparedTx(case_id=case_id, digest=new, position=position, purpose=tx.purpose,
                                 network=tx.network, payload=json.dumps(tx.as_json()), created_by=who.name,
                                 created_at=now))
            voided = self._void_other_digests(s, case_id, new)
            data = {"digest": new, "superseded": old[0].digest if old else None, "approvals_voided": voided,
                    "transactions": [{"purpose": t.purpose, "from": t.from_address, "to": t.to_address,
                                      "asset": t.asset, "amount_base": str(t.amount_base)} for t in txs]}
            self.transition(s, case, "prepare", who.name, data)
            return Prepared(case_id, new, txs, who.name, now)

    def _void_other_digests(self, s: Session, case_id: int, new: str) -> int:
        from recovery.cases import active_approvals

        voided = 0
        for row in active_approvals(s, case_id):
            if (row.digest is not None and row.digest != new) or (row.role == "security" and row.digest != new):
                row.voided_at = utcnow()
                s.add(row)
                voided += 1
        return voided

    def check_prepared(self, s: Session, case: Case, recovery_tx: str) -> str | None:
        """In `execute`: with a live preparation, the recovery must be its signed recovery transaction (asked
        of the node by hash) and security must have approved its digest; returns the digest (None: the
        case was not prepared, today's check alone applies)."""
        rows = live_rows(s, case.id)
        if not rows:
            return None
        digest = rows[0].digest
        self._security_approved(s, case, digest)
        from chains.networks import get_network

        builder = self.builder(get_network(case.network))
        signed = builder.signed_by_hash(recovery_tx)
        if signed is None:
            raise Refused(f"{case.network} does not know the transaction {recovery_tx}")
        builder.check_signed(unsigned(rows[-1]), signed)
        rows[-1].tx_hash = recovery_tx
        s.add(rows[-1])
        return digest

    def _security_approved(self, s: Session, case: Case, digest: str) -> None:
        from recovery.cases import active_approvals

        security = [a for a in active_approvals(s, case.id) if a.role == "security" and a.decision == "approve"]
        stale = [a for a in security if a.digest != digest]
        if stale or len(security) < self.needed(s, case)["security"]:
            given = stale[0].digest if stale else None
            raise Refused(f"case {case.id}: security approved {given or 'no prepared transaction'}, not the "
                          f"prepared digest {digest}: security approves it again "
                          f"(`recovery case approve {case.id} --role security`)")

    def execute_signed(self, case_id: int, actor: str | None, signed: list[str], *, broadcast: bool,
                       wait_seconds: float = 900.0) -> Case:
        """Check each signed transaction against the prepared one (in signing order, from the first not yet
        sent), broadcast it when asked, wait for it (a top-up until mined, the recovery for the network's
        confirmations) and record it; a different transaction is refused with the field that differs."""
        from chains.networks import get_network
        from recovery.cases import fire_check

        if not signed or any(not t.strip() for t in signed):
            raise BadInput("--signed-tx must be a signed transaction, hex")
        with self.session() as s:
            self.actor(s, actor, "wallet")
            case = self.case(s, case_id)
            fire_check(case, "execute")
            rows = live_rows(s, case_id)
            if not rows:
                raise Refused(f"case {case_id} has no prepared transaction: prepare it (`recovery case prepare "
                              f"{case_id}`) or record a recovery built elsewhere with --recovery-tx HASH")
            self._security_approved(s, case, rows[0].digest)
            pending = [(r.id, r.purpose, unsigned(r)) for r in rows if r.tx_hash is None]
        if len(signed) > len(pending):
            raise BadInput(f"--signed-tx given {len(signed)} times, but {len(pending)} prepared transaction(s) of "
                           f"case {case_id} are still to send")
        network = get_network(case.network)
        builder = self.builder(network)
        checked = [(row_id, purpose, builder.check_signed(tx, raw.strip()), raw.strip())
                   for (row_id, purpose, tx), raw in zip(pending, signed, strict=False)]
        for row_id, purpose, tx_hash, raw in checked:
            if broadcast and builder.signed_by_hash(tx_hash) is None:
                builder.broadcast(raw)
            need = network.min_confirmations if purpose == "recovery" else 1
            self._wait(case, tx_hash, need, wait_seconds)
            if purpose == "top_up":
                self._record_top_up(case_id, actor, row_id, tx_hash)
        if checked[-1][1] != "recovery":   # the top-up alone: the case waits for its signed recovery
            with self.session() as s:
                return self.case(s, case_id)
        return self.execute(case_id, actor, checked[-1][2])

    def _record_top_up(self, case_id: int, actor: str | None, row_id: int | None, tx_hash: str) -> None:
        with self.session() as s:
            who = self.actor(s, actor, "wallet")
            case = self.case(s, case_id)
            row = s.get(PreparedTx, row_id)
            assert row is not None
            row.tx_hash = tx_hash
            s.add(row)
            audit.append(s, actor=who.name, event="top_up", case_id=case_id, from_status=case.status,
                         to_status=case.status, data={"tx_hash": tx_hash, "digest": row.digest,
                                                      "amount_base": json.loads(row.payload)["amount"]})

    def _wait(self, case: Case, tx_hash: str, confirmations: int, wait_seconds: float) -> None:
        """Poll the node until the transaction has the confirmations, or refuse saying how to record it later."""
        from chains.base import TxStatus
        from chains.errors import TxNotFound
        from recovery.case_recovery import _default_fetcher

        fetch = self.fetcher or _default_fetcher(self.config_rpc)
        deadline = time.monotonic() + wait_seconds
        have = 0
        while True:
            try:
                tx = fetch(case.network, tx_hash)
            except TxNotFound:
                tx = None
            if tx is not None and tx.status is TxStatus.FAILED:
                raise Refused(f"the transaction {tx_hash} failed on {case.network}; prepare the recovery again "
                              f"(`recovery case prepare {case.id}`)")
            have = tx.confirmations if tx is not None and tx.status is TxStatus.CONFIRMED else 0
            if have >= confirmations:
                return
            if time.monotonic() >= deadline:
                raise Refused(f"{tx_hash} is sent but has {have} of the {confirmations} confirmations "
                              f"{case.network} requires after {wait_seconds:g} s: record it later with "
                              f"`recovery case execute {case.id} --recovery-tx {tx_hash}`")
            (self.tick or time.sleep)(POLL_SECONDS)

