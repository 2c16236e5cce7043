"""The case service on SQLite and PostgreSQL: roles, approvals, voiding, quotes, execution checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from chains.base import ChainTx, Transfer, TxStatus
from recovery.audit import verify_chain
from recovery.case_models import Approval, AuditEntry, Case, Quote
from recovery.case_recovery import CaseExists
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
HOT = "0x" + "f0" * 20   # our hot wallet on ethereum in these tests


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
        self.recovery = ChainTx("ethereum", RECOVERY_TX, TxStatus.CONFIRMED, block_height=30, confirmations=12,
                                transfers=(Transfer(DEPOSIT, HOT, TOKEN, 5000 * 10**6, 6),))


@pytest.fixture
def chain() -> Chain:
    return Chain()


@pytest.fixture
def svc(engine, chain: Chain) -> CaseService:
    service = CaseService(engine, verifier=lambda s, n, h: chain.verdict, fetcher=lambda n, h: chain.recovery,
                          hot_wallets={"ethereum": [HOT]})
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
    strict = CaseService(engine, high_value_usd=Decimal(100), verifier=svc.verifier, fetcher=svc.fetcher,
                         hot_wallets=svc.hot_wallets)
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
    ({"status": TxStatus.PENDING}, "^status: .*not confirmed"),
    ({"confirmations": 11}, "^confirmations: .*11 of the 12 confirmations ethereum requires"),
    ({"transfers": (Transfer(SENDER, DEPOSIT, TOKEN, 10, 6),)}, "^from_address: .*nothing from the case's deposit"),
    ({"transfers": (Transfer(DEPOSIT, HOT, "native", 10, 18),)}, "^asset: .*not the case's asset"),
    ({"transfers": (Transfer(DEPOSIT, HOT, TOKEN, 5000 * 10**6 + 1, 6),)},
     "^amount: .*moves 5000.000001 .*more than the quoted gross 5000 "),
    ({"transfers": (Transfer(DEPOSIT, HOT, TOKEN, 1, 6),)},
     "^amount: .*moves 0.000001 .*less than the quoted net 4750 "),
    ({"transfers": (Transfer(DEPOSIT, SENDER, TOKEN, 4750 * 10**6, 6),)},
     f"^to_address: .*{SENDER}, which is neither a hot wallet of ethereum"),
    ({"transfers": (Transfer(DEPOSIT, HOT, TOKEN, 4750 * 10**6, 6), Transfer(DEPOSIT, SENDER, TOKEN, 1, 6))},
     f"^to_address: .*{SENDER}"),
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


# -- destinations of a recovery -----------------------------------------------------------------------
def test_execute_needs_a_configured_destination(svc: CaseService, chain: Chain, engine,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    bare = CaseService(engine, verifier=svc.verifier, fetcher=svc.fetcher)
    cid = approved(bare)
    with pytest.raises(Refused, match="^to_address: no destination is allowed .*RECOVERY_HOT_WALLETS_ETHEREUM"):
        bare.execute(cid, "wal", RECOVERY_TX)
    monkeypatch.setenv("RECOVERY_HOT_WALLETS_ETHEREUM", f"0x{'99' * 20}, {HOT.upper().replace('0X', '0x')}")
    case = bare.execute(cid, "wal", RECOVERY_TX)
    assert case.status == "executed" and case.recovered_base == 5000 * 10**6


def test_execute_to_the_users_payout_address(svc: CaseService, chain: Chain, engine) -> None:
    payout = "0x" + "77" * 20
    bare = CaseService(engine, verifier=svc.verifier, fetcher=svc.fetcher)
    with pytest.raises(BadInput, match="--payout-address"):
        bare.open("ann", network="ethereum", tx_hash=TX, user_id="u1", payout_address="not-an-address")
    case = bare.open("ann", network="ethereum", tx_hash=TX, user_id="u1", payout_address=payout)
    bare.verify(case.id, "ann")
    bare.quote(case.id, "ann")
    bare.set_payout(case.id, "ann", payout.upper().replace("0X", "0x"))   # recorded again, audited
    bare.accept(case.id, "ann")
    with pytest.raises(Refused, match="payout address can be set only before"):
        bare.set_payout(case.id, "ann", "0x" + "78" * 20)
    for who, role in (("wal", "wallet"), ("cle", "clearing"), ("sec", "security")):
        bare.approve(case.id, who, role)
    chain.recovery = replace(chain.recovery, transfers=(Transfer(DEPOSIT, payout, TOKEN, 4750 * 10**6, 6),))
    assert bare.execute(case.id, "wal", RECOVERY_TX).status == "executed"
    with session_scope(engine) as s:
        events = [r.event for r in s.exec(select(AuditEntry).where(AuditEntry.case_id == case.id))]
    assert events.count("payout") == 1 and events[0] == "open"


# -- one case per deposit, one recovery ever ------------------------------------------------------------
def close_case(svc: CaseService) -> int:
    cid = approved(svc)
    svc.execute(cid, "wal", RECOVERY_TX)
    svc.credit(cid, "cle", "LEDGER-1")
    svc.move(cid, "ann", "close")
    return cid


def test_a_closed_deposit_is_not_opened_again_by_accident(svc: CaseService, engine) -> None:
    first = close_case(svc)
    with pytest.raises(CaseExists, match=f"case {first} \\(closed\\) already handled this transaction.*"
                                         f"--reopen-of {first}") as info:
        svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    assert info.value.case_id == first
    with pytest.raises(BadInput, match="--reason is required"):
        svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1", reopen_of=first)
    with pytest.raises(BadInput, match="latest case of this transaction is case"):
        svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1", reopen_of=first + 1, reason="x")
    again = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1", reopen_of=first, reason="user disputes")
    assert again.reopen_of == first
    with session_scope(engine) as s:
        row = s.exec(select(AuditEntry).where(AuditEntry.case_id == again.id)).first()
    assert '"reopen_of":' + str(first) in row.data and "user disputes" in row.data
    assert f'"deposit_recovered_by":{first}' in row.data
    # ... and the second case can never recover the deposit again
    svc.verify(again.id, "ann")
    svc.quote(again.id, "ann")
    svc.accept(again.id, "ann")
    for who, role in (("wal", "wallet"), ("cle", "clearing"), ("sec", "security")):
        svc.approve(again.id, who, role)
    with pytest.raises(Refused, match=f"already recovered by case {first}"):
        svc.execute(again.id, "wal", "0x" + "33" * 32)


def test_the_database_holds_one_live_case_and_one_recovery_per_deposit(svc: CaseService, engine) -> None:
    from sqlalchemy.exc import IntegrityError

    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    row = {"status": "open", "version": 1, "network": "ethereum", "tx_hash": TX, "tx_key": case.tx_key,
           "user_id": "u2", "opened_by": "ann", "opened_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}
    with pytest.raises(IntegrityError), session_scope(engine) as s:   # behind the service's back
        s.add(Case(**row))
    with session_scope(engine) as s:
        s.add(Case(**{**row, "status": "cancelled"}))   # a final case does not count as live
    done = close_case_from(svc, case.id)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(Case(**{**row, "status": "cancelled", "deposit_recovered": s.get(Case, done).deposit_recovered}))


def close_case_from(svc: CaseService, cid: int) -> int:
    svc.verify(cid, "ann")
    svc.quote(cid, "ann")
    svc.accept(cid, "ann")
    for who, role in (("wal", "wallet"), ("cle", "clearing"), ("sec", "security")):
        svc.approve(cid, who, role)
    svc.execute(cid, "wal", RECOVERY_TX)
    return cid


# -- verification that cannot reach the chain, and young claims ------------------------------------------
def test_unreachable_reverification_changes_nothing(svc: CaseService, engine) -> None:
    from tests.support.loopback import refused_url

    cid = quoted(svc)
    with session_scope(engine) as s:
        before = s.get(Case, cid).model_dump()
        rows = verify_chain(s).rows
    offline = CaseService(engine, config_rpc={"ethereum": refused_url()})   # the real verifier, node down
    with pytest.raises(Refused, match="was not verified: Ethereum could not be reached.*Nothing was changed: "
                                      "the case stays quoted with its facts and 20 confirmations"):
        offline.verify(cid, "ann")
    with session_scope(engine) as s:
        assert s.get(Case, cid).model_dump() == before and verify_chain(s).rows == rows


def test_a_young_claim_not_found_waits(svc: CaseService, chain: Chain, engine) -> None:
    missing = replace(verdict(), outcome=Outcome.NOT_FOUND, status="not_found", reason="Ethereum does not know "
                      "this transaction.", transfers=(), transfer=None, asset=None, amount=None, user_id=None,
                      deposit_address=None, deposit_network=None, confirmations=0, block_height=None)
    chain.verdict = missing
    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    case = svc.verify(case.id, "ann")
    assert case.status == "open" and "The claim is young" in (case.reason or "") and "6 h" in case.reason
    chain.verdict = verdict()
    assert svc.verify(case.id, "ann").status == "verified"
    chain.verdict = missing                     # a verified claim that the node loses while young: waits
    assert svc.verify(case.id, "ann").status == "verified"
    with session_scope(engine) as s:            # seven hours later it is rejected
        old = s.get(Case, case.id)
        old.opened_at = datetime.now(UTC) - timedelta(hours=7)
        s.add(old)
    assert svc.verify(case.id, "ann").status == "rejected"


# -- straight to credit, stale quotes and prices, revoked roles -----------------------------------------
@pytest.mark.parametrize("outcome", [Outcome.UNCREDITED, Outcome.MISSING_MEMO, Outcome.WRONG_MEMO])
def test_funds_already_ours_go_from_approval_to_credit(svc: CaseService, chain: Chain, engine,
                                                       outcome: Outcome) -> None:
    chain.verdict = verdict(outcome=outcome)
    cid = approved(svc)
    with pytest.raises(Refused, match="needs no recovery transaction"):
        svc.execute(cid, "wal", RECOVERY_TX)
    case = svc.credit(cid, "cle", "LEDGER-9")
    assert case.status == "credited" and case.recovery_tx is None and case.deposit_recovered


def test_on_chain_outcomes_cannot_skip_execute(svc: CaseService) -> None:
    cid = approved(svc)
    with pytest.raises(Refused, match="record the recovery transaction first"):
        svc.credit(cid, "cle", "LEDGER-1")


def expire_quote(engine, cid: int) -> None:
    with session_scope(engine) as s:
        q = s.exec(select(Quote).where(Quote.case_id == cid)).one()
        q.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        s.add(q)


def test_stale_quote_refused_at_approval_and_execute(svc: CaseService, engine) -> None:
    cid = awaiting(svc)
    svc.approve(cid, "wal", "wallet")
    expire_quote(engine, cid)
    with pytest.raises(Refused, match="cannot approve: the quote expired at .*recovery case quote"):
        svc.approve(cid, "cle", "clearing")
    case, _ = svc.quote(cid, "ann")               # re-quoted: accepted again, approvals start over
    assert case.status == "quoted"
    with session_scope(engine) as s:
        assert active_approvals(s, cid) == []
    svc.accept(cid, "ann")
    for who, role in (("wal", "wallet"), ("cle", "clearing"), ("sec", "security")):
        svc.approve(cid, who, role)
    with session_scope(engine) as s:
        q = s.exec(select(Quote).where(Quote.case_id == cid).order_by(Quote.id.desc())).first()  # type: ignore[union-attr]
        q.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        s.add(q)
    with pytest.raises(Refused, match="cannot execute: the quote expired"):
        svc.execute(cid, "wal", RECOVERY_TX)


def test_a_price_older_than_the_policy_allows_is_refused(svc: CaseService, engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM prices")
    with session_scope(engine) as s:
        s.add(Price(network="ethereum", asset=TOKEN, asset_key=key_asset("ethereum", TOKEN), usd_price=Decimal(1),
                    as_of=datetime(2025, 12, 1, 9, 30, tzinfo=UTC), source="old feed"))
    case = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    svc.verify(case.id, "ann")
    with pytest.raises(Refused, match="is of 2025-12-01 09:30 UTC, older than the 24 h .*max_price_age_hours"):
        svc.quote(case.id, "ann")
    svc.value(case.id, "cle", Decimal("1.01"))     # a fresh valuation by clearing
    assert svc.quote(case.id, "ann")[1].price_source == "valuation by cle"


def test_roles_can_be_revoked(svc: CaseService, engine) -> None:
    cid = awaiting(svc)
    actor = svc.remove_role("wal", "wallet", by="admin")
    assert actor.role_set() == set()
    with pytest.raises(Refused, match="does not hold the wallet role"):
        svc.approve(cid, "wal", "wallet")
    with pytest.raises(Refused, match="does not hold the wallet role"):
        svc.remove_role("wal", "wallet")
    with pytest.raises(BadInput, match="--role"):
        svc.remove_role("wal", "boss")
    with session_scope(engine) as s:
        row = s.exec(select(AuditEntry).where(AuditEntry.event == "role_removed")).one()
    assert row.actor == "admin" and '"role":"wallet"' in row.data


def test_the_loser_of_a_race_is_told_which_case_exists(svc: CaseService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both agents checked before either wrote: the unique index refuses the second, named at the boundary."""
    import recovery.case_opening as cases_module

    first = svc.open("ann", network="ethereum", tx_hash=TX, user_id="u1")
    real, calls = cases_module.latest_cases, []

    def blind_once(s, network, keys):   # the check saw nothing, as a racing agent's check would
        calls.append(1)
        return {} if len(calls) == 1 else real(s, network, keys)

    monkeypatch.setattr(cases_module, "latest_cases", blind_once)
    with pytest.raises(CaseExists, match=f"case {first.id} is already open .*at the same moment") as info:
        svc.open("bob", network="ethereum", tx_hash=TX, user_id="u1")
    assert info.value.case_id == first.id
