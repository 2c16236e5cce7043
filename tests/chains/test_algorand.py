"""Algorand adapter against recorded mainnet transaction objects over loopback HTTP
(tests/support/recorded_algorand.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.algorand import codec
from chains.algorand.adapter import AlgorandAdapter
from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError
from chains.http import RetryPolicy
from chains.networks import get_network
from tests.support.recorded_algorand import (
    APP_CALL_TX,
    AXFER_TX,
    CURRENT_ROUND,
    OPT_IN_TX,
    OPT_OUT_TX,
    PAY_NOTE,
    PAY_TX,
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
    monkeypatch.setattr(AlgorandAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> AlgorandAdapter:
    return AlgorandAdapter(get_network("algorand"), list(urls), timeout=5.0)


def test_codec_on_recorded_addresses(recorded: Recorded) -> None:
    addresses = {t["sender"] for t in recorded.txs.values()}
    assert len(addresses) == len(recorded.txs)
    for address in addresses:
        assert codec.is_valid(address) and get_network("algorand").valid_address(address)
        assert codec.encode(codec.decode(address)) == address
    one = next(iter(addresses))
    assert not codec.is_valid(one[:-1] + ("A" if one[-1] != "A" else "B"))


def test_payment_with_its_note_as_memo(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(PAY_TX.lower())
    assert (tx.tx_hash, tx.status, tx.block_height, tx.fee_paid) == (PAY_TX, TxStatus.CONFIRMED, 36570178, 1000)
    assert tx.confirmations == CURRENT_ROUND - 36570178 + 1 and tx.timestamp == 1709189521
    (t,) = tx.transfers
    assert (t.from_address, t.to_address, t.asset, t.amount, t.decimals, t.memo) == (
        "M3IAMWFYEIJWLWFIIOEDFOLGIVMEOB3F4I3CA4BIAHJENHUUSX63APOXXM",
        "KIZLH4HUM5ZIB5RVP6DR2IGXB44TGJ6HZUZIAYZFZ63KWCAQB2EZGPU5BQ", NATIVE, 236070000, 6, PAY_NOTE)
    # the endpoint's chain was read once, before the first lookup
    assert [r.path for r in server.requests] == ["/v2/transactions", f"/v2/transactions/{PAY_TX}"]


def test_asset_transfer_has_the_asa_id_as_asset(server: Any, recorded: Recorded) -> None:
    (t,) = adapter(server.url).fetch(AXFER_TX).transfers
    raw = recorded.txs[AXFER_TX]
    assert (t.from_address, t.to_address, t.asset, t.amount, t.decimals) == (
        raw["sender"], "OCD5PQECXPYOVTLWVS3FHIODQX5FOV4QNNVMU22BSVDMP2FAJD52OV4IFA", "523683256", 300000, None)
    assert t.memo and t.memo.startswith("\x00")        # a UTF-16 note, kept as the chain wrote it


def test_opt_in_and_empty_opt_out_move_nothing(server: Any) -> None:
    a = adapter(server.url)
    assert a.fetch(OPT_IN_TX).transfers == ()
    assert a.fetch(OPT_OUT_TX).transfers == ()        # close-to given, but close-amount 0


def test_inner_payment_of_an_app_call(server: Any, recorded: Recorded) -> None:
    (t,) = adapter(server.url).fetch(APP_CALL_TX).transfers
    inner = recorded.txs[APP_CALL_TX]["inner-txns"][0]
    assert (t.from_address, t.to_address, t.amount) == (inner["sender"], recorded.txs[APP_CALL_TX]["sender"],
                                                        236706032)


def test_unknown_id_without_the_indexers_message_is_unverifiable(server: Any) -> None:
    with pytest.raises(RetriableError, match="404"):
        adapter(server.url).fetch(PAY_TX[::-1])


def test_erroring_endpoints_are_retriable_and_the_next_answers(loopback: Any, server: Any) -> None:
    broken = loopback(lambda req: (500, "{}"))
    with pytest.raises(RetriableError):
        adapter(broken.url).fetch(PAY_TX)
    assert adapter(broken.url, server.url).fetch(PAY_TX).status is TxStatus.CONFIRMED


def test_an_answer_for_another_id_is_retriable(loopback: Any, recorded: Recorded) -> None:
    def stale(req: Any) -> tuple[int, Any]:
        if req.path == "/v2/transactions":
            return 200, {"current-round": CURRENT_ROUND, "transactions": [recorded.txs[PAY_TX]]}
        return 200, {"current-round": CURRENT_ROUND, "transaction": recorded.txs[AXFER_TX]}

    with pytest.raises(RetriableError, match="not the one asked"):
        adapter(loopback(stale).url).fetch(PAY_TX)


def test_malformed_id_is_bad_input_before_any_request(server: Any) -> None:
    for bad in (PAY_TX[:-1], PAY_TX + "A", "0x" + PAY_TX[2:], PAY_TX[:-1] + "1"):
        with pytest.raises(InvalidTxHash):
            adapter(server.url).fetch(bad)
    assert server.requests == []
