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
def commands_run_cold() -> Iterator[None]:
    """The `recovery` processes the tests start run their commands themselves: no warm process is started
    or used behind them (tests/test_warm.py turns it on, in a socket folder of its own)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RECOVERY_WARM", "0")
        yield


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
_PG: dict[str, Any] = {}  # the server this session uses, resolved on first need: {"url": ..., "temp": ...}


def postgres_admin_url() -> str:
    """The PostgreSQL server the tests use, resolved once per session, without manual steps.

    `RECOVERY_TEST_POSTGRES_URL` (an admin URL of an existing server), else the local server at
    127.0.0.1:5432 if one answers, else a throwaway server started for the session (tests/support/pgtemp.py:
    the machine's binaries, or the `pgserver` wheel of the dev extras), stopped when the session ends.
    """
    if "url" in _PG:
        return str(_PG["url"])
    import os

    from tests.support import pgtemp

    url = os.environ.get("RECOVERY_TEST_POSTGRES_URL")
    if url:
        _PG["url"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
    elif pgtemp.answers("127.0.0.1", 5432):
        _PG["url"] = PG_ADMIN_URL
    else:
        bindirs = pgtemp.machine_bin_dirs() + [d for d in [pgtemp.wheel_bin_dir()] if d]
        if not bindirs:
            pytest.fail("no PostgreSQL for the tests: none answers at 127.0.0.1:5432, RECOVERY_TEST_POSTGRES_URL "
                        "is not set, and neither /usr/lib/postgresql/*/bin nor the pgserver wheel "
                        "(`pip install -e '.[dev]'`) is there to start one")
        temp = pgtemp.TempPostgres(bindirs[0])
        try:
            _PG["url"] = temp.start()
        except Exception as exc:
            temp.stop()
            pytest.fail(f"could not start a throwaway PostgreSQL from {bindirs[0]}: {exc}")
        _PG["temp"] = temp
    return str(_PG["url"])


@pytest.fixture(scope="session", autouse=True)
def _stop_throwaway_postgres() -> Iterator[None]:
    """Stop the throwaway PostgreSQL server at the end of the session, if one was started."""
    yield
    temp = _PG.pop("temp", None)
    if temp is not None:
        temp.stop()


def _fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database on the session's server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = postgres_admin_url()
    name = f"recovery_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is part of the test environment: say so plainly
        pytest.fail(f"PostgreSQL at {make_url(admin_url).render_as_string()} is not usable ({exc})")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
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


@pytest.fixture
def ethereum_restored(anvil_nodes: Any, evm_scenario: Any) -> Any:
    """The "ethereum" devnet put back as it was after the test (blocks mined for confirmations included),
    so claims of the shared scenario that wait for confirmations or sit in the mempool keep doing so."""
    eth = anvil_nodes["ethereum"]
    waiting = [c.tx_hash for c in evm_scenario.claims if c.network == "ethereum"
               and eth.rpc("eth_getTransactionByHash", c.tx_hash) is not None
               and eth.rpc("eth_getTransactionReceipt", c.tx_hash) is None]
    raws = [eth.rpc("eth_getRawTransactionByHash", h) for h in waiting]
    snapshot = eth.rpc("evm_snapshot")
    yield eth
    assert eth.rpc("evm_revert", snapshot)
    for raw in raws:          # a revert empties the mempool: put its waiting claims back
        eth.rpc("eth_sendRawTransaction", raw)
