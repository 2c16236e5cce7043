"""Hostile claims files: formula cells, outputs aimed at the input, readers beyond their limits, bad UTF-8
late in a file, duplicate headers, outputs that cannot be written."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recovery.batch import run_batch
from recovery.batch_io import AMOUNT_HEADER, csv_bytes, neutralise, publish, restore
from recovery.errors import BadInput
from recovery.tabular import ROW_ERROR, ROW_LINE, Limits, read_rows

HASH = "0x" + "ab" * 32
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "'quoted", "=1+2", "=cmd|'/c calc'!A1", "-=1"]   # (cells are read stripped: tab and CR below)
NUMBERS = ["-5", "+1.5", "-0.25e3", "42", ".5"]


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Any:
    """A migrated SQLite database (the rows below never reach a node)."""
    from recovery.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _rows(path: Path) -> list[dict[str, str]]:
    return [dict(r) for r in csv.DictReader(path.open(newline="", encoding="utf-8"))]


def claims(path: Path, lines: list[list[str]], header: tuple[str, ...] = ("network", "tx_hash", "user_id",
                                                                            "note")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(lines)
    return path


# -- formula injection --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "written"), [
    ("=1+2", "'=1+2"), ("+A1", "'+A1"), ("-A1", "'-A1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\r=1", "'\r=1"), ("'x", "''x"), ("-5", "-5"), ("+1.5", "+1.5"), ("-1e3", "-1e3"), ("0x12", "0x12"),
    ("", ""), ("-", "'-"), ("1-2", "1-2"),
])
def test_neutralise_cases(value: str, written: str) -> None:
    assert neutralise(value) == written and restore(written) == value


@given(st.text(max_size=40))
def test_neutralise_is_reversible_and_leaves_no_trigger(value: str) -> None:
    safe = neutralise(value)
    assert restore(safe) == value
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(r"[+-][\d.eE+-]+", safe)


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=5))
def test_csv_cells_read_back_as_written(rows: list[list[str]]) -> None:
    back = list(csv.reader(io.StringIO(csv_bytes(rows).decode(), newline="")))
    assert [[restore(c) for c in r] for r in back] == rows


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_cells_are_neutralised_and_numbers_kept(sqlite_engine: Any, tmp_path: Path, suffix: str) -> None:
    lines = [[f, HASH, f, n] for f, n in zip(FORMULAS, NUMBERS * 2, strict=False)]
    src = claims(tmp_path / "claims.csv", lines)
    out = tmp_path / f"out{suffix}"
    run_batch(sqlite_engine, src, out)
    if suffix == ".csv":
        raw = out.read_text(encoding="utf-8")
        for f in FORMULAS:
            assert f"'{f}" in raw.replace('""', '"')    # escaped, recoverable
        rows = _rows(out)
        cells = [[c for c in r.values()] for r in rows]
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(out).worksheets[0]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)   # never a live formula
        quoted = [c.value for row in sheet.iter_rows() for c in row if c.quotePrefix]
        assert set(FORMULAS) <= set(quoted)
        values = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
        rows = [dict(zip(values[0], v, strict=True)) for v in values[1:]]
        cells = [[neutralise(c) for c in r.values()] for r in rows]
    for row, (_, _, user, number) in zip(rows, lines, strict=True):
        assert (restore(row["user_id"]) if suffix == ".csv" else row["user_id"]) == user   # recoverable
        assert row["note"] == number                                                      # a number stays
    for r in cells:
        for c in r:
            assert not c.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(r"[+-][\d.eE+-]+", c)


def test_xlsx_numbers_are_numeric_cells_and_long_amounts_exact_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows = [["user_id", "block_height", "amount", "note"],
            ["007", "22", "0.5", "-5"],
            ["12345678901234567890", "19000000", "123456789.123456789012", "=1+2"],
            ["u-1", "0", "1000000000000000000000", "+1.5"],
            ["u-2", "", "0.000000000000000001", "-2+3"]]
    src = tmp_path / "rows.csv"
    src.write_bytes(csv_bytes(rows))
    publish(src, tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    cells = [list(r) for r in sheet.iter_rows()]
    assert [c.value for c in cells[0]] == ["user_id", "block_height", AMOUNT_HEADER, "note"]
    assert "exact text" in AMOUNT_HEADER
    got = [[c.value for c in r] for r in cells[1:]]
    assert got == [["007", 22, 0.5, -5],                       # a leading zero is an identifier: text
                   ["12345678901234567890", 19000000, "123456789.123456789012", "=1+2"],
                   ["u-1", 0, "1000000000000000000000", "+1.5"],
                   ["u-2", None, 1e-18, "-2+3"]]
    assert all(c.data_type == "n" for c in (cells[1][1], cells[1][2], cells[1][3], cells[2][1], cells[4][2]))
    assert all(c.data_type == "s" for c in (cells[1][0], cells[2][0], cells[2][2], cells[3][2], cells[3][3]))
    assert all(c.data_type != "f" for r in cells for c in r)                   # never a live formula
    assert {cells[2][3].value, cells[4][3].value} <= {c.value for r in cells for c in r if c.quotePrefix}
    assert not src.exists()


# -- outputs aimed at the input -----------------------------------------------------------------------

def _aimed(tmp_path: Path, how: str) -> Path:
    src = tmp_path / "claims.csv"
    if how == "hard link":
        os.link(src, tmp_path / "out.csv")
        return tmp_path / "out.csv"
    if how == "symlink":
        (tmp_path / "out.csv").symlink_to(src)
        return tmp_path / "out.csv"
    if how == "dot-dot":
        (tmp_path / "sub").mkdir()
        return tmp_path / "sub" / ".." / "claims.csv"
    if how == "progress hard link":
        os.link(src, tmp_path / "out.csv.progress.tmp")
        return tmp_path / "out.csv"
    if how == "partial hard link":
        os.link(src, tmp_path / "out.csv.partial.csv")
        return tmp_path / "out.csv"
    return src


@pytest.mark.parametrize("how", ["same path", "hard link", "symlink", "dot-dot", "progress hard link",
                                 "partial hard link"])
def test_output_that_is_the_input_is_refused(sqlite_engine: Any, tmp_path: Path, how: str) -> None:
    src = claims(tmp_path / "claims.csv", [["ethereum", HASH, "u-1", ""]])
    before = src.read_bytes()
    with pytest.raises(BadInput, match="same file on disk"):
        run_batch(sqlite_engine, src, _aimed(tmp_path, how))
    assert src.read_bytes() == before


def test_a_failed_run_leaves_no_output_that_looks_finished(sqlite_engine: Any, tmp_path: Path) -> None:
    src = claims(tmp_path / "claims.csv", [["ethereum", HASH, "u-1", ""]] * 3)
    (tmp_path / "out.csv").write_text("an older result\n")

    def die(done: int, total: int | None) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(sqlite_engine, src, tmp_path / "out.csv", on_progress=die)
    assert (tmp_path / "out.csv").read_text() == "an older result\n"   # replaced only by a finished run


@pytest.mark.parametrize("where", ["missing folder", "a folder", "no permission"])
def test_output_that_cannot_be_written_is_bad_input(sqlite_engine: Any, tmp_path: Path, where: str) -> None:
    src = claims(tmp_path / "claims.csv", [["ethereum", HASH, "u-1", ""]])
    target = {"missing folder": tmp_path / "nowhere" / "out.csv", "a folder": tmp_path,
              "no permission": Path("/sys/out.csv")}[where]
    if where == "a folder":
        (tmp_path / "dir.csv").mkdir()
        target = tmp_path / "dir.csv"
    if where == "no permission" and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out.csv"
    with pytest.raises(BadInput) as info:
        run_batch(sqlite_engine, src, target)
    assert str(target) in str(info.value) and "\n" not in str(info.value)


# -- bounded readers ------------------------------------------------------------------------------------

SMALL = Limits(cell_chars=100, line_bytes=1000, columns=8, xlsx_unzipped_bytes=200_000)


def _all(path: Path, limits: Limits = SMALL) -> list[dict[str, str]]:
    return [row for _, rows in read_rows(path, 50, limits) for row in rows]


def test_a_huge_header_line_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"network,tx_hash," + b"x" * 50_000_000 + b"\n")
    with pytest.raises(BadInput, match=r"line 1: the line is longer than the limit of 1,048,576"):
        _all(path, Limits())


def test_a_long_line_late_in_the_file_is_refused_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("network,tx_hash\n" + "ethereum,0x1\n" * 5 + "ethereum," + "a" * 2000 + "\n")
    with pytest.raises(BadInput, match=r"line 7: the line is longer than the limit of 1,000"):
        _all(path)


def test_a_long_quoted_cell_over_lines_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cell.csv"
    path.write_text('network,tx_hash\nethereum,"' + ("b" * 50 + "\n") * 5 + '"\n')
    with pytest.raises(BadInput, match=r"a cell is longer than the limit of 100"):
        _all(path)


def test_too_many_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text(",".join(f"c{i}" for i in range(9)) + "\n")
    with pytest.raises(BadInput, match="9 columns, more than the limit of 8"):
        _all(path)
    path.write_text("network,tx_hash\nethereum,0x1\n" + "x," * 20 + "\n")
    with pytest.raises(BadInput, match="line 3: 21 cells, more than the limit of 8"):
        _all(path)


def test_duplicate_header_names_are_bad_input_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("network,tx_hash,Amount,amount\nethereum,0x1,1,2\n")
    with pytest.raises(BadInput, match=r"column 'amount' appears twice in the header \(columns 3 and 4\)"):
        _all(path)


def test_bad_utf8_late_in_a_file_is_that_rows_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    body = "".join(f"ethereum,0x{i:064x},u-{i}\n" for i in range(2000))
    data = ("\ufeffnetwork,tx_hash,user_id\n" + body).encode()
    data += "ethereum,0xabc,Müller\n".encode("latin-1") + b"ethereum,0xdef,u-x\n"
    path.write_bytes(data)
    rows = _all(path, Limits())
    assert len(rows) == 2002 and list(rows[0])[:3] == ["network", "tx_hash", "user_id"]
    bad = [r for r in rows if ROW_ERROR in r]
    assert [r[ROW_LINE] for r in bad] == ["2002"]
    assert "line 2002 is not UTF-8 (byte 0xfc" in bad[0][ROW_ERROR]
    assert rows[-1]["user_id"] == "u-x" and ROW_ERROR not in rows[-1]


def test_bad_utf8_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("network,tx_hash,Bemerkung-ä\n".encode("latin-1"))
    with pytest.raises(BadInput, match="line 1 .*not UTF-8"):
        _all(path)


def _xlsx(path: Path, rows: list[list[Any]], dimension: str | None = None, extra: bytes = b"") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    if dimension is None and not extra:
        return path
    with zipfile.ZipFile(path) as zf:
        entries = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = entries["xl/worksheets/sheet1.xml"].decode()
    if dimension:
        sheet = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', sheet)
    entries["xl/worksheets/sheet1.xml"] = sheet.encode()
    if extra:
        entries["xl/media/padding.bin"] = extra
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_xlsx_declaring_a_huge_sheet_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "huge.xlsx", [["network", "tx_hash"], ["ethereum", "0x1"]], "A1:XFD1048576")
    with pytest.raises(BadInput, match="16,384 columns wide, more than the limit of 8"):
        _all(path)


def test_xlsx_that_unpacks_beyond_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "bomb.xlsx", [["network", "tx_hash"]], extra=b"\0" * 1_000_000)
    assert path.stat().st_size < 20_000
    with pytest.raises(BadInput, match=r"unpacks to 1,0\d\d,\d\d\d bytes, more than the limit of 200,000"):
        _all(path)


def test_xlsx_cell_and_row_width_limits(tmp_path: Path) -> None:
    long = _xlsx(tmp_path / "cell.xlsx", [["network", "tx_hash"], ["ethereum", "c" * 101]])
    with pytest.raises(BadInput, match="line 2: a cell is longer than the limit of 100"):
        _all(long)
    wide = _xlsx(tmp_path / "wide.xlsx", [["network", "tx_hash"], ["ethereum", "0x1", *[""] * 6, "x"]],
                 dimension="A1:B2")   # the dimension lies: the row still may not pass the limit
    with pytest.raises(BadInput, match="line 2: cells beyond column 8"):
        _all(wide)
    dup = _xlsx(tmp_path / "dup.xlsx", [["network", "TX_HASH", "tx_hash"]])
    with pytest.raises(BadInput, match="column 'tx_hash' appears twice"):
        _all(dup)


@pytest.mark.slow
def test_xlsx_zip_bomb_at_the_default_limit(tmp_path: Path) -> None:
    """A ~1 MB file that would unpack to 600 MB is refused from the archive's directory alone."""
    path = tmp_path / "bomb.xlsx"
    _xlsx(path, [["network", "tx_hash"]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as fh:
        block = b"<row/>" * 100_000
        for _ in range(1000):
            fh.write(block)
    assert path.stat().st_size < 5_000_000
    with pytest.raises(BadInput, match="more than the limit of 536,870,912"):
        _all(path, Limits())
