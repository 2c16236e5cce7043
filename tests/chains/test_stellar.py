"""Stellar adapter against recorded Horizon answers over loopback HTTP (tests/support/recorded_stellar.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.stellar import codec, envelope
from chains.stellar.adapter import PUBLIC, StellarAdapter
from tests.support.loopback import refused_url
from tests.support.recorded_stellar import (
    FAILED_TX,
    HASH_MEMO_TX,
    NATIVE_TX,
    NGNT_TX,
    OFFER_TX,
    OTHER_NATIVE_TX,
    TESTNET_TX,
    TEXT_MEMO_TX,
    Recorded,
)


@pytest.fixture(scope="module")
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def server(loopback: Any, recorded: Recorded) -> Any:
    return loopback(recorded.handle)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StellarAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> StellarAdapter:
    return StellarAdapter(get_network("stellar"), list(urls), timeout=5.0)


def test_every_mainnet_envelope_hashes_to_its_record(recorded: Recorded) -> None:
    checked = 0
    for h, record in recorded.records.items():
        env = envelope.read(record["envelope_xdr"])
        if h.startswith(TESTNET_TX):
            assert env.hash_under(PUBLIC) != h
            continue
        assert env.hash_under(PUBLIC) == h
        assert env.memo_type == record["memo_type"] and (env.memo or None) == (record.get("memo") or None)
        checked += 1
    assert checked >= 18


def test_strkey_codec_on_recorded_accounts(recorded: Recorded) -> None:
    accounts = {r["source_account"] for r in recorded.records.values()}
    assert len(accounts) > 8
    for account in accounts:
        assert codec.is_valid(account) and get_network("stellar").valid_address(account)
        assert codec.account(codec.decode(account, codec.ACCOUNT)) == account
    one = next(iter(accounts))
    key = codec.decode(one, codec.ACCOUNT)
    assert codec.normalize(codec.muxed(key, 42)) == one          # M... compares as its G... account
    assert not codec.is_valid(one[:-1] + ("A" if one[-1] != "A" else "B"))


def test_native_payment_without_memo(server: Any) -> None:
    tx = adapter(server.url).fetch(NATIVE_TX.upper())
    assert (tx.status, tx.block_height, tx.confirmations) == (TxStatus.CONFIRMED, 27364210, 1)
    (t,) = tx.transfers
    assert (t.from_address, t.to_address, t.asset, t.amount, t.decimals, t.memo) == (
        "GDKIJJIKXLOM2NRMPNQZUUYK24ZPVFC6426GZAEP3KUK6KEJLACCWNMX",
        "GCGVWRW5MHZW5OB2IR6RRFYBG5NV4BXUT5GYBRH2E3FD3TVYVINA72KM", NATIVE, 3976053_0000000, 7, None)


def test_text_memo_is_the_transfer_memo(server: Any) -> None:
    (t,) = adapter(server.url).fetch(TEXT_MEMO_TX).transfers
    assert (t.asset, t.amount, t.memo) == (NATIVE, 3558118360, "298424")


def test_credit_asset_payments(server: Any, recorded: Recorded) -> None:
    (t,) = adapter(server.url).fetch(recorded.hash(NGNT_TX)).transfers
    assert t.asset == "NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD"
    assert (t.amount, t.memo) == (200000_0000000, None)
    (h,) = adapter(server.url).fetch(recorded.hash(HASH_MEMO_TX)).transfers
    assert h.asset.startswith("NODL:") and h.amount == 77
    assert h.memo == recorded.records[recorded.hash(HASH_MEMO_TX)]["memo"]       # base64, as Horizon writes it


def test_failed_transaction(server: Any) -> None:
    tx = adapter(server.url).fetch(FAILED_TX)
    assert (tx.status, tx.block_height, tx.fee_paid) == (TxStatus.FAILED, 58575809, 100)


def test_offer_moves_nothing_to_an_address(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(recorded.hash(OFFER_TX))
    assert (tx.status, tx.transfers) == (TxStatus.CONFIRMED, ())


def test_unknown_hash_is_not_found(server: Any) -> None:
    assert adapter(server.url).fetch(NATIVE_TX[::-1]).status is TxStatus.NOT_FOUND


def test_a_404_without_horizons_problem_body_is_retriable(loopback: Any) -> None:
    bare = loopback(lambda req: (404, "404 page not found"))
    with pytest.raises(RetriableError):
        adapter(bare.url).fetch(NATIVE_TX)


def test_an_answer_for_another_transaction_is_retriable(loopback: Any, recorded: Recorded) -> None:
    stale = loopback(lambda req: (200, recorded.records[NATIVE_TX]))       # the same record for any hash
    with pytest.raises(RetriableError, match="not the one asked"):
        adapter(stale.url).fetch(TEXT_MEMO_TX)


def test_erroring_endpoints_are_retriable_and_the_next_one_answers(loopback: Any, server: Any) -> None:
    broken = loopback(lambda req: (503, "upstream down"))
    with pytest.raises(RetriableError):
        adapter(broken.url, refused_url()).fetch(NATIVE_TX)
    assert adapter(broken.url, server.url).fetch(NATIVE_TX).status is TxStatus.CONFIRMED


def test_a_testnet_transaction_means_a_testnet_endpoint(server: Any, recorded: Recorded) -> None:
    with pytest.raises(WrongChain, match="Stellar testnet"):
        adapter(server.url).fetch(recorded.hash(TESTNET_TX))


def test_malformed_hash_is_bad_input_before_any_request(server: Any) -> None:
    with pytest.raises(InvalidTxHash):
        adapter(server.url).fetch(NATIVE_TX[:-1])
    results = adapter(server.url).fetch_many(["xyz", NATIVE_TX])
    assert isinstance(results[0], InvalidTxHash) and results[1].status is TxStatus.CONFIRMED  # type: ignore[union-attr]
    assert [r.path for r in server.requests] == [f"/transactions/{NATIVE_TX}"]


def test_envelope_payments_agree_with_horizons_own_operation_records(server: Any, chaindata: Path) -> None:
    import json
    from decimal import Decimal

    ops = json.loads((chaindata / "stellar" / "blockatlas_payments_GDKIJJIK.json").read_text())["_embedded"]["records"]
    compared = 0
    for op in ops:
        if op["transaction_hash"] not in (NATIVE_TX, OTHER_NATIVE_TX):
            continue
        (t,) = adapter(server.url).fetch(op["transaction_hash"]).transfers
        assert (t.from_address, t.to_address, t.asset) == (op["from"], op["to"], op["asset_type"])
        assert Decimal(t.amount).scaleb(-7) == Decimal(op["amount"])
        compared += 1
    assert compared == 2
