"""XRP Ledger adapter against recorded mainnet answers over loopback HTTP (tests/support/recorded_xrpl.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.xrpl import codec
from chains.xrpl.adapter import XrplAdapter
from tests.support.loopback import refused_url
from tests.support.recorded_xrpl import (
    JPY_TX,
    NATIVE_TX,
    OFFER_TX,
    PARTIAL_IOU_TX,
    PATH_DRY_TX,
    SHARED,
    TAG_42_TX,
    UNTAGGED_TX,
    Recorded,
)


@pytest.fixture(scope="module")
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def server(loopback: Any, recorded: Recorded) -> Any:
    recorded.served.clear()
    return loopback(recorded.handle)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(XrplAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> XrplAdapter:
    return XrplAdapter(get_network("xrp"), list(urls), timeout=5.0)


def test_codec_accepts_every_recorded_account_and_rejects_a_changed_one(recorded: Recorded) -> None:
    accounts = {r.get("Account") or r["tx_json"]["Account"] for r in recorded.results.values()}
    assert len(accounts) > 15
    for account in accounts:
        assert codec.is_valid(account), account
        assert codec.encode_account(codec.decode_account(account)) == account
    assert get_network("xrp").valid_address(SHARED)
    broken = SHARED[:-1] + ("2" if SHARED[-1] != "2" else "3")
    assert not codec.is_valid(broken)          # the checksum catches one changed character
    assert not codec.is_valid("0" + SHARED[1:])  # '0' is not in the ripple alphabet


def test_native_payment_of_one_drop(server: Any) -> None:
    tx = adapter(server.url).fetch(NATIVE_TX.lower())
    assert (tx.status, tx.block_height, tx.confirmations, tx.fee_paid) == (TxStatus.CONFIRMED, 99743688, 1, 11)
    (t,) = tx.transfers
    assert (t.from_address, t.to_address, t.asset, t.amount, t.decimals, t.memo) == (
        "rnXZ876yGEhoATQSYegtD8bg8wpA8TTX5a", "rnZmVGX6f4pUYyS4oXYJzoLdRojQV8y297", NATIVE, 1, 6, None)
    assert tx.timestamp == 814646090 + 946684800
    assert tx.tx_hash == NATIVE_TX       # upper-case, as rippled writes it


def test_destination_tag_is_the_memo(server: Any) -> None:
    (t,) = adapter(server.url).fetch(TAG_42_TX).transfers
    assert (t.to_address, t.amount, t.memo) == (SHARED, 1000, "42")
    (u,) = adapter(server.url).fetch(UNTAGGED_TX).transfers
    assert (u.to_address, u.amount, u.memo) == (SHARED, 100_000_000, None)


def test_partial_payment_counts_the_delivered_amount_not_amount(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(PARTIAL_IOU_TX)
    (t,) = tx.transfers
    assert recorded.results[PARTIAL_IOU_TX]["tx_json"]["DeliverMax"]["value"] == "10"
    assert t.asset == "USD.rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59B"
    assert Decimal(t.amount).scaleb(-(t.decimals or 0)) == Decimal("9.980039920159681")
    assert (tx.status, tx.block_height) == (TxStatus.CONFIRMED, None)   # the ledger is not recorded


def test_issued_currency_payment_from_a_ledger(server: Any, recorded: Recorded) -> None:
    h = recorded.hash(JPY_TX)
    tx = adapter(server.url).fetch(h)
    (t,) = tx.transfers
    raw = recorded.results[h]
    assert raw["meta"].get("delivered_amount") is None and not int(raw["Flags"]) & 0x00020000
    assert t.asset == f"JPY.{raw['Amount']['issuer']}" and t.to_address == raw["Destination"]
    assert Decimal(t.amount).scaleb(-(t.decimals or 0)) == Decimal(raw["Amount"]["value"])
    assert tx.block_height == 7501326


def test_failed_payment_is_failed(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(recorded.hash(PATH_DRY_TX))
    assert tx.status is TxStatus.FAILED


def test_offer_create_moves_nothing_to_an_address(server: Any) -> None:
    tx = adapter(server.url).fetch(OFFER_TX)
    assert (tx.status, tx.block_height, tx.transfers) == (TxStatus.CONFIRMED, 56865245, ())


def test_unknown_hash_on_a_full_history_node_is_not_found(server: Any) -> None:
    tx = adapter(server.url).fetch(NATIVE_TX[::-1])
    assert tx.status is TxStatus.NOT_FOUND
    assert [r.json()["method"] for r in server.requests] == ["server_info", "tx"]


def test_an_answer_for_another_hash_is_retriable_not_found(server: Any, recorded: Recorded) -> None:
    asked = NATIVE_TX[::-1]
    recorded.served[asked] = NATIVE_TX          # the node answers with a different transaction
    with pytest.raises(RetriableError, match="not the one asked"):
        adapter(server.url).fetch(asked)


def test_erroring_endpoints_are_retriable_never_not_found(loopback: Any, server: Any) -> None:
    broken = loopback(lambda req: (500, "internal error"))
    with pytest.raises(RetriableError):
        adapter(broken.url, refused_url()).fetch(NATIVE_TX)
    tx = adapter(refused_url(), server.url).fetch(NATIVE_TX)     # the next endpoint answers
    assert tx.status is TxStatus.CONFIRMED


def test_malformed_hash_is_bad_input_before_any_request(server: Any) -> None:
    a = adapter(server.url)
    with pytest.raises(InvalidTxHash):
        a.fetch("0x" + NATIVE_TX)
    results = a.fetch_many([NATIVE_TX, "not-a-hash", TAG_42_TX])
    assert isinstance(results[1], InvalidTxHash)
    assert [r.tx_hash for r in (results[0], results[2])] == [NATIVE_TX, TAG_42_TX]   # type: ignore[union-attr]
    assert all(r.json()["params"][0].get("transaction") != "not-a-hash" for r in server.requests)


def test_identity_is_read_once_per_endpoint(server: Any) -> None:
    a = adapter(server.url)
    assert a.identify(a._clients[0]) == "0"
    a.fetch_many([NATIVE_TX, TAG_42_TX, UNTAGGED_TX])
    methods = [r.json()["method"] for r in server.requests]
    assert methods.count("server_info") == 2 and methods.count("tx") == 3   # one identify() above, one check
