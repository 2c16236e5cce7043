"""What a case keeps of a verdict, what the verdict means for it, and the check of a recovery transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from chains.base import ChainTx, TxStatus
from recovery.case_models import Case, Quote
from recovery.errors import Refused
from recovery.workflow import Verification

if TYPE_CHECKING:
    from recovery.triage import Verdict

QUOTABLE = frozenset({"unlisted_token", "wrong_network", "below_minimum", "missing_memo", "wrong_memo",
                      "uncredited"})
WAIT = frozenset({"pending", "deposits_suspended", "unverifiable"})


def classify(case: Case, verdict: Verdict) -> tuple[Verification, str]:
    """Recoverable (can be quoted), unrecoverable (rejected), or wait (verify again later), with why."""
    outcome = verdict.outcome.value
    if outcome in WAIT:
        return Verification.wait, verdict.reason
    if outcome not in QUOTABLE:
        return Verification.unrecoverable, verdict.reason
    if verdict.user_id and verdict.user_id != case.user_id:
        return Verification.unrecoverable, (f"{verdict.reason} The deposit address belongs to user "
                                            f"{verdict.user_id}, not to the claimant {case.user_id}.")
    return Verification.recoverable, verdict.reason


def facts_of(session: Session, verdict: Verdict) -> dict[str, Any]:
    """The on-chain facts a case rests on; a change in any of them voids approvals."""
    t = verdict.transfer
    decimals = t.decimals if t is not None else None
    if decimals is None and verdict.asset:
        from recovery.reference import Reference

        listed = Reference(session).listed_asset(verdict.network, verdict.asset)
        decimals = listed.decimals if listed else None
    return {
        "outcome": verdict.outcome.value, "chain_status": verdict.status, "asset": verdict.asset,
        "amount": verdict.amount, "decimals": decimals,
        "from_address": t.from_address if t else None, "to_address": t.to_address if t else None,
        "memo": t.memo if t else None, "deposit_address": verdict.deposit_address,
        "deposit_network": verdict.deposit_network, "deposit_user": verdict.user_id,
        "block_height": verdict.block_height,
    }


def check_recovery_tx(case: Case, quote: Quote, tx: ChainTx) -> Decimal:
    """The amount (whole units) the recovery moved; refused unless it is confirmed, from the case's
    deposit address, in the case's asset, and no more than the quoted gross."""
    from recovery.reference import key_address, key_asset

    net = case.network
    if tx.status is not TxStatus.CONFIRMED:
        raise Refused(f"the recovery transaction {tx.tx_hash} is {tx.status.value} on {net}, not confirmed")
    if not case.deposit_address or not case.asset:
        raise Refused(f"case {case.id} has no verified deposit address and asset")
    ours = key_address(net, case.deposit_address)
    sent = [t for t in tx.transfers if t.from_address and key_address(net, t.from_address) == ours]
    if not sent:
        raise Refused(f"the recovery transaction {tx.tx_hash} moves nothing from the case's deposit address "
                      f"{case.deposit_address}")
    asset = key_asset(net, case.asset)
    same = [t for t in sent if key_asset(net, t.asset) == asset and not t.non_fungible]
    if not same:
        moved = ", ".join(sorted({t.asset for t in sent}))
        raise Refused(f"the recovery transaction moves {moved} from the deposit address, not the case's "
                      f"asset {case.asset}")
    decimals = quote.decimals
    base = sum(t.amount for t in same)
    amount = Decimal(base).scaleb(-decimals)
    limit = quote.gross.scaleb(decimals)
    if base <= 0:
        raise Refused("the recovery transaction moves no amount of the case's asset")
    if base > limit:
        raise Refused(f"the recovery transaction moves {amount:f} {quote.symbol}, more than the quoted gross "
                      f"{quote.gross:f} {quote.symbol}")
    return amount
