"""The audit chain: appended in order, and any altered or removed row is found."""

from __future__ import annotations

from sqlalchemy import text

from recovery.audit import append, verify_chain
from recovery.db import session_scope


def _seed(engine, n: int = 4) -> None:
    for i in range(n):
        with session_scope(engine) as s:
            append(s, actor="ann", event="open", case_id=i + 1, to_status="open", data={"i": i, "x": "1.50"})


def test_chain_is_intact_after_appends(engine) -> None:
    _seed(engine)
    with session_scope(engine) as s:
        check = verify_chain(s)
    assert check.ok and check.rows == 4


def test_altered_row_is_named(engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET data = :d WHERE seq = 3"), {"d": '{"i":2,"x":"9.50"}'})
    with session_scope(engine) as s:
        check = verify_chain(s)
    assert not check.ok and check.broken_seq == 3 and "altered" in (check.problem or "")


def test_altered_actor_is_named(engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    with session_scope(engine) as s:
        assert verify_chain(s).broken_seq == 2


def test_removed_middle_row_is_named(engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with session_scope(engine) as s:
        check = verify_chain(s)
    assert not check.ok and check.broken_seq == 2 and "missing" in (check.problem or "")


def test_removed_last_row_is_named(engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    with session_scope(engine) as s:
        check = verify_chain(s)
    assert not check.ok and check.broken_seq == 4


def test_rolled_back_append_leaves_no_trace(engine) -> None:
    _seed(engine, 2)
    try:
        with session_scope(engine) as s:
            append(s, actor="ann", event="open", data={})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    _seed(engine, 1)
    with session_scope(engine) as s:
        check = verify_chain(s)
    assert check.ok and check.rows == 3
