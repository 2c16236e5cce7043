"""`recovery report`: how many claims came in and were recovered, how long they waited, what was recovered and
earned, and where the queue is stuck; at the terminal, as JSON, or written to HTML, XLSX or CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from recovery.commands.common import JsonOpt, emit_json, err, state
from recovery.errors import BadInput

WRITERS = (".html", ".xlsx", ".csv")


def parse_date(text: str, field: str, *, end: bool = False) -> datetime:
    """A date (YYYY-MM-DD: the start of the day, or with `end` its last moment) or an ISO time, in UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return day + timedelta(days=1, microseconds=-1) if end else day
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{field} must be a date YYYY-MM-DD or an ISO time, not {text[:40]!r}") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def report(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="First day (YYYY-MM-DD, UTC); "
                                              "default: the day the first case was opened.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Last day, included; default: "
                                              "now. The queue and backlog figures are as of this moment.")] = None,
    network: Annotated[str | None, typer.Option("--network", "-n", help="Only this network's cases.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="FILE", help="Also write FILE.html "
                                                "(a page with charts), FILE.xlsx (a sheet per table) or FILE.csv.")]
    = None,
    target_days: Annotated[int | None, typer.Option("--target-days", min=1, max=3650, help="Service target in "
                                                    "days (default: the fee policy's [service] target_days).")]
    = None,
    json_: JsonOpt = False,
) -> None:
    """Volume, time and money of the recovery team's cases, over a period."""
    from recovery.fees import load_policy

    if output is not None:
        if output.suffix.lower() not in WRITERS:
            raise BadInput(f"-o {output}: the file must end in {', '.join(WRITERS)}")
        if not output.parent.resolve().is_dir():
            raise BadInput(f"-o {output}: the folder {output.parent} does not exist")
    if network is not None:
        from chains.networks import get_network

        network = get_network(network.strip()).id
    end = parse_date(until, "--until", end=True) if until else datetime.now(UTC)
    st = state(ctx)
    cfg = st.config
    policy = load_policy(cfg.fee_policy)
    high = policy.high_value_usd
    if cfg.high_value_usd:
        from recovery.commands.common import decimal_arg

        high = decimal_arg(cfg.high_value_usd, "[approvals] high_value_usd") or high
    if target_days is None:
        if policy.service_target_days != policy.service_target_days.to_integral_value():
            raise BadInput(f"{policy.source}: [service] target_days must be a whole number of days")
        target_days = int(policy.service_target_days)
    engine = st.engine()
    start = parse_date(since, "--since") if since else _first_day(engine, network, end)
    if start > end:
        raise BadInput(f"--since {start:%Y-%m-%d} is after --until {end:%Y-%m-%d}")
    from recovery.report.figures import build
    from recovery.report.frames import load

    result = build(load(engine, until=end, network=network), since=start, until=end, network=network,
                   target_days=target_days, high_value_usd=high)
    if json_:
        emit_json(result.summary)
    else:
        from recovery.report.terminal import show
        from recovery.screen import console

        show(result, console())
    if output is not None:
        _write(result, output)
        err().print(f"wrote {output}", markup=False, highlight=False)


def _first_day(engine, network: str | None, end: datetime) -> datetime:  # type: ignore[no-untyped-def]
    """The start of the day the first case (of the network) was opened; `end`'s day when there is none."""
    from sqlalchemy import func, select

    from recovery.case_models import Case

    query = select(func.min(Case.opened_at))
    if network is not None:
        query = query.where(Case.network == network)  # type: ignore[arg-type]
    with engine.connect() as conn:
        first = conn.execute(query).scalar()
    if isinstance(first, str):   # SQLite returns an aggregate's text as it is stored
        first = datetime.fromisoformat(first)
    first = (first or end)
    first = first.replace(tzinfo=UTC) if first.tzinfo is None else first.astimezone(UTC)
    return first.replace(hour=0, minute=0, second=0, microsecond=0)


def _write(result, output: Path) -> None:  # type: ignore[no-untyped-def]
    suffix = output.suffix.lower()
    if suffix == ".html":
        from recovery.report.page import write_html

        write_html(result, output)
    elif suffix == ".xlsx":
        from recovery.report.files import write_xlsx

        write_xlsx(result, output)
    else:
        from recovery.report.files import write_csv

        write_csv(result, output)
