"""The recovery conditions of a conditional network (chains/conditions.toml) held against a deposit.

Each declared condition gets a state:
- `holds`: the data shows it is met; `fails`: the data shows it is not (with the reason);
- `needs_person`: a person holding the condition's role must confirm it (`recovery case confirm`);
- `confirmed`: that person did (who, when, their note);
- `unknown`: a data condition that cannot be evaluated yet (no price, no block time, no amount). Unknown is
  open, like `needs_person`: it never counts as holding.

What each data kind checks, from what a case knows:
- `max_age_days`: the deposit's block time to the moment of the claim (the case's opening; today in triage).
- `min_usd`: the deposit's amount times its USD price (clearing's valuation of the case, else the newest
  imported price; a price older than the fee policy's `max_price_age_hours` is unknown).
- `existential_deposit` (polkadot), `min_utxo` (cardano): a deposit of the native coin, in base units, is at
  least the parameter (the recovery can empty the account whole / its output carries the ledger's minimum);
  a token deposit is not held to it: the native coin its recovery needs comes from the wallet's top-up.
- `storage_deposit` (near): a native NEAR deposit needs no token registration (holds); a token deposit needs
  the wallet team to confirm our receiving account is registered with the token contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from chains.base import NATIVE
from chains.conditions import KINDS, Condition

HOLDS, FAILS, NEEDS_PERSON, CONFIRMED, UNKNOWN = "holds", "fails", "needs_person", "confirmed", "unknown"
STATES = (HOLDS, FAILS, NEEDS_PERSON, CONFIRMED, UNKNOWN)
OPEN = frozenset({NEEDS_PERSON, UNKNOWN})
MET = frozenset({HOLDS, CONFIRMED})


@dataclass(frozen=True, slots=True)
class Price:
    """A USD price of the deposit's asset and where it came from."""

    usd_price: Decimal
    source: str
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    """What the conditions are held against: the deposit as verified, its price, and the moments that count."""

    network: str
    native_symbol: str
    native_decimals: int
    asset: str | None
    amount_base: int | None
    decimals: int | None
    symbol: str | None
    block_time: datetime | None
    claimed_at: datetime                # the deposit's age is measured up to here
    now: datetime
    price: Price | None = None
    max_price_age: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A person's confirmation of one condition of a case."""

    kind: str
    actor: str
    role: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ConditionState:
    """One condition of a case and where it stands."""

    kind: str
    state: str
    reason: str
    role: str | None = None
    meaning: str = ""
    params: Mapping[str, Any] | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    note: str | None = None

    @property
    def is_open(self) -> bool:
        """Not yet decided: a person must confirm it, or the data to check it is missing."""
        return self.state in OPEN

    def to_json(self) -> dict[str, Any]:
        """The condition as `case show --json` and `verify --json` give it."""
        return {"name": self.kind, "state": self.state, "reason": self.reason, "role": self.role,
                "meaning": self.meaning, "params": {k: str(v) for k, v in (self.params or {}).items()},
                "confirmed_by": self.confirmed_by, "confirmed_at": self.confirmed_at, "note": self.note}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The conditions of one case (empty where none apply), with what blocks approval."""

    states: tuple[ConditionState, ...] = ()
    exempt: str | None = None           # why no condition applies, when the network has some

    @property
    def open(self) -> list[ConditionState]:
        """Conditions still to be decided (a person's confirmation, or data to check them)."""
        return [c for c in self.states if c.is_open]

    @property
    def failed(self) -> list[ConditionState]:
        """Conditions the data shows are not met."""
        return [c for c in self.states if c.state == FAILS]

    @property
    def met(self) -> bool:
        """Every condition holds or is confirmed (true when none apply)."""
        return all(c.state in MET for c in self.states)

    def blocking(self) -> str:
        """What stands in the way of approval, in one sentence part: `max_age_days fails (...)`."""
        parts = [f"{c.kind} fails ({c.reason})" for c in self.failed]
        parts += [f"{c.kind} is open ({c.reason})" for c in self.open]
        return "; ".join(parts)

    def to_json(self) -> list[dict[str, Any]]:
        """The conditions as a list of documents."""
        return [c.to_json() for c in self.states]


def _whole(amount: int, decimals: int) -> Decimal:
    from recovery.triage import whole_units

    return whole_units(amount, decimals)


def _native(f: Facts, amount: int) -> str:
    from recovery import money

    return money.amount(_whole(amount, f.native_decimals), f.native_symbol, f.native_decimals)


def _person(c: Condition, done: Confirmation | None, ask: str) -> ConditionState:
    if done is not None:
        return ConditionState(c.kind, CONFIRMED, f"confirmed by {done.actor} ({done.role})", c.role,
                              confirmed_by=done.actor, confirmed_at=done.at, note=done.note)
    return ConditionState(c.kind, NEEDS_PERSON, f"needs {c.role}: {ask}", c.role)


def _max_age(c: Condition, f: Facts) -> ConditionState:
    limit = int(c.params["days"])
    if f.block_time is None:
        return ConditionState(c.kind, UNKNOWN, "the deposit's block time is not known (verify the case again)")
    age = f.claimed_at - f.block_time
    days = max(0, age.days)
    if age > timedelta(days=limit):
        return ConditionState(c.kind, FAILS, f"deposit is {days} days old, at most {limit}")
    return ConditionState(c.kind, HOLDS, f"deposit is {days} days old, at most {limit}")


def _min_usd(c: Condition, f: Facts) -> ConditionState:
    from recovery import money

    floor = Decimal(c.params["usd"])
    if f.amount_base is None or f.asset is None:
        return ConditionState(c.kind, UNKNOWN, "the deposit's amount is not known (verify the case)")
    if f.decimals is None:
        return ConditionState(c.kind, UNKNOWN, f"the decimals of {f.symbol or f.asset} are not known, so neither "
                                               "is its value: list the asset with its decimals and verify again")
    p = f.price
    if p is None:
        return ConditionState(c.kind, UNKNOWN, f"no USD price for {f.symbol or f.asset}: import one "
                                               "(`recovery import prices FILE`) or have clearing value it")
    if f.max_price_age is not None and f.now - p.as_of > f.max_price_age:
        return ConditionState(c.kind, UNKNOWN, f"the USD price of {f.symbol or f.asset} ({p.source}) is of "
                                               f"{p.as_of:%Y-%m-%d %H:%M} UTC, too old: import a newer one")
    value = _whole(f.amount_base, f.decimals) * p.usd_price
    said = f"deposit is worth {money.usd(value)} at {p.usd_price:f} USD ({p.source}), at least {money.usd(floor)}"
    return ConditionState(c.kind, HOLDS if value >= floor else FAILS, said)


def _native_floor(c: Condition, f: Facts, what: str) -> ConditionState:
    floor = int(c.params["amount"])
    if f.asset is None or f.amount_base is None:
        return ConditionState(c.kind, UNKNOWN, "the deposit's asset and amount are not known (verify the case)")
    if f.asset != NATIVE:
        return ConditionState(c.kind, HOLDS, f"a token deposit: the {f.native_symbol} its recovery needs comes "
                                             "from the wallet's top-up")
    verdict = HOLDS if f.amount_base >= floor else FAILS
    return ConditionState(c.kind, verdict, f"deposit of {_native(f, f.amount_base)}, {what} "
                                           f"{_native(f, floor)}")


def _storage(c: Condition, f: Facts, done: Confirmation | None) -> ConditionState:
    if f.asset is None:
        return ConditionState(c.kind, UNKNOWN, "the deposit's asset is not known (verify the case)")
    if f.asset == NATIVE:
        return ConditionState(c.kind, HOLDS, f"a native {f.native_symbol} deposit needs no token registration")
    fee = _native(f, int(c.params["amount"]))
    return _person(c, done, f"our receiving account is registered with {f.asset} (storage deposit {fee})")


def evaluate_one(c: Condition, f: Facts, done: Confirmation | None = None) -> ConditionState:
    """The state of one declared condition against the facts and a person's confirmation, if any."""
    if c.kind == "max_age_days":
        s = _max_age(c, f)
    elif c.kind == "min_usd":
        s = _min_usd(c, f)
    elif c.kind == "existential_deposit":
        s = _native_floor(c, f, "the existential deposit is")
    elif c.kind == "min_utxo":
        s = _native_floor(c, f, "each output must carry")
    elif c.kind == "storage_deposit":
        s = _storage(c, f, done)
    else:   # the kinds a person confirms from evidence outside the chain
        s = _person(c, done, KINDS[c.kind].meaning)
    from dataclasses import replace

    return replace(s, role=c.role, meaning=KINDS[c.kind].meaning, params=dict(c.params))


def evaluate(conditions: tuple[Condition, ...], facts: Facts,
             confirmations: Mapping[str, Confirmation] | None = None) -> Evaluation:
    """Every declared condition of the network, in the order declared."""
    done = confirmations or {}
    return Evaluation(tuple(evaluate_one(c, facts, done.get(c.kind)) for c in conditions))


def exempt_reason(outcome: str | None) -> str | None:
    """Why a case of this outcome is held to no recovery condition (None: it is).

    A deposit credited as it stands (the outcome's fee rule is `no_fee`: uncredited) is not a recovery."""
    from recovery.outcomes import Outcome, info

    if outcome is None or outcome not in Outcome._value2member_map_:
        return None
    if info(outcome).fee_rule == "no_fee":
        return f"a {outcome} deposit is credited as it stands: no recovery, no conditions"
    return None
