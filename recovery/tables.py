"""Every table module, imported once so SQLModel's metadata holds them all (for Alembic)."""

from recovery import (
    case_models,  # noqa: F401
    models,  # noqa: F401
)
