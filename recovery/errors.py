"""Domain errors; each carries the exit code the CLI maps it to (1 refused, 2 bad input)."""

from __future__ import annotations


class RecoveryError(Exception):
    """Base of the domain errors; the message is for the person at the keyboard."""

    exit_code = 1


class BadInput(RecoveryError, ValueError):
    """The input is malformed: a file, a row, a field, an option (exit 2)."""

    exit_code = 2


class Refused(RecoveryError):
    """The action is not allowed now: wrong state, missing role, failed check (exit 1)."""

    exit_code = 1


class NotConfigured(RecoveryError):
    """Something the command needs is not set up (database schema, endpoint, price)."""

    exit_code = 1
