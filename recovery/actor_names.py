"""Actor names as people type them: trimmed, compared without regard to case, near matches offered."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from recovery.case_models import Actor


def clean(name: str) -> str:
    """The name as stored: surrounding spaces removed, inner runs of spaces made one."""
    return " ".join(name.split())


def key(name: str) -> str:
    """The form two names are compared in (`Sam`, ` sam ` and `SAM` are one person)."""
    return clean(name).casefold()


def same(name: str, names: Iterable[str]) -> str | None:
    """The existing name that is this name up to case and spaces, if any."""
    wanted = key(name)
    return next((n for n in names if key(n) == wanted), None)


def near(name: str, names: Iterable[str]) -> str | None:
    """The existing name closest to this one (a likely typo), if any is close."""
    by_key = {key(n): n for n in names}
    close = difflib.get_close_matches(key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def find(s: Session, name: str) -> tuple[Actor | None, str]:
    """The actor this name means up to case and spaces, else None and a "did you mean" hint (or "")."""
    from sqlmodel import col, select

    from recovery.case_models import Actor

    names = list(s.exec(select(col(Actor.name))))
    match = same(name, names)
    if match is not None:
        return s.exec(select(Actor).where(Actor.name == match)).one(), ""
    close = near(name, names)
    return None, f"did you mean {close!r}? Or " if close else ""


def refuse_duplicate(s: Session, name: str, roles: list[str]) -> None:
    """Refuse a new actor whose name differs from an existing one only by case or spaces."""
    from sqlmodel import col, select

    from recovery.case_models import Actor
    from recovery.errors import Refused

    existing = same(name, s.exec(select(col(Actor.name))))
    if existing is not None:
        flags = " ".join(f"--role {r}" for r in roles)
        raise Refused(f"actor {existing!r} exists already and names are compared without regard to case: to "
                      f"give them roles, `recovery actors add {existing} {flags}`")
