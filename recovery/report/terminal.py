"""The report at the terminal: the key figures and the main tables, as rich tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from recovery.report.figures import Report

SHOWN = (("weekly", "Claims per week"), ("by_network", "Per network"), ("by_outcome", "Per outcome (open to credit "
         "in days)"), ("queue", "The open queue as of the end of the period (ages in days)"),
         ("waiting_on_role", "Waiting on an approval (days since the user accepted)"),
         ("monthly_money", "Recovered and earned per month (USD)"), ("deferred_small", "Deferred as too small"))


def _cell(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def show(report: Report, con: Console) -> None:
    """Print the key figures, then each table that has rows."""
    from recovery import screen

    s = report.summary
    q, c = s["queue_age_days"], s["open_to_credit_days"]
    where = f" on {s['network']}" if s["network"] else ""
    key = screen.table(f"Recovery report{where}, {s['since']} to {s['until'][:16].replace('T', ' ')} UTC",
                       ["figure", "value"], right=("value",))
    rows = [
        ("claims opened", s["opened"]), ("closed", s["closed"]), ("rejected", s["rejected"]),
        ("deferred in the period", s["deferred_in_period"]), ("credited", s["credited"]),
        ("open queue", s["queue"]),
        ("queue age median / p90 / oldest (days)", f"{_cell(q['median'])} / {_cell(q['p90'])} / {_cell(q['oldest'])}"),
        ("open to credit median / p90 (days)", f"{_cell(c['median'])} / {_cell(c['p90'])}"),
        ("waiting on wallet / clearing / security", " / ".join(str(s["waiting_on_role"][r]) for r in
                                                               ("wallet", "clearing", "security"))),
        (f"past the {s['service_target_days']}-day service target", s["past_target"]),
        ("recovered (USD)", s["recovered_usd"]), ("fees (USD)", s["fees_usd"]),
        ("fee share of value (%)", _cell(s["fee_share_pct"])),
        ("deferred as too small: cases / USD", f"{s['deferred']['count']} / {s['deferred']['usd']}"),
    ]
    for name, value in rows:
        key.add_row(name, str(value))
    con.print(key)
    for name, title in SHOWN:
        frame = report.tables[name]
        if frame.empty:
            continue
        cols = [str(c) for c in frame.columns]
        t = screen.table(title, cols, right=tuple(c for c in cols if c not in ("week", "network", "outcome", "status",
                                                                             "role", "month")))
        for row in frame.itertuples(index=False):
            t.add_row(*(_cell(v) for v in row))
        con.print(t)
