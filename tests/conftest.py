"""Shared fixtures: the recorded chain data folder and loopback servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.loopback import Handler, Loopback

REPO = Path(__file__).resolve().parent.parent
CHAINDATA = REPO.parent / "shared" / "chaindata"


@pytest.fixture(scope="session")
def chaindata() -> Path:
    """`../shared/chaindata`, read in place."""
    if not CHAINDATA.is_dir():
        pytest.fail(f"recorded chain data not found at {CHAINDATA}")
    return CHAINDATA


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
