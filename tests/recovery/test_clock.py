"""The case service's clock: every stamp of a unit of work and every expiry check reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from recovery.audit import verify_chain
from recovery.case_models import Approval, AuditEntry, Case, Quote
from recovery.cases import CaseService
from recovery.db import session_scope
from recovery.dbtypes import clock_scope, utcnow
from recovery.errors import Refused
from tests.recovery.test_cases import Chain, verdict


def test_clock_scope_sets_now_and_restores_it() -> None:
    then = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with clock_scope(lambda: then):
        assert utcnow() == then
        with clock_scope(None):
            assert utcnow() > then + timedelta(days=200)
        assert utcnow() == then
    assert utcnow() > then + timedelta(days=200)


def test_the_service_stamps_and_checks_expiry_on_its_clock(engine) -> None:
    chain = Chain()
    chain.verdict = verdict(amount=5000)
    now = [datetime(2026, 5, 4, 9, 0, tzinfo=UTC)]
    svc = CaseService(engine, verifier=lambda s, n, h: chain.verdict, clock=lambda: now[0],
                      estimator=lambda network, asset: None)
    for name, roles in [("ann", ["agent"]), ("wal", ["wallet"]), ("cle", ["clearing"])]:
        svc.add_actor(name, roles)
    case = svc.open("ann", network="ethereum", tx_hash="0x" + "11" * 32, user_id="u1")
    now[0] += timedelta(hours=2)
    svc.verify(case.id, "ann")
    svc.value(case.id, "cle", Decimal("1"))          # clearing's price is of the clock's time, so it is fresh
    _, q = svc.quote(case.id, "ann")
    assert q.created_at == now[0] and q.expires_at == now[0] + timedelta(hours=24)
    now[0] += timedelta(hours=25)                     # a day later on the service's clock: the quote expired
    with pytest.raises(Refused, match="expired"):
        svc.accept(case.id, "ann")
    svc.value(case.id, "cle", Decimal("1"))
    svc.quote(case.id, "ann")
    svc.accept(case.id, "ann")
    svc.approve(case.id, "wal", "wallet")
    with session_scope(engine) as s:
        row = s.get(Case, case.id)
        assert row is not None and row.opened_at == datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
        assert row.verified_at == datetime(2026, 5, 4, 11, 0, tzinfo=UTC) and row.updated_at == now[0]
        assert [a.at for a in s.exec(select(Approval))] == [now[0]]
        assert len(s.exec(select(Quote)).all()) == 2
        stamps = [r.at for r in s.exec(select(AuditEntry).where(AuditEntry.case_id == case.id)
                                      .order_by(AuditEntry.seq))]  # type: ignore[arg-type]
        assert stamps[0] == datetime(2026, 5, 4, 9, 0, tzinfo=UTC) and stamps[-1] == now[0]
        assert verify_chain(s).ok
