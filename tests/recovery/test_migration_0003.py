"""Revision 0003 on a database that already holds cases: exact base units and the recovered mark backfilled."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import create_engine, text


def test_upgrade_backfills_base_units_and_the_recovered_deposit(db_url: str) -> None:
    from alembic import command

    from recovery.db import alembic_config, normalize_url

    cfg = alembic_config(db_url)
    command.downgrade(cfg, "0002")
    engine = create_engine(normalize_url(db_url))
    now = "2026-12-01 10:00:00+00:00"
    with engine.begin() as conn:
        for cid, status, recovery in ((1, "closed", "0xr1"), (2, "cancelled", None), (3, "open", None)):
            conn.execute(text(
                "INSERT INTO cases (id, status, version, network, tx_hash, tx_key, user_id, opened_by, opened_at, "
                "updated_at, amount, decimals, recovered_amount, recovery_tx_key) VALUES (:id, :st, 1, 'ethereum', "
                "'0xt', '0xt', 'u1', 'ann', :now, :now, :amount, 18, :rec, :rtx)"),
                {"id": cid, "st": status, "now": now, "amount": "1234567890123.123456789012341234",
                 "rec": "2.5" if recovery else None, "rtx": recovery})
        conn.execute(text(
            "INSERT INTO quotes (id, case_id, network, asset, symbol, decimals, gross, fee, network_fee, net, "
            "usd_price, usd_value, fee_usd, rule, recommendation, reason, price_source, price_as_of, created_at, "
            "expires_at) VALUES (1, 1, 'ethereum', 'native', 'ETH', 6, '10', '0.5', '0.000001', '9.499999', '1', "
            "'10', '0.5', 'r', 'recover', 'r', 's', :now, :now, :now)"), {"now": now})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, amount_base, recovered_base, deposit_recovered FROM cases ORDER BY id"))
        cases = [tuple(r) for r in rows]
        quote = tuple(conn.execute(text("SELECT gross_base, fee_base, network_fee_base, net_base FROM quotes")).one())
    engine.dispose()
    base = "1234567890123123456789012341234"
    assert cases == [(1, base, str(25 * 10**17), "ethereum 0xt"), (2, base, None, None), (3, base, None, None)]
    assert quote == ("10000000", "500000", "1", "9499999")
    assert Decimal(quote[1]) + Decimal(quote[2]) + Decimal(quote[3]) == Decimal(quote[0])


def test_upgrade_refuses_a_deposit_with_two_live_cases_naming_them(db_url: str) -> None:
    import pytest
    from alembic import command

    from recovery.db import alembic_config, current_revision, make_engine, normalize_url
    from recovery.errors import NotConfigured

    cfg = alembic_config(db_url)
    command.downgrade(cfg, "0002")
    engine = create_engine(normalize_url(db_url))
    with engine.begin() as conn:
        for cid in (4, 7):
            conn.execute(text(
                "INSERT INTO cases (id, status, version, network, tx_hash, tx_key, user_id, opened_by, opened_at, "
                "updated_at) VALUES (:id, 'verified', 1, 'bsc', '0xd', '0xd', 'u1', 'ann', :now, :now)"),
                {"id": cid, "now": "2026-12-01 10:00:00+00:00"})
    engine.dispose()
    with pytest.raises(NotConfigured, match="several live cases \\(cases 4, 7 on bsc\\): cancel all but one"):
        command.upgrade(cfg, "head")
    check = make_engine(db_url)
    assert current_revision(check) == "0002"   # nothing half done
    check.dispose()
    engine = create_engine(normalize_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET status = 'cancelled' WHERE id = 4"))
    engine.dispose()
    command.upgrade(cfg, "head")   # once fixed, the upgrade goes through
