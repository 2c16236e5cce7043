"""Aptos adapter against recorded mainnet transactions over loopback HTTP (tests/support/recorded_aptos.py
says what is replayed and what is derived). Aptos's not-found body and legacy coin-event deposits are not
recorded: those are not tested on real data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.aptos import address
from chains.aptos.adapter import AptosAdapter
from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from tests.support.loopback import refused_url
from tests.support.recorded_aptos import APT_FROM, APT_TO, APT_TX, FAILED_TX, FEE_PAYER_TX, Recorded


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AptosAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> AptosAdapter:
    return AptosAdapter(get_network("aptos"), list(urls), timeout=5.0)


@pytest.fixture
def url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(Recorded(chaindata).handle).url)


def test_apt_transfer_from_fungible_asset_events(url: str) -> None:
    tx = adapter(url).fetch(APT_TX)
    assert (tx.status, tx.block_height, tx.confirmations, tx.timestamp) == (
        TxStatus.CONFIRMED, 3521662834, 1, 1759854842)
    # the Deposit event names a store: its ObjectCore owner is the recipient, its metadata 0xa is APT
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        (APT_FROM, APT_TO, NATIVE, 2431838058, 8)]
    assert tx.fee_paid == 18 * 100


def test_swap_deposits_of_other_assets(url: str, chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    tx = adapter(url).fetch(recorded.swap_hash())
    sender = recorded.txs[recorded.swap_hash()]["sender"]
    deposits = [e for e in recorded.txs[recorded.swap_hash()]["events"] if e["type"] == "0x1::fungible_asset::Deposit"]
    assert len(tx.transfers) == len(deposits) == 25
    assert [t.amount for t in tx.transfers] == [int(e["data"]["amount"]) for e in deposits]
    mine = [(t.asset, t.amount) for t in tx.transfers if t.to_address == sender]
    assert mine == [(NATIVE, 303009), (NATIVE, 120590251)]          # what the swapper got back, in APT
    usdc_like = {t.asset for t in tx.transfers if t.asset != NATIVE}
    assert len(usdc_like) == 7 and all(address.is_valid(a) and len(a) == 66 for a in usdc_like)


def test_failed_user_transaction(url: str) -> None:
    tx = adapter(url).fetch(FAILED_TX.upper().replace("0X", "0x"))
    assert (tx.tx_hash, tx.status, tx.block_height, tx.confirmations) == (FAILED_TX, TxStatus.FAILED, 6526661, 1)
    assert tx.fee_paid == 150 * 100 and tx.transfers == () and tx.timestamp == 1666314138


def test_successful_call_without_deposits(url: str) -> None:
    tx = adapter(url).fetch(FEE_PAYER_TX)
    assert (tx.status, tx.block_height, tx.fee_paid, tx.transfers) == (TxStatus.CONFIRMED, 236728775, 2400, ())


def test_a_404_without_aptos_body_is_never_not_found(url: str) -> None:
    with pytest.raises(RetriableError, match="404|not JSON"):
        adapter(url).fetch("0x" + "ab" * 32)


def test_dead_endpoint_and_failover(url: str) -> None:
    [result] = adapter(refused_url()).fetch_many([FAILED_TX])
    assert isinstance(result, RetriableError)
    assert adapter(refused_url(), url).fetch(FAILED_TX).status is TxStatus.FAILED


def test_testnet_endpoint_is_refused(loopback: Any, chaindata: Path) -> None:
    testnet = loopback(Recorded(chaindata, chain_id=2).handle)
    with pytest.raises(WrongChain, match="a chain identified as 2"):
        adapter(testnet.url).fetch(FAILED_TX)


def test_malformed_hash_in_place(url: str) -> None:
    results = adapter(url).fetch_many(["0x1234", FEE_PAYER_TX])
    assert isinstance(results[0], InvalidTxHash) and results[1].status is TxStatus.CONFIRMED


def test_codec_on_recorded_addresses(chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    sender = recorded.txs[FAILED_TX]["sender"]
    assert address.is_valid(sender) and address.normalize(sender.upper().replace("0X", "0x")) == sender
    assert address.normalize("0x1") == "0x" + "0" * 63 + "1"
    coin = recorded.txs[FAILED_TX]["payload"]["type_arguments"][0]
    assert AptosAdapter.normalize_address(coin) == "0x" + "0" * 63 + "1::aptos_coin::AptosCoin"
    assert not address.is_valid("0x") and not address.is_valid("d1f2a75f")
