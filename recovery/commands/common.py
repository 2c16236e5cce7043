"""What every command shares: option aliases, state in ctx.obj, output, and the error-to-exit table."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chains.errors import ChainError, DefiniteError, InvalidTxHash, RegistryError, UnsupportedNetwork, WrongChain
from recovery.errors import BadInput, RecoveryError

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from recovery.config import Config

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
NetworkOpt = Annotated[str, typer.Option("--network", "-n", help="Network id (see `recovery networks list`).")]
TxOpt = Annotated[str, typer.Option("--tx", help="Transaction hash.")]
RpcOpt = Annotated[str | None, typer.Option("--rpc", help="Endpoint URL for this call (overrides env/config).")]

# exception class -> exit code; the first match wins, so subclasses come first
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (InvalidTxHash, 2),
    (UnsupportedNetwork, 2),
    (RegistryError, 2),
    (WrongChain, 2),       # an endpoint configured for the wrong chain: fix the configuration
    (RecoveryError, -1),   # carries its own exit_code
    (DefiniteError, 1),
    (ChainError, 1),
)


@dataclass
class State:
    """Per-invocation state, kept in `ctx.obj`."""

    actor: str | None = None
    config_path: Path | None = None
    traceback: bool = False
    _config: Config | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        """The configuration file, loaded on first use."""
        if self._config is None:
            from recovery.config import load_config
            self._config = load_config(self.config_path)
        return self._config

    def engine(self) -> Engine:
        """The database engine, schema brought to head (SQLite) or checked (server)."""
        if self._engine is None:
            from recovery.audit import configure
            from recovery.config import database_url
            from recovery.db import open_database
            configure(self.config)   # the audit key may come from this config's [audit] key_file
            self._engine = open_database(database_url(self.config))
        return self._engine


def state(ctx: typer.Context) -> State:
    """The state object of this invocation."""
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


def choice(value: str | None, options: Iterable[str], field: str) -> str | None:
    """The value if it is one of the options, else bad input naming the field with a "did you mean"."""
    if value is None:
        return None
    known = list(options)
    if value in known:
        return value
    raise BadInput(f"{field} must be one of {', '.join(known)}, not {value!r}{did_you_mean(value, known)}")


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """`; did you mean X?` for the closest option, or nothing when none is close."""
    import difflib

    close = difflib.get_close_matches(value.strip().lower(), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def decimal_arg(text: str | None, field: str) -> Decimal | None:
    """A Decimal from the command line, or bad input naming the field."""
    if text is None:
        return None
    from recovery.bounds import parse_decimal

    return parse_decimal(text, field)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def emit_json(doc: Any) -> None:
    """Write one JSON document to stdout."""
    sys.stdout.write(json.dumps(doc, default=_default, indent=2) + "\n")


def out() -> Console:
    """The console for data (stdout)."""
    from rich.console import Console
    # piped output keeps whole table rows instead of squeezing them into 80 columns
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200, emoji=False)


def err() -> Console:
    """The console for messages and progress (stderr)."""
    from rich.console import Console
    return Console(stderr=True, soft_wrap=True)


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code an exception maps to, or None when it is a bug."""
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return getattr(exc, "exit_code", 1) if code == -1 else code
    return None


# global options (cli.py's root callback) that may also follow the command: `case approve 4 --as carl`
HOISTED_WITH_VALUE = ("--as",)
HOISTED_FLAGS = ("--traceback",)


def hoist_globals(argv: list[str]) -> list[str]:
    """The arguments with the hoistable global options moved in front of the command, values kept."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg in HOISTED_WITH_VALUE and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if arg in HOISTED_FLAGS or arg.split("=", 1)[0] in HOISTED_WITH_VALUE:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def wants_traceback(argv: list[str]) -> bool:
    """Whether `--traceback` (or env RECOVERY_TRACEBACK=1) asks for the full traceback of an error."""
    return "--traceback" in argv or os.environ.get("RECOVERY_TRACEBACK", "") not in ("", "0")


def _database_error(exc: BaseException) -> str | None:
    """A one-line message for an error of the database driver, or None when it is not one."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.DBAPIError):
        return None
    from recovery.db import driver_message

    return f"database error: {driver_message(exc)}"


def run(app: typer.Typer, argv: list[str] | None = None) -> None:
    """Run the app, turning known errors into one line on stderr and their exit code.

    An unexpected error also prints one line; `--traceback` shows the whole traceback instead.
    """
    args = hoist_globals(sys.argv[1:] if argv is None else argv)
    show = wants_traceback(args)
    try:
        app(args=args, prog_name="recovery", standalone_mode=True)
    except (ChainError, RecoveryError) as exc:
        if show:
            raise
        code = exit_code_for(exc)
        message = getattr(exc, "user_message", None) or str(exc)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(code) from None
    except Exception as exc:
        if show:
            raise
        message = _database_error(exc) or f"unexpected {type(exc).__name__}: {exc}".splitlines()[0]
        sys.stderr.write(f"error: {message} (run again with --traceback to see where)\n")
        raise SystemExit(1) from None
