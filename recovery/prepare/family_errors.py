"""What the family builders raise when the node's state does not allow a recovery."""

from __future__ import annotations

from recovery.errors import Refused

try:
    from recovery.prepare.model import CannotBuild  # type: ignore[attr-defined, unused-ignore]
except ImportError:   # a model without it: the same meaning, a refusal (exit 1)
    class CannotBuild(Refused):  # type: ignore[no-redef, unused-ignore]
        """The node's state does not allow the recovery now (funds short, output spent, node behind)."""

__all__ = ["CannotBuild"]
