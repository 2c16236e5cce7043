"""Hedera adapter against recorded mainnet mirror-node records over loopback HTTP
(tests/support/recorded_hedera.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError
from chains.hedera import codec
from chains.hedera.adapter import HederaAdapter
from chains.http import RetryPolicy
from chains.networks import get_network
from tests.support.recorded_hedera import (
    CRYPTO_TRANSFER_SDK_FORM,
    CRYPTO_TRANSFER_TX,
    FAILED_TX,
    PREFIX,
    RECIPIENT,
    SENDER,
    STAKING_TX,
    TOPIC_TX,
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
    monkeypatch.setattr(HederaAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> HederaAdapter:
    return HederaAdapter(get_network("hedera"), [u + PREFIX for u in urls], timeout=5.0)


def test_both_id_forms_name_the_same_transaction() -> None:
    assert codec.normalize_tx_id(CRYPTO_TRANSFER_SDK_FORM) == CRYPTO_TRANSFER_TX
    assert codec.normalize_tx_id("0.0.950@1646664143.28737238") == FAILED_TX      # nanos padded to 9 digits
    assert codec.normalize("0.0.014684") == RECIPIENT and codec.is_valid(RECIPIENT)
    assert not codec.is_valid("0.0") and not codec.is_valid("0.0.x")


def test_hbar_transfer_without_fee_legs(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(CRYPTO_TRANSFER_SDK_FORM)
    assert (tx.tx_hash, tx.status, tx.confirmations, tx.fee_paid) == (CRYPTO_TRANSFER_TX, TxStatus.CONFIRMED, 1, 78643)
    (t,) = tx.transfers            # node 0.0.5 and 0.0.98 take the fee: they are not recipients
    assert (t.from_address, t.to_address, t.asset, t.amount, t.decimals, t.memo) == (
        SENDER, RECIPIENT, NATIVE, 90000, 8, None)
    assert tx.timestamp == 1646746059
    assert [r.path for r in server.requests] == [f"{PREFIX}/transactions/{CRYPTO_TRANSFER_TX}"]


def test_failed_transaction_with_its_memo(server: Any) -> None:
    tx = adapter(server.url).fetch(FAILED_TX)
    assert (tx.status, tx.transfers) == (TxStatus.FAILED, ())          # only the fee moved


def test_staking_reward_is_not_a_transfer(server: Any, recorded: Recorded) -> None:
    (record,) = recorded.records[STAKING_TX]
    assert record["staking_reward_transfers"] and any(leg["amount"] > 0 for leg in record["transfers"]
                                                      if leg["account"] == "0.0.939841")
    tx = adapter(server.url).fetch(STAKING_TX)
    assert (tx.status, tx.transfers) == (TxStatus.CONFIRMED, ())


def test_fee_only_transaction_has_its_memo_and_no_transfer(server: Any) -> None:
    tx = adapter(server.url).fetch(TOPIC_TX)
    assert (tx.status, tx.transfers) == (TxStatus.CONFIRMED, ())


def test_unknown_id_is_not_found(server: Any) -> None:
    assert adapter(server.url).fetch("0.0.19852-1646746046-457048378").status is TxStatus.NOT_FOUND


def test_other_404_and_errors_are_retriable(loopback: Any, server: Any) -> None:
    bare = loopback(lambda req: (404, "<html>not here</html>"))
    with pytest.raises(RetriableError):
        adapter(bare.url).fetch(CRYPTO_TRANSFER_TX)
    broken = loopback(lambda req: (502, "bad gateway"))
    with pytest.raises(RetriableError):
        adapter(broken.url).fetch(CRYPTO_TRANSFER_TX)
    assert adapter(broken.url, server.url).fetch(CRYPTO_TRANSFER_TX).status is TxStatus.CONFIRMED


def test_an_answer_for_another_id_is_retriable(loopback: Any, recorded: Recorded) -> None:
    stale = loopback(lambda req: (200, {"transactions": recorded.records[FAILED_TX]}))
    with pytest.raises(RetriableError, match="no record"):
        adapter(stale.url).fetch(CRYPTO_TRANSFER_TX)


def test_malformed_id_is_bad_input_before_any_request(server: Any) -> None:
    for bad in ("0.0.19852", "0.0.19852@1646746046", "0.0.19852-1646746046.457048377", "19852-1-2"):
        with pytest.raises(InvalidTxHash):
            adapter(server.url).fetch(bad)
    assert server.requests == []
