"""Batch files: claims streamed in from CSV/XLSX in chunks, result rows appended to CSV, XLSX at the end.

Every cell written is neutralised against formula injection (`neutralise`): a cell beginning with `=`, `+`,
`-`, `@`, a tab, a carriage return or `'` gets a leading `'`, which `restore` takes off again; genuine
numbers are left as they are. XLSX cells are never formulas: a plain number (`12`, `-0.5`, at most 15
significant digits, which a spreadsheet's float holds exactly) becomes a numeric cell, everything else a text
cell; an amount with more digits stays exact text, and the amount column's header says so (`AMOUNT_HEADER`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from recovery.errors import BadInput

REQUIRED = ("network", "tx_hash")
RESULT_COLUMNS = ("status", "outcome", "recoverable", "reason", "block_height", "confirmations", "asset",
                  "amount", "from_address", "to_address", "found_on_network", "error")
CLAIMED_PREFIX = "claimed_"
LANGUAGE_COLUMN = "language"        # optional input: the language of the row's user_message
MESSAGE_COLUMN = "user_message"     # the message for the user, with --lang or a language column


def output_columns(input_columns: list[str], added: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """Output header (without the `added` columns that follow the results), and input column -> output
    name (a claimed `asset` becomes `claimed_asset`; so does an input column named like an added one)."""
    ours = set(RESULT_COLUMNS) | set(added)
    taken = set(input_columns) | ours
    renames: dict[str, str] = {}
    for c in input_columns:
        if c in ours:
            new = CLAIMED_PREFIX + c
            while new in taken:
                new = "_" + new
            taken.add(new)
            renames[c] = new
    return [renames.get(c, c) for c in input_columns] + list(RESULT_COLUMNS), renames


_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")   # what a spreadsheet may read as a formula, and the escape
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # characters an XLSX cannot hold
# a number written the one way a spreadsheet would show it again: no `+`, no leading zeros, no exponent
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")
FLOAT_DIGITS = 15   # significant digits a spreadsheet's double holds exactly
AMOUNT_HEADER = f"amount (exact text where over {FLOAT_DIGITS} digits)"


def neutralise(value: str) -> str:
    """A cell safe to open in a spreadsheet: a leading `'` before a formula trigger; numbers unchanged."""
    if value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The value `neutralise` was given."""
    return value[1:] if value.startswith("'") else value


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows encoded as CSV lines (UTF-8, \\r\\n line ends, as the csv module writes them), neutralised."""
    buf = io.StringIO()
    csv.writer(buf).writerows([neutralise(c) for c in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def check_output(input_path: Path, *outputs: Path) -> None:
    """Bad input unless every output can be written and none is the input (device and inode compared, so
    hard links, symlinks and `..` are all seen through)."""
    try:
        source = input_path.stat()
    except OSError:
        source = None
    for out in outputs:
        if out.is_dir():
            raise BadInput(f"{out}: is a folder, not a file")
        parent = out.parent
        if not parent.is_dir():
            raise BadInput(f"{out}: the folder {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise BadInput(f"{out}: cannot write into the folder {parent} (permission denied)")
        try:
            st = out.stat()
        except OSError:
            continue
        if source is not None and (st.st_dev, st.st_ino) == (source.st_dev, source.st_ino):
            raise BadInput(f"{out}: is the input file {input_path} (the same file on disk); choose another output")


def _open(path: Path, mode: str) -> BinaryIO:
    try:
        return path.open(mode)  # type: ignore[return-value]
    except OSError as exc:
        raise BadInput(f"{path}: cannot be written ({exc.strerror or exc})") from None


class CsvSink:
    """An append-only CSV file that can be cut back to a checkpoint and made durable."""

    def __init__(self, path: Path, *, keep_bytes: int | None) -> None:
        self.path = path
        self.fh: BinaryIO
        if keep_bytes is None:
            self.fh = _open(path, "wb")
        else:
            if not path.exists() or path.stat().st_size < keep_bytes:
                raise BadInput(f"{path}: shorter than the progress file records; delete both and start again")
            self.fh = _open(path, "r+b")
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


def publish(src: Path, dest: Path) -> None:
    """Put the finished rows at `dest`: renamed for CSV, converted for XLSX (through a temporary file in the
    same folder, then renamed), so `dest` never holds a partial result."""
    if dest.suffix.lower() == ".csv":
        os.replace(src, dest)
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    with src.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        if header is not None:
            ws.append([_xlsx_cell(ws, AMOUNT_HEADER if c == "amount" else c) for c in header])
        for row in rows:
            ws.append([_xlsx_cell(ws, c) for c in row])
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        wb.save(name)
        os.replace(name, dest)
    finally:
        Path(name).unlink(missing_ok=True)
    src.unlink()


def xlsx_number(text: str) -> int | float | None:
    """The number a plain-number cell holds, when a spreadsheet's double holds it exactly; else None."""
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    whole, _, fraction = text.lstrip("-").partition(".")
    digits = (whole + fraction.rstrip("0")).lstrip("0")   # an integer's trailing zeros count: it is shown
    if len(digits) > FLOAT_DIGITS:
        return None
    return float(text) if fraction else int(text)


def _xlsx_cell(ws: Any, text: str) -> Any:
    """A numeric cell for a plain number a double holds exactly, else a text cell, never a formula; a
    neutralised value is written as itself with Excel's quote prefix."""
    from openpyxl.cell import WriteOnlyCell

    number = xlsx_number(text)
    if number is not None:
        return WriteOnlyCell(ws, value=number)
    value = restore(text)
    cell = WriteOnlyCell(ws, value=_XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value))
    cell.data_type = "s"
    if value != text:
        cell.quotePrefix = True
    return cell
