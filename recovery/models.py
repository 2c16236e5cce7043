"""Tables of the reference data: our deposit addresses, listed assets, credited deposits, prices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from recovery.dbtypes import DecimalText, UTCDateTime, utcnow


class DepositAddress(SQLModel, table=True):
    """An address (and memo, on memo networks) that belongs to one of our users."""

    __tablename__ = "deposit_addresses"
    __table_args__ = (UniqueConstraint("network", "address_key", "memo", name="uq_deposit_address"),)

    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    address: str = Field(max_length=200)
    address_key: str = Field(max_length=200, index=True)
    user_id: str = Field(max_length=100, index=True)
    memo: str = Field(default="", max_length=200)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ListedAsset(SQLModel, table=True):
    """An asset we list on a network, with its minimum deposit and whether deposits are open."""

    __tablename__ = "listed_assets"
    __table_args__ = (UniqueConstraint("network", "asset_key", name="uq_listed_asset"),)

    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    asset: str = Field(max_length=200)
    asset_key: str = Field(max_length=200)
    symbol: str = Field(max_length=40)
    decimals: int
    min_deposit: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    deposit_enabled: bool = True


class Credit(SQLModel, table=True):
    """A deposit we have already credited to a user."""

    __tablename__ = "credits"
    __table_args__ = (UniqueConstraint("network", "tx_key", "asset_key", name="uq_credit"),)

    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    tx_hash: str = Field(max_length=200)
    tx_key: str = Field(max_length=200, index=True)
    user_id: str = Field(max_length=100)
    asset: str = Field(max_length=200)
    asset_key: str = Field(max_length=200)
    amount: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))


class Price(SQLModel, table=True):
    """A USD price of an asset on a network at a time, and where it came from."""

    __tablename__ = "prices"
    __table_args__ = (UniqueConstraint("network", "asset_key", "as_of", name="uq_price"),)

    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40, index=True)
    asset: str = Field(max_length=200)
    asset_key: str = Field(max_length=200)
    usd_price: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    as_of: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    source: str = Field(default="import", max_length=200)
