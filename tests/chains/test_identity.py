"""Every endpoint is checked, once per endpoint and run, to be the registry's network: EVM `eth_chainId`,
bitcoind `getblockhash` at the identity heights (genesis, and for Bitcoin / Bitcoin Cash block 478559 after
their 2017 fork), Esplora `/block-height/N`, Tron's block 0, Solana's genesis hash. A mismatch is
`WrongChain` naming the redacted endpoint and both chains.

The loopback servers answer the identity calls with mainnet facts (tests/support/recorded_*.py say which
are recorded and which are the registry constant); other chains' answers are public facts cited below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.errors import WrongChain
from chains.evm import EvmAdapter
from chains.networks import get_network
from chains.solana import SolanaAdapter
from chains.tron import TronAdapter
from chains.utxo import UtxoAdapter
from tests.support import recorded_solana, recorded_tron, recorded_utxo
from tests.support.loopback import Request, jsonrpc_handler
from tests.support.recorded_evm import RecordedNode, etl_node

# public facts of other chains (not in the registry): Tron's Shasta testnet genesis blockID, as TIP-474's
# network list and java-tron's docs publish it; Solana devnet's genesis hash, as solana-web3 tests use it
SHASTA_GENESIS = "0000000000000000de1aa88295e1fcf982742f773e0419c5a9c134c994a9059e"
SOLANA_DEVNET = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG"
KEY = "k3yk3yk3yk3yk3yk3yk3yk3y01234567"


def test_evm_chain_id_mismatch_names_both_chains_and_hides_the_key(anvil_nodes: dict[str, Any]) -> None:
    """The `ethereum` endpoint pointing at the BSC node (chain id 56)."""
    bsc = anvil_nodes["bsc"]
    url = bsc.url.replace("http://", f"http://rpc:{KEY}@")     # Anvil ignores the credentials
    adapter = EvmAdapter(get_network("ethereum"), [url], timeout=5)
    with pytest.raises(WrongChain) as info:
        adapter.fetch_many(["0x" + "ab" * 32])
    message = info.value.user_message
    assert "Ethereum (1)" in message and "BNB Smart Chain (56)" in message
    assert "http://***@127.0.0.1:" in message and KEY not in message


def test_evm_chain_is_checked_once_per_endpoint(chaindata: Path, loopback: Any) -> None:
    node = etl_node(chaindata / "evm" / "ethereum-etl" / "block_483920")
    srv = loopback(jsonrpc_handler(node.answer))
    adapter = EvmAdapter(get_network("ethereum"), [srv.url], timeout=5)
    for h in sorted(node.receipts)[:2]:
        adapter.fetch(h)
    calls = [c["method"] for r in srv.requests for c in (r.json() if isinstance(r.json(), list) else [r.json()])]
    assert calls.count("eth_chainId") == 1


def test_evm_wrong_chain_on_the_second_endpoint_is_refused_when_used(chaindata: Path, loopback: Any,
                                                                  anvil_nodes: dict[str, Any]) -> None:
    """A dead first endpoint does not hide a misconfigured second one."""
    dead = loopback(lambda req: (503, "maintenance"))
    adapter = EvmAdapter(get_network("ethereum"), [dead.url, anvil_nodes["bsc"].url], timeout=5)
    with pytest.raises(WrongChain):
        adapter.fetch("0x" + "ab" * 32)
    assert RecordedNode().answer("eth_chainId", []) == {"result": "0x1"}


@pytest.mark.parametrize(("configured", "served", "named"), [
    ("bitcoin", "bitcoin-cash", "Bitcoin Cash"),     # same genesis: told apart by block 478559
    ("bitcoin-cash", "bitcoin", "Bitcoin"),
    ("litecoin", "bitcoin", "Bitcoin or Bitcoin Cash"),   # asked block 0 only: both share it
    ("dogecoin", "litecoin", "Litecoin"),
    ("zcash", "dash", "Dash"),
])
def test_bitcoind_serving_another_coin_is_wrong_chain(configured: str, served: str, named: str,
                                                      loopback: Any) -> None:
    srv = loopback(recorded_utxo.Node(tip=900_000, network=served).handler())
    with pytest.raises(WrongChain) as info:
        UtxoAdapter(get_network(configured), [srv.url], timeout=5).fetch_many([recorded_utxo.BC94])
    assert f"but serves {named} (" in info.value.user_message
    assert get_network(configured).name in info.value.user_message


def test_bitcoind_of_the_right_coin_passes_and_is_asked_once(chaindata: Path, loopback: Any) -> None:
    node = recorded_utxo.Node(tip=91890).block_v2(recorded_utxo.block_91880(chaindata))
    srv = loopback(node.handler())
    adapter = UtxoAdapter(get_network("bitcoin"), [srv.url], timeout=5)
    adapter.fetch(recorded_utxo.BC94)
    adapter.fetch(recorded_utxo.E3BF)
    asked = [c for r in srv.requests for c in (r.json() if isinstance(r.json(), list) else [r.json()])
             if c["method"] == "getblockhash"]
    assert [c["params"] for c in asked] == [[0], [478559]]


def test_esplora_serving_bitcoin_for_bitcoin_cash_is_wrong_chain(chaindata: Path, loopback: Any) -> None:
    srv = loopback(recorded_utxo.esplora_handler(recorded_utxo.esplora_docs(chaindata), tip=850000))
    with pytest.raises(WrongChain, match="Bitcoin Cash .* but serves Bitcoin"):
        UtxoAdapter(get_network("bitcoin-cash"), [f"esplora+{srv.url}/api"], timeout=5).fetch_many(
            [recorded_utxo.B10C])
    ok = UtxoAdapter(get_network("bitcoin"), [f"esplora+{srv.url}/api"], timeout=5)
    assert ok.fetch(recorded_utxo.B10C).block_height == 850000


def test_tron_testnet_endpoint_is_wrong_chain(chaindata: Path, loopback: Any) -> None:
    recorded = recorded_tron.Recorded(chaindata)

    def shasta(req: Request) -> tuple[int, Any]:
        if req.path == "/wallet/getblockbynum":
            return 200, {"blockID": SHASTA_GENESIS}
        return recorded.handle(req)

    with pytest.raises(WrongChain, match=f"a chain identified as {SHASTA_GENESIS}"):
        TronAdapter(get_network("tron"), [loopback(shasta).url], timeout=5).fetch(recorded_tron.TRX_TX)
    assert TronAdapter(get_network("tron"), [loopback(recorded.handle).url], timeout=5).fetch(
        recorded_tron.TRX_TX).block_height == 60836289


def test_solana_devnet_endpoint_is_wrong_chain(chaindata: Path, loopback: Any) -> None:
    recorded = recorded_solana.Recorded(chaindata)

    def devnet(method: str, params: list[Any]) -> dict[str, Any]:
        return {"result": SOLANA_DEVNET} if method == "getGenesisHash" else recorded.methods(method, params)

    with pytest.raises(WrongChain, match=SOLANA_DEVNET):
        SolanaAdapter(get_network("solana"), [loopback(jsonrpc_handler(devnet)).url], timeout=5).fetch_many(
            [recorded_solana.SOL_TX])
