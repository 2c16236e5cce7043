"""The keyed audit chain: appended in order, and every tampering tried here is found, on SQLite and
PostgreSQL: altered, removed and forged rows, a tail cut off with the head moved back, a chain recomputed
with the public formula or another key, direct edits of cases and approvals, a deleted head row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from recovery import audit
from recovery.audit import append, audit_key, head_mac, parse_checkpoint, row_hash, row_mac, verify_chain
from recovery.case_models import AuditEntry
from recovery.cases import CaseService
from recovery.config import load_config
from recovery.db import session_scope
from recovery.errors import BadInput, NotConfigured, Refused
from tests.recovery.test_cases import Chain, approved, awaiting


def _seed(engine: Any, n: int = 4) -> None:
    for i in range(n):
        with session_scope(engine) as s:
            append(s, actor="ann", event="actor_added", data={"i": i, "x": "1.50"})


def check(engine: Any, expect: tuple[int, str] | None = None) -> audit.AuditCheck:
    with session_scope(engine) as s:
        return verify_chain(s, expect)


def tamper(engine: Any, *statements: str, **params: Any) -> None:
    """SQL as someone with full rights on the database runs it (PostgreSQL: triggers switched off, which
    only a superuser can do; the application's role cannot even try)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for sql in statements:
            conn.execute(text(sql), params)


def rows(engine: Any) -> list[AuditEntry]:
    with session_scope(engine) as s:
        from sqlmodel import col, select
        return list(s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))


def rechain(engine: Any, mac: Any, *, declare_unkeyed: bool = False) -> None:
    """Recompute every hash and the head with the given formula: what someone who edited a row would do to
    hide it; `declare_unkeyed` also marks every row as older than the key."""
    prev = "0" * 64
    for r in rows(engine):
        digest = mac(r.seq, r.at, r.actor, r.case_id, r.event, r.from_status, r.to_status, r.data, prev)
        tamper(engine, "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s", p=prev, h=digest, s=r.seq)
        prev = digest
    last = rows(engine)[-1]
    tamper(engine, "UPDATE audit_head SET hash = :h" + (", mac = NULL, keyed_from = :s" if declare_unkeyed else ""),
           s=last.seq, h=last.hash)


@pytest.fixture
def svc(engine: Any) -> CaseService:
    return _svc(engine)


def _svc(engine: Any) -> CaseService:
    from recovery.models import Price
    from recovery.reference import key_asset
    from tests.recovery.test_cases import TOKEN

    chain = Chain()
    service = CaseService(engine, verifier=lambda s, n, h: chain.verdict, fetcher=lambda n, h: chain.recovery)
    for name, roles in [("ann", ["agent"]), ("wal", ["wallet"]), ("cle", ["clearing"]), ("sec", ["security"]),
                        ("mallory", ["security"])]:
        service.add_actor(name, roles)
    with session_scope(engine) as s:
        s.add(Price(network="ethereum", asset=TOKEN, asset_key=key_asset("ethereum", TOKEN), usd_price=Decimal(1),
                    as_of=datetime.now(UTC), source="test feed"))
    return service


# -- the chain itself ---------------------------------------------------------------------------------

def test_chain_is_intact_after_appends(engine: Any) -> None:
    _seed(engine)
    result = check(engine)
    assert result.ok and result.rows == 4 and result.head == f"4:{rows(engine)[-1].hash}"


def test_rows_are_keyed_not_public_sha256(engine: Any) -> None:
    _seed(engine, 1)
    r = rows(engine)[0]
    args = (r.seq, r.at, r.actor, r.case_id, r.event, r.from_status, r.to_status, r.data, r.prev_hash)
    assert r.hash != row_hash(*args) and r.hash == row_mac(audit_key(), *args)


@pytest.mark.parametrize(("sql", "seq", "word"), [
    ("UPDATE audit_log SET data = REPLACE(data, '1.50', '9.50') WHERE seq = 3", 3, "altered"),
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", 2, "altered"),
    ("DELETE FROM audit_log WHERE seq = 2", 2, "missing"),
    ("DELETE FROM audit_log WHERE seq = 4", 4, "missing"),
])
def test_altered_or_removed_row_is_named(engine: Any, sql: str, seq: int, word: str) -> None:
    _seed(engine)
    tamper(engine, sql)
    result = check(engine)
    assert not result.ok and result.broken_seq == seq and word in (result.problem or "")


def test_removed_last_row_with_the_head_moved_back_is_found(engine: Any) -> None:
    _seed(engine)
    third = rows(engine)[2]
    tamper(engine, "DELETE FROM audit_log WHERE seq = 4", "UPDATE audit_head SET seq = 3, hash = :h", h=third.hash)
    result = check(engine)
    assert not result.ok and "head's MAC does not match" in (result.problem or "")


@pytest.mark.parametrize("formula", ["public sha256", "another key"])
def test_a_chain_recomputed_without_the_key_is_found(engine: Any, formula: str) -> None:
    _seed(engine)
    tamper(engine, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    other = b"an-attackers-own-key-0123456789"
    rechain(engine, row_hash if formula == "public sha256" else (lambda *a: row_mac(other, *a)))
    if formula == "another key":
        last = rows(engine)[-1]
        tamper(engine, "UPDATE audit_head SET mac = :m", m=head_mac(other, last.seq, last.hash, 0))
    result = check(engine)
    assert not result.ok and result.broken_seq == 1 and "MAC does not match" in (result.problem or "")


def test_every_row_declared_older_than_the_key_is_reported_and_a_checkpoint_catches_it(engine: Any) -> None:
    """The one rewrite the key alone cannot refuse on SQLite (every row declared pre-key, which the
    PostgreSQL trigger forbids): it is reported as unkeyed, and a checkpoint kept elsewhere catches it."""
    _seed(engine)
    kept = check(engine).head
    tamper(engine, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    rechain(engine, row_hash, declare_unkeyed=True)
    assert check(engine).unkeyed_rows == 4
    result = check(engine, parse_checkpoint(kept or ""))
    assert not result.ok and result.broken_seq == 4 and "rewritten" in (result.problem or "")


# -- cases and approvals against their audit rows ---------------------------------------------------------

@pytest.mark.parametrize(("sql", "word"), [
    ("UPDATE cases SET status = 'approved' WHERE id = :id", "status"),
    ("UPDATE cases SET amount = '500000' WHERE id = :id", "amount"),
    ("UPDATE cases SET user_id = 'mallory' WHERE id = :id", "user_id"),
    ("UPDATE cases SET claimed_amount = '999' WHERE id = :id", "claimed amount"),
    ("UPDATE approvals SET actor = 'mallory' WHERE case_id = :id AND role = 'wallet'", "approvals"),
    ("UPDATE approvals SET decision = 'approve' WHERE case_id = :id AND role = 'clearing'", "approvals"),
    ("DELETE FROM approvals WHERE case_id = :id AND role = 'wallet'", "approvals"),
    ("INSERT INTO approvals (case_id, role, actor, decision, at) VALUES (:id, 'security', 'mallory', 'approve', "
     "'2026-12-01 00:00:00+00')", "approvals"),
])
def test_direct_edits_of_cases_and_approvals_name_the_case(engine: Any, svc: CaseService, sql: str,
                                                           word: str) -> None:
    cid = awaiting(svc)
    svc.approve(cid, "wal", "wallet")
    svc.reject(cid, "cle", "clearing", "looks wrong")
    other = awaiting_again(svc)
    assert check(engine).ok
    tamper(engine, sql, id=cid)
    result = check(engine)
    assert not result.ok and [c for c, _ in result.cases] == [cid], result
    assert word in result.cases[0][1] and other != cid


def awaiting_again(svc: CaseService) -> int:
    """A second, untouched case: only the edited one is named."""
    return svc.open("ann", network="ethereum", tx_hash="0x" + "33" * 32, user_id="u2").id  # type: ignore[return-value]


def test_a_forged_appended_approval_is_found(engine: Any, svc: CaseService) -> None:
    cid = awaiting(svc)
    last = rows(engine)[-1]
    at = datetime.now(UTC)
    data = '{"decision":"approve","role":"security"}'
    forged = row_hash(last.seq + 1, at, "mallory", cid, "approve", "awaiting_approval", "awaiting_approval", data,
                      last.hash)
    tamper(engine, "INSERT INTO approvals (case_id, role, actor, decision, at) VALUES (:id, 'security', 'mallory', "
                   "'approve', :at)",
           "INSERT INTO audit_log (seq, at, actor, case_id, event, from_status, to_status, data, prev_hash, hash) "
           "VALUES (:seq, :at, 'mallory', :id, 'approve', 'awaiting_approval', 'awaiting_approval', :data, :prev, :h)",
           "UPDATE audit_head SET seq = :seq, hash = :h",
           id=cid, at=at, seq=last.seq + 1, data=data, prev=last.hash, h=forged)
    result = check(engine)
    assert not result.ok and result.broken_seq == last.seq + 1 and "forged" in (result.problem or "")


def test_a_case_deleted_from_the_table_is_named(engine: Any, svc: CaseService) -> None:
    cid = approved(svc)
    tamper(engine, "DELETE FROM approvals WHERE case_id = :id", "DELETE FROM quotes WHERE case_id = :id",
           "DELETE FROM cases WHERE id = :id", id=cid)
    result = check(engine)
    assert [c for c, _ in result.cases] == [cid] and "not in the cases table" in result.cases[0][1]


# -- the head, checkpoints, the key --------------------------------------------------------------------

def test_deleted_head_row_is_reported_and_appends_refused(engine: Any) -> None:
    _seed(engine, 2)
    tamper(engine, "DELETE FROM audit_head")
    result = check(engine)
    assert not result.ok and "audit_head row is missing" in (result.problem or "")
    with pytest.raises(Refused, match="audit head row is missing"), session_scope(engine) as s:
        append(s, actor="ann", event="actor_added", data={})


def test_checkpoint_catches_a_replayed_older_head(engine: Any) -> None:
    """Someone who saved the head row earlier cuts the tail and puts the old head back: only a checkpoint
    kept elsewhere can see it, and it does."""
    _seed(engine, 3)
    with engine.connect() as conn:
        saved = conn.execute(text("SELECT seq, hash, mac FROM audit_head")).one()
    _seed(engine, 2)
    point = check(engine).head
    assert point is not None and point.startswith("5:")
    tamper(engine, "DELETE FROM audit_log WHERE seq > 3", "UPDATE audit_head SET seq = :s, hash = :h, mac = :m",
           s=saved.seq, h=saved.hash, m=saved.mac)
    assert check(engine).ok                                   # the replay alone looks consistent
    result = check(engine, parse_checkpoint(point))
    assert not result.ok and "log ends at row 3" in (result.problem or "")
    _seed(engine, 2)                                          # even once the log grows past it again
    result = check(engine, parse_checkpoint(point))
    assert not result.ok and result.broken_seq == 5 and "rewritten" in (result.problem or "")


@pytest.mark.parametrize("bad", ["5", "x:" + "a" * 64, "5:" + "g" * 64, "5:abc", "99999999999999999999:" + "a" * 64])
def test_checkpoint_text_is_checked(bad: str) -> None:
    with pytest.raises(BadInput, match="SEQ:HASH"):
        parse_checkpoint(bad)


def test_no_key_is_a_clear_error_and_a_key_file_works(engine: Any, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("RECOVERY_AUDIT_KEY")
    monkeypatch.setenv("RECOVERY_CONFIG", str(tmp_path / "none.toml"))
    audit._configured = None
    with pytest.raises(NotConfigured, match="no audit key"), session_scope(engine) as s:
        append(s, actor="ann", event="actor_added", data={})
    with pytest.raises(NotConfigured, match="no audit key"):
        check(engine)
    (tmp_path / "audit.key").write_text("short\n")
    cfg = tmp_path / "config.toml"
    cfg.write_text('[audit]\nkey_file = "audit.key"\n')
    monkeypatch.setenv("RECOVERY_CONFIG", str(cfg))
    with pytest.raises(NotConfigured, match="shorter than 16"):
        audit_key(load_config(cfg))
    (tmp_path / "audit.key").write_text("test-audit-key-0123456789abcdef\n")
    assert audit_key(load_config(cfg)) == b"test-audit-key-0123456789abcdef"
    _seed(engine, 2)
    assert check(engine).ok


def test_rolled_back_append_leaves_no_trace(engine: Any) -> None:
    _seed(engine, 2)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        append(s, actor="ann", event="actor_added", data={})
        raise RuntimeError("boom")
    _seed(engine, 1)
    result = check(engine)
    assert result.ok and result.rows == 3


# -- PostgreSQL: the application's role may only append to the audit log -------------------------------

@pytest.fixture
def app_role_engine(db_url: str) -> Iterator[Any]:
    if not db_url.startswith("postgresql"):
        pytest.skip("roles are a PostgreSQL feature")
    name = f"rec_app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {name} LOGIN IN ROLE recovery_app"))
    engine = create_engine(db_url.replace("postgres@", f"{name}@"))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))
        admin.dispose()


@pytest.mark.postgres
def test_application_role_appends_but_cannot_rewrite(app_role_engine: Any) -> None:
    svc = _svc(app_role_engine)
    cid = awaiting(svc)
    assert check(app_role_engine).ok
    for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1",
                "DELETE FROM audit_head", "TRUNCATE audit_log", "UPDATE audit_head SET seq = seq - 1",
                "INSERT INTO audit_head (id, seq, hash) VALUES (2, 0, 'x')"):
        with pytest.raises(Exception, match="permission denied|only moves forward"), app_role_engine.begin() as conn:
            conn.execute(text(sql))
    assert check(app_role_engine).ok and cid
