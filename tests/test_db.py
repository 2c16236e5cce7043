"""Migrations create the schema on SQLite and PostgreSQL; Decimal columns stay exact."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import inspect
from sqlmodel import select

from recovery.db import current_revision, head_revision, session_scope
from recovery.models import ListedAsset


def test_migrations_reach_head_and_create_tables(engine) -> None:
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"deposit_addresses", "listed_assets", "credits", "prices"} <= tables


def test_decimal_survives_round_trip_exactly(engine) -> None:
    tiny = Decimal("0.000000000000000001")
    with session_scope(engine) as s:
        s.add(ListedAsset(network="ethereum", asset="native", asset_key="native", symbol="ETH",
                          decimals=18, min_deposit=tiny))
    with session_scope(engine) as s:
        row = s.exec(select(ListedAsset)).one()
    assert row.min_deposit == tiny
    assert isinstance(row.min_deposit, Decimal)
