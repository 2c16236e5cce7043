"""Reference import: bad rows named by line while good rows land; re-import updates, never duplicates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
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
