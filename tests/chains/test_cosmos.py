"""Cosmos SDK adapter against recorded mainnet legacy-LCD answers (tests/support/recorded_cosmos.py), and
the memo outcomes through triage on SQLite and PostgreSQL.

Real transactions (fixtures/chaindata/cosmos/PROVENANCE.md): Kava 30EFE9E8… (MsgSend 9.998 KAVA with memo
`100009547`) and 84FFA6CC… (MsgSend 9.999 KAVA, empty memo); Cosmos Hub 3FEE8F10… (MsgUndelegate). The
MsgSend answers are of Kava (a Cosmos SDK chain the registry does not list), so these tests add a `kava` row
to a test copy of the registry. No node_info answer is recorded: replay tests run with the cosmos identity
unset, and one test shows that an endpoint that cannot say its chain id is not trusted.
Untested for want of a real sample: the gRPC-gateway shape, MsgMultiSend, a non-native denom, a failed
(`code != 0`) transaction, the not-found answer, a wrong-chain endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.base import NATIVE, Transfer, TxStatus
from chains.cosmos import CosmosAdapter
from chains.cosmos import address as bech32
from chains.errors import InvalidTxHash, RetriableError
from chains.http import RetryPolicy
from chains.networks import get_network
from recovery.db import session_scope
from recovery.triage import Outcome, short
from recovery.verify import verify
from tests.support import memo_registry
from tests.support.loopback import refused_url
from tests.support.recorded_cosmos import (
    HUB_UNDELEGATE_TX,
    KAVA_MEMO_TX,
    KAVA_NO_MEMO_TX,
    KAVA_RECIPIENT,
    KAVA_SENDER,
    Recorded,
)
from tests.support.refdata import Ref

NO_MEMO_FROM = "kava1g2rqynrdw22ca7y8a4cj3sncylspsg7r04fcr7"   # 84FFA6CC… sender
UNRECORDED = KAVA_MEMO_TX[::-1]


@pytest.fixture(autouse=True)
def registry_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    path = memo_registry.write(tmp_path / "networks.toml", drop_identity=["cosmos"], extra=[memo_registry.KAVA])
    monkeypatch.setattr(CosmosAdapter, "retry", RetryPolicy(attempts=1))
    monkeypatch.delenv("RECOVERY_RPC_KAVA", raising=False)
    yield from memo_registry.use(monkeypatch, path)


@pytest.fixture(scope="module")
def recorded(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def lcd(loopback: Any, recorded: Recorded) -> Any:
    return loopback(recorded.handle)


def adapter(network: str, url: str) -> CosmosAdapter:
    return CosmosAdapter(get_network(network), [url])


def test_msgsend_with_memo(lcd: Any, recorded: Recorded) -> None:
    with adapter("kava", "legacy+" + lcd.url) as kava:
        tx = kava.fetch(KAVA_MEMO_TX.lower())
    raw = recorded.txs[KAVA_MEMO_TX]
    assert (tx.status, tx.tx_hash, tx.block_height, tx.confirmations) == (TxStatus.CONFIRMED, KAVA_MEMO_TX, 1101012, 1)
    assert tx.transfers == (Transfer(KAVA_SENDER, KAVA_RECIPIENT, NATIVE, 9998000, 6, "100009547"),)
    assert raw["tx"]["value"]["msg"][0]["value"]["amount"] == [{"denom": "ukava", "amount": "9998000"}]
    assert tx.fee_paid == 1000
    assert tx.timestamp == int(datetime(2020, 2, 11, 1, 33, 46, tzinfo=UTC).timestamp())
    assert [r.path for r in lcd.requests] == [f"/txs/{KAVA_MEMO_TX}"]


def test_msgsend_without_memo_and_batch(lcd: Any) -> None:
    with adapter("kava", "legacy+" + lcd.url) as kava:
        got = kava.fetch_many([KAVA_NO_MEMO_TX, "zz", KAVA_MEMO_TX])
    first, bad, second = got
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    assert first.transfers == (Transfer(NO_MEMO_FROM, KAVA_SENDER, NATIVE, 9999000, 6, None),)
    assert isinstance(bad, InvalidTxHash)
    assert second.transfers[0].memo == "100009547"
    assert len(lcd.requests) == 2                       # the malformed id was never sent


def test_hub_staking_message_is_not_a_transfer(lcd: Any) -> None:
    with adapter("cosmos", "legacy+" + lcd.url) as hub:
        tx = hub.fetch(HUB_UNDELEGATE_TX)
    assert (tx.status, tx.block_height, tx.transfers) == (TxStatus.CONFIRMED, 26616, ())


def test_unrecorded_hash_and_gateway_path_are_unverifiable_not_not_found(lcd: Any) -> None:
    with adapter("kava", "legacy+" + lcd.url) as kava, pytest.raises(RetriableError, match="404"):
        kava.fetch(UNRECORDED)          # HTTP 404 without the LCD's not-found answer
    with adapter("kava", lcd.url) as gateway, pytest.raises(RetriableError, match="404"):
        gateway.fetch(KAVA_MEMO_TX)     # the gRPC-gateway path is not served by this legacy LCD
    assert lcd.requests[-1].path == f"/cosmos/tx/v1beta1/txs/{KAVA_MEMO_TX}"


def test_dead_endpoint_is_retriable() -> None:
    with adapter("kava", "legacy+" + refused_url()) as kava, pytest.raises(RetriableError):
        kava.fetch(KAVA_MEMO_TX)


def test_endpoint_that_cannot_say_its_chain_is_not_trusted(lcd: Any) -> None:
    hub = memo_registry.shipped("cosmos")
    assert hub.expected_identity() == "cosmoshub-4"
    with CosmosAdapter(hub, ["legacy+" + lcd.url]) as checked, pytest.raises(RetriableError, match="404"):
        checked.fetch(HUB_UNDELEGATE_TX)
    assert [r.path for r in lcd.requests] == ["/node_info"]     # asked who it is, got no answer: no tx asked


def test_malformed_hash_is_bad_input() -> None:
    with adapter("cosmos", "legacy+" + refused_url()) as hub:
        for bad in ("", "0x" + KAVA_MEMO_TX, KAVA_MEMO_TX[:-1], KAVA_MEMO_TX[:-1] + "g"):
            with pytest.raises(InvalidTxHash):
                hub.fetch(bad)


def test_bech32_codec() -> None:
    assert bech32.is_valid(KAVA_SENDER, "kava") and not bech32.is_valid(KAVA_SENDER, "cosmos")
    assert bech32.is_valid("cosmos1dx27g0kzhwej0ekcf2k9hsktcxnmpl7fcehcvq", "cosmos")
    assert not bech32.is_valid(KAVA_SENDER[:-1] + ("q" if KAVA_SENDER[-1] != "q" else "p"), "kava")   # checksum
    assert bech32.normalize(KAVA_SENDER.upper(), "kava") == KAVA_SENDER
    assert bech32.normalize("ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2", "kava") == \
        "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"          # denoms stay as written
    hrp, payload = bech32.bech32_decode(KAVA_SENDER) or ("", b"")
    assert bech32.bech32_encode(hrp, payload) == KAVA_SENDER and len(payload) == 20


# -- memo outcomes through triage, on SQLite and PostgreSQL -----------------------------------


@pytest.fixture
def ref(engine: Engine, tmp_path: Path) -> Ref:
    r = Ref(engine, tmp_path)
    r.load("assets", "kava,native,KAVA,6,1,true")
    return r


def check(engine: Engine, tx: str, url: str) -> Any:
    with session_scope(engine) as session:
        return verify(session, "kava", tx, rpc="legacy+" + url)


def test_shared_address_without_memo_is_missing_memo(engine: Engine, ref: Ref, lcd: Any) -> None:
    ref.load("addresses", f"kava,{KAVA_SENDER},u-1,100001", f"kava,{KAVA_SENDER},u-2,100002")
    v = check(engine, KAVA_NO_MEMO_TX, lcd.url)
    assert (v.outcome, v.recoverable, v.amount, v.deposit_address) == (
        Outcome.MISSING_MEMO, "yes", Decimal("9.999"), KAVA_SENDER), v.reason
    assert "ask the user for their user id" in v.reason and short(NO_MEMO_FROM) in v.reason   # what to ask for


def test_memo_matching_no_user_is_wrong_memo(engine: Engine, ref: Ref, lcd: Any) -> None:
    ref.load("addresses", f"kava,{KAVA_RECIPIENT},u-1,100001")
    v = check(engine, KAVA_MEMO_TX, lcd.url)
    assert (v.outcome, v.recoverable, v.amount) == (Outcome.WRONG_MEMO, "yes", Decimal("9.998")), v.reason
    assert "100009547" in v.reason and "the memo they meant" in v.reason and short(KAVA_SENDER) in v.reason


def test_right_memo_is_an_ordinary_deposit(engine: Engine, ref: Ref, lcd: Any) -> None:
    ref.load("addresses", f"kava,{KAVA_RECIPIENT},u-1,100001", f"kava,{KAVA_RECIPIENT},u-9547,100009547")
    v = check(engine, KAVA_MEMO_TX, lcd.url)
    assert (v.outcome, v.user_id, v.amount, v.symbol) == (Outcome.UNCREDITED, "u-9547", Decimal("9.998"), "KAVA"), \
        v.reason
    ref.load("credits", f"kava,{KAVA_MEMO_TX.lower()},u-9547,native,9.998")
    assert check(engine, KAVA_MEMO_TX, lcd.url).outcome is Outcome.CREDITED


def test_unreachable_node_is_unverifiable(engine: Engine, ref: Ref) -> None:
    ref.load("addresses", f"kava,{KAVA_RECIPIENT},u-9547,100009547")
    v = check(engine, KAVA_MEMO_TX, refused_url())
    assert (v.outcome, v.recoverable) == (Outcome.UNVERIFIABLE, "retry"), v.reason


def test_answer_for_another_transaction_is_retriable(loopback: Any, recorded: Recorded) -> None:
    stale = loopback(lambda req: (200, recorded.txs[KAVA_MEMO_TX]))     # this recording whatever is asked
    with adapter("kava", "legacy+" + stale.url) as kava, pytest.raises(RetriableError, match="answered transaction"):
        kava.fetch(KAVA_NO_MEMO_TX)
