"""Key groups in triage, on real Anvil nodes standing for Polygon (chain id 137) and ZKsync Era (324):
an address of ours on Ethereum is ours on Polygon (wrong_network), not on ZKsync, in either direction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recovery.anvil import Anvil
from recovery.db import session_scope
from recovery.devnet import ETHER, send_native
from recovery.reference_import import import_file
from recovery.triage import Outcome
from recovery.verify import verify


@pytest.fixture(scope="module")
def nodes() -> Iterator[dict[str, Anvil]]:
    with Anvil(137) as polygon, Anvil(324) as zksync:
        yield {"polygon": polygon, "zksync": zksync}


def test_wrong_network_within_the_evm_group_but_not_with_zksync(nodes: dict[str, Anvil], engine: Any,
                                                               tmp_path: Path) -> None:
    polygon, zksync = nodes["polygon"], nodes["zksync"]
    acc = polygon.accounts()                   # Anvil's dev accounts: the same keys on every node
    sender, ours_on_eth, ours_on_zksync = acc[1], acc[5], acc[6]
    path = tmp_path / "addresses.csv"
    path.write_text("network,address,user_id,memo\n"
                    f"ethereum,{ours_on_eth},u-eth,\nzksync,{ours_on_zksync},u-zk,\n")
    assert not import_file(engine, "addresses", path).errors
    to_eth_on_polygon = send_native(polygon, sender, ours_on_eth, 2 * ETHER)
    to_eth_on_zksync = send_native(zksync, sender, ours_on_eth, 2 * ETHER)
    to_zksync_on_polygon = send_native(polygon, sender, ours_on_zksync, ETHER)
    polygon.receipt(to_zksync_on_polygon)
    zksync.receipt(to_eth_on_zksync)
    polygon.mine(200)                           # past polygon's and zksync's confirmation counts
    zksync.mine(30)

    def check(network: str, tx: str) -> Any:
        with session_scope(engine) as session:
            return verify(session, network, tx, rpc=nodes[network].url, probe=False)

    v = check("polygon", to_eth_on_polygon)
    assert v.outcome is Outcome.WRONG_NETWORK, v.reason
    assert (v.deposit_network, v.user_id, v.deposit_address) == ("ethereum", "u-eth", ours_on_eth.lower())
    v = check("zksync", to_eth_on_zksync)            # ZKsync has no key group: not ours there
    assert v.outcome is Outcome.NOT_OUR_ADDRESS, v.reason
    v = check("polygon", to_zksync_on_polygon)       # nor is a ZKsync address of ours on Polygon
    assert v.outcome is Outcome.NOT_OUR_ADDRESS, v.reason
