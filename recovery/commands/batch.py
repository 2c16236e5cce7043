"""`recovery batch verify`: a claims file in, one verified and triaged row per claim out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from recovery.commands.common import JsonOpt, emit_json, err, state

if TYPE_CHECKING:
    from recovery.batch import BatchResult

app = typer.Typer(help="Many claims at once, from CSV/XLSX files.", no_args_is_help=True)


@app.command("verify")
def verify(
    ctx: typer.Context,
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Claims: .csv or .xlsx with columns "
                                               "network, tx_hash (user_id, asset, amount, address, memo, "
                                               "language optional).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .csv or .xlsx (input columns + results).")],
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run from OUTPUT.progress.")] = False,
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, max=64,
                                                    help="Connections per endpoint (default 4).")] = None,
    rate: Annotated[float | None, typer.Option("--rate", min=0.1, help="Requests per second per endpoint "
                                               "(default: config [rate_limits], else unlimited).")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, max=100_000,
                                            help="Rows read at a time; a checkpoint comes after each "
                                                 "and about every second.")] = 5000,
    probe: Annotated[bool, typer.Option("--probe/--no-probe", help="Look for not_found hashes on sibling "
                                        "networks that have an explicitly configured endpoint.")] = True,
    open_cases: Annotated[bool, typer.Option("--open-cases", help="Open a case for every recoverable row, as the "
                                             "acting agent (--as); a hash that already has a case is not opened "
                                             "again. Adds a case_id column.")] = False,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Add a user_message column in this language (en, zh-Hant, zh-Hans, vi, it); a `language` "
                       "column in INPUT sets it row by row (and adds the column by itself).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Verify and triage every claim of INPUT into OUTPUT, one row per input row, in input order.

    Malformed rows (bad hash, unknown network, empty cell) keep their place with `error` set.
    A claimed `asset`/`amount` (or any input column named like a result column) is kept as
    `claimed_<name>`. Progress is saved after every chunk in OUTPUT.progress; after a crash, run the
    same command with --resume. Exit 0 when every row got a result (unverifiable rows included:
    retry them later), 2 when some rows were malformed (all rows are still written), or for an
    unreadable file or missing columns.
    """
    from rich.markup import escape

    from recovery.batch import BatchOptions, run_batch
    from recovery.errors import RecoveryError

    st = state(ctx)
    console = err()
    if lang is not None:
        from recovery.commands.letters import user_language

        lang = user_language(lang)
    if open_cases and not st.actor:
        console.print("[red]error[/]: --open-cases needs the acting agent: give --as NAME or set RECOVERY_ACTOR")
        raise typer.Exit(2)
    options = BatchOptions(chunk_size=chunk_size, concurrency=concurrency, rate=rate,
                           rate_limits=st.config.rate_limits, config_rpc=st.config.rpc, probe_siblings=probe,
                           open_cases_as=st.actor if open_cases else None, limits=st.config.raw.get("limits") or {},
                           lang=lang)
    try:
        engine = st.engine()
        with _Bar(console, enabled=not quiet) as bar:
            result = run_batch(engine, input_path, output, resume=resume, options=options, on_progress=bar.update)
    except RecoveryError as exc:
        console.print(f"[red]error[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:   # the disk filled, or a file went away under the run
        where = f"{exc.filename}: " if exc.filename else ""
        console.print(f"[red]error[/]: {escape(where + (exc.strerror or str(exc)))}", highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        _interrupted(console, output)
    if json_:
        emit_json(result.to_json())
    else:
        _summary(result)
    if result.progress.malformed:
        console.print(f"{result.progress.malformed} malformed row(s): see the `error` column of "
                      f"{escape(str(output))}",
                      highlight=False)
        raise typer.Exit(2)


def _interrupted(console: Any, output: Path) -> NoReturn:
    """Say what the progress file on disk holds, and exit 130 at once: a fetch still waiting on a slow node
    is abandoned (its rows are fetched again on --resume), not waited for."""
    import os
    import sys
    import threading

    from rich.markup import escape

    from recovery.batch_progress import Progress, partial_path, progress_path
    from recovery.errors import RecoveryError

    state_file = progress_path(output)
    try:
        saved = Progress.load(state_file).rows_done if state_file.exists() else 0
    except RecoveryError:
        saved = 0
    if saved:
        console.print(f"[yellow]interrupted[/]: {saved} row(s) are saved in {escape(str(partial_path(output)))} "
                      f"(progress in {escape(str(state_file))}); run the same command with --resume to "
                      f"continue into {escape(str(output))}", highlight=False)
    else:
        console.print("[yellow]interrupted[/]: before the first rows were finished, so nothing is saved; "
                      "run the same command again to start over", highlight=False)
    if threading.active_count() > 1:   # worker threads blocked on a node would hold the exit
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    raise typer.Exit(130)


class _Bar:
    """A rich progress bar on stderr: rows done, rows/s, ETA."""

    def __init__(self, console: Any, *, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), console=console, disable=not enabled, transient=False)
        self.task = self.progress.add_task("rows", total=None, rate="-")
        self.started = False

    def update(self, done: int, total: int | None) -> None:
        """Move the bar to `done` of `total` rows (shown from the first update: a file refused before any
        row was read leaves only its one-line error)."""
        if not self.started:
            self.progress.start()
            self.started = True
        self.progress.update(self.task, completed=done, total=total)
        speed = self.progress.tasks[0].speed
        self.progress.update(self.task, rate=f"{speed:,.0f}" if speed else "-")

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.progress.stop()


def _summary(result: BatchResult) -> None:
    from rich.markup import escape

    from recovery.screen import console as screen_console
    from recovery.triage import RECOVERABLE, Outcome

    p = result.progress
    console = screen_console()
    head = f"{p.rows_done} rows in {result.elapsed:.1f}s"
    if result.resumed_from:
        head += f" (resumed after row {result.resumed_from})"
    console.print(f"{head} -> {escape(str(result.output))}", highlight=False)
    if p.options.get("open_cases"):
        console.print(f"cases: {p.cases_opened} opened, {p.cases_existing} already open", highlight=False)
    from recovery import screen

    outcomes = screen.table("By outcome", ["outcome", "recoverable", "rows"], right=("rows",))
    for name, count in sorted(p.by_outcome.items(), key=lambda kv: (-kv[1], kv[0])):
        recoverable = RECOVERABLE[Outcome(name)] if name in Outcome._value2member_map_ else "-"
        outcomes.add_row(escape(name), recoverable, str(count))
    console.print(outcomes)
    # one row per network, its outcomes folded in one cell: readable at 80 columns with any number of outcomes
    networks = screen.table("By network", ["network", "outcomes", "total"], right=("total",), main="outcomes")
    for net, counts in sorted(p.by_network.items()):
        cells = ", ".join(f"{escape(o)} {n}" for o, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        networks.add_row(escape(net), cells, str(sum(counts.values())))
    console.print(networks)
