"""EOS adapter against recorded chain API answers (tests/support/recorded_eos.py), replayed byte for byte,
and the memo outcome through triage on SQLite and PostgreSQL.

Real answers (fixtures/chaindata/eos/PROVENANCE.md): mainnet transfer 03ef96a2… (0.0012 EOS
longtoulaoda -> b1 with a text memo) from eos.greymass.com without and with traces; mainnet's get_info
(so every replay first passes the endpoint identity check of the shipped registry); Jungle4 testnet's
get_info (the wrong-chain endpoint); a nodeos HTTP 500 error and a mainnet HTTP 400 unknown_block answer
(erroring endpoints).
Untested for want of a real sample: a non-EOS token transfer, a transfer without memo (missing_memo),
an exchange-style memo (right memo), a failed or not yet irreversible transaction, the tx_not_found answer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.base import NATIVE, TxStatus
from chains.eos import EosAdapter
from chains.eos import address as eos_address
from chains.errors import InvalidTxHash, RetriableError, WrongChain
from chains.http import RetryPolicy
from chains.networks import get_network
from recovery.db import session_scope
from recovery.triage import Outcome
from recovery.verify import verify
from tests.support.loopback import refused_url
from tests.support.recorded_eos import (
    ERROR_400,
    ERROR_500,
    FROM,
    JUNGLE4_INFO,
    MAINNET_INFO,
    NO_TRACES,
    TO,
    TRACES,
    TX,
    Node,
    envelope,
)
from tests.support.refdata import Ref

LIB = 323976989          # last_irreversible_block in both recorded answers
BLOCK = 199068081


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EosAdapter, "retry", RetryPolicy(attempts=1))
    monkeypatch.delenv("RECOVERY_RPC_EOS", raising=False)


def serve(loopback: Any, chaindata: Path, **kwargs: Any) -> Any:
    return loopback(Node(chaindata, **kwargs).handle)


def adapter(url: str) -> EosAdapter:
    return EosAdapter(get_network("eos"), [url])


def memo_of(chaindata: Path) -> str:
    return str(envelope(chaindata, NO_TRACES)["json"]["trx"]["trx"]["actions"][0]["data"]["memo"])


@pytest.mark.parametrize("recording", [NO_TRACES, TRACES])
def test_eos_transfer_with_memo(loopback: Any, chaindata: Path, recording: str) -> None:
    node = serve(loopback, chaindata, tx=recording)
    with adapter(node.url) as eos:
        tx = eos.fetch(TX.upper())
    assert (tx.status, tx.tx_hash, tx.block_height, tx.confirmations) == (
        TxStatus.CONFIRMED, TX, BLOCK, LIB - BLOCK + 1)
    assert tx.timestamp == int(datetime(2021, 8, 11, 15, 15, 10, tzinfo=UTC).timestamp())
    (t,) = tx.transfers                   # with traces: the contract's trace, not the two notifications
    assert (t.from_address, t.to_address, t.asset, t.amount, t.decimals) == (FROM, TO, NATIVE, 12, 4)
    assert t.memo == memo_of(chaindata) and len(t.memo) > 64
    assert [r.path for r in node.requests] == ["/v1/chain/get_info", "/v1/history/get_transaction"]
    assert node.requests[1].json() == {"id": TX}


def test_wrong_chain_endpoint_is_refused(loopback: Any, chaindata: Path) -> None:
    node = serve(loopback, chaindata, info=JUNGLE4_INFO)
    mainnet = json.loads((chaindata / "eos" / "evm-public-docs" / MAINNET_INFO).read_text())
    assert get_network("eos").expected_identity() == mainnet["chain_id"]        # the shipped registry's identity
    with adapter(node.url) as eos, pytest.raises(WrongChain, match="73e4385a2708e6d7"):
        eos.fetch(TX)
    assert [r.path for r in node.requests] == ["/v1/chain/get_info"]      # no transaction asked of it


@pytest.mark.parametrize("error", [ERROR_500, ERROR_400])
def test_erroring_endpoint_is_retriable_never_not_found(loopback: Any, chaindata: Path, error: str) -> None:
    node = serve(loopback, chaindata, error=error)
    name = envelope(chaindata, error)["json"]["error"]["name"]
    with adapter(node.url) as eos, pytest.raises(RetriableError, match=name):
        eos.fetch(TX)


def test_batch_places_errors(loopback: Any, chaindata: Path) -> None:
    node = serve(loopback, chaindata)
    with adapter(node.url) as eos:
        got = eos.fetch_many(["xyz", TX, TX[::-1]])
    assert isinstance(got[0], InvalidTxHash)
    assert not isinstance(got[1], Exception) and got[1].transfers[0].amount == 12
    assert isinstance(got[2], RetriableError)           # HTTP 404 with no body: not the API's tx_not_found
    assert len(node.requests) == 3          # get_info once, then the two well-formed ids
    with adapter(refused_url()) as dead, pytest.raises(RetriableError):
        dead.fetch(TX)


def test_answer_for_another_transaction_is_retriable(loopback: Any, chaindata: Path) -> None:
    rec, info = envelope(chaindata, NO_TRACES), (chaindata / "eos" / "evm-public-docs" / MAINNET_INFO).read_bytes()
    stale = loopback(lambda req: (200, info if req.path == "/v1/chain/get_info" else rec["text"].encode()))
    with adapter(stale.url) as eos, pytest.raises(RetriableError, match="answered transaction"):
        eos.fetch(TX[::-1])


def test_malformed_id_and_account_names() -> None:
    with adapter(refused_url()) as eos:
        for bad in ("", TX[:-1], "0x" + TX, TX[:-1] + "z"):
            with pytest.raises(InvalidTxHash):
                eos.fetch(bad)
    assert all(eos_address.is_valid(n) for n in (FROM, TO, "eosio.token", "a"))
    assert not any(eos_address.is_valid(n) for n in ("", "Longtoulaoda", "thirteenchars", "b6", "acct.", "a b"))


# -- memo outcome through triage, on SQLite and PostgreSQL ------------------------------------


@pytest.fixture
def ref(engine: Engine, tmp_path: Path) -> Ref:
    r = Ref(engine, tmp_path)
    r.load("assets", "eos,native,EOS,4,0.0001,true")
    return r


def check(engine: Engine, url: str) -> Any:
    with session_scope(engine) as session:
        return verify(session, "eos", TX, rpc=url)


def test_memo_matching_no_user_is_wrong_memo(engine: Engine, ref: Ref, loopback: Any, chaindata: Path) -> None:
    ref.load("addresses", f"eos,{TO},u-1,1001", f"eos,{TO},u-2,1002")
    v = check(engine, serve(loopback, chaindata).url)
    assert (v.outcome, v.recoverable, v.amount, v.symbol, v.deposit_address) == (
        Outcome.WRONG_MEMO, "yes", Decimal("0.0012"), "EOS", TO), v.reason
    assert (v.confirmations, v.required_confirmations) == (LIB - BLOCK + 1, 1)


def test_not_ours_and_unreachable(engine: Engine, ref: Ref, loopback: Any, chaindata: Path) -> None:
    ref.load("addresses", f"eos,{FROM},u-1,1001")          # the sender is ours, the recipient is not
    v = check(engine, serve(loopback, chaindata).url)
    assert v.outcome is Outcome.NOT_OUR_ADDRESS, v.reason
    v = check(engine, refused_url())
    assert (v.outcome, v.recoverable) == (Outcome.UNVERIFIABLE, "retry"), v.reason
