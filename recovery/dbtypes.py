"""Column types that keep money exact and times in UTC on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its exact text (SQLite's NUMERIC would round through float)."""

    impl = sa.String(80)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        value = Decimal(value)
        if value == 0:
            return "0"
        with localcontext() as ctx:   # normalize() rounds to the context's 28 digits by default
            ctx.prec = len(value.as_tuple().digits) + 1
            return format(value.normalize(), "f")

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class BaseUnits(TypeDecorator[int]):
    """An integer amount of base units of any size, stored as its decimal text."""

    impl = sa.String(80)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"base units must be an int, not {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else int(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; naive values are refused rather than guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Clock = Callable[[], datetime]
_clock: ContextVar[Clock | None] = ContextVar("recovery_clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware: the clock in force (`clock_scope`), else the system's."""
    clock = _clock.get()
    return datetime.now(UTC) if clock is None else clock()


@contextmanager
def clock_scope(clock: Clock | None) -> Iterator[None]:
    """Within this block every timestamp (rows, audit entries, quote expiry checks) reads `clock`; None is the
    system clock. The case service runs each unit of work under its own clock (`CaseService.clock`)."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)
