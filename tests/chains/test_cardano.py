"""Cardano adapter against recorded Blockfrost answers over loopback HTTP (tests/support/recorded_cardano.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.cardano import address
from chains.cardano.adapter import CardanoAdapter, parse_outputs
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from tests.support.loopback import refused_url
from tests.support.recorded_cardano import ASSET_UTXOS_TX, BYRON_HEIGHT, BYRON_TX, OLD_TX, Recorded

NET = get_network("cardano")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CardanoAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> CardanoAdapter:
    return CardanoAdapter(NET, list(urls), timeout=5.0)


def test_ada_outputs_are_transfers(loopback: Any, chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    srv = loopback(recorded.handle)
    tx = adapter(srv.url).fetch(BYRON_TX.upper())
    utxos = recorded.utxos[BYRON_TX]
    assert (tx.tx_hash, tx.status, tx.block_height, tx.confirmations) == (
        BYRON_TX, TxStatus.CONFIRMED, BYRON_HEIGHT, 21)
    assert [(t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        (o["address"], NATIVE, int(o["amount"][0]["quantity"]), 6) for o in utxos["outputs"]]
    assert [t.amount for t in tx.transfers] == [301374004958, 400000000000]
    assert {t.from_address for t in tx.transfers} == {utxos["inputs"][0]["address"]}
    assert tx.fee_paid == 874781 and tx.timestamp == recorded.txs[BYRON_TX]["block_time"]


def test_pending_below_the_tip(loopback: Any, chaindata: Path) -> None:
    srv = loopback(Recorded(chaindata, tip=BYRON_HEIGHT).handle)
    assert adapter(srv.url).fetch(BYRON_TX).confirmations == 1


def test_native_asset_output_mapping(chaindata: Path) -> None:
    # the mapper on the recorded /utxos answer of 7ec5dd9f… (no /txs answer is recorded for it)
    utxos = Recorded(chaindata).utxos[ASSET_UTXOS_TX]
    transfers = parse_outputs(NET, utxos, failed=False)
    unit = "c9aef063a35905d41b7c067a74cdf1efc495c80c45bdba2622ff11d843334e6f64654e4654"
    assert [(t.to_address, t.asset, t.amount, t.decimals) for t in transfers] == [
        ("addr1vyrrp6xxxtju3ts2sjdgv0smvw9eph5n28gsjf8d8e827gqutvkft", NATIVE, 40918950, 6),
        ("addr1w83yy69vkawcvya7eamsy7upqq5dzlrhd77m3myhkznfhrszj6emw", NATIVE, 2000000, 6),
        ("addr1w83yy69vkawcvya7eamsy7upqq5dzlrhd77m3myhkznfhrszj6emw", f"{unit[:56]}.{unit[56:]}", 1, None)]
    assert CardanoAdapter.normalize_address(unit.upper()) == transfers[2].asset
    assert CardanoAdapter.normalize_address(transfers[2].asset) == transfers[2].asset
    # the collateral input is not the sender; a failed (phase-2) transaction moved nothing
    assert {t.from_address for t in transfers} == {utxos["inputs"][0]["address"]}
    assert parse_outputs(NET, utxos, failed=True) == []


def test_unknown_hash_is_not_found(loopback: Any, chaindata: Path) -> None:
    srv = loopback(Recorded(chaindata).handle)
    tx = adapter(srv.url).fetch(ASSET_UTXOS_TX)     # real, but the server has no /txs answer for it
    assert tx.status is TxStatus.NOT_FOUND


def test_erroring_endpoint_is_retriable(loopback: Any, chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    recorded.broken.add(f"/txs/{BYRON_TX}/utxos")
    srv = loopback(recorded.handle)
    with pytest.raises(RetriableError, match="HTTP 500"):
        adapter(srv.url).fetch(BYRON_TX)
    results = adapter(refused_url()).fetch_many([BYRON_TX, OLD_TX])
    assert all(isinstance(r, RetriableError) for r in results)
    ok = adapter(refused_url(), loopback(Recorded(chaindata).handle).url).fetch_many([OLD_TX, "xyz"])
    assert ok[0].status is TxStatus.CONFIRMED and ok[0].block_height == 1792232
    assert isinstance(ok[1], InvalidTxHash)


def test_404_without_blockfrost_body_is_not_not_found(loopback: Any, chaindata: Path) -> None:
    # a proxy in front of Blockfrost answering 404 pages of its own: not Blockfrost's not-found answer
    recorded = Recorded(chaindata)
    srv = loopback(lambda req: (404, "<html>Not Found</html>") if req.path.startswith("/txs/")
                   else recorded.handle(req))
    with pytest.raises(RetriableError, match="404"):
        adapter(srv.url).fetch(BYRON_TX)


def test_preprod_endpoint_is_refused(loopback: Any, chaindata: Path) -> None:
    srv = loopback(Recorded(chaindata, genesis="preprod").handle)
    with pytest.raises(WrongChain, match="a chain identified as 1"):
        adapter(srv.url).fetch(BYRON_TX)


def test_project_id_goes_in_a_header(loopback: Any, chaindata: Path) -> None:
    srv = loopback(Recorded(chaindata).handle)
    url = srv.url.replace("http://", "http://mainnetSECRET@")
    tx = adapter(url).fetch(OLD_TX)
    assert tx.status is TxStatus.CONFIRMED
    assert {r.headers.get("project_id") for r in srv.requests} == {"mainnetSECRET"}


def test_codec_on_recorded_addresses(chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    seen = 0
    for utxos in recorded.utxos.values():
        for io in utxos["inputs"] + utxos["outputs"]:
            assert address.is_valid(io["address"]), io["address"][:20]
            seen += 1
    assert seen > 80
    shelley = "addr1vyrrp6xxxtju3ts2sjdgv0smvw9eph5n28gsjf8d8e827gqutvkft"
    assert address.network_id(shelley) == 1 and address.normalize(shelley.upper()) == shelley
    assert not address.is_valid(shelley[:-1] + ("q" if shelley[-1] != "q" else "p"))
    byron = recorded.utxos[BYRON_TX]["outputs"][0]["address"]
    assert address.byron_payload(byron) and not address.is_valid(byron[:-1] + ("A" if byron[-1] != "A" else "B"))
