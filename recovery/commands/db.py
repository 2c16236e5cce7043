"""`recovery db upgrade|backup`: run the Alembic migrations; copy the database safely."""

from pathlib import Path
from typing import Annotated

import typer

from recovery.commands.common import err, state
from recovery.errors import Refused

app = typer.Typer(no_args_is_help=True, help="The database schema.")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create or update the tables by running the migrations up to head."""
    from sqlalchemy.exc import DBAPIError

    from recovery.config import database_url
    from recovery.db import connection_error, current_revision, display_url, make_engine
    from recovery.db import upgrade as run_upgrade

    url = database_url(state(ctx).config)
    engine = make_engine(url)
    try:
        current_revision(engine)  # reach the database first: an error says what to do, not a traceback
        run_upgrade(url)
        revision = current_revision(engine)
    except DBAPIError as exc:
        raise connection_error(exc, url) from None
    finally:
        engine.dispose()
    err().print(f"database {display_url(url)} at revision {revision}", markup=False, highlight=False)


@app.command("backup")
def backup(ctx: typer.Context,
           file: Annotated[Path, typer.Argument(help="The new file to write (never overwritten).")]) -> None:
    """Copy a SQLite database into FILE with SQLite's online backup API, complete even while others write
    (a plain file copy misses what is still in the -wal file). For PostgreSQL: use pg_dump."""
    from recovery.config import database_url
    from recovery.db import backup_sqlite, display_url, normalize_url

    url = database_url(state(ctx).config)
    if not normalize_url(url).startswith("sqlite"):
        from sqlalchemy.engine import make_url

        u = make_url(normalize_url(url))
        args = " ".join(f"{flag} {value}" for flag, value in (("-h", u.host), ("-p", u.port), ("-U", u.username))
                        if value)
        raise Refused(f"database {display_url(url)} is a PostgreSQL server: back it up with pg_dump, e.g. "
                      f"`pg_dump {args} --format=custom --file {file} {u.database}` (password from PGPASSWORD "
                      "or ~/.pgpass); restore with pg_restore")
    pages = backup_sqlite(url, file)
    err().print(f"database {display_url(url)} copied to {file} ({pages} pages), complete as of now", markup=False,
                highlight=False)
