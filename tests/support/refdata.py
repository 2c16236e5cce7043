"""Reference data for triage tests: CSV files written to a folder and imported with `import_file`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from recovery.reference_import import import_file

HEADERS = {
    "addresses": "network,address,user_id,memo",
    "assets": "network,asset,symbol,decimals,min_deposit,deposit_enabled",
    "credits": "network,tx_hash,user_id,asset,amount",
}


class Ref:
    """Imports reference rows into the test database the way `recovery import` does."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine, self.folder, self.n = engine, folder, 0

    def load(self, kind: str, *rows: str) -> None:
        """Import rows (CSV lines without the header) of one kind; every row must be accepted."""
        self.n += 1
        path = self.folder / f"{kind}-{self.n}.csv"
        path.write_text("\n".join([HEADERS[kind], *rows]) + "\n")
        report = import_file(self.engine, kind, path)
        assert not report.errors and report.written == len(rows), report.errors
