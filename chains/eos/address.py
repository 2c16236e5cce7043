"""EOS (Antelope) account names: 1 to 12 characters of `a-z`, `1-5` and `.`, not ending in a dot."""

from __future__ import annotations

import re

_NAME = re.compile(r"[a-z1-5.]{0,11}[a-z1-5]")


def is_valid(name: str) -> bool:
    """Whether the string is a valid account name (names are case-sensitive: upper case is invalid)."""
    return _NAME.fullmatch(name.strip()) is not None


def normalize(name: str) -> str:
    """Account names have one form; only surrounding blanks are dropped."""
    return name.strip()


def display(name: str) -> str:
    """The name as people write it."""
    return name.strip()
