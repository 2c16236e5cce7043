"""The triage outcomes of design section 5 and, in one table, what each means everywhere.

Triage (recoverable), the case machine (effect, quotable, on-chain recovery), the fee policy (fee rule),
the user message (text) and the CLI (colour) all read `OUTCOMES`; nothing else lists outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """The causes of design section 5."""

    CREDITED = "credited"
    UNCREDITED = "uncredited"
    PENDING = "pending"
    BELOW_MINIMUM = "below_minimum"
    DEPOSITS_SUSPENDED = "deposits_suspended"
    MISSING_MEMO = "missing_memo"
    WRONG_MEMO = "wrong_memo"
    UNLISTED_TOKEN = "unlisted_token"
    WRONG_NETWORK = "wrong_network"
    CONTRACT_ADDRESS = "contract_address"
    NOT_OUR_ADDRESS = "not_our_address"
    FAILED = "failed"
    NOT_FOUND = "not_found"
    UNVERIFIABLE = "unverifiable"


RECOVERABLE_VALUES = ("yes", "no", "wait", "retry", "per_policy")
EFFECTS = ("recoverable", "unrecoverable", "wait")
FEE_RULES = ("no_fee", "memo_flat", "tier")


@dataclass(frozen=True, slots=True)
class OutcomeInfo:
    """What one outcome means: for triage, a case, the fee policy, the user and the screen."""

    recoverable: str          # yes / no / wait / retry / per_policy (verify, batch)
    effect: str               # on a case: recoverable (go on), unrecoverable (reject), wait (verify again)
    fee_rule: str | None      # no_fee / memo_flat (flat on a listed asset) / tier; None: cannot be quoted
    on_chain: bool            # the recovery moves funds on chain (`case execute`); else straight to credit
    text: str                 # for the user, after "your deposit ... on {network}:"
    colour: str               # rich colour of the outcome in the CLI
    wait_while_young: bool = False   # a young claim waits instead of taking `effect` (fee policy)

    @property
    def quotable(self) -> bool:
        """A case with this outcome can be quoted."""
        return self.fee_rule is not None


OUTCOMES: dict[Outcome, OutcomeInfo] = {
    Outcome.CREDITED: OutcomeInfo(
        "no", "unrecoverable", None, False, "the deposit was already credited to your account", "red"),
    Outcome.UNCREDITED: OutcomeInfo(
        "yes", "recoverable", "no_fee", False, "the deposit was valid but was not credited to your account",
        "green"),
    Outcome.PENDING: OutcomeInfo(
        "wait", "wait", None, False, "the deposit does not have the confirmations {network} requires yet",
        "yellow"),
    Outcome.BELOW_MINIMUM: OutcomeInfo(
        "per_policy", "recoverable", "tier", True,
        "the amount is below the minimum deposit, so it was not credited automatically", "cyan"),
    Outcome.DEPOSITS_SUSPENDED: OutcomeInfo(
        "wait", "wait", None, False, "deposits of this asset on {network} are suspended for now", "yellow"),
    Outcome.MISSING_MEMO: OutcomeInfo(
        "yes", "recoverable", "memo_flat", False,
        "the deposit arrived without the memo/tag that identifies your account", "green"),
    Outcome.WRONG_MEMO: OutcomeInfo(
        "yes", "recoverable", "memo_flat", False, "the memo/tag of the deposit does not match your account",
        "green"),
    Outcome.UNLISTED_TOKEN: OutcomeInfo(
        "yes", "recoverable", "tier", True, "the token you sent is not one we support on {network}", "green"),
    Outcome.WRONG_NETWORK: OutcomeInfo(
        "yes", "recoverable", "tier", True,
        "the funds were sent over {network}, a network this deposit address is not for", "green"),
    Outcome.CONTRACT_ADDRESS: OutcomeInfo(
        "no", "unrecoverable", None, False, "the funds were sent to a token contract, not to your deposit "
        "address, and cannot be moved by us", "red"),
    Outcome.NOT_OUR_ADDRESS: OutcomeInfo(
        "no", "unrecoverable", None, False, "the recipient is not one of our deposit addresses", "red"),
    Outcome.FAILED: OutcomeInfo(
        "no", "unrecoverable", None, False, "the transaction failed on chain, so nothing was moved", "red"),
    Outcome.NOT_FOUND: OutcomeInfo(
        "no", "unrecoverable", None, False, "{network} does not know this transaction", "red",
        wait_while_young=True),
    Outcome.UNVERIFIABLE: OutcomeInfo(
        "retry", "wait", None, False, "we could not reach {network} reliably to check the deposit", "magenta"),
}

# a `recoverable` value's colour, for screens that show the value rather than the outcome
RECOVERABLE_COLOUR = {"yes": "green", "no": "red", "wait": "yellow", "retry": "magenta", "per_policy": "cyan"}


def info(outcome: str | Outcome) -> OutcomeInfo:
    """The table row of an outcome (its value or the enum); unknown values raise ValueError."""
    return OUTCOMES[Outcome(outcome)]


def quotable_outcomes() -> list[str]:
    """The outcomes whose cases can be quoted, sorted."""
    return sorted(o.value for o, i in OUTCOMES.items() if i.quotable)


def user_text(outcome: str | None, network_name: str) -> str:
    """The cause, as told to the user; a neutral sentence when the outcome is unknown."""
    if outcome is None or outcome not in Outcome._value2member_map_:
        return "the deposit could not be credited automatically"
    return info(outcome).text.format(network=network_name)
