"""Two real processes act on one case, or open one deposit, at the same moment: exactly one wins."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import _fresh_postgres
from tests.recovery.test_cases import TOKEN, TX, verdict


def _service(url: str) -> Any:
    from recovery.cases import CaseService
    from recovery.db import make_engine

    return CaseService(make_engine(url), verifier=lambda s, n, h: verdict())


def opener(url: str, barrier: Any, results: Any, how: str, tx: str, actor: str) -> None:
    """Open a case for `tx` through the case service (`case open`) or the batch opener (`--open-cases`)."""
    from recovery.batch_cases import CaseOpener
    from recovery.errors import RecoveryError

    svc = _service(url)
    svc.engine.connect().close()
    batch = CaseOpener(svc.engine, actor) if how == "batch" else None
    barrier.wait()
    try:
        if batch is not None:
            case_id, note = batch.open(verdict_for(tx), {"user_id": "u1"})
            results.put(("ok", case_id) if case_id is not None else ("refused", note))
        else:
            results.put(("ok", svc.open(actor, network="ethereum", tx_hash=tx, user_id="u1").id))
    except RecoveryError as exc:
        results.put(("refused", str(exc)))


def verdict_for(tx: str) -> Any:
    from dataclasses import replace

    return replace(verdict(), tx_hash=tx)


def worker(url: str, barrier: Any, results: Any, action: str, case_id: int, actor: str, arg: str) -> None:
    """Wait for the other process, then act; report ("ok", status) or ("refused", message)."""
    from recovery.errors import RecoveryError

    svc = _service(url)
    svc.engine.connect().close()  # connect before the start line so both start equally warm
    barrier.wait()
    try:
        act = svc.approve if action == "approve" else svc.move
        case = act(case_id, actor, arg)
        results.put(("ok", case.status))
    except RecoveryError as exc:
        results.put(("refused", str(exc)))


@pytest.fixture
def pg_url() -> Iterator[str]:
    from recovery.db import upgrade

    for url in _fresh_postgres():
        upgrade(url)
        yield url


def _setup(url: str, rounds: int) -> list[int]:
    from recovery.db import session_scope
    from recovery.models import Price
    from recovery.reference import key_asset

    svc = _service(url)
    for name, roles in [("ann", ["agent"]), ("ben", ["agent"]), ("wal", ["wallet"]), ("cle", ["clearing"]),
                        ("sec", ["security"]), ("sec2", ["security"])]:
        svc.add_actor(name, roles)
    with session_scope(svc.engine) as s:
        s.add(Price(network="ethereum", asset=TOKEN, asset_key=key_asset("ethereum", TOKEN), usd_price=Decimal(1),
                    as_of=datetime.now(UTC), source="test"))
    ids = []
    for i in range(rounds):
        tx = TX if i == 0 else "0x" + f"{i:064x}"
        case = svc.open("ann", network="ethereum", tx_hash=tx, user_id="u1")
        svc.verify(case.id, "ann")
        svc.quote(case.id, "ann")
        ids.append(case.id)
    svc.engine.dispose()
    return ids


def _race(url: str, jobs: list[tuple[Any, ...]], target: Any = worker) -> list[tuple[str, Any]]:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(url, barrier, results, *job)) for job in jobs]
    for p in procs:
        p.start()
    out = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return out


@pytest.mark.postgres
def test_two_final_approvals_at_once_one_wins(pg_url: str) -> None:
    ids = _setup(pg_url, 4)
    svc = _service(pg_url)
    for cid in ids:
        svc.accept(cid, "ann")
        svc.approve(cid, "wal", "wallet")
        svc.approve(cid, "cle", "clearing")
    for cid in ids:
        got = _race(pg_url, [("approve", cid, "sec", "security"), ("approve", cid, "sec2", "security")])
        wins = [g for g in got if g[0] == "ok"]
        losses = [g for g in got if g[0] == "refused"]
        assert len(wins) == 1 and wins[0][1] == "approved", got
        assert len(losses) == 1, got
        assert any(k in losses[0][1] for k in ("changed by someone else", "is approved: approve is not allowed",
                                               "already has the security approval")), got
        with svc.session() as s:
            from recovery.audit import verify_chain
            from recovery.cases import active_approvals

            assert len([a for a in active_approvals(s, cid) if a.role == "security"]) == 1
            assert verify_chain(s).ok


@pytest.mark.postgres
def test_two_agents_moving_one_case_one_wins(pg_url: str) -> None:
    ids = _setup(pg_url, 4)
    for cid in ids:
        got = _race(pg_url, [("move", cid, "ann", "defer"), ("move", cid, "ben", "decline")])
        assert sorted(g[0] for g in got) == ["ok", "refused"], got
        loss = next(g[1] for g in got if g[0] == "refused")
        assert "changed by someone else" in loss or "not allowed" in loss, got
    svc = _service(pg_url)
    with svc.session() as s:
        from recovery.audit import verify_chain

        assert verify_chain(s).ok


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def race_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A migrated database two processes can share: a SQLite file, or a fresh PostgreSQL database."""
    from recovery.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
        upgrade(url)
        yield url
        return
    for url in _fresh_postgres():
        upgrade(url)
        yield url


@pytest.mark.parametrize("second", ["case", "batch"])
def test_two_processes_opening_one_deposit_make_one_case(race_url: str, second: str) -> None:
    """`case open` against `case open`, and against `batch verify --open-cases`: one case, the loser told
    which; the database index decides when both checked before either wrote."""
    from sqlmodel import select

    from recovery.case_models import Case

    svc = _service(race_url)
    for name in ("ann", "ben"):
        svc.add_actor(name, ["agent"])
    txs = ["0x" + f"{i + 1:064x}" for i in range(4)]
    for tx in txs:
        got = _race(race_url, [("case", tx, "ann"), (second, tx, "ben")], target=opener)
        wins = [g for g in got if g[0] == "ok"]
        assert len(wins) == 1, got
        winner = wins[0][1]
        loss = next(g[1] for g in got if g[0] == "refused")
        assert f"case {winner} is already open for this transaction" in loss, got
    with svc.session() as s:
        from recovery.audit import verify_chain

        cases = s.exec(select(Case)).all()
        assert sorted(c.tx_hash for c in cases) == txs
        assert verify_chain(s).ok
