"""`batch verify --open-cases`: a case for every recoverable row, through the case service, once per hash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from recovery.case_models import Case
from recovery.cases import CaseService
from recovery.errors import RecoveryError
from recovery.triage import Verdict

CHUNK = 500


class CaseOpener:
    """Opens cases for recoverable verdicts; a hash that already has a case (any state) is not opened again."""

    def __init__(self, engine: Engine, actor: str, config_rpc: Mapping[str, Any] | None = None) -> None:
        self.engine = engine
        self.actor = actor
        self.service = CaseService(engine, config_rpc=dict(config_rpc or {}))
        with self.service.session() as s:
            self.service.actor(s, actor, "agent")   # refused before any row is read when not an agent

    def existing(self, network: str, keys: Sequence[str]) -> dict[str, int]:
        """tx key -> the id of the oldest case already held for it on this network."""
        found: dict[str, int] = {}
        unique = sorted(set(keys))
        with Session(self.engine) as s:
            for i in range(0, len(unique), CHUNK):
                rows = s.exec(select(Case.tx_key, Case.id).where(
                    Case.network == network, col(Case.tx_key).in_(unique[i:i + CHUNK])).order_by(col(Case.id)))
                for key, case_id in rows:
                    if case_id is not None:
                        found.setdefault(key, case_id)
        return found

    def open(self, verdict: Verdict, row: Mapping[str, str]) -> tuple[int | None, str | None]:
        """(case id, None) once opened, or (None, why not) when the row cannot be opened as a case."""
        user = (row.get("user_id") or "").strip() or (verdict.user_id or "")
        if not user:
            return None, "no user_id in the row and no deposit address owner: case not opened"
        try:
            case = self.service.open(self.actor, network=verdict.network, tx_hash=verdict.tx_hash, user_id=user,
                                     asset=row.get("asset") or None, amount=_amount(row.get("amount")),
                                     memo=row.get("memo") or None)
        except RecoveryError as exc:
            return None, f"case not opened: {exc}"
        return case.id, None


def _amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None
