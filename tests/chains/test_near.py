"""NEAR adapter against recorded mainnet answers over loopback HTTP (tests/support/recorded_near.py says
what is replayed and what is derived: the final head, the identity answer)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.near import address
from chains.near.adapter import NearAdapter
from chains.networks import get_network
from tests.support.loopback import refused_url
from tests.support.recorded_near import (
    FAILED_SIGNER,
    FAILED_TX,
    FINAL_TX,
    FT_SIGNER,
    FT_TO,
    FT_TX,
    GEM_SIGNER,
    GEM_TO,
    NATIVE_SIGNER,
    NATIVE_TO,
    NATIVE_TX,
    OPTIMISTIC_TX,
    SWEAT,
    Recorded,
)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NearAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> NearAdapter:
    return NearAdapter(get_network("near"), list(urls), timeout=5.0)


def serve(loopback: Any, chaindata: Path, **kwargs: Any) -> Any:
    return loopback(Recorded(chaindata, **kwargs).handle)


def test_native_transfer(loopback: Any, chaindata: Path) -> None:
    tx = adapter(serve(loopback, chaindata).url).fetch(f"{NATIVE_TX}@{NATIVE_SIGNER}")
    assert (tx.tx_hash, tx.status, tx.block_height, tx.confirmations) == (
        f"{NATIVE_TX}@{NATIVE_SIGNER}", TxStatus.CONFIRMED, 76538230, 1)
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        (NATIVE_SIGNER, NATIVE_TO, NATIVE, 50_000_000_000_000_000_000_000, 24)]   # 0.05 NEAR
    assert tx.fee_paid == 2 * 42455506250000000000   # tokens burnt by the transaction and its receipt
    header = Recorded(chaindata).blocks["76538230"]["result"]["header"]
    assert tx.timestamp == header["timestamp"] // 10**9 == 1666142881   # the block header's nanoseconds


def test_ft_transfer_with_memo_not_yet_final(loopback: Any, chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    call = recorded.txs[FT_TX]["result"]["transaction"]["actions"][0]["FunctionCall"]
    args = json.loads(base64.b64decode(call["args"]))          # what the chain recorded, decoded here too
    tx = adapter(loopback(recorded.handle).url).fetch(f"{FT_TX}@{FT_SIGNER}")
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals, t.memo) for t in tx.transfers] == [
        (FT_SIGNER, FT_TO, SWEAT, int(args["amount"]), None, "sw:t:myOqRwzBQ9")]
    assert tx.contract_recipients == {SWEAT}
    # its block 76538232 is past the final head (76538230, the last final block block 76538232 names)
    assert (tx.status, tx.block_height, tx.confirmations) == (TxStatus.CONFIRMED, 76538232, 0)
    final = adapter(serve(loopback, chaindata, final=76538232).url).fetch(f"{FT_TX}@{FT_SIGNER}")
    assert final.confirmations == 1


@pytest.mark.parametrize(("tx_hash", "amount", "confirmations"), [
    (FINAL_TX, 10**24, 1),                  # final_execution_status FINAL: 1 NEAR, final
    (OPTIMISTIC_TX, 10**22, 0),             # EXECUTED_OPTIMISTIC: executed, not final yet
])
def test_final_execution_status_sets_finality(loopback: Any, chaindata: Path, tx_hash: str, amount: int,
                                               confirmations: int) -> None:
    srv = loopback(Recorded(chaindata).handle)
    tx = adapter(srv.url).fetch(f"{tx_hash}@{GEM_SIGNER}")
    assert (tx.status, tx.confirmations, tx.block_height, tx.timestamp) == (
        TxStatus.CONFIRMED, confirmations, None, None)                        # no block: no time either
    assert [(t.from_address, t.to_address, t.asset, t.amount) for t in tx.transfers] == [
        (GEM_SIGNER, GEM_TO, NATIVE, amount)]
    assert {r.json()["method"] for r in srv.requests} == {"status", "tx"}      # no block lookups


def test_failure_in_a_receipt_is_failed(loopback: Any, chaindata: Path) -> None:
    tx = adapter(serve(loopback, chaindata).url).fetch(f"{FAILED_TX}@{FAILED_SIGNER}")
    assert tx.status is TxStatus.FAILED and tx.transfers == ()


def test_unrecorded_answer_is_never_not_found(loopback: Any, chaindata: Path) -> None:
    # the node answers an error that is not UNKNOWN_TRANSACTION: retriable, not "not found"
    with pytest.raises(RetriableError, match="UNKNOWN_BLOCK"):
        adapter(serve(loopback, chaindata).url).fetch(f"{NATIVE_TX}@someone.near")


def test_erroring_and_dead_endpoints_are_retriable(loopback: Any, chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    recorded.broken.add("block")
    with pytest.raises(RetriableError, match="HTTP 500"):
        adapter(loopback(recorded.handle).url).fetch(f"{NATIVE_TX}@{NATIVE_SIGNER}")
    [result] = adapter(refused_url()).fetch_many([f"{NATIVE_TX}@{NATIVE_SIGNER}"])
    assert isinstance(result, RetriableError)
    # a dead first endpoint falls over to the recorded one
    tx = adapter(refused_url(), serve(loopback, chaindata).url).fetch(f"{NATIVE_TX}@{NATIVE_SIGNER}")
    assert tx.status is TxStatus.CONFIRMED


def test_wrong_chain_endpoint(loopback: Any, chaindata: Path) -> None:
    with pytest.raises(WrongChain, match="testnet"):
        adapter(serve(loopback, chaindata, chain_id="testnet").url).fetch(f"{NATIVE_TX}@{NATIVE_SIGNER}")


def test_batch_keeps_order_and_bad_input_in_place(loopback: Any, chaindata: Path) -> None:
    url = serve(loopback, chaindata).url
    results = adapter(url).fetch_many([f"{FAILED_TX}@{FAILED_SIGNER}", "0xabc", NATIVE_TX,
                                       f"{NATIVE_TX}@{NATIVE_SIGNER.upper()}"])
    assert results[0].status is TxStatus.FAILED
    assert isinstance(results[1], InvalidTxHash)
    assert isinstance(results[2], InvalidTxHash) and "HASH@signer" in results[2].user_message
    assert results[3].tx_hash == f"{NATIVE_TX}@{NATIVE_SIGNER}"      # the signer is lower-cased


def test_account_codec_on_recorded_ids(chaindata: Path) -> None:
    recorded = Recorded(chaindata)
    for tx in recorded.txs.values():
        t = tx["result"]["transaction"]
        for account in (t["signer_id"], t["receiver_id"]):
            assert address.is_valid(account) and address.normalize(account.upper()) == account
    assert address.is_implicit(NATIVE_TO) and not address.is_implicit(SWEAT)
    for bad in ("a", "Bad..id", "-x.near", "x" * 65):
        assert not address.is_valid(bad)
    assert address.display(NATIVE_TO) == "2b9c8ffb…a564a9"
