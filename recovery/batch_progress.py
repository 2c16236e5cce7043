"""The sidecar progress file of a batch run: what is done, written atomically after every chunk."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from recovery.errors import BadInput

VERSION = 2
MALFORMED = "malformed"   # the outcome column's word for a row that could not be read


def progress_path(output: Path) -> Path:
    """`OUTPUT.progress`, next to the output."""
    return output.with_name(output.name + ".progress")


def partial_path(output: Path) -> Path:
    """Where rows are appended while the run goes: a CSV beside the output, renamed or converted at the end."""
    return output.with_name(output.name + ".partial.csv")


def fingerprint(path: Path) -> dict[str, int]:
    """Size and modification time of the input: a resume must read the same file."""
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


@dataclass
class Progress:
    """Rows done, output bytes that hold them, and the summary counts so far."""

    input: str
    input_fingerprint: dict[str, int]
    options: dict[str, Any]
    rows_done: int = 0
    output_bytes: int = 0
    header_written: bool = False
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_network: dict[str, dict[str, int]] = field(default_factory=dict)
    cases_opened: int = 0
    cases_existing: int = 0

    def count(self, network: str, outcome: str) -> None:
        """Add one row to the summary."""
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1
        per = self.by_network.setdefault(network, {})
        per[outcome] = per.get(outcome, 0) + 1

    @property
    def malformed(self) -> int:
        """Rows that could not be read."""
        return self.by_outcome.get(MALFORMED, 0)

    def save(self, path: Path) -> None:
        """Write atomically: temporary file, fsync, rename, fsync the directory."""
        tmp = path.with_name(path.name + ".tmp")
        data = json.dumps({"version": VERSION, **asdict(self)}, sort_keys=True).encode()
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    @classmethod
    def load(cls, path: Path) -> Progress:
        """Read a progress file; a damaged one is bad input."""
        try:
            doc = json.loads(path.read_text())
            if doc.pop("version", None) != VERSION:
                raise ValueError("unknown version")
            return cls(**doc)
        except (ValueError, TypeError) as exc:
            raise BadInput(f"{path}: not a progress file this version can resume ({exc}); delete it and the "
                           "output, and run again") from None


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
