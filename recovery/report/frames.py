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


CASE_COLUMNS = (Case.id, Case.network, Case.outcome, Case.status, Case.opened_at)
QUOTE_COLUMNS = (Quote.id, Quote.case_id, Quote.usd_value, Quote.fee_usd, Quote.recommendation, Quote.created_at)
APPROVAL_COLUMNS = (Approval.case_id, Approval.role, Approval.decision, Approval.at, Approval.voided_at)
AUDIT_COLUMNS = (AuditEntry.seq, AuditEntry.case_id, AuditEntry.event, AuditEntry.from_status, AuditEntry.to_status,
                 AuditEntry.at)


def load(engine: Engine, *, until: datetime, network: str | None) -> Frames:
    """Read what the report needs: rows written up to `until`, of cases opened by then."""
    import pandas as pd

    cases_q = select(*CASE_COLUMNS).where(Case.opened_at <= until)  # type: ignore[arg-type,operator]
    if network is not None:
        cases_q = cases_q.where(Case.network == network)  # type: ignore[arg-type]
    ids = cases_q.with_only_columns(Case.id).scalar_subquery()  # type: ignore[arg-type]
    with engine.connect() as conn:
        cases = _frame(conn, cases_q, CASE_COLUMNS, pd)
        quotes = _frame(conn, select(*QUOTE_COLUMNS).where(Quote.case_id.in_(ids),  # type: ignore[union-attr]
                                                           Quote.created_at <= until), QUOTE_COLUMNS, pd)
        approvals = _frame(conn, select(*APPROVAL_COLUMNS).where(Approval.case_id.in_(ids),  # type: ignore[attr-defined]
                                                                 Approval.at <= until), APPROVAL_COLUMNS, pd)
        audit = _frame(conn, select(*AUDIT_COLUMNS).where(AuditEntry.case_id.in_(ids),  # type: ignore[union-attr]
                                                          AuditEntry.at <= until)  # type: ignore[operator]
                       .order_by(AuditEntry.seq), AUDIT_COLUMNS, pd)
    return Frames(cases, quotes, approvals, audit)


def _frame(conn, query, columns, pd):  # type: ignore[no-untyped-def]
    """Rows as a frame; times as aware UTC datetimes, Decimals left as objects (coerce_float would round money
    through float)."""
    names = [c.key for c in columns]
    frame = pd.read_sql(query, conn, coerce_float=False)
    frame.columns = names
    for name in names:
        if name in ("opened_at", "created_at", "at", "voided_at"):
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame
