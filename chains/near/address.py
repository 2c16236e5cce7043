"""NEAR account ids: named accounts (`alice.near`), implicit accounts (64 hex digits of an ed25519 key)
and Ethereum-style implicit accounts (`0x` + 40 hex). Pure functions, no network."""

from __future__ import annotations

import re

_NAMED = re.compile(r"(([a-z\d]+[-_])*[a-z\d]+\.)*([a-z\d]+[-_])*[a-z\d]+")
_IMPLICIT = re.compile(r"[0-9a-f]{64}")
_ETH_IMPLICIT = re.compile(r"0x[0-9a-f]{40}")


def normalize(account: str) -> str:
    """The account id as the chain writes it: trimmed and lower-case (NEAR ids have no upper case)."""
    return account.strip().lower()


def is_valid(account: str) -> bool:
    """Whether the text is a NEAR account id (2 to 64 characters, the protocol's rules)."""
    value = normalize(account)
    if not 2 <= len(value) <= 64:
        return False
    return bool(_IMPLICIT.fullmatch(value) or _ETH_IMPLICIT.fullmatch(value) or _NAMED.fullmatch(value))


def is_implicit(account: str) -> bool:
    """Whether the account is an implicit one (its id is its public key or key hash)."""
    value = normalize(account)
    return bool(_IMPLICIT.fullmatch(value) or _ETH_IMPLICIT.fullmatch(value))


def display(account: str) -> str:
    """A short form for tables: implicit ids shortened, named ids whole."""
    value = normalize(account)
    return f"{value[:8]}…{value[-6:]}" if is_implicit(value) and len(value) > 20 else value
