"""Shared fixtures: the recorded chain data folder, loopback servers, databases and Anvil nodes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.loopback import Handler, Loopback

REPO = Path(__file__).resolve().parent.parent
CHAINDATA = REPO / "fixtures" / "chaindata"


@pytest.fixture(scope="session", autouse=True)
def recorded_heads_are_old() -> Iterator[None]:
    """Recorded answers are years old and the session's devnet idles between tests, so the head-age
    rule (an endpoint whose newest block is too old is behind) is off unless a test turns it on:
    `monkeypatch.delenv("RECOVERY_MAX_HEAD_AGE_<ID>")` (the registry's limit) or set it to seconds."""
    from chains.networks import registry

    with pytest.MonkeyPatch.context() as mp:
        for net in registry().values():
            mp.setenv("RECOVERY_MAX_HEAD_AGE_" + net.id.upper().replace("-", "_"), "off")
        yield


@pytest.fixture(scope="session")
def chaindata() -> Path:
    """The recorded mainnet answers the project ships (fixtures/chaindata, a PROVENANCE.md per family)."""
    return CHAINDATA


TEST_AUDIT_KEY = "test-audit-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def audit_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with an audit key, as a team sets RECOVERY_AUDIT_KEY; tests of its absence unset it."""
    monkeypatch.setenv("RECOVERY_AUDIT_KEY", TEST_AUDIT_KEY)
    return TEST_AUDIT_KEY


@pytest.fixture
def loopback() -> Iterator[type[Loopback]]:
    """Start loopback servers: `with loopback(handler) as srv: srv.url`."""
    started: list[Loopback] = []

    def make(handler: Handler) -> Loopback:
        srv = Loopback(handler)
        srv.__enter__()
        started.append(srv)
        return srv

    yield make  # type: ignore[misc]
    for srv in started:
        srv.__exit__(None, None, None)


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"recovery_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is part of the test environment: say so plainly
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not usable ({exc}); .ci/run starts it")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database migrated to head, on SQLite and on PostgreSQL."""
    from recovery.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'recovery.sqlite3'}"
        upgrade(url)
        yield url
        return
    for url in _fresh_postgres():
        upgrade(url)
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Any]:
    """An engine on the `db_url` database."""
    from recovery.db import make_engine

    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running the CLI against the test database, with an empty config file."""
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    monkeypatch.setenv("RECOVERY_DATABASE_URL", db_url)
    monkeypatch.setenv("RECOVERY_CONFIG", str(cfg))
    return {"RECOVERY_DATABASE_URL": db_url, "RECOVERY_CONFIG": str(cfg)}


@pytest.fixture(scope="session")
def anvil_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two real Anvil nodes: chain id 1 stands for "ethereum", chain id 56 for "bsc"."""
    from recovery.anvil import Anvil

    with Anvil(1) as eth, Anvil(56) as bsc:
        yield {"ethereum": eth, "bsc": bsc}


@pytest.fixture(scope="session")
def evm_scenario(anvil_nodes: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The devnet scenario seeded once per session (recovery.devnet): one claim per EVM outcome.

    After seeding, automine is off on "ethereum" (one claim waits in the mempool): a test that sends
    a transaction there must mine it itself with `anvil_nodes["ethereum"].mine(n)`.
    """
    from recovery.devnet import seed

    return seed(anvil_nodes["ethereum"], anvil_nodes["bsc"], tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def scenario_env(evm_scenario: Any, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                 db_url: str) -> dict[str, str]:
    """The test database with the scenario's reference data imported, and endpoints set for both chains."""
    from recovery.db import make_engine
    from recovery.reference_import import import_file

    engine = make_engine(db_url)
    for kind in ("addresses", "assets", "credits", "prices"):
        report = import_file(engine, kind, evm_scenario.files[kind])
        assert not report.errors, report.errors
    engine.dispose()
    env = dict(cli_env)
    for net, url in evm_scenario.urls.items():
        var = "RECOVERY_RPC_" + net.upper()
        monkeypatch.setenv(var, url)
        env[var] = url
    return env
