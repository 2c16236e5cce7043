"""The four tables the report reads, as pandas frames, through SQLAlchemy (SQLite and PostgreSQL alike).

The columns' own types do the decoding (exact Decimal money, aware UTC times), so money stays Decimal in
object columns and is never read through float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from recovery.case_models import Approval, AuditEntry, Case, Quote

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine


@dataclass(frozen=True)
class Frames:
    """cases, quotes, approvals and audit rows of the cases opened by `until` (of one network, if given)."""

    cases: pd.DataFrame
    quotes: pd.DataFrame
    approvals: pd.DataFrame
    audit: pd.DataFrame


CASE_COLUMNS = ("id", "network", "outcome", "status", "opened_at")
QUOTE_COLUMNS = ("id", "case_id", "usd_value", "fee_usd", "recommendation", "created_at")
APPROVAL_COLUMNS = ("case_id", "role", "decision", "at", "voided_at")
AUDIT_COLUMNS = ("seq", "case_id", "event", "from_status", "to_status", "at")


def load(engine: Engine, *, until: datetime, network: str | None) -> Frames:
    """Read what the report needs: rows written up to `until`, of cases opened by then."""
    import pandas as pd

    cases, quotes, approvals, audit = (m.__table__.c for m in (Case, Quote, Approval, AuditEntry))  # type: ignore[union-attr]
    cases_q = select(*(cases[n] for n in CASE_COLUMNS)).where(cases.opened_at <= until)
    if network is not None:
        cases_q = cases_q.where(cases.network == network)
    ids = select(cases.id).where(cases.opened_at <= until)
    if network is not None:
        ids = ids.where(cases.network == network)
    queries = (
        (cases_q, CASE_COLUMNS),
        (select(*(quotes[n] for n in QUOTE_COLUMNS)).where(quotes.case_id.in_(ids), quotes.created_at <= until),
         QUOTE_COLUMNS),
        (select(*(approvals[n] for n in APPROVAL_COLUMNS)).where(approvals.case_id.in_(ids), approvals.at <= until),
         APPROVAL_COLUMNS),
        (select(*(audit[n] for n in AUDIT_COLUMNS)).where(audit.case_id.in_(ids), audit.at <= until)
         .order_by(audit.seq), AUDIT_COLUMNS),
    )
    with engine.connect() as conn:
        frames = [_frame(conn, query, names, pd) for query, names in queries]
    return Frames(*frames)


def _frame(conn, query, columns, pd):  # type: ignore[no-untyped-def]
    """Rows as a frame; times as aware UTC datetimes, Decimals left as objects (coerce_float would round money
    through float)."""
    frame = pd.read_sql(query, conn, coerce_float=False)
    frame.columns = list(columns)
    for name in columns:
        if name in ("opened_at", "created_at", "at", "voided_at"):
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame
