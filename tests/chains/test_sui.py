"""Sui adapter against recorded mainnet answers over loopback HTTP (tests/support/recorded_sui.py says
what is replayed and what is derived: the not-found error, the chain identifier). No failed Sui
transaction is recorded: failure is not tested on real data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.sui import address
from chains.sui.adapter import SuiAdapter
from tests.support.loopback import refused_url
from tests.support.recorded_sui import COIN, COIN_TX, SUI_TX, SWAP_TX, Recorded

PAYER = "0x93f65b8c16c263343bbf66cf9f8eef69cb1dbc92d13f0c331b0dcaeb76b4aab6"
RECEIVER = "0x9d6b98b18fd26b5efeec68d020dcf1be7a94c2c315353779bc6b3aed44188ddf"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SuiAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> SuiAdapter:
    return SuiAdapter(get_network("sui"), list(urls), timeout=5.0)


@pytest.fixture
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def url(loopback: Any, recorded: Recorded) -> str:
    return str(loopback(recorded.handle).url)


def test_sui_transfer_from_balance_changes(url: str) -> None:
    tx = adapter(url).fetch(SUI_TX)
    assert (tx.status, tx.block_height, tx.confirmations, tx.timestamp) == (
        TxStatus.CONFIRMED, 123444604, 1, 1742168333)
    # the payer's -101744880 is the 0.1 SUI plus gas: the transfer is what the receiver got
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        (PAYER, RECEIVER, NATIVE, 100_000_000, 9)]
    assert tx.fee_paid == 747000 + 1976000 - 978120 == 101744880 - 100000000


def test_coin_transfer_and_rebate_is_not_a_transfer(url: str) -> None:
    tx = adapter(url).fetch(COIN_TX)
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        ("0x5987852fa4832e820031fd373d6ec8a2cfe84031a59851b8aca60c79b1aa9c2d",
         "0xf0e295b8e40b4d554f1f0e4ac78d79227f1921ccd3059d017d0225553384c781", COIN, 10231646, None)]
    assert tx.fee_paid == -201792          # the sender's SUI rose by the rebate: no SUI transfer


def test_swap_payout_from_a_pool_has_no_known_sender(url: str, recorded: Recorded) -> None:
    changes = recorded.answers[SWAP_TX]["result"]["balanceChanges"]
    coin = changes[1]["coinType"]
    tx = adapter(url).fetch(SWAP_TX)
    # the SUI the swapper paid went to a pool object, not to an address: no SUI transfer; the coin came
    # out of the pool, whose balance is not an address balance: received from an unknown sender
    assert [(t.from_address, t.to_address, t.asset, t.amount) for t in tx.transfers] == [
        (None, address.normalize(c["owner"]["AddressOwner"]), coin, int(c["amount"])) for c in changes[1:]]
    assert tx.block_height == 152448433


def test_unknown_digest_is_not_found(url: str) -> None:
    tx = adapter(url).fetch(SUI_TX[::-1])
    assert tx.status is TxStatus.NOT_FOUND and tx.tx_hash == SUI_TX[::-1]


def test_erroring_and_dead_endpoints_are_retriable(loopback: Any, chaindata: Path, url: str) -> None:
    broken = Recorded(chaindata)
    broken.broken = True
    with pytest.raises(RetriableError, match="HTTP 503"):
        adapter(loopback(broken.handle).url).fetch(SUI_TX)
    results = adapter(refused_url()).fetch_many([SUI_TX, SUI_TX[::-1]])
    assert all(isinstance(r, RetriableError) for r in results)   # never not found
    assert adapter(refused_url(), url).fetch(SUI_TX).status is TxStatus.CONFIRMED


def test_wrong_chain_endpoint(loopback: Any, chaindata: Path) -> None:
    testnet = loopback(Recorded(chaindata, chain="4c78adac").handle)
    with pytest.raises(WrongChain, match="4c78adac"):
        adapter(testnet.url).fetch(SUI_TX)


def test_malformed_digest_in_place(url: str) -> None:
    results = adapter(url).fetch_many(["0x" + "ab" * 32, COIN_TX])
    assert isinstance(results[0], InvalidTxHash) and results[1].status is TxStatus.CONFIRMED


def test_codec_pads_short_forms() -> None:
    assert address.normalize("0x2") == "0x" + "0" * 63 + "2"
    assert address.normalize_coin_type("0x2::sui::SUI") == "0x" + "0" * 63 + "2::sui::SUI"
    assert SuiAdapter.normalize_address(PAYER.upper().replace("0X", "0x")) == PAYER
    assert SuiAdapter.normalize_address(COIN) == COIN
    assert not address.is_valid("93f65b8c") and not address.is_valid("0x" + "g" * 64)
    assert address.display(PAYER) == "0x93f65b…b4aab6"
