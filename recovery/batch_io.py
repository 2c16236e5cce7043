"""Batch files: claims streamed in from CSV/XLSX in chunks, result rows appended to CSV, XLSX at the end."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from recovery.errors import BadInput
from recovery.tabular import EXCEL, check_readable

REQUIRED = ("network", "tx_hash")
OPTIONAL = ("user_id", "asset", "amount", "address", "memo")
RESULT_COLUMNS = ("status", "outcome", "recoverable", "reason", "block_height", "confirmations", "asset",
                  "amount", "from_address", "to_address", "found_on_network", "error")
CLAIMED_PREFIX = "claimed_"

Row = dict[str, str]
ROW_ERROR = "\x00error"   # key of a reading problem in a row (never a column name)


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


def read_claims(path: Path, chunksize: int) -> Iterator[tuple[list[str], list[Row]]]:
    """Yield (columns, rows) chunks of exact text; columns lower-cased and unique; the last chunk may be empty."""
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
        for values in rows_iter:
            cells = [_text(v) for v in values[:width]]
            if not any(cells) and not any(_text(v) for v in values[width:]):
                continue  # fully empty sheet row
            cells += [""] * (width - len(cells))
            chunk.append(dict(zip(columns, cells, strict=True)))
            if len(chunk) >= chunksize:
                yield columns, chunk
                chunk = []
        yield columns, chunk
    finally:
        wb.close()


def output_columns(input_columns: list[str]) -> tuple[list[str], dict[str, str]]:
    """Output header, and input column -> output name (a claimed `asset` becomes `claimed_asset`)."""
    taken = set(input_columns) | set(RESULT_COLUMNS)
    renames: dict[str, str] = {}
    for c in input_columns:
        if c in RESULT_COLUMNS:
            new = CLAIMED_PREFIX + c
            while new in taken:
                new = "_" + new
            taken.add(new)
            renames[c] = new
    return [renames.get(c, c) for c in input_columns] + list(RESULT_COLUMNS), renames


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows encoded as CSV lines (UTF-8, \\r\\n line ends, as the csv module writes them)."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


class CsvSink:
    """An append-only CSV file that can be cut back to a checkpoint and made durable."""

    def __init__(self, path: Path, *, keep_bytes: int | None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh: BinaryIO
        if keep_bytes is None:
            self.fh = path.open("wb")
        else:
            if not path.exists() or path.stat().st_size < keep_bytes:
                raise BadInput(f"{path}: shorter than the progress file records; delete both and start again")
            self.fh = path.open("r+b")
            self.fh.truncate(keep_bytes)   # rows written after the last checkpoint are written again
            self.fh.seek(keep_bytes)

    def write(self, data: bytes) -> None:
        """Append bytes."""
        self.fh.write(data)

    def sync(self) -> int:
        """Flush to disk; returns the file's length."""
        self.fh.flush()
        os.fsync(self.fh.fileno())
        return self.fh.tell()

    def close(self) -> None:
        """Close the file."""
        self.fh.close()


def csv_to_xlsx(src: Path, dest: Path) -> None:
    """Convert the finished CSV into an XLSX sheet, streaming (write-only workbook), replacing `dest`."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    with src.open(newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    tmp = dest.with_name(dest.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, dest)
