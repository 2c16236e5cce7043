"""The append-only audit log: every event one row, each row's HMAC covering the previous one.

The chain is keyed (HMAC-SHA256) with a key kept outside the database: env `RECOVERY_AUDIT_KEY`, or the
file named by `[audit] key_file` in the config. Without the key nobody can append a row, or recompute the
chain after an edit, that `verify_chain` accepts; the head row carries a MAC too, so a tail cut off with
the head moved back is seen. Each case's status, user, amounts and approvals are derived from its audit
rows and compared with the `cases` and `approvals` tables. Rows written before the key existed (a database
upgraded from revision 0002) keep their plain SHA-256 hashes and are reported as such.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from recovery.case_models import AuditEntry, AuditHead
from recovery.dbtypes import utcnow
from recovery.errors import BadInput, NotConfigured, Refused

if TYPE_CHECKING:
    from recovery.config import Config

GENESIS = "0" * 64
KEY_ENV = "RECOVERY_AUDIT_KEY"
MIN_KEY_CHARS = 16
_configured: Config | None = None


def configure(config: Config) -> None:
    """Use this configuration's `[audit] key_file` when the environment names no key."""
    global _configured
    _configured = config


def audit_key(config: Config | None = None) -> bytes:
    """The audit key: env `RECOVERY_AUDIT_KEY`, else the config's `[audit] key_file`; a clear error without."""
    text = os.environ.get(KEY_ENV, "").strip()
    source = f"env {KEY_ENV}"
    if not text:
        if config is None:
            from recovery.config import load_config

            config = _configured or load_config()
        audit = config.raw.get("audit", {})
        key_file = audit.get("key_file") if isinstance(audit, dict) else None
        if not key_file:
            raise NotConfigured(f"no audit key: set {KEY_ENV} or name a key file in the config ([audit] key_file); "
                                "the audit log cannot be written or checked without it")
        path = Path(key_file).expanduser()
        if not path.is_absolute() and config.path is not None:
            path = config.path.parent / path
        try:
            text = path.read_text().strip()
        except OSError as exc:
            raise NotConfigured(f"audit key file {path}: {exc.strerror or exc}") from None
        source = f"key file {path}"
    if len(text) < MIN_KEY_CHARS:
        raise NotConfigured(f"the audit key ({source}) is shorter than {MIN_KEY_CHARS} characters")
    return text.encode()


def new_key() -> str:
    """A fresh random key (64 hex characters)."""
    return os.urandom(32).hex()


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


def _fields(seq: int, at: datetime, actor: str, case_id: int | None, event: str, from_status: str | None,
            to_status: str | None, data: str, prev_hash: str) -> bytes:
    return "\x1f".join([str(seq), _stamp(at), actor, "" if case_id is None else str(case_id), event,
                        from_status or "", to_status or "", data, prev_hash]).encode()


def row_hash(seq: int, at: datetime, actor: str, case_id: int | None, event: str, from_status: str | None,
             to_status: str | None, data: str, prev_hash: str) -> str:
    """The public formula (plain SHA-256) of rows written before the chain was keyed."""
    return hashlib.sha256(_fields(seq, at, actor, case_id, event, from_status, to_status, data,
                                  prev_hash)).hexdigest()


def row_mac(key: bytes, seq: int, at: datetime, actor: str, case_id: int | None, event: str,
            from_status: str | None, to_status: str | None, data: str, prev_hash: str) -> str:
    """HMAC-SHA256 with the audit key over the row's fields and the previous row's hash."""
    return hmac.new(key, _fields(seq, at, actor, case_id, event, from_status, to_status, data, prev_hash),
                    hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, digest: str, keyed_from: int) -> str:
    """The head's MAC: which row is last, and from which row on the chain is keyed."""
    return hmac.new(key, f"head\x1f{seq}\x1f{digest}\x1f{keyed_from}".encode(), hashlib.sha256).hexdigest()


def _head_problem(key: bytes, head: AuditHead) -> str | None:
    if head.mac is None:
        return None if head.seq == head.keyed_from else "the audit head carries no MAC"
    if not hmac.compare_digest(head.mac, head_mac(key, head.seq, head.hash, head.keyed_from)):
        return "the audit head's MAC does not match (the head was moved, or the audit key is not the one that " \
               "wrote the log)"
    return None


def append(session: Session, *, actor: str, event: str, case_id: int | None = None,
           from_status: str | None = None, to_status: str | None = None,
           data: dict[str, Any] | None = None) -> AuditEntry:
    """Append one event in the caller's transaction; the head row is locked so appends are serialised."""
    key = audit_key()
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        raise Refused("the audit head row is missing: the audit log was tampered with; nothing was done "
                      "(run `recovery audit verify`)")
    problem = _head_problem(key, head)
    if problem:
        raise Refused(f"{problem}; nothing was done (run `recovery audit verify`)")
    at = utcnow()
    text = canonical(data or {})
    seq = head.seq + 1
    digest = row_mac(key, seq, at, actor, case_id, event, from_status, to_status, text, head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, case_id=case_id, event=event, from_status=from_status,
                       to_status=to_status, data=text, prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash, head.mac = seq, digest, head_mac(key, seq, digest, head.keyed_from)
    session.add(head)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The result of checking the log: how many rows, the first broken one, and the cases that disagree."""

    rows: int
    ok: bool
    broken_seq: int | None = None
    problem: str | None = None
    cases: tuple[tuple[int, str], ...] = ()
    head: str | None = None          # SEQ:HASH of the last row, for a checkpoint kept elsewhere
    unkeyed_rows: int = 0            # rows that predate the key (plain SHA-256)
    expected_rows: int | None = None  # what the head row says, where it says more than was found

    def to_json(self) -> dict[str, Any]:
        """The `audit verify --json` document."""
        return {"ok": self.ok, "rows": self.rows, "broken_row": self.broken_seq, "problem": self.problem,
                "cases": [{"case_id": c, "problem": p} for c, p in self.cases], "head": self.head,
                "unkeyed_rows": self.unkeyed_rows, "expected_rows": self.expected_rows}


def parse_checkpoint(text: str) -> tuple[int, str]:
    """`SEQ:HASH` as (seq, hash), or bad input."""
    seq, sep, digest = text.strip().partition(":")
    if not sep or not seq.isdigit() or len(seq) > 12 or len(digest) != 64 or \
            any(c not in "0123456789abcdef" for c in digest):
        raise BadInput(f"--expect must be SEQ:HASH as `recovery audit checkpoint` prints it, not {text[:80]!r}")
    return int(seq), digest


def verify_chain(session: Session, expect: tuple[int, str] | None = None, key: bytes | None = None) -> AuditCheck:
    """Recompute every MAC in order, check the head, a checkpoint if given, and each case against its rows."""
    from recovery.audit_cases import check_cases

    key = key or audit_key()
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).first()
    keyed_from = head.keyed_from if head is not None else 0
    prev_hash, expected, count = GENESIS, 1, 0
    seen: dict[int, str] = {}
    rows: list[AuditEntry] = []
    for row in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
        count += 1
        if row.seq != expected:
            return AuditCheck(count, False, expected, f"row {expected} is missing (next row is {row.seq})")
        if row.prev_hash != prev_hash:
            return AuditCheck(count, False, row.seq,
                              f"row {row.seq} does not follow row {row.seq - 1} (previous hash differs)")
        args = (row.seq, row.at, row.actor, row.case_id, row.event, row.from_status, row.to_status, row.data,
                row.prev_hash)
        digest = row_hash(*args) if row.seq <= keyed_from else row_mac(key, *args)
        if not hmac.compare_digest(digest, row.hash):
            return AuditCheck(count, False, row.seq, f"row {row.seq} was altered or forged (its MAC does not "
                                                     "match; or the audit key is not the one that wrote the log)")
        if expect is not None and row.seq == expect[0]:
            seen[row.seq] = row.hash
        prev_hash, expected = row.hash, expected + 1
        rows.append(row)
    last = expected - 1
    if head is None:
        return AuditCheck(count, False, None, f"the audit_head row is missing (the log has {last} rows)")
    if head.seq != last or head.hash != prev_hash:
        if head.seq > last:
            return AuditCheck(count, False, last + 1, f"row {last + 1} is missing: the head row says "
                                                      f"{head.seq} rows, {count} found (the log ends at row "
                                                      f"{last})", expected_rows=head.seq)
        return AuditCheck(count, False, head.seq, "the audit head does not match the last row")
    problem = _head_problem(key, head)
    if problem:
        return AuditCheck(count, False, head.seq, f"{problem}: rows after {head.seq} may have been removed")
    if expect is not None:
        seq, digest = expect
        if seq > last:
            return AuditCheck(count, False, last + 1, f"the checkpoint names row {seq}, but the log ends at row "
                                                      f"{last}: rows were removed")
        if seen.get(seq) != digest:
            return AuditCheck(count, False, seq, f"row {seq} is not the one the checkpoint recorded: the log was "
                                                 "rewritten")
    cases = tuple(check_cases(session, rows))
    head_text = f"{last}:{prev_hash}"
    if cases:
        return AuditCheck(count, False, None, f"{len(cases)} case(s) disagree with their audit rows", cases,
                          head_text, min(keyed_from, last))
    return AuditCheck(count, True, head=head_text, unkeyed_rows=min(keyed_from, last))


def history(session: Session, case_id: int) -> list[AuditEntry]:
    """The audit rows of one case, oldest first."""
    return list(session.exec(select(AuditEntry).where(AuditEntry.case_id == case_id)
                             .order_by(col(AuditEntry.seq))))


__all__ = ["AuditCheck", "append", "audit_key", "canonical", "history", "parse_checkpoint", "verify_chain"]
