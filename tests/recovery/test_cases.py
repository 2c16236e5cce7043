"""The case service on SQLite and PostgreSQL: roles, approvals, voiding, quotes, execution checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from chains.base import ChainTx, Transfer, TxStatus
from recovery.audit import verify_chain
from recovery.case_models import Approval, Case, Quote
from recovery.cases import CaseService, active_approvals, list_cases
from recovery.db import session_scope
from recovery.errors import BadInput, NotConfigured, Refused
from recovery.models import Price
from recovery.reference import key_asset
from recovery.triage import Outcome, Verdict

TOKEN = "0x" + "ab" * 20
DEPOSIT = "0x" + "cd" * 20
SENDER = "0x" + "ee" * 20
TX = "0x" + "11" * 32
RECOVERY_TX = "0x" + "22" * 32


def verdict(amount: int = 5000, outcome: Outcome = Outcome.UNLISTED_TOKEN, user: str = "u1",
            block: int = 10) -> Verdict:
    t = Transfer(from_address=SENDER, to_address=DEPOSIT, asset=TOKEN, amount=amount * 10**6, decimals=6)
    return Verdict(network="ethereum", tx_hash=TX, status="confirmed", outcome=outcome, reason=outcome.value,
                   block_height=block, confirmations=20, transfers=(t,), transfer=t, asset=TOKEN,
                   amount=Decimal(amount), user_id=user, deposit_address=DEPOSIT, deposit_network="ethereum")


class Chain:
    """What the chain says in these tests: the verdict of the claim and the recovery transaction."""

    def __init__(self) -> None:
        self.verdict = verdict()
        self.recovery = ChainTx("ethereum", RECOVERY_TX, TxStatus.CONFIRMED, block_height=30, confirmations=3,
                                transfers=(Transfer(DEPOSIT, SENDER, TOKEN, 5000 * 10**6, 6),))


@pytest.fixture
def chain() -> Chain:
    return Chain()


@pytest.fixture
def svc(engine, chain: Chain) -> CaseService:
    service = CaseService(engine, verifier=lambda s, n, h: chain.verdict, fetcher=lambda n, h: chain.recovery)
    for name, roles in [("ann", ["agent"]), ("bob", ["agent", "wallet"]), ("wal", ["wallet"]),
                        ("cle", ["clearing"]), ("sec", ["security"]), ("sec2", ["security"])]:
        service.add_actor(name, roles)
    with session_scope(engine) as s:
        s.add(Price(network="ethereum", asset=TOKEN, asset_key=key_asset("ethereum", TOKEN), usd_price=Decimal(1),
                    as_of=datetime.now(UTC), source="test feed"))
    return service


def quoted(svc: CaseService) -> int:
    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    svc.verify(case.id, "ann")
    svc.quote(case.id, "ann")
    return case.id  # type: ignore[return-value]


def awaiting(svc: CaseService) -> int:
    cid = quoted(svc)
    svc.accept(cid, "ann")
    return cid


def approved(svc: CaseService) -> int:
    cid = awaiting(svc)
    for who, role in (("wal", "wallet"), ("cle", "clearing"), ("sec", "security")):
        svc.approve(cid, who, role)
    return cid


def test_full_lifecycle_and_audit(svc: CaseService, engine) -> None:
    cid = approved(svc)
    assert svc.execute(cid, "wal", RECOVERY_TX).status == "executed"
    assert svc.credit(cid, "cle", "LEDGER-1").status == "credited"
    assert svc.move(cid, "ann", "close").status == "closed"
    with session_scope(engine) as s:
        case = s.get(Case, cid)
        assert case.recovered_amount == 5000 and case.ledger_ref == "LEDGER-1"
        check = verify_chain(s)
    assert check.ok and check.rows == 6 + 10  # six actors added, ten case events


def test_actor_rules(svc: CaseService) -> None:
    with pytest.raises(BadInput, match="--as"):
        svc.open(None, network="ethereum", tx_hash=TX, user_id="u1")
    with pytest.raises(Refused, match="unknown actor 'zed'"):
        svc.open("zed", network="ethereum", tx_hash=TX, user_id="u1")
    with pytest.raises(Refused, match="does not hold the agent role"):
        svc.open("wal", network="ethereum", tx_hash=TX, user_id="u1")
    with pytest.raises(BadInput, match="--role"):
        svc.add_actor("x", ["admin"])


def test_one_live_case_per_transaction(svc: CaseService) -> None:
    svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    with pytest.raises(Refused, match="already open"):
        svc.open("ann", network="ethereum", tx_hash=TX.upper().replace("0X", "0x"), user_id="u1")


def test_unrecoverable_and_waiting_outcomes(svc: CaseService, chain: Chain) -> None:
    chain.verdict = replace(verdict(), outcome=Outcome.PENDING)
    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    assert svc.verify(case.id, "ann").status == "open"
    chain.verdict = replace(verdict(), outcome=Outcome.NOT_OUR_ADDRESS)
    assert svc.verify(case.id, "ann").status == "rejected"


def test_claimant_must_own_the_deposit_address(svc: CaseService, chain: Chain) -> None:
    chain.verdict = verdict(user="u2")
    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    case = svc.verify(case.id, "ann")
    assert case.status == "rejected" and "belongs to user u2" in (case.reason or "")


def test_quote_needs_a_price_until_clearing_values_it(svc: CaseService, engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM prices")
    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    svc.verify(case.id, "ann")
    with pytest.raises(NotConfigured, match="clearing must enter a valuation"):
        svc.quote(case.id, "ann")
    with pytest.raises(Refused, match="clearing role"):
        svc.value(case.id, "ann", Decimal("2"))
    svc.value(case.id, "cle", Decimal("2"))
    _, q = svc.quote(case.id, "ann")
    assert q.usd_value == Decimal("10000.00") and q.price_source == "valuation by cle"
    assert q.fee == Decimal(250) and q.gross == q.fee + q.network_fee + q.net


def test_expired_quote_cannot_be_accepted(svc: CaseService, engine) -> None:
    cid = quoted(svc)
    with session_scope(engine) as s:
        q = s.exec(select(Quote).where(Quote.case_id == cid)).one()
        q.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        s.add(q)
    with pytest.raises(Refused, match="expired"):
        svc.accept(cid, "ann")
    svc.quote(cid, "ann")
    assert svc.accept(cid, "ann").status == "awaiting_approval"


def test_approvals_need_three_distinct_people_none_the_opener(svc: CaseService, engine) -> None:
    case = svc.open("bob", network="ethereum", tx_hash=TX, user_id="u1")
    cid = case.id
    svc.verify(cid, "ann")
    svc.quote(cid, "ann")
    with pytest.raises(Refused, match="quoted: approve is not allowed"):
        svc.approve(cid, "wal", "wallet")
    svc.accept(cid, "ann")
    with pytest.raises(Refused, match="bob opened case"):
        svc.approve(cid, "bob", "wallet")
    with pytest.raises(Refused, match="does not hold the security role"):
        svc.approve(cid, "wal", "security")
    assert svc.approve(cid, "wal", "wallet").status == "awaiting_approval"
    svc.add_actor("wal2", ["wallet"])
    with pytest.raises(Refused, match="already has the wallet approval"):
        svc.approve(cid, "wal2", "wallet")
    assert svc.approve(cid, "cle", "clearing").status == "awaiting_approval"
    assert svc.approve(cid, "sec", "security").status == "approved"


def test_same_person_cannot_approve_twice_in_two_roles(svc: CaseService) -> None:
    svc.add_actor("multi", ["wallet", "clearing"])
    cid = awaiting(svc)
    svc.approve(cid, "multi", "wallet")
    with pytest.raises(Refused, match="already approved case .* as wallet"):
        svc.approve(cid, "multi", "clearing")


def test_high_value_needs_a_second_security_approver(svc: CaseService, chain: Chain) -> None:
    chain.verdict = verdict(amount=20000)  # 20,000 USD > 10,000 USD default threshold
    cid = awaiting(svc)
    svc.approve(cid, "wal", "wallet")
    svc.approve(cid, "cle", "clearing")
    assert svc.approve(cid, "sec", "security").status == "awaiting_approval"
    with pytest.raises(Refused, match="already approved"):
        svc.approve(cid, "sec", "security")
    assert svc.approve(cid, "sec2", "security").status == "approved"


def test_threshold_is_configurable(engine, chain: Chain, svc: CaseService) -> None:
    strict = CaseService(engine, high_value_usd=Decimal(100), verifier=svc.verifier, fetcher=svc.fetcher)
    cid = awaiting(strict)
    with session_scope(engine) as s:
        assert strict.needed(s, s.get(Case, cid))["security"] == 2


def test_reject_needs_a_reason_and_ends_the_case(svc: CaseService) -> None:
    cid = awaiting(svc)
    with pytest.raises(BadInput, match="--reason"):
        svc.reject(cid, "sec", "security", None)
    case = svc.reject(cid, "sec", "security", "sanctioned sender")
    assert case.status == "rejected" and case.note == "sanctioned sender"


def test_reverification_with_changed_facts_voids_approvals(svc: CaseService, chain: Chain, engine) -> None:
    cid = awaiting(svc)
    svc.approve(cid, "wal", "wallet")
    svc.approve(cid, "cle", "clearing")
    assert svc.verify(cid, "ann").status == "awaiting_approval"  # same facts: nothing voided
    with session_scope(engine) as s:
        assert len(active_approvals(s, cid)) == 2
    chain.verdict = verdict(block=11)  # reorg: the deposit now sits in another block
    case = svc.verify(cid, "ann")
    assert case.status == "verified" and case.quote_id is None
    with session_scope(engine) as s:
        assert active_approvals(s, cid) == []
        assert len(s.exec(select(Approval).where(Approval.case_id == cid)).all()) == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"status": TxStatus.PENDING}, "not confirmed"),
    ({"transfers": (Transfer(SENDER, DEPOSIT, TOKEN, 10, 6),)}, "nothing from the case's deposit address"),
    ({"transfers": (Transfer(DEPOSIT, SENDER, "native", 10, 18),)}, "not the case's asset"),
    ({"transfers": (Transfer(DEPOSIT, SENDER, TOKEN, 5000 * 10**6 + 1, 6),)}, "more than the quoted gross"),
])
def test_execute_refuses_a_recovery_tx_that_does_not_match(svc: CaseService, chain: Chain, engine,
                                                           change: dict, message: str) -> None:
    cid = approved(svc)
    chain.recovery = replace(chain.recovery, **change)
    with session_scope(engine) as s:
        before = (s.get(Case, cid).version, verify_chain(s).rows)
    with pytest.raises(Refused, match=message):
        svc.execute(cid, "wal", RECOVERY_TX)
    with session_scope(engine) as s:
        case = s.get(Case, cid)
        assert (case.version, verify_chain(s).rows) == before and case.status == "approved"


def test_execute_needs_wallet_and_a_fresh_hash(svc: CaseService) -> None:
    cid = approved(svc)
    with pytest.raises(Refused, match="wallet role"):
        svc.execute(cid, "cle", RECOVERY_TX)
    with pytest.raises(Refused, match="claimed deposit itself"):
        svc.execute(cid, "wal", TX)


def test_stale_version_loses(svc: CaseService, engine) -> None:
    cid = quoted(svc)
    with session_scope(engine) as s:
        stale = s.get(Case, cid)
        s.expunge(stale)
    svc.accept(cid, "ann")
    with session_scope(engine) as s, pytest.raises(Refused, match="changed by someone else"):
        s.add(stale)
        svc.transition(s, stale, "defer", "ann")
    with session_scope(engine) as s:
        assert s.get(Case, cid).status == "awaiting_approval"


def test_cancel_and_defer_paths(svc: CaseService) -> None:
    cid = quoted(svc)
    assert svc.move(cid, "ann", "defer").status == "deferred"
    assert svc.quote(cid, "ann")[0].status == "quoted"
    assert svc.move(cid, "ann", "decline").status == "declined"
    with pytest.raises(Refused, match="declined: cancel is not allowed"):
        svc.move(cid, "ann", "cancel")


def test_list_filters(svc: CaseService, engine) -> None:
    a = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    svc.open("ann", network="bsc", tx_hash=RECOVERY_TX, user_id="u9")
    svc.verify(a.id, "ann")
    with session_scope(engine) as s:
        assert [c.id for c in list_cases(s, status="verified")] == [a.id]
        assert [c.user_id for c in list_cases(s, network="bsc")] == ["u9"]
        assert [c.id for c in list_cases(s, outcome="unlisted_token")] == [a.id]
        assert len(list_cases(s, user="u1")) == 1
        assert list_cases(s, older_than=timedelta(hours=1)) == []
        later = datetime.now(UTC) + timedelta(hours=2)
        assert len(list_cases(s, older_than=timedelta(hours=1), now=later)) == 2
