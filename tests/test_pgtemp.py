"""The throwaway PostgreSQL server the suite starts when none is reachable: from the machine's binaries and
from the pgserver wheel of the dev extras, each started, migrated to head and removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import pgtemp


def _sources() -> list[Path]:
    found = pgtemp.machine_bin_dirs()[:1]
    wheel = pgtemp.wheel_bin_dir()
    return found + ([wheel] if wheel else [])


@pytest.mark.parametrize("bindir", _sources(), ids=lambda p: "wheel" if "pgserver" in str(p) else "machine")
def test_throwaway_server_starts_migrates_and_goes(bindir: Path) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from recovery.db import current_revision, head_revision, upgrade

    server = pgtemp.TempPostgres(bindir)
    try:
        admin = server.start()
        assert server.port != 5432 and pgtemp.answers("127.0.0.1", server.port)
        eng = create_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text('CREATE DATABASE "t"'))
        eng.dispose()
        url = make_url(admin).set(database="t").render_as_string(False)
        upgrade(url)
        eng = create_engine(url)
        assert current_revision(eng) == head_revision()
        eng.dispose()
        folder = server.folder
    finally:
        server.stop()
    assert folder is not None and not folder.exists() and not pgtemp.answers("127.0.0.1", server.port)


def test_the_wheel_is_in_the_dev_extras() -> None:
    """A machine without PostgreSQL still gets a server: pgserver ships the binaries."""
    assert pgtemp.wheel_bin_dir() is not None
