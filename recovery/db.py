"""The database: engine, sessions, and the Alembic migrations that alone create the tables.

Alembic is imported only to upgrade: the start-up schema check is one plain query against
`alembic_version`, compared with the head revision read from the migration files' `revision` lines.
A database that cannot be opened is one line naming the (redacted) URL and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from recovery.bounds import guard_flush
from recovery.errors import BadInput, NotConfigured

# every ORM write, whichever command makes it, is checked against the column sizes first
if not event.contains(OrmSession, "before_flush", guard_flush):
    event.listen(OrmSession, "before_flush", guard_flush)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
URL_FORMS = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"
_WHERE = "RECOVERY_DATABASE_URL or the config file's [database] url"


class DatabaseUnreachable(NotConfigured):
    """The database server does not answer (exit 1: start it, or wait and retry)."""


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def display_url(url: str) -> str:
    """The URL as it may be printed: a SQLite path as it is, a server URL redacted."""
    if url.startswith("sqlite"):
        return url
    from chains.endpoints import redact

    try:
        return redact(url)
    except ValueError:  # a port that is not a number: nothing of it can be shown safely
        return url.split("://", 1)[0] + "://***"


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, foreign keys and a busy timeout so several processes can share it.

    A malformed URL, an unknown scheme or a SQLite file in a missing folder is `BadInput`.
    """
    shown = display_url(url)
    url = normalize_url(url)
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        elif url.startswith("postgresql"):
            timeout = {} if "connect_timeout" in url else {"connect_timeout": 10}
            engine = create_engine(url, pool_pre_ping=True, connect_args=timeout)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError:
        raise BadInput(f"database URL {shown}: unknown kind of database; give {URL_FORMS} in {_WHERE}") from None
    except (ArgumentError, ValueError) as exc:
        raise BadInput(f"database URL {shown} is malformed ({str(exc).splitlines()[0]}); give {URL_FORMS} "
                       f"in {_WHERE}") from None
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).parent.is_dir():
            raise BadInput(f"database {shown}: the folder {Path(path).parent} does not exist; create it "
                           f"(mkdir -p) or fix {_WHERE}")

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def driver_message(exc: BaseException) -> str:
    """The first line of what the database driver said."""
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    return lines[0] if lines else type(orig).__name__


def connection_error(exc: DBAPIError, url: str) -> NotConfigured | BadInput:
    """The error to show for a database that could not be opened: what is wrong and what to do."""
    shown, said = display_url(url), driver_message(exc)
    if normalize_url(url).startswith("sqlite"):
        return BadInput(f"database {shown} cannot be opened ({said}): check the file and its folder's "
                        "permissions")
    missing = re.search(r'database "([^"]*)" does not exist', said)
    if missing:
        return BadInput(f"database {shown}: database {missing.group(1)!r} does not exist on the server; create "
                        f"it (createdb {missing.group(1)}) and run `recovery db upgrade`, or fix {_WHERE}")
    if re.search(r"authentication failed|no password supplied|role \"[^\"]*\" does not exist", said):
        return BadInput(f"database {shown}: {said}; fix the user or password in {_WHERE}")
    return DatabaseUnreachable(f"database server of {shown} is not reachable ({said}): start it or check "
                               f"the host and port in {_WHERE}")


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    """Alembic configuration for the migrations folder and this database URL."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@cache
def head_revision() -> str:
    """The newest migration revision, read from the files' `revision` and `down_revision` lines."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        fields: dict[str, str] = {m[1]: m[2] for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if "revision" not in fields:
            continue
        revisions.add(fields["revision"].strip("'\""))
        down = fields.get("down_revision", "None")
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down))
    heads = revisions - parents
    if len(heads) != 1:
        raise NotConfigured(f"the migrations in {MIGRATIONS / 'versions'} have {len(heads)} heads "
                            f"({', '.join(sorted(heads)) or 'none'}); merge them with `alembic merge`")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database (one query when there is one)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            conn.rollback()
            if inspect(conn).has_table("alembic_version"):
                raise
            return None


def upgrade(url: str) -> None:
    """Run the migrations up to head."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def open_database(url: str) -> Engine:
    """An engine on a database at the code's schema: SQLite is brought to head, a server must be upgraded
    on purpose; a database that cannot be opened is one line saying what to do."""
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise connection_error(exc, url) from None
    if current == head_revision():
        return engine
    if engine.dialect.name == "sqlite":
        upgrade(url)
        return engine
    raise NotConfigured(
        f"the database is at revision {current or 'none'}, the code needs {head_revision()}: "
        "run `recovery db upgrade`"
    )


def ensure_schema(engine: Engine, url: str) -> None:
    """Bring a local SQLite database to head; a server database must be upgraded on purpose."""
    current = current_revision(engine)
    if current == head_revision():
        return
    if engine.dialect.name == "sqlite":
        upgrade(url)
        return
    raise NotConfigured(
        f"the database is at revision {current or 'none'}, the code needs {head_revision()}: "
        "run `recovery db upgrade`"
    )


def backup_sqlite(url: str, target: Path) -> int:
    """Copy a SQLite database with SQLite's online backup API (complete while others write); the pages."""
    import sqlite3

    engine = make_engine(url)
    source_path = engine.url.database
    engine.dispose()
    if not source_path or source_path == ":memory:" or not Path(source_path).is_file():
        raise BadInput(f"database {display_url(url)}: no such file to back up")
    if target.exists():
        raise BadInput(f"{target} exists: give a new file name (a backup never overwrites)")
    if not target.parent.is_dir():
        raise BadInput(f"{target}: the folder {target.parent} does not exist")
    src = sqlite3.connect(source_path, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
    finally:
        dst.close()
        src.close()
    return int(pages)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
