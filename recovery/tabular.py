"""Reading CSV and XLSX files as text rows, in chunks, with their line numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from recovery.errors import BadInput

EXCEL = (".xlsx", ".xlsm")


def check_readable(path: Path) -> None:
    """Bad input unless the file exists and is CSV or XLSX."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.suffix.lower() not in (".csv", *EXCEL):
        raise BadInput(f"{path}: expected a .csv or .xlsx file")


def read_chunks(path: Path, chunksize: int = 2000) -> Iterator[tuple[list[str], list[tuple[int, dict[str, str]]]]]:
    """Yield (columns, [(line number, row as str->str)]) chunks; cells are kept as exact text."""
    import pandas as pd

    check_readable(path)
    opts: dict[str, Any] = {"dtype": str, "keep_default_na": False}
    if path.suffix.lower() in EXCEL:
        frames = iter([pd.read_excel(path, **opts)])
    else:
        try:
            frames = pd.read_csv(path, chunksize=chunksize, skipinitialspace=True, **opts)
        except pd.errors.EmptyDataError:
            raise BadInput(f"{path}: the file is empty") from None
    line = 2  # line 1 is the header
    for frame in frames:
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        columns = list(frame.columns)
        rows = []
        for record in frame.to_dict("records"):
            rows.append((line, {k: ("" if v is None else str(v)).strip() for k, v in record.items()}))
            line += 1
        yield columns, rows


def require_columns(path: Path, columns: list[str], required: tuple[str, ...]) -> None:
    """Bad input naming the missing columns."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise BadInput(f"{path}: missing column(s) {', '.join(missing)} (have {', '.join(columns) or 'none'})")
