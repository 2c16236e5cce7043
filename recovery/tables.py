"""Every table module, imported once so SQLModel's metadata holds them all (for Alembic)."""

from recovery import models  # noqa: F401
from recovery import case_models  # noqa: F401
