"""The last steps of a case: the on-chain recovery (`execute`) and the credit; a deposit is recovered once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from recovery.case_models import Case, Quote
from recovery.errors import BadInput, Refused
from recovery.outcomes import Outcome, info
from recovery.quotes import require_current

if TYPE_CHECKING:
    from chains.base import ChainTx
    from recovery.case_models import Actor
    from recovery.workflow import CaseStatus


class CaseExists(Refused):
    """Another case already holds this deposit; `case_id` names it."""

    def __init__(self, case_id: int, message: str) -> None:
        super().__init__(message)
        self.case_id = case_id


def deposit_key(case: Case) -> str:
    """What `cases.deposit_recovered` holds once the case's deposit is recovered: unique in the table."""
    return f"{case.network} {case.tx_key}"


def on_chain(case: Case) -> bool:
    """Whether the case's outcome needs an on-chain recovery transaction before the credit."""
    outcome = case.outcome
    return outcome is None or outcome not in Outcome._value2member_map_ or info(outcome).on_chain


class RecoveryActions:
    """`execute` and `credit` of the case service (mixed into `CaseService`)."""

    hot_wallets: dict[str, list[str]] | None
    config_rpc: dict[str, Any] | None
    fetcher: Callable[[str, str], ChainTx] | None

    if TYPE_CHECKING:
        def session(self) -> AbstractContextManager[Session]: ...
        def case(self, s: Session, case_id: int) -> Case: ...
        def actor(self, s: Session, name: str | None, role: str | None = None) -> Actor: ...
        def transition(self, s: Session, case: Case, event: str, actor: str, data: dict[str, Any] | None = None,
                       values: dict[str, Any] | None = None, **facts: Any) -> CaseStatus: ...
        def check_prepared(self, s: Session, case: Case, recovery_tx: str) -> str | None: ...

    def destinations(self, case: Case) -> tuple[list[str], str]:
        """Where a recovery may send the funds (our hot wallets, the user's payout address), and where the
        hot wallets are configured."""
        from recovery.config import Config, hot_wallets, hot_wallets_env

        allowed = hot_wallets(Config(hot_wallets=self.hot_wallets or {}), case.network)
        if case.payout_address:
            allowed.append(case.payout_address)
        return allowed, f"[hot_wallets] {case.network} or {hot_wallets_env(case.network)}"

    def execute(self, case_id: int, actor: str | None, recovery_tx: str) -> Case:
        """Record the recovery transaction after verifying it on chain against the case and its quote."""
        from chains.networks import get_network
        from recovery.case_facts import check_recovery_tx
        from recovery.reference import key_tx
        from recovery.triage import whole_units

        try:
            with self.session() as s:
                who = self.actor(s, actor, "wallet")
                case = self.case(s, case_id)
                _fire_check(case, "execute")
                if not on_chain(case):
                    raise Refused(f"case {case_id} ({case.outcome}) needs no recovery transaction: the funds "
                                  "already sit at our address; clearing credits the user with `recovery case "
                                  f"credit {case_id} --ledger-ref REF`")
                key = key_tx(case.network, recovery_tx)
                other = s.exec(select(Case).where(Case.recovery_tx_key == key)).first()
                if other is not None:
                    raise Refused(f"{recovery_tx} is already the recovery transaction of case {other.id}")
                if key == case.tx_key:
                    raise Refused("the recovery transaction cannot be the claimed deposit itself")
                q = require_current(s.get(Quote, case.quote_id) if case.quote_id else None, case_id, "execute")
                _not_recovered_elsewhere(s, case)
                digest = self.check_prepared(s, case, key)   # the prepared one, when the case was prepared
                tx = (self.fetcher or _default_fetcher(self.config_rpc))(case.network, key)
                allowed, source = self.destinations(case)
                base = check_recovery_tx(case, q, tx, min_confirmations=get_network(case.network).min_confirmations,
                                         destinations=allowed, hot_wallet_source=source)
                moved = whole_units(base, q.decimals)
                data = {"recovery_tx": key, "amount": moved, "amount_base": str(base),
                        "confirmations": tx.confirmations, "block_height": tx.block_height}
                if digest:
                    data["digest"] = digest
                self.transition(s, case, "execute", who.name, data,
                                {"recovery_tx": recovery_tx.strip(), "recovery_tx_key": key,
                                 "recovered_amount": moved, "recovered_base": base,
                                 "deposit_recovered": deposit_key(case)}, tx_ok=True, on_chain=True)
                return case
        except IntegrityError:
            raise self._lost_race(case_id) from None

    def credit(self, case_id: int, actor: str | None, ledger_ref: str) -> Case:
        """Clearing records the ledger entry that credited the user (straight after approval when the funds
        are already ours)."""
        if not ledger_ref.strip():
            raise BadInput("--ledger-ref must not be empty")
        try:
            with self.session() as s:
                who = self.actor(s, actor, "clearing")
                case = self.case(s, case_id)
                _fire_check(case, "credit")
                values: dict[str, Any] = {"ledger_ref": ledger_ref.strip()}
                chain = on_chain(case)
                if case.status == "approved":
                    if chain:
                        raise Refused(f"case {case_id} ({case.outcome}) is credited after its recovery: record "
                                      f"the recovery transaction first (`recovery case execute {case_id}`)")
                    require_current(s.get(Quote, case.quote_id) if case.quote_id else None, case_id, "credit")
                    _not_recovered_elsewhere(s, case)
                    values["deposit_recovered"] = deposit_key(case)
                self.transition(s, case, "credit", who.name, {"ledger_ref": ledger_ref.strip()}, values,
                                on_chain=chain)
                return case
        except IntegrityError:
            raise self._lost_race(case_id) from None

    def _lost_race(self, case_id: int) -> Refused:
        """The refusal for a recovery the unique indexes stopped: name the case that holds it."""
        with self.session() as s:
            case = self.case(s, case_id)
            other = s.exec(select(Case).where(Case.deposit_recovered == deposit_key(case),
                                              col(Case.id) != case_id)).first()
        who = f"case {other.id}" if other else "another case"
        return Refused(f"case {case_id}: the deposit (or this recovery transaction) was recorded by {who} at the "
                       "same moment; a deposit is recovered once. Nothing was done.")


def _fire_check(case: Case, event: str) -> None:
    from recovery.cases import fire_check

    fire_check(case, event)


def _not_recovered_elsewhere(s: Session, case: Case) -> None:
    other = s.exec(select(Case).where(Case.deposit_recovered == deposit_key(case),
                                      col(Case.id) != case.id)).first()
    if other is not None:
        raise Refused(f"the deposit of case {case.id} was already recovered by case {other.id} "
                      f"({other.status}); a deposit is recovered once")


def _default_fetcher(config_rpc: dict[str, Any] | None) -> Callable[[str, str], ChainTx]:
    def run(network: str, tx_hash: str) -> ChainTx:
        from chains.registry import get_adapter

        with get_adapter(network, config_rpc=config_rpc) as adapter:
            return adapter.fetch(tx_hash)

    return run
