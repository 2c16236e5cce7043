"""Tezos: the address codec on recorded mainnet addresses, and the TzKT adapter's handling of bad
input and failing endpoints. No TzKT answer with a citable source is recorded, so the adapter's
mapping of transfers and statuses is not tested on real data (the family is listed untested)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chains.errors import InvalidTxHash, RetriableError
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.registry import TESTED_ON_REAL_DATA
from chains.tezos import address
from chains.tezos.adapter import TezosAdapter
from tests.support.loopback import refused_url

OP = "op3GZiumMFEGWNPae1GDGEG2skKEibhEgusKc7XBG7gzxbSg5SD"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TezosAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> TezosAdapter:
    return TezosAdapter(get_network("tezos"), list(urls), timeout=5.0)


@pytest.fixture(scope="module")
def operation(chaindata: Path) -> dict[str, Any]:
    return dict(json.loads((chaindata / "tezos" / f"operation_{OP}.json").read_text()))


def test_codec_on_the_recorded_operation(operation: dict[str, Any]) -> None:
    content = operation["contents"][0]
    assert address.decode(content["source"])[0] == "tz1" and address.is_contract(content["destination"])
    assert address.is_operation_hash(operation["hash"]) and not address.is_operation_hash(operation["hash"][:-1] + "1")
    # the contract's storage holds addresses in Michelson's 22-byte form: each decodes to a valid address
    storage = operation["contents"][0]["metadata"]["operation_result"]["storage"]
    packed = [item["bytes"] for item in storage if isinstance(item, dict) and len(item.get("bytes", "")) == 44]
    packed += [item["bytes"] for group in storage if isinstance(group, list) for item in group]
    decoded = [address.from_bytes(bytes.fromhex(b)) for b in packed]
    assert len(decoded) >= 20 and all(address.is_valid(a) for a in decoded)
    assert {a[:3] for a in decoded} == {"tz1", "KT1"}
    for a in decoded:
        kind, key = address.decode(a)
        assert address.encode(kind, key) == a


def test_codec_on_recorded_explorer_addresses(chaindata: Path) -> None:
    # TzStats (blockatlas mock): the sender/receiver of every recorded operation
    [path] = (chaindata / "tezos").glob("tezos-api_account_*.json")
    doc = json.loads(path.read_text())
    seen = {op[k] for op in doc["ops"] for k in ("sender", "receiver") if op.get(k)}
    assert len(seen) >= 2 and all(address.is_valid(a) for a in seen)
    assert not address.is_valid("tz1foWxaV3VQyWqFbWTERS6YDJjPT6C7jPp9")
    assert not address.is_valid("tz5foWxaV3VQyWqFbWTERS6YDJjPT6C7jPp8")


def test_malformed_hash_is_bad_input() -> None:
    results = adapter(refused_url()).fetch_many([OP[:-1] + "1", "0xabc"])
    assert all(isinstance(r, InvalidTxHash) for r in results)


def test_dead_and_erroring_endpoints_are_retriable(loopback: Any) -> None:
    [dead] = adapter(refused_url()).fetch_many([OP])
    assert isinstance(dead, RetriableError)
    broken = loopback(lambda req: (502, "Bad Gateway"))
    with pytest.raises(RetriableError, match="HTTP 502"):
        adapter(broken.url).fetch(OP)


def test_listed_as_untested() -> None:
    assert "tezos" not in TESTED_ON_REAL_DATA
