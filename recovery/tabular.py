"""Reading CSV and XLSX files as rows of exact text, streamed in chunks, each row with its line number.

Readers are bounded (`Limits`): a cell, a line, the columns, an XLSX sheet's dimensions and its
decompressed size. Beyond a limit the file is refused with the limit and the line named; a line that is
not UTF-8 is a row error naming the line, the rows around it are read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recovery.errors import BadInput

EXCEL = (".xlsx", ".xlsm")
Row = dict[str, str]
ROW_ERROR = "\x00error"   # key of a reading problem in a row (never a column name)
ROW_LINE = "\x00line"     # key of the row's line number in the file (never a column name)


@dataclass(frozen=True)
class Limits:
    """How much of a file a reader accepts before it refuses the file."""

    cell_chars: int = 65_536              # one cell
    line_bytes: int = 1 << 20             # one physical CSV line
    columns: int = 256                    # header columns, and cells in a row
    xlsx_rows: int = 1_048_576            # a sheet's rows (Excel's own maximum)
    xlsx_unzipped_bytes: int = 512 << 20  # all entries of the XLSX archive, decompressed
    xlsx_entries: int = 10_000            # entries in the XLSX archive


LIMITS = Limits()


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


def header_names(path: Path, cells: list[str], limits: Limits = LIMITS) -> list[str]:
    """Lower-cased column names; an empty one is named by position, a name given twice is bad input."""
    if len(cells) > limits.columns:
        raise BadInput(f"{path}: the header has {len(cells)} columns, more than the limit of {limits.columns}")
    names: list[str] = []
    where: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        name = cell.strip().lower() or f"column_{i}"
        if name in where:
            raise BadInput(f"{path}: column {name!r} appears twice in the header (columns {where[name]} and {i}); "
                           "rename one of them")
        where[name] = i
        names.append(name)
    return names


def _too_long(path: Path, line: int | str, what: str, limit: int) -> BadInput:
    return BadInput(f"{path}: line {line}: {what} is longer than the limit of {limit:,}; the file is refused")


def count_rows(path: Path, limits: Limits = LIMITS) -> int | None:
    """About how many data rows the file holds (for the ETA), without reading it into memory."""
    if path.suffix.lower() in EXCEL:
        from openpyxl import load_workbook

        check_xlsx_archive(path, limits)
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


def read_rows(path: Path, chunksize: int, limits: Limits = LIMITS) -> Iterator[tuple[list[str], list[Row]]]:
    """Yield (columns, rows) chunks of exact text, streamed; columns lower-cased and unique; each row knows its
    line (`ROW_LINE`) and a reading problem (`ROW_ERROR`); the last chunk may be empty."""
    check_readable(path)
    if path.suffix.lower() in EXCEL:
        yield from _read_xlsx(path, chunksize, limits)
    else:
        yield from _read_csv(path, chunksize, limits)


class _Lines:
    """Physical lines of a binary file decoded one by one: bounded in length, bad UTF-8 remembered by line."""

    def __init__(self, path: Path, fh: Any, limits: Limits) -> None:
        self.path, self.fh, self.limits = path, fh, limits
        self.number = 0
        self.bad: dict[int, str] = {}   # line -> what was wrong with its encoding

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.fh.readline(self.limits.line_bytes + 1)
        if not raw:
            raise StopIteration
        self.number += 1
        if len(raw) > self.limits.line_bytes and not raw.endswith(b"\n"):
            raise _too_long(self.path, self.number, "the line", self.limits.line_bytes)
        if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.bad[self.number] = f"not UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start + 1})"
            return raw.decode("utf-8", errors="replace")


def _read_csv(path: Path, chunksize: int, limits: Limits) -> Iterator[tuple[list[str], list[Row]]]:
    # the csv module rather than pandas: pandas' C parser drops or fails on a row with extra cells,
    # where a claims file must keep that row in its place with an error
    csv.field_size_limit(limits.cell_chars)
    with path.open("rb") as fh:
        lines = _Lines(path, fh, limits)
        reader = csv.reader(lines, skipinitialspace=True)
        try:
            header = next(reader, None)
            if header is None:
                raise BadInput(f"{path}: the file is empty")
            if lines.bad:
                raise BadInput(f"{path}: line 1 (the header) is {lines.bad[1]}: save the file as UTF-8")
            columns = header_names(path, header, limits)
            width = len(columns)
            chunk: list[Row] = []
            done = reader.line_num
            for cells in reader:
                first, done = done + 1, reader.line_num
                bad = [f"line {n} is {lines.bad.pop(n)}" for n in range(first, done + 1) if n in lines.bad]
                if not cells and not bad:
                    continue  # a blank line is no claim
                if len(cells) > limits.columns:
                    raise BadInput(f"{path}: line {done}: {len(cells)} cells, more than the limit of "
                                   f"{limits.columns} columns; the file is refused")
                row = dict(zip(columns, (c.strip() for c in cells), strict=False))
                row[ROW_LINE] = str(done)
                if len(cells) < width:
                    row.update((c, "") for c in columns[len(cells):])
                elif len(cells) > width and any(c.strip() for c in cells[width:]):
                    row[ROW_ERROR] = f"{len(cells)} cells where the header has {width}"
                if bad:
                    row[ROW_ERROR] = "; ".join(bad) + ": save the file as UTF-8"
                chunk.append(row)
                if len(chunk) >= chunksize:
                    yield columns, chunk
                    chunk = []
            yield columns, chunk
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise _too_long(path, lines.number, "a cell", limits.cell_chars) from None
            raise BadInput(f"{path}: line {lines.number}: not a readable CSV file ({exc})") from None


def check_xlsx_archive(path: Path, limits: Limits = LIMITS) -> None:
    """Refuse an XLSX whose archive would unpack beyond the limits, before openpyxl reads any of it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadInput(f"{path}: not a readable XLSX file ({exc})") from None
    if len(entries) > limits.xlsx_entries:
        raise BadInput(f"{path}: {len(entries):,} entries in the XLSX archive, more than the limit of "
                       f"{limits.xlsx_entries:,}")
    unzipped = sum(e.file_size for e in entries)
    if unzipped > limits.xlsx_unzipped_bytes:
        raise BadInput(f"{path}: the XLSX unpacks to {unzipped:,} bytes, more than the limit of "
                       f"{limits.xlsx_unzipped_bytes:,} (decompressed size)")


def _read_xlsx(path: Path, chunksize: int, limits: Limits) -> Iterator[tuple[list[str], list[Row]]]:
    from openpyxl import load_workbook

    check_xlsx_archive(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise BadInput(f"{path}: not a readable XLSX file ({exc})") from None
    try:
        ws = wb.worksheets[0]
        rows, cols = ws.max_row or 0, ws.max_column or 0   # the sheet's declared dimension
        if cols > limits.columns:
            raise BadInput(f"{path}: the sheet is {cols:,} columns wide, more than the limit of {limits.columns}")
        if rows > limits.xlsx_rows:
            raise BadInput(f"{path}: the sheet has {rows:,} rows, more than the limit of {limits.xlsx_rows:,}")
        # max_col bounds every row whatever the declared dimension says; one column more shows overflow
        rows_iter = ws.iter_rows(values_only=True, max_col=limits.columns + 1)
        header = next(rows_iter, None)
        if header is None:
            raise BadInput(f"{path}: the file is empty")
        width = len(header)
        while width and header[width - 1] in (None, ""):
            width -= 1
        columns = header_names(path, [_cell(path, 1, c, limits) for c in header[:width]], limits)
        chunk: list[Row] = []
        for line, values in enumerate(rows_iter, start=2):
            if line > limits.xlsx_rows + 1:
                raise BadInput(f"{path}: more than {limits.xlsx_rows:,} rows (the limit); the file is refused")
            if len(values) > limits.columns and values[limits.columns] not in (None, ""):
                raise BadInput(f"{path}: line {line}: cells beyond column {limits.columns} (the limit); the file "
                               "is refused")
            cells = [_cell(path, line, v, limits) for v in values[:width]]
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


def _cell(path: Path, line: int, value: Any, limits: Limits) -> str:
    text = _text(value)
    if len(text) > limits.cell_chars:
        raise _too_long(path, line, "a cell", limits.cell_chars)
    return text
