"""Batch files: claims streamed in from CSV/XLSX in chunks, result rows appended to CSV, XLSX at the end."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import BinaryIO

from recovery.errors import BadInput

REQUIRED = ("network", "tx_hash")
RESULT_COLUMNS = ("status", "outcome", "recoverable", "reason", "block_height", "confirmations", "asset",
                  "amount", "from_address", "to_address", "found_on_network", "error")
CLAIMED_PREFIX = "claimed_"



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
