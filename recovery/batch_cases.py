"""`batch verify --open-cases`: a case for every recoverable row, through the case service, once per hash.

The rule is the service's (`CaseService.open`): a deposit that already has a case, in any state, is
not opened again here; a deliberate second case is `recovery case open --reopen-of ID --reason ...`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from recovery.case_opening import latest_cases
from recovery.cases import CaseService
from recovery.errors import RecoveryError
from recovery.triage import Verdict


class CaseOpener:
    """Opens cases for recoverable verdicts; a hash that already has a case (any state) is not opened again."""

    def __init__(self, engine: Engine, actor: str, config_rpc: Mapping[str, Any] | None = None) -> None:
        self.engine = engine
        self.actor = actor
        self.service = CaseService(engine, config_rpc=dict(config_rpc or {}))
        with self.service.session() as s:
            self.service.actor(s, actor, "agent")   # refused before any row is read when not an agent

    def existing(self, network: str, keys: Sequence[str]) -> dict[str, int]:
        """tx key -> the id of the latest case already held for it on this network (the service's rule)."""
        with Session(self.engine) as s:
            return {key: case.id for key, case in latest_cases(s, network, list(keys)).items()
                    if case.id is not None}

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
