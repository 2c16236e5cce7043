"""Tables of the case workflow: actors, cases, approvals, condition confirmations, quotes, valuations and
the audit log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from recovery.dbtypes import BaseUnits, DecimalText, UTCDateTime, utcnow

# the states a case can no longer leave (workflow.FINAL); a case in any other state is live
FINAL_STATUSES = ("cancelled", "closed", "declined", "rejected")
LIVE = text("status NOT IN (" + ", ".join(f"'{s}'" for s in FINAL_STATUSES) + ")")


def _ts(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable)


def _dec(nullable: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(DecimalText(), nullable=nullable)


def _base() -> Column:  # type: ignore[type-arg]
    return Column(BaseUnits(), nullable=True)


class Actor(SQLModel, table=True):
    """A member of the team and the roles they hold (comma-separated, sorted)."""

    __tablename__ = "actors"
    __table_args__ = (UniqueConstraint("name", name="uq_actor_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    roles: str = Field(default="", max_length=200)
    added_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    added_by: str | None = Field(default=None, max_length=100)

    def role_set(self) -> set[str]:
        """The roles as a set."""
        return {r for r in self.roles.split(",") if r}


class Case(SQLModel, table=True):
    """One claim, its on-chain facts, and where it stands; `version` guards concurrent updates.

    The database keeps the money rules: one live case per deposit (a partial unique index), and one
    recovery per deposit ever (`deposit_recovered`, set once when the funds are recovered or credited).
    """

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("recovery_tx_key", name="uq_case_recovery_tx"),
        UniqueConstraint("deposit_recovered", name="uq_case_deposit_recovered"),
        Index("uq_case_live_tx", "network", "tx_key", unique=True, sqlite_where=LIVE, postgresql_where=LIVE),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=40, index=True)
    version: int = Field(default=1)
    network: str = Field(max_length=40, index=True)
    tx_hash: str = Field(max_length=200)
    tx_key: str = Field(max_length=200, index=True)
    user_id: str = Field(max_length=100, index=True)
    claimed_asset: str | None = Field(default=None, max_length=200)
    claimed_amount: Decimal | None = Field(default=None, sa_column=_dec())
    claimed_memo: str | None = Field(default=None, max_length=200)
    opened_by: str = Field(max_length=100)
    opened_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # facts of the last verification
    outcome: str | None = Field(default=None, max_length=40, index=True)
    recoverable: str | None = Field(default=None, max_length=40)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    chain_status: str | None = Field(default=None, max_length=20)
    asset: str | None = Field(default=None, max_length=200)
    amount: Decimal | None = Field(default=None, sa_column=_dec())   # whole units, for people
    amount_base: int | None = Field(default=None, sa_column=_base())  # the exact amount, base units
    decimals: int | None = None
    from_address: str | None = Field(default=None, max_length=200)
    deposit_address: str | None = Field(default=None, max_length=200)
    deposit_network: str | None = Field(default=None, max_length=40)
    deposit_user: str | None = Field(default=None, max_length=100)
    block_height: int | None = None
    block_time: datetime | None = Field(default=None, sa_column=_ts(True))   # the deposit's block (UTC)
    confirmations: int | None = None
    facts_hash: str | None = Field(default=None, max_length=64)
    verified_at: datetime | None = Field(default=None, sa_column=_ts(True))
    # later steps
    quote_id: int | None = Field(default=None)
    recovery_tx: str | None = Field(default=None, max_length=200)
    recovery_tx_key: str | None = Field(default=None, max_length=200)
    recovered_amount: Decimal | None = Field(default=None, sa_column=_dec())
    recovered_base: int | None = Field(default=None, sa_column=_base())
    payout_address: str | None = Field(default=None, max_length=200)   # the user's own address, if any
    reopen_of: int | None = Field(default=None)   # the earlier case of the same deposit, on purpose
    deposit_recovered: str | None = Field(default=None, max_length=260)   # "network tx_key" once recovered
    ledger_ref: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Approval(SQLModel, table=True):
    """One approver's decision on a case; a re-verification that changes the facts voids it."""

    __tablename__ = "approvals"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    role: str = Field(max_length=20)
    actor: str = Field(max_length=100)
    decision: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    facts_hash: str | None = Field(default=None, max_length=64)
    digest: str | None = Field(default=None, max_length=64)   # the prepared recovery shown to the approver
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    voided_at: datetime | None = Field(default=None, sa_column=_ts(True))


class ConditionConfirmation(SQLModel, table=True):
    """A person's confirmation of one recovery condition of a case (chains/conditions.toml), once per kind.

    `facts_hash` is the case's facts when it was given; a re-verification that changes them removes it."""

    __tablename__ = "condition_confirmations"
    __table_args__ = (UniqueConstraint("case_id", "kind", name="uq_condition_confirmation"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=40)
    actor: str = Field(max_length=100)
    role: str = Field(max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    facts_hash: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


UNSUPERSEDED = text("superseded_at IS NULL")


class PreparedTx(SQLModel, table=True):
    """One unsigned transaction of a case's prepared recovery (`position` in signing order); preparing
    again supersedes the rows of the old digest. One live preparation per case (a partial unique index)."""

    __tablename__ = "prepared_txs"
    __table_args__ = (
        Index("uq_prepared_live", "case_id", "position", unique=True, sqlite_where=UNSUPERSEDED,
              postgresql_where=UNSUPERSEDED),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    digest: str = Field(max_length=64, index=True)
    position: int
    purpose: str = Field(max_length=20)
    network: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))   # UnsignedTx.as_json(), as JSON
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    superseded_at: datetime | None = Field(default=None, sa_column=_ts(True))
    tx_hash: str | None = Field(default=None, max_length=200)     # once its signed transaction went out


class Quote(SQLModel, table=True):
    """A fee quote: amounts in whole units (for people) and base units (exact), USD values, rule, expiry."""

    __tablename__ = "quotes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    network: str = Field(max_length=40)
    asset: str = Field(max_length=200)
    symbol: str = Field(max_length=40)
    decimals: int
    gross: Decimal = Field(sa_column=_dec(False))
    fee: Decimal = Field(sa_column=_dec(False))
    network_fee: Decimal = Field(sa_column=_dec(False))
    net: Decimal = Field(sa_column=_dec(False))
    gross_base: int | None = Field(default=None, sa_column=_base())
    fee_base: int | None = Field(default=None, sa_column=_base())
    network_fee_base: int | None = Field(default=None, sa_column=_base())
    net_base: int | None = Field(default=None, sa_column=_base())
    usd_price: Decimal = Field(sa_column=_dec(False))
    usd_value: Decimal = Field(sa_column=_dec(False))
    fee_usd: Decimal = Field(sa_column=_dec(False))
    network_fee_usd: Decimal | None = Field(default=None, sa_column=_dec())
    network_fee_note: str | None = Field(default=None, max_length=200)
    rule: str = Field(max_length=200)
    recommendation: str = Field(max_length=20)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    price_source: str = Field(max_length=200)
    price_as_of: datetime = Field(sa_column=_ts())
    created_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())


class Valuation(SQLModel, table=True):
    """A USD price entered by clearing for an asset that has no imported price."""

    __tablename__ = "valuations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    network: str = Field(max_length=40)
    asset: str = Field(max_length=200)
    usd_price: Decimal = Field(sa_column=_dec(False))
    entered_by: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AuditEntry(SQLModel, table=True):
    """One appended event; `hash` covers the row and the previous row's hash."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_column=_ts())
    actor: str = Field(max_length=100)
    case_id: int | None = Field(default=None, index=True)
    event: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str | None = Field(default=None, max_length=40)
    data: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The single row naming the last audit entry; locked to append, checked to find a removed tail."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)
    mac: str | None = Field(default=None, max_length=64)    # HMAC of (seq, hash, keyed_from) with the audit key
    keyed_from: int = Field(default=0, sa_column_kwargs={"server_default": "0"})   # rows up to it predate the key
