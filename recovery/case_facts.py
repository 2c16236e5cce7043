"""What a case keeps of a verdict, what the verdict means for it, and the check of a recovery transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from chains.base import ChainTx, TxStatus
from recovery.case_models import Case, Quote
from recovery.errors import Refused
from recovery.outcomes import info
from recovery.workflow import Verification

if TYPE_CHECKING:
    from recovery.triage import Verdict


def classify(case: Case, verdict: Verdict, *, young: timedelta = timedelta(0),
             now: datetime | None = None) -> tuple[Verification, str]:
    """Recoverable (can be quoted), unrecoverable (rejected), or wait (verify again later), with why.

    An outcome marked `wait_while_young` (not_found) waits while the case is younger than `young`.
    """
    from recovery.dbtypes import utcnow

    row = info(verdict.outcome)
    effect = Verification(row.effect)
    if row.wait_while_young and effect is Verification.unrecoverable and not verdict.found_on_network:
        age = (now or utcnow()) - case.opened_at
        if age < young:
            hours = f"{young.total_seconds() / 3600:g}"
            return Verification.wait, (f"{verdict.reason} The claim is young (the case was opened "
                                       f"{int(age.total_seconds() // 60)} min ago): verify it again later; "
                                       f"it is rejected only if still not found {hours} h after opening.")
    if effect is not Verification.recoverable:
        return effect, verdict.reason + _elsewhere(case, verdict)
    if verdict.user_id and verdict.user_id != case.user_id:
        return Verification.unrecoverable, (f"{verdict.reason} The deposit address belongs to user "
                                            f"{verdict.user_id}, not to the claimant {case.user_id}.")
    return Verification.recoverable, verdict.reason


def _elsewhere(case: Case, verdict: Verdict) -> str:
    """For a hash found on another network: the commands that carry the claim over there."""
    other = verdict.found_on_network
    if not other or other == case.network:
        return ""
    return (f" The transaction is on {other}: move this case there with `recovery case move-network {case.id} "
            f"{other}`, or open one with `recovery case open --network {other} --tx {case.tx_hash} "
            f"--user {case.user_id}`.")


def facts_of(session: Session, verdict: Verdict) -> dict[str, Any]:
    """The on-chain facts a case rests on; a change in any of them voids approvals."""
    from recovery.triage import whole_units

    t = verdict.transfer
    decimals = t.decimals if t is not None else None
    if decimals is None:
        decimals = verdict.decimals   # what the verdict was read with (the node's, or the listing's)
    if decimals is None and verdict.asset:
        from recovery.reference import Reference

        listed = Reference(session).listed_asset(verdict.network, verdict.asset)
        decimals = listed.decimals if listed else None
    base = t.amount if t is not None else None
    amount = verdict.amount if base is None or decimals is None else whole_units(base, decimals)
    return {
        "outcome": verdict.outcome.value, "chain_status": verdict.status, "asset": verdict.asset,
        "amount": amount, "amount_base": base, "decimals": decimals,
        "from_address": t.from_address if t else None, "to_address": t.to_address if t else None,
        "memo": t.memo if t else None, "deposit_address": verdict.deposit_address,
        "deposit_network": verdict.deposit_network, "deposit_user": verdict.user_id,
        "block_height": verdict.block_height, "block_time": verdict.block_time,
    }


def check_recovery_tx(case: Case, quote: Quote, tx: ChainTx, *, min_confirmations: int,
                      destinations: Sequence[str], hot_wallet_source: str) -> int:
    """The base units the recovery moved; refused, naming the field, unless it is confirmed with the
    network's confirmations, from the case's deposit address, in the case's asset, only to our hot
    wallets or the user's payout address, and at least the quoted net and at most the quoted gross."""
    from recovery.quotes import base_amounts
    from recovery.reference import key_address, key_asset
    from recovery.triage import whole_units

    net = case.network
    if tx.status is not TxStatus.CONFIRMED:
        raise Refused(f"status: the recovery transaction {tx.tx_hash} is {tx.status.value} on {net}, not "
                      "confirmed")
    if tx.confirmations < min_confirmations:
        raise Refused(f"confirmations: the recovery transaction has {tx.confirmations} of the "
                      f"{min_confirmations} confirmations {net} requires; record it once it has them")
    if not case.deposit_address or not case.asset:
        raise Refused(f"case {case.id} has no verified deposit address and asset")
    ours = key_address(net, case.deposit_address)
    sent = [t for t in tx.transfers if t.from_address and key_address(net, t.from_address) == ours]
    if not sent:
        raise Refused(f"from_address: the recovery transaction {tx.tx_hash} moves nothing from the case's "
                      f"deposit address {case.deposit_address}")
    asset = key_asset(net, case.asset)
    same = [t for t in sent if key_asset(net, t.asset) == asset and not t.non_fungible]
    if not same:
        moved = ", ".join(sorted({t.asset for t in sent}))
        raise Refused(f"asset: the recovery transaction moves {moved} from the deposit address, not the case's "
                      f"asset {case.asset}")
    allowed = {key_address(net, a) for a in destinations}
    if not allowed:
        raise Refused(f"to_address: no destination is allowed for case {case.id}: configure the hot wallets "
                      f"of {net} ({hot_wallet_source}) or record the user's payout address "
                      f"(`recovery case payout {case.id} ADDRESS`)")
    stray = sorted({t.to_address for t in same if key_address(net, t.to_address) not in allowed})
    if stray:
        raise Refused(f"to_address: the recovery transaction sends the funds to {', '.join(stray)}, which is "
                      f"neither a hot wallet of {net} ({hot_wallet_source}) nor the case's payout address")
    d = quote.decimals
    base = sum(t.amount for t in same)
    limits = base_amounts(quote)

    def show(units: int) -> str:
        return f"{whole_units(units, d):f} {quote.symbol}"

    if base <= 0:
        raise Refused("amount: the recovery transaction moves no amount of the case's asset")
    if base < limits["net"]:
        raise Refused(f"amount: the recovery transaction moves {show(base)}, less than the quoted net "
                      f"{show(limits['net'])}")
    if base > limits["gross"]:
        raise Refused(f"amount: the recovery transaction moves {show(base)}, more than the quoted gross "
                      f"{show(limits['gross'])}")
    return base


def token_symbol_of(session: Session, case_id: int | None) -> str | None:
    """The unlisted token's own chain symbol, as the case's latest verification read it (None: unknown)."""
    import json

    from sqlmodel import col, select

    from recovery.case_models import AuditEntry

    rows = session.exec(select(AuditEntry.data).where(AuditEntry.case_id == case_id, AuditEntry.event == "verify")
                        .order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    return json.loads(rows).get("token_symbol") if rows else None
