"""Reading CSV and XLSX files as rows of exact text, streamed in chunks, each row with its line number."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recovery.errors import BadInput

EXCEL = (".xlsx", ".xlsm")
Row = dict[str, str]
ROW_ERROR = "\x00error"   # key of a reading problem in a row (never a column name)
ROW_LINE = "\x00line"     # key of the row's line number in the file (never a column name)


def check_readable(path: Path) -> None:
    """Bad input unless the file exists and is CSV or XLSX."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.suffix.lower() not in (".csv", *EXCEL):
        raise BadInput(f"{path}: expected a .csv or .xlsx file")


def require_columns(path: Path, columns: list[str], required: tuple[str, ...]) -> None:
    """Bad input naming the missing columns."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise BadInput(f"{path}: missing column(s) {', '.join(missing)} (have {', '.join(columns) or 'none'})")


def _text(value: Any) -> str:
    """A cell as exact text (XLSX numbers and dates come typed)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        n = n or "column"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        seen.setdefault(n, 1)
        out.append(n)
    return out


def count_rows(path: Path) -> int | None:
    """About how many data rows the file holds (for the ETA), without reading it into memory."""
    if path.suffix.lower() in EXCEL:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            rows = wb.worksheets[0].max_row
        finally:
            wb.close()
        return max(0, rows - 1) if rows else None
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(0, lines - 1 + (last != b"\n"))


def read_rows(path: Path, chunksize: int) -> Iterator[tuple[list[str], list[Row]]]:
    """Yield (columns, rows) chunks of exact text, streamed; columns lower-cased and unique; each row knows its
    line (`ROW_LINE`) and a reading problem (`ROW_ERROR`); the last chunk may be empty."""
    check_readable(path)
    if path.suffix.lower() in EXCEL:
        yield from _read_xlsx(path, chunksize)
    else:
        yield from _read_csv(path, chunksize)


def _read_csv(path: Path, chunksize: int) -> Iterator[tuple[list[str], list[Row]]]:
    # the csv module rather than pandas: pandas' C parser drops or fails on a row with extra cells,
    # where a claims file must keep that row in its place with an error
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, skipinitialspace=True)
            header = next(reader, None)
            if header is None:
                raise BadInput(f"{path}: the file is empty")
            columns = _unique([c.strip().lower() for c in header])
            width = len(columns)
            chunk: list[Row] = []
            for cells in reader:
                if not cells:
                    continue  # a blank line is no claim
                row = dict(zip(columns, (c.strip() for c in cells), strict=False))
                row[ROW_LINE] = str(reader.line_num)
                if len(cells) < width:
                    row.update((c, "") for c in columns[len(cells):])
                elif len(cells) > width and any(c.strip() for c in cells[width:]):
                    row[ROW_ERROR] = f"{len(cells)} cells where the header has {width}"
                chunk.append(row)
                if len(chunk) >= chunksize:
                    yield columns, chunk
                    chunk = []
            yield columns, chunk
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not a UTF-8 CSV file ({exc})") from None
    except csv.Error as exc:
        raise BadInput(f"{path}: not a readable CSV file ({exc})") from None


def _read_xlsx(path: Path, chunksize: int) -> Iterator[tuple[list[str], list[Row]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise BadInput(f"{path}: not a readable XLSX file ({exc})") from None
    try:
        rows_iter = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows_iter, None)
        if header is None:
            raise BadInput(f"{path}: the file is empty")
        width = len(header)
        while width and header[width - 1] in (None, ""):
            width -= 1
        columns = _unique([_text(c).lower() for c in header[:width]])
        chunk: list[Row] = []
        for line, values in enumerate(rows_iter, start=2):
            cells = [_text(v) for v in values[:width]]
            if not any(cells) and not any(_text(v) for v in values[width:]):
                continue  # fully empty sheet row
            cells += [""] * (width - len(cells))
            row = dict(zip(columns, cells, strict=True))
            row[ROW_LINE] = str(line)
            chunk.append(row)
            if len(chunk) >= chunksize:
                yield columns, chunk
                chunk = []
        yield columns, chunk
    finally:
        wb.close()
