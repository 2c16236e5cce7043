"""Tables that fit the terminal: columns fold to the width, and hashes and links are never cut.

A long value (a transaction hash, an address, a link) does not go into a narrow cell, where it would
be cut or broken: the cell shows a marker (`[1]`) and the full value is printed on its own line under
the table. With `--wide` every value stays in its cell, at whatever width the table needs.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.table import Table

# hashes, addresses and links: values a reader copies whole
LONG_VALUE = re.compile(r"https?://[^\s\[\]<>\"']+|0x[0-9a-fA-F]{32,}|\b[0-9a-fA-F]{64}\b|\b[1-9A-HJ-NP-Za-km-z]{32,}\b")
WIDE_WIDTH = 100_000      # a console this wide prints a table at its natural width


def console(wide: bool = False) -> Console:
    """stdout at the terminal's width (COLUMNS when set, 200 when piped), or unbounded with `wide`."""
    if wide:
        return Console(width=WIDE_WIDTH, emoji=False)
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else (None if sys.stdout.isatty() else 200)
    return Console(width=width, emoji=False)


@dataclass
class Notes:
    """Long values moved out of the table, each printed whole on its own line below it."""

    wide: bool = False
    lines: list[str] = field(default_factory=list)

    def cut(self, text: str, label: str = "") -> str:
        """`text` (plain) with every hash or link replaced by a marker, unless the table is wide; escaped."""
        if self.wide:
            return escape(text)
        out, last = [], 0
        for m in LONG_VALUE.finditer(text):
            out.append(escape(text[last:m.start()]))
            self.lines.append(f"[{len(self.lines) + 1}] {label}{m.group(0)}".rstrip())
            out.append(f"\\[{len(self.lines)}]")
            last = m.end()
        out.append(escape(text[last:]))
        return "".join(out)

    def print(self, con: Console) -> None:
        """The moved values, one a line, never wrapped or cut."""
        for line in self.lines:
            con.print(line, markup=False, highlight=False, soft_wrap=True, crop=False, overflow="ignore")


def table(title: str, columns: list[str], right: tuple[str, ...] = (), wide: bool = False,
          main: str | None = None, whole: tuple[str, ...] = (), max_widths: dict[str, int] | None = None) -> Table:
    """A table whose columns fold (break long words) to fit; `wide` keeps every cell on one line.

    Only a horizontal rule under the header, so that 80 columns leave room for the text; `main` is the
    column that gets the room left over; `whole` columns never break (short codes such as an outcome),
    `max_widths` caps the others.
    """
    from rich import box

    t = Table(title=escape(title), header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
              padding=(0, 1), collapse_padding=True, title_justify="left")
    caps = max_widths or {}
    for name in columns:
        t.add_column(name, justify="right" if name in right else "left", overflow="fold",
                     no_wrap=wide or name in whole, max_width=None if wide else caps.get(name))
    if main and not wide:
        t.expand = True
        for c in t.columns:
            c.ratio = 1 if c.header == main else None
    return t
