"""TON adapter against recorded tonapi v2 mainnet transactions (tests/support/recorded_ton.py), the
address codec against toncenter's own user-friendly encoding, and the memo outcomes through triage on
SQLite and PostgreSQL.

Real transactions (fixtures/chaindata/ton/PROVENANCE.md): 1bb443f1… (5.44 TON arriving with a text
comment) and e535803d… (the sender's wallet transaction that sent it), d9daf890… (0.07 TON in, no
comment), 05c7c2c2… (aborted, with a comment) and f833e3c1… (a wallet transaction failing in its action
phase). No get_masterchain_info answer is recorded: replay tests run with the ton identity unset.
Untested for want of a real sample: a jetton transfer in tonapi shape, the not-found answer, a
wrong-chain endpoint, the right-memo outcome (the only recorded comment is not an exchange-style memo).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.base import NATIVE, Transfer, TxStatus
from chains.errors import InvalidTxHash, RetriableError
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.ton import TonAdapter
from chains.ton import address as ton_address
from recovery.db import session_scope
from recovery.triage import Outcome, short
from recovery.verify import verify
from tests.support import memo_registry
from tests.support.loopback import refused_url
from tests.support.recorded_ton import (
    COMMENT_FROM,
    COMMENT_SEND_TX,
    COMMENT_TEXT,
    COMMENT_TO,
    COMMENT_TX,
    FAILED_COMMENT_TX,
    FAILED_WALLET_TX,
    PLAIN_IN_TX,
    Recorded,
)
from tests.support.refdata import Ref

UNRECORDED = COMMENT_TX[::-1]


@pytest.fixture(autouse=True)
def registry_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    path = memo_registry.write(tmp_path / "networks.toml", drop_identity=["ton"])
    monkeypatch.setattr(TonAdapter, "retry", RetryPolicy(attempts=1))
    monkeypatch.delenv("RECOVERY_RPC_TON", raising=False)
    yield from memo_registry.use(monkeypatch, path)


@pytest.fixture(scope="module")
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def tonapi(loopback: Any, recorded: Recorded) -> Any:
    return loopback(recorded.handle)


def adapter(url: str) -> TonAdapter:
    return TonAdapter(get_network("ton"), [url])


def test_incoming_transfer_with_comment(tonapi: Any) -> None:
    with adapter(tonapi.url) as ton:
        tx = ton.fetch(COMMENT_TX.upper())
    assert (tx.status, tx.tx_hash, tx.confirmations, tx.timestamp, tx.fee_paid) == (
        TxStatus.CONFIRMED, COMMENT_TX, 1, 1703503059, 100002)
    assert tx.transfers == (Transfer(COMMENT_FROM, COMMENT_TO, NATIVE, 5440000000, 9, COMMENT_TEXT),)
    assert [r.path for r in tonapi.requests] == [f"/v2/blockchain/transactions/{COMMENT_TX}"]


def test_sending_wallet_transaction_reports_the_same_transfer(tonapi: Any, recorded: Recorded) -> None:
    sender_tx = recorded.full(COMMENT_SEND_TX)
    b64 = base64.urlsafe_b64encode(bytes.fromhex(sender_tx)).decode()     # the form explorers show
    with adapter(tonapi.url) as ton:
        tx = ton.fetch(b64)
    assert tx.tx_hash == sender_tx and tx.status is TxStatus.CONFIRMED
    assert tx.transfers == (Transfer(COMMENT_FROM, COMMENT_TO, NATIVE, 5440000000, 9, COMMENT_TEXT),)


def test_transfer_without_comment_has_no_memo(tonapi: Any, recorded: Recorded) -> None:
    with adapter(tonapi.url) as ton:
        tx = ton.fetch(recorded.full(PLAIN_IN_TX))
    (t,) = tx.transfers
    assert (t.amount, t.decimals, t.memo, t.asset) == (70000000, 9, None, NATIVE)


@pytest.mark.parametrize("prefix", [FAILED_COMMENT_TX, FAILED_WALLET_TX])
def test_aborted_transactions_are_failed(tonapi: Any, recorded: Recorded, prefix: str) -> None:
    raw = recorded.txs[recorded.full(prefix)]
    assert raw["aborted"] is True and raw["success"] is False
    with adapter(tonapi.url) as ton:
        assert ton.fetch(raw["hash"]).status is TxStatus.FAILED


def test_batch_keeps_order_and_places_errors(tonapi: Any, recorded: Recorded) -> None:
    with adapter(tonapi.url) as ton:
        got = ton.fetch_many([COMMENT_TX, "nope", UNRECORDED, recorded.full(FAILED_WALLET_TX)])
    assert not isinstance(got[0], Exception) and got[0].transfers[0].memo == COMMENT_TEXT
    assert isinstance(got[1], InvalidTxHash)
    assert isinstance(got[2], RetriableError)        # HTTP 404 without tonapi's answer: not "not found"
    assert not isinstance(got[3], Exception) and got[3].status is TxStatus.FAILED
    assert len(tonapi.requests) == 3


def test_dead_endpoint_and_unidentified_endpoint_are_retriable(tonapi: Any) -> None:
    with adapter(refused_url()) as ton, pytest.raises(RetriableError):
        ton.fetch(COMMENT_TX)
    mainnet = memo_registry.shipped("ton")
    assert mainnet.expected_identity() == "17a3a92992aabea785a7a090985a265cd31f323d849da51239737e321fb05569"
    with TonAdapter(mainnet, [tonapi.url]) as checked, pytest.raises(RetriableError, match="404"):
        checked.fetch(COMMENT_TX)
    assert [r.path for r in tonapi.requests] == ["/v2/liteserver/get_masterchain_info"]


def test_malformed_hash_is_bad_input() -> None:
    with adapter(refused_url()) as ton:
        for bad in ("", COMMENT_TX[:-1], "0x" + COMMENT_TX, "!" * 43):
            with pytest.raises(InvalidTxHash):
                ton.fetch(bad)


def test_address_codec_matches_toncenter_encoding(chaindata: Path) -> None:
    book = json.loads((chaindata / "ton" / "gemwallet" / "transaction_transfer_jetton_success.json").read_text())
    forms = {raw: entry["user_friendly"] for raw, entry in book["address_book"].items()}
    assert {f[:2] for f in forms.values()} == {"EQ", "UQ"}          # one bounceable, one non-bounceable
    for raw, friendly in forms.items():
        assert ton_address.normalize(friendly) == ton_address.normalize(raw) == raw.lower()
        assert ton_address.display(raw, bounceable=friendly.startswith("EQ")) == friendly
        other = ton_address.display(raw, bounceable=not friendly.startswith("EQ"))
        assert other != friendly and ton_address.normalize(other) == raw.lower()
        broken = friendly[:-2] + ("AA" if friendly[-2:] != "AA" else "BB")
        assert not ton_address.is_valid(broken) and ton_address.is_valid(friendly)


# -- memo outcomes through triage, on SQLite and PostgreSQL -----------------------------------


@pytest.fixture
def ref(engine: Engine, tmp_path: Path) -> Ref:
    r = Ref(engine, tmp_path)
    r.load("assets", "ton,native,TON,9,0.01,true")
    return r


def check(engine: Engine, tx: str, url: str) -> Any:
    with session_scope(engine) as session:
        return verify(session, "ton", tx, rpc=url)


def test_shared_address_without_comment_is_missing_memo(engine: Engine, ref: Ref, tonapi: Any,
                                                       recorded: Recorded) -> None:
    raw = recorded.txs[recorded.full(PLAIN_IN_TX)]
    ours = ton_address.display(raw["account"]["address"], bounceable=False)      # imported as UQ...
    ref.load("addresses", f"ton,{ours},u-1,1001", f"ton,{ours},u-2,1002")
    v = check(engine, raw["hash"], tonapi.url)
    assert (v.outcome, v.recoverable, v.amount, v.symbol) == (Outcome.MISSING_MEMO, "yes", Decimal("0.07"), "TON"), \
        v.reason


def test_comment_matching_no_user_is_wrong_memo(engine: Engine, ref: Ref, tonapi: Any) -> None:
    ref.load("addresses", f"ton,{ton_address.display(COMMENT_TO)},u-1,1001")        # imported as EQ...
    v = check(engine, COMMENT_TX, tonapi.url)
    assert (v.outcome, v.recoverable, v.amount) == (Outcome.WRONG_MEMO, "yes", Decimal("5.44")), v.reason
    assert "Ref#hR2ayqqP" in v.reason and "proof that they sent it" in v.reason and short(COMMENT_FROM) in v.reason


def test_failed_transfer_to_our_address_is_failed(engine: Engine, ref: Ref, tonapi: Any, recorded: Recorded) -> None:
    raw = recorded.txs[recorded.full(FAILED_COMMENT_TX)]
    ref.load("addresses", f"ton,{raw['account']['address']},u-1,1001")
    v = check(engine, raw["hash"], tonapi.url)
    assert (v.outcome, v.status) == (Outcome.FAILED, "failed"), v.reason


def test_unreachable_node_is_unverifiable(engine: Engine, ref: Ref) -> None:
    v = check(engine, COMMENT_TX, refused_url())
    assert (v.outcome, v.recoverable) == (Outcome.UNVERIFIABLE, "retry"), v.reason


def test_answer_for_another_transaction_is_retriable(loopback: Any, recorded: Recorded) -> None:
    tx = recorded.txs[COMMENT_TX]
    stale = loopback(lambda req: (200, tx))               # answers this recording whatever is asked
    with adapter(stale.url) as ton:
        assert ton.fetch(tx["in_msg"]["hash"]).transfers[0].amount == 5440000000   # looked up by its message
        with pytest.raises(RetriableError, match="answered transaction"):
            ton.fetch(recorded.full(PLAIN_IN_TX))
