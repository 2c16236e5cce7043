"""`recovery db upgrade`: run the Alembic migrations."""

import typer

from recovery.commands.common import err, state

app = typer.Typer(no_args_is_help=True, help="The database schema.")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create or update the tables by running the migrations up to head."""
    from chains.endpoints import redact
    from recovery.config import database_url
    from recovery.db import current_revision, make_engine
    from recovery.db import upgrade as run_upgrade

    url = database_url(state(ctx).config)
    run_upgrade(url)
    err().print(f"database {redact(url)} at revision {current_revision(make_engine(url))}", markup=False,
                highlight=False)
