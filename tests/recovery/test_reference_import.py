"""Reference import: bad rows named by line while good rows land; re-import updates, never duplicates."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from recovery.db import session_scope
from recovery.models import Credit, DepositAddress, ListedAsset, Price
from recovery.reference_import import import_file

ADDR = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"
TX = "0x" + "ab" * 32


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_bad_rows_are_named_and_good_rows_land(engine, tmp_path: Path) -> None:
    f = _csv(tmp_path / "addresses.csv", "network,address,user_id,memo\n"
             f"ethereum,{ADDR},u-1,\n"
             "ethereum,0x1234,u-2,\n"            # line 3: not an address
             f"moonchain,{ADDR},u-3,\n"          # line 4: unknown network
             f"bsc,{ADDR},,\n"                   # line 5: empty user
             "xrp,rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh,u-5,\n"   # line 6: memo network without memo
             "xrp,rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh,u-6,104857\n")
    report = import_file(engine, "addresses", f)
    assert (report.read, report.written) == (6, 2)
    lines = {line: msg for line, msg in report.errors}
    assert set(lines) == {3, 4, 5, 6}
    assert lines[3].startswith("address:") and lines[4].startswith("network:")
    assert lines[5] == "user_id: is empty" and lines[6].startswith("memo:")
    assert _count(engine, DepositAddress) == 2


def test_reimport_updates_instead_of_duplicating(engine, tmp_path: Path) -> None:
    f = _csv(tmp_path / "assets.csv", "network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
             f"ethereum,{ADDR},DUSD,6,10,true\nethereum,native,ETH,18,0.01,yes\n")
    import_file(engine, "assets", f)
    import_file(engine, "assets", f)
    assert _count(engine, ListedAsset) == 2
    _csv(f, "network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
         f"ethereum,{ADDR.lower()},DUSD,6,25.5,false\n")
    import_file(engine, "assets", f)
    with session_scope(engine) as s:
        rows = s.exec(select(ListedAsset).where(ListedAsset.symbol == "DUSD")).all()
    assert len(rows) == 1 and rows[0].min_deposit == Decimal("25.5") and rows[0].deposit_enabled is False


def test_credits_and_prices_with_exact_decimals(engine, tmp_path: Path) -> None:
    credits = _csv(tmp_path / "credits.csv", "network,tx_hash,user_id,asset,amount\n"
                   f"ethereum,{TX},u-1,native,0.000000000000000001\n"
                   "ethereum,0xnothex,u-1,native,1\n"
                   f"ethereum,{TX.upper().replace('0X', '0x')},u-1,native,2\n")
    report = import_file(engine, "credits", credits)
    assert [line for line, _ in report.errors] == [3]
    assert _count(engine, Credit) == 1      # the same hash in capitals is the same credit, updated
    prices = _csv(tmp_path / "prices.csv", "network,asset,usd_price,as_of\n"
                  "ethereum,native,3012.55,2026-11-20T10:00:00Z\nethereum,native,abc,2026-11-20\n"
                  "ethereum,native,3100,2026-11-21\n")
    report = import_file(engine, "prices", prices)
    assert [line for line, _ in report.errors] == [3]
    with session_scope(engine) as s:
        latest = s.exec(select(Price).order_by(Price.as_of.desc())).first()  # type: ignore[attr-defined]
    assert latest is not None and latest.usd_price == Decimal("3100")


def test_xlsx_is_read_like_csv(engine, tmp_path: Path) -> None:
    path = tmp_path / "addresses.xlsx"
    pd.DataFrame([{"network": "ethereum", "address": ADDR, "user_id": "u-1", "memo": ""},
                  {"network": "ethereum", "address": "nope", "user_id": "u-2", "memo": ""}]).to_excel(path, index=False)
    report = import_file(engine, "addresses", path)
    assert report.written == 1 and [line for line, _ in report.errors] == [3]


def test_overlong_values_and_control_characters_cost_only_their_row(engine, tmp_path: Path) -> None:
    """PostgreSQL refuses a value longer than its column, or a NUL byte, for the whole statement: checked
    before writing, each bad row is reported by line and field and every good row still lands."""
    f = tmp_path / "addresses.csv"
    f.write_bytes(("network,address,user_id,memo\n"
                   f"ethereum,{ADDR},u-1,\n"
                   f"bsc,{ADDR},{'u' * 101},\n"                        # line 3: user_id over its 100
                   f"polygon,{ADDR},u-\x003,\n"                        # line 4: NUL byte
                   f"base,{ADDR},u-\x1b[31m4,\n"                       # line 5: an escape sequence
                   f"arbitrum,{ADDR},u-5,\n").encode())
    report = import_file(engine, "addresses", f)
    lines = dict(report.errors)
    assert (report.read, report.written) == (5, 2) and set(lines) == {3, 4, 5}
    assert lines[3] == "user_id: is 101 characters long, more than the limit of 100"
    assert lines[4].startswith("user_id: holds a control character (0x00") and "0x1b" in lines[5]
    assert _count(engine, DepositAddress) == 2
    credits = _csv(tmp_path / "credits.csv", "network,tx_hash,user_id,asset,amount\n"
                   f"ethereum,{TX},u-1,{'a' * 201},1\n"                # asset over its 200
                   f"ethereum,{TX},u-1,native,1\n")
    report = import_file(engine, "credits", credits)
    assert report.written == 1 and report.errors[0][0] == 2 and report.errors[0][1].startswith("asset: is 201")


@pytest.mark.parametrize(("cell", "why"), [
    ("1e308", "309 digits before the point, more than the limit of 36"),
    ("9" * 100, "100 digits before the point"),
    ("0." + "0" * 40 + "1", "41 digits after the point"),
    ("0", "must be above zero"),
    ("-1", "must be above zero"),
    ("NaN", "must be a finite number"),
    ("Infinity", "must be a finite number"),
    ("2000000000000", "above the limit of 1,000,000,000,000"),
])
def test_prices_out_of_bounds_are_refused_by_name(engine, tmp_path: Path, cell: str, why: str) -> None:
    f = _csv(tmp_path / "prices.csv", "network,asset,usd_price,as_of\n"
             f"ethereum,native,{cell},2026-11-20\nethereum,native,3000,2026-11-21\n")
    report = import_file(engine, "prices", f)
    assert report.written == 1 and len(report.errors) == 1
    line, message = report.errors[0]
    assert line == 2 and message.startswith("usd_price:") and why in message


@pytest.mark.parametrize(("as_of", "why"), [
    ("9999-12-31", "more than a day in the future"), ("0001-01-01", "before 2000-01-01"),
    ("1999-12-31T23:59:59Z", "before 2000-01-01"), ("99999-01-01", "not an ISO date"),
])
def test_price_dates_out_of_range_are_refused_by_name(engine, tmp_path: Path, as_of: str, why: str) -> None:
    f = _csv(tmp_path / "prices.csv", f"network,asset,usd_price,as_of\nethereum,native,3000,{as_of}\n")
    report = import_file(engine, "prices", f)
    assert report.written == 0 and report.errors[0][1].startswith("as_of:") and why in report.errors[0][1]


@pytest.mark.parametrize("cell", ["1e308", "9" * 100, "-5"])
def test_amounts_and_minimums_out_of_bounds_are_refused(engine, tmp_path: Path, cell: str) -> None:
    credits = _csv(tmp_path / "credits.csv", f"network,tx_hash,user_id,asset,amount\nethereum,{TX},u-1,native,{cell}\n")
    assert import_file(engine, "credits", credits).errors[0][1].startswith("amount:")
    assets = _csv(tmp_path / "assets.csv", "network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
                  f"ethereum,native,ETH,18,{cell},true\n")
    assert import_file(engine, "assets", assets).errors[0][1].startswith("min_deposit:")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=120))
def test_any_user_id_either_lands_or_is_named(engine, tmp_path: Path, user: str) -> None:
    """Whatever a cell holds, the import never fails as a whole: the row lands or its line is reported."""
    f = tmp_path / "addresses.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["network", "address", "user_id", "memo"], ["ethereum", ADDR, user, ""],
                                  ["bsc", ADDR, "u-ok", ""]])
    report = import_file(engine, "addresses", f)
    assert report.written + len(report.errors) == report.read and report.written >= 1
