"""Fixtures of the builder tests: a Litecoin Core regtest node."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.prepare.regtest import BINARY, SKIP_REASON, Node


@pytest.fixture(scope="module")
def regtest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A node with a wallet `w` holding 101 blocks of coinbase (50 LTC mature)."""
    if shutil.which(BINARY) is None:
        pytest.skip(SKIP_REASON)
    node = Node(tmp_path_factory.mktemp("ltc-regtest"))
    try:
        node.wait()
        node.rpc("createwallet", "w")
        miner = node.rpc("getnewaddress", wallet="w")
        node.rpc("generatetoaddress", 101, miner)
        yield node
    finally:
        node.stop()
