"""Tezos: the TzKT adapter against recorded mainnet answers over loopback HTTP
(tests/support/recorded_tezos.py says what is replayed and derived), and the address codec on recorded
mainnet addresses. TzKT's not-found answer is not recorded: not found is not tested on real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, TxStatus
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.tezos import address
from chains.tezos.adapter import TezosAdapter
from tests.support.loopback import refused_url
from tests.support.recorded_tezos import DEXTER, FAILED_OP, SWAP_LEVEL, SWAP_OP, SWAPPER, TZBTC, Recorded

OP = "op3GZiumMFEGWNPae1GDGEG2skKEibhEgusKc7XBG7gzxbSg5SD"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TezosAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> TezosAdapter:
    return TezosAdapter(get_network("tezos"), list(urls), timeout=5.0)


@pytest.fixture
def url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(Recorded(chaindata).handle).url)


def test_internal_xtz_and_fa12_transfers(url: str, chaindata: Path) -> None:
    tx = adapter(url).fetch(SWAP_OP)
    assert (tx.status, tx.block_height, tx.confirmations) == (TxStatus.CONFIRMED, SWAP_LEVEL, 10)
    assert [(t.from_address, t.to_address, t.asset, t.amount, t.decimals) for t in tx.transfers] == [
        (DEXTER, SWAPPER, NATIVE, 125060096, 6),        # the internal payout of the swap, 125.060096 XTZ
        (SWAPPER, DEXTER, TZBTC, 1925220, None)]        # the FA1.2 transfer() the swap made
    assert tx.contract_recipients == {TZBTC, DEXTER}
    ops = Recorded(chaindata).ops[SWAP_OP]
    assert tx.fee_paid == sum(o["bakerFee"] + o["storageFee"] + o["allocationFee"] for o in ops) == 20929 + 64075
    assert tx.timestamp == 1603895588                   # 2020-10-28T14:33:08Z


def test_failed_call(url: str) -> None:
    tx = adapter(url).fetch(FAILED_OP)
    assert tx.status is TxStatus.FAILED and tx.block_height == 1190194
    assert [(t.to_address, t.amount) for t in tx.transfers] == [(DEXTER, 1000000)]   # asked for, not moved


def test_pending_until_two_blocks(loopback: Any, chaindata: Path) -> None:
    tx = adapter(loopback(Recorded(chaindata, head=SWAP_LEVEL).handle).url).fetch(SWAP_OP)
    assert tx.confirmations == 1


def test_unknown_hash_without_tzkt_answer_is_retriable(url: str) -> None:
    with pytest.raises(RetriableError, match="404|not JSON"):
        adapter(url).fetch(OP)


def test_ghostnet_endpoint_is_refused(loopback: Any, chaindata: Path) -> None:
    ghost = loopback(Recorded(chaindata, ghostnet=True).handle)
    with pytest.raises(WrongChain, match="NetXnHfVqm9iesp"):
        adapter(ghost.url).fetch(SWAP_OP)


def test_malformed_hash_is_bad_input(url: str) -> None:
    results = adapter(url).fetch_many([OP[:-1] + "1", "0xabc", SWAP_OP])
    assert isinstance(results[0], InvalidTxHash) and isinstance(results[1], InvalidTxHash)
    assert results[2].status is TxStatus.CONFIRMED


def test_dead_and_erroring_endpoints_are_retriable(loopback: Any, url: str) -> None:
    [dead] = adapter(refused_url()).fetch_many([SWAP_OP])
    assert isinstance(dead, RetriableError)
    broken = loopback(lambda req: (502, "Bad Gateway"))
    with pytest.raises(RetriableError, match="HTTP 502"):
        adapter(broken.url).fetch(SWAP_OP)
    assert adapter(refused_url(), url).fetch(SWAP_OP).status is TxStatus.CONFIRMED


def test_codec_on_recorded_addresses(chaindata: Path) -> None:
    operation = json.loads((chaindata / "tezos" / f"operation_{OP}.json").read_text())
    content = operation["contents"][0]
    assert address.decode(content["source"])[0] == "tz1" and address.is_contract(content["destination"])
    assert address.is_operation_hash(operation["hash"]) and not address.is_operation_hash(operation["hash"][:-1] + "1")
    # the contract's storage holds addresses in Michelson's 22-byte form: each decodes to a valid address
    storage = content["metadata"]["operation_result"]["storage"]
    packed = [item["bytes"] for item in storage if isinstance(item, dict) and len(item.get("bytes", "")) == 44]
    packed += [item["bytes"] for group in storage if isinstance(group, list) for item in group]
    decoded = [address.from_bytes(bytes.fromhex(b)) for b in packed]
    assert len(decoded) >= 20 and {a[:3] for a in decoded} == {"tz1", "KT1"}
    for a in decoded:
        kind, key = address.decode(a)
        assert address.encode(kind, key) == a
    # TzStats (blockatlas mock) and TzKT (kukai) answers: every address they write is valid
    [path] = (chaindata / "tezos").glob("tezos-api_account_*.json")
    seen = {op[k] for op in json.loads(path.read_text())["ops"] for k in ("sender", "receiver") if op.get(k)}
    for op in Recorded(chaindata).ops[SWAP_OP]:
        seen |= {op[k]["address"] for k in ("sender", "target") if op.get(k)}
    assert len(seen) >= 5 and all(address.is_valid(a) for a in seen)
    assert not address.is_valid(SWAPPER[:-1] + ("1" if SWAPPER[-1] != "1" else "2"))
    assert not address.is_valid("tz5" + SWAPPER[3:])
