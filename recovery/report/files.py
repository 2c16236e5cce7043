"""The report as a workbook (one sheet per table) or as one CSV (a `table` column names each row's table)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from recovery.report.figures import Report


def text(value: Any) -> str:
    """A cell's text: Decimals exact, missing values empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_xlsx(report: Report, path: Path) -> None:
    """One sheet per table; plain numbers are numeric cells, everything else text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from recovery.batch_io import neutralise, restore, xlsx_number

    wb = Workbook(write_only=True)
    for name, frame in report.tables.items():
        ws = wb.create_sheet(name[:31])
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            cells = []
            for value in row:
                shown = neutralise(text(value))
                number = xlsx_number(shown)
                cell = WriteOnlyCell(ws, value=number if number is not None else restore(shown))
                if number is None:
                    cell.data_type = "s"
                    cell.quotePrefix = shown != restore(shown)
                cells.append(cell)
            ws.append(cells)
    wb.save(path)


def write_csv(report: Report, path: Path) -> None:
    """Every table in one file: `table, column, ...` headers per table, each row led by its table's name."""
    from recovery.batch_io import csv_bytes

    rows: list[list[str]] = []
    for name, frame in report.tables.items():
        rows.append(["table", *[str(c) for c in frame.columns]])
        rows += [[name, *(text(v) for v in row)] for row in frame.itertuples(index=False)]
        rows.append([])
    path.write_bytes(csv_bytes(rows))
