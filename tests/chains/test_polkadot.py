"""Polkadot adapter against recorded sidecar answers over loopback HTTP (tests/support/recorded_polkadot.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.polkadot import address
from chains.polkadot.adapter import PolkadotAdapter
from tests.support.loopback import refused_url
from tests.support.recorded_polkadot import (
    ALLOW_DEATH,
    BATCH_ALL,
    FAILED_KEEP_ALIVE,
    FAILED_TRANSFER,
    NEW_ACCOUNT,
    TRANSFER_KEEP_ALIVE,
    Recorded,
    claim,
)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PolkadotAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


@pytest.fixture(scope="module")
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def url(loopback: Any, recorded: Recorded) -> str:
    return str(loopback(recorded.handle).url)


def adapter(*urls: str) -> PolkadotAdapter:
    return PolkadotAdapter(get_network("polkadot"), list(urls), timeout=5.0)


@pytest.mark.parametrize("tx_hash", [TRANSFER_KEEP_ALIVE, NEW_ACCOUNT, ALLOW_DEATH])
def test_dot_transfer_from_its_event(url: str, recorded: Recorded, tx_hash: str) -> None:
    ext = recorded.extrinsic(tx_hash)
    tx = adapter(url).fetch(claim(tx_hash).upper().replace("0X", "0x"))
    assert (tx.tx_hash, tx.status, tx.confirmations) == (claim(tx_hash), TxStatus.CONFIRMED, 1)
    assert tx.block_height == int(claim(tx_hash).split("@")[1])
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        (ext["signature"]["signer"]["id"], ext["args"]["dest"]["id"], NATIVE, int(ext["args"]["value"]), 10)]
    assert tx.fee_paid == int(ext["info"]["partialFee"])
    block = recorded.blocks[claim(tx_hash).split("@")[1]]
    stamp = next(x["args"]["now"] for x in block["extrinsics"] if x["method"]["pallet"] == "timestamp")
    assert tx.timestamp == int(stamp) // 1000       # the block's timestamp.set inherent, milliseconds


def test_batch_all_transfers(url: str) -> None:
    tx = adapter(url).fetch(claim(BATCH_ALL))
    assert [t.amount for t in tx.transfers] == [29277534802400, 1617580000000, 1200200000000]
    assert {t.from_address for t in tx.transfers} == {"1qnJN7FViy3HZaxZK9tGAA71zxHSBeUweirKqCaox4t8GT7"}


@pytest.mark.parametrize("tx_hash", [FAILED_TRANSFER, FAILED_KEEP_ALIVE])
def test_extrinsic_failed(url: str, recorded: Recorded, tx_hash: str) -> None:
    ext = recorded.extrinsic(tx_hash)
    assert [e["method"]["method"] for e in ext["events"]][-1] == "ExtrinsicFailed"
    tx = adapter(url).fetch(claim(tx_hash))
    assert tx.status is TxStatus.FAILED
    # the intended transfer, from the call's args (no Transfer event: nothing moved)
    assert [(t.to_address, t.amount) for t in tx.transfers] == [(ext["args"]["dest"]["id"], int(ext["args"]["value"]))]


def test_hash_absent_from_the_named_block_is_not_found(url: str) -> None:
    tx = adapter(url).fetch(f"{FAILED_KEEP_ALIVE}@4947391")     # a real extrinsic, of another block
    assert tx.status is TxStatus.NOT_FOUND and tx.tx_hash == f"{FAILED_KEEP_ALIVE}@4947391"


def test_unrecorded_block_and_dead_endpoint_are_retriable(url: str) -> None:
    with pytest.raises(RetriableError, match="HTTP 500"):
        adapter(url).fetch(f"{TRANSFER_KEEP_ALIVE}@4947392")
    [result] = adapter(refused_url()).fetch_many([claim(TRANSFER_KEEP_ALIVE)])
    assert isinstance(result, RetriableError)
    assert adapter(refused_url(), url).fetch(claim(TRANSFER_KEEP_ALIVE)).status is TxStatus.CONFIRMED


def test_kusama_endpoint_is_refused(loopback: Any, chaindata: Path) -> None:
    kusama = loopback(Recorded(chaindata, spec="kusama").handle)
    with pytest.raises(WrongChain, match="kusama"):
        adapter(kusama.url).fetch(claim(TRANSFER_KEEP_ALIVE))


def test_bad_input_in_place(url: str) -> None:
    results = adapter(url).fetch_many([TRANSFER_KEEP_ALIVE, "0x1234@5", claim(ALLOW_DEATH)])
    assert isinstance(results[0], InvalidTxHash) and "@BLOCK_NUMBER" in results[0].user_message
    assert isinstance(results[1], InvalidTxHash)
    assert results[2].status is TxStatus.CONFIRMED


def test_ss58_codec_on_recorded_addresses(recorded: Recorded) -> None:
    seen = 0
    for block in recorded.blocks.values():
        for ext in block["extrinsics"]:
            signer = (ext.get("signature") or {}).get("signer")
            if signer:
                prefix, key = address.decode(signer["id"])
                assert prefix == 0 and address.encode(key) == signer["id"] and address.is_valid(signer["id"])
                seen += 1
    assert seen >= 8
    # Kusama (prefix 2, 2020 plain AccountId): the same key normalises to its Polkadot form
    ksm_ext = next(x for x in recorded.kusama_block["extrinsics"] if x["method"]["pallet"] == "balances")
    ksm = ksm_ext["args"]["dest"]
    prefix, key = address.decode(ksm)
    assert prefix == 2 and not address.is_valid(ksm) and address.is_valid(ksm, address.KUSAMA)
    assert address.normalize(ksm) == address.encode(key, 0) == address.normalize("0x" + key.hex())
    assert PolkadotAdapter.normalize_address(ksm) == PolkadotAdapter.normalize_address(address.encode(key, 42))
    broken = ksm[:-1] + ("1" if ksm[-1] != "1" else "2")
    assert not address.is_valid(broken, address.KUSAMA) and address.normalize(broken) == broken


def test_explorer_link_names_the_hash_alone() -> None:
    net = get_network("polkadot")
    assert net.explorer_url(claim(TRANSFER_KEEP_ALIVE)) == f"https://polkadot.subscan.io/extrinsic/{TRANSFER_KEEP_ALIVE}"
