"""The append-only audit log: every event one row, each row's hash covering the previous one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from recovery.case_models import AuditEntry, AuditHead
from recovery.dbtypes import utcnow

GENESIS = "0" * 64


def canonical(data: dict[str, Any]) -> str:
    """The JSON text stored and hashed for an event's data (sorted keys, no spaces)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_plain, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return _stamp(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot encode {type(value).__name__}")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(seq: int, at: datetime, actor: str, case_id: int | None, event: str, from_status: str | None,
             to_status: str | None, data: str, prev_hash: str) -> str:
    """SHA-256 over the row's fields and the previous row's hash."""
    fields = [str(seq), _stamp(at), actor, "" if case_id is None else str(case_id), event,
              from_status or "", to_status or "", data, prev_hash]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def append(session: Session, *, actor: str, event: str, case_id: int | None = None,
           from_status: str | None = None, to_status: str | None = None,
           data: dict[str, Any] | None = None) -> AuditEntry:
    """Append one event in the caller's transaction; the head row is locked so appends are serialised."""
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
    at = utcnow()
    text = canonical(data or {})
    seq = head.seq + 1
    digest = row_hash(seq, at, actor, case_id, event, from_status, to_status, text, head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, case_id=case_id, event=event, from_status=from_status,
                       to_status=to_status, data=text, prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.add(head)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The result of walking the chain: how many rows, and the first broken one."""

    rows: int
    ok: bool
    broken_seq: int | None = None
    problem: str | None = None
    expected_rows: int | None = None  # what the head row says, where it says more than was found

    def to_json(self) -> dict[str, Any]:
        """The `audit verify --json` document."""
        return {"ok": self.ok, "rows": self.rows, "broken_row": self.broken_seq, "problem": self.problem,
                "expected_rows": self.expected_rows}


def verify_chain(session: Session) -> AuditCheck:
    """Recompute every hash in order; the first row altered, removed or out of place is reported."""
    prev_hash, expected, count = GENESIS, 1, 0
    for row in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
        count += 1
        if row.seq != expected:
            return AuditCheck(count, False, expected, f"row {expected} is missing (next row is {row.seq})")
        if row.prev_hash != prev_hash:
            return AuditCheck(count, False, row.seq,
                              f"row {row.seq} does not follow row {row.seq - 1} (previous hash differs)")
        digest = row_hash(row.seq, row.at, row.actor, row.case_id, row.event, row.from_status,
                          row.to_status, row.data, row.prev_hash)
        if digest != row.hash:
            return AuditCheck(count, False, row.seq, f"row {row.seq} was altered (its hash does not match)")
        prev_hash, expected = row.hash, expected + 1
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).one()
    if head.seq != expected - 1 or head.hash != prev_hash:
        if head.seq >= expected:
            return AuditCheck(count, False, expected, f"row {expected} is missing: the head row says "
                                                      f"{head.seq} rows, {count} found (the log ends at row "
                                                      f"{expected - 1})", expected_rows=head.seq)
        return AuditCheck(count, False, head.seq, "the audit head does not match the last row")
    return AuditCheck(count, True)


def history(session: Session, case_id: int) -> list[AuditEntry]:
    """The audit rows of one case, oldest first."""
    return list(session.exec(select(AuditEntry).where(AuditEntry.case_id == case_id)
                             .order_by(col(AuditEntry.seq))))
