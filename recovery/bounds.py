"""Bounds on every number, date and text the tool accepts, checked before anything is written.

Numbers: at most 36 digits before and 36 after the point (any token amount in whole units fits; `1e308` and
100-digit values do not), prices above zero and at most 10^12 USD. Dates: from 2000 to a day ahead. Texts:
no NUL or other control characters, and no longer than their column.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from recovery.errors import BadInput

MAX_DIGITS = 36                       # before the point, and after it (the largest decimals we accept)
MAX_PRICE_USD = Decimal(10) ** 12
MAX_ID = 2**31 - 1                    # ids are 32-bit integers on PostgreSQL
MAX_DURATION = timedelta(days=36_500)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")   # tab, LF and CR are refused where a column is one line


def decimal_problem(value: Decimal, *, zero_ok: bool = False, maximum: Decimal | None = None) -> str | None:
    """Why the value is out of bounds, or None."""
    if not value.is_finite():
        return "must be a finite number"
    if value < 0 or (value == 0 and not zero_ok):
        return f"must be {'zero or more' if zero_ok else 'above zero'}"
    _, digits, exponent = value.as_tuple()    # not normalize(): it rounds to the context's 28 digits
    assert isinstance(exponent, int)
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    whole = len(kept) + exponent
    if whole > MAX_DIGITS:
        return f"has {whole} digits before the point, more than the limit of {MAX_DIGITS}"
    if -exponent > MAX_DIGITS:
        return f"has {-exponent} digits after the point, more than the limit of {MAX_DIGITS}"
    if maximum is not None and value > maximum:
        return f"is above the limit of {maximum:,f}"
    return None


def parse_decimal(text: str, field: str, *, zero_ok: bool = False, maximum: Decimal | None = None) -> Decimal:
    """A bounded Decimal from text, or bad input naming the field and the limit."""
    try:
        value = Decimal(text.strip().replace("_", ""))
    except InvalidOperation:
        raise BadInput(f"{field} must be a number, not {text[:40]!r}") from None
    problem = decimal_problem(value, zero_ok=zero_ok, maximum=maximum)
    if problem:
        raise BadInput(f"{field} {problem} (got {text[:40]!r})")
    return value


def time_problem(at: datetime, now: datetime | None = None) -> str | None:
    """Why a date is outside 2000-01-01 .. a day from now, or None."""
    now = now or datetime.now(UTC)
    if at < EARLIEST:
        return f"is before {EARLIEST:%Y-%m-%d}, the earliest date accepted"
    if at > now + timedelta(days=1):
        return "is more than a day in the future"
    return None


def text_problem(value: str, limit: int | None) -> str | None:
    """Why a text cannot be stored (control characters, or longer than its column), or None."""
    bad = _CONTROL.search(value)
    if bad:
        return f"holds a control character (0x{ord(bad.group()):02x} at position {bad.start() + 1})"
    if limit is not None and len(value) > limit:
        return f"is {len(value)} characters long, more than the limit of {limit}"
    return None


def check_row(table: Any, values: dict[str, Any], field_of: dict[str, str] | None = None) -> str | None:
    """The first text of a row to insert into `table` that its column cannot take, as `field: why`."""
    for name, value in values.items():
        if isinstance(value, Decimal):
            problem = decimal_problem(value, zero_ok=True)
        elif isinstance(value, str):
            column = table.columns.get(name)
            problem = text_problem(value, getattr(column.type, "length", None) if column is not None else None)
        else:
            continue
        if problem:
            return f"{(field_of or {}).get(name, name)}: {problem}"
    return None


def guard_flush(session: Any, _context: Any, _instances: Any) -> None:
    """Before any ORM write: every new or changed text fits its column (NUL bytes and overlong values
    crash PostgreSQL mid-transaction; here they are bad input naming the column)."""
    for obj in (*session.new, *session.dirty):
        table = getattr(obj, "__table__", None)
        if table is None:
            continue
        values = {c.name: getattr(obj, c.key, None) for c in table.columns}
        problem = check_row(table, values)
        if problem:
            raise BadInput(f"{table.name}.{problem}")
