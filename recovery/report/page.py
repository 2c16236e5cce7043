"""The report as one self-contained HTML page: key figures, charts (matplotlib PNGs embedded as data URIs), tables."""

from __future__ import annotations

import base64
import html
import io
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recovery.report.figures import Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = {"opened": "#4c72b0", "closed": "#55a868", "rejected": "#c44e52", "deferred": "#dd8452",
           "credited": "#8172b3"}
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1200px;
       color: #222; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0; } .sub { color: #666; margin-top: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; margin: 18px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; background: #fafafa; }
.card .v { font-size: 1.4em; font-weight: 600; } .card .k { color: #555; font-size: 0.85em; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.charts figure { margin: 0; border: 1px solid #eee; border-radius: 6px; padding: 8px; }
.charts img { width: 100%; height: auto; } figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 8px 0 24px; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
h2 { font-size: 1.15em; margin-top: 28px; }
"""


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _usd(value: Any) -> float:
    """For plotting only: a Decimal amount as a float (the page's figures themselves stay exact text)."""
    return float(value) if isinstance(value, Decimal) else 0.0


def charts(report: Report) -> list[tuple[str, str]]:
    """(caption, data URI) of each chart."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    t, s = report.tables, report.summary
    out: list[tuple[str, str]] = []

    weekly = t["weekly"]
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    for name in ("opened", "closed", "rejected", "deferred"):
        ax.plot(weekly["week"], weekly[name], marker="o", markersize=3, label=name, color=COLOURS[name])
    ax.set_ylabel("claims")
    ax.set_title("Claims per week")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    out.append(("Claims opened, closed, rejected and deferred each week (weeks start on Monday)", _png(fig)))

    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    ages = report.ages_days
    ax.hist(ages, bins=30 if ages else 1, color=COLOURS["opened"])
    ax.axvline(s["service_target_days"], color=COLOURS["rejected"], linestyle="--",
               label=f"service target {s['service_target_days']} days")
    ax.set_xlabel("days since opened")
    ax.set_ylabel("cases")
    ax.set_title(f"Age of the open queue ({s['queue']} cases)")
    ax.legend(fontsize=8)
    out.append(("How long the cases still in the team's queue have waited since they were opened", _png(fig)))

    monthly = t["monthly_money"]
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    months = sorted(set(monthly["month"]))
    bottom = [0.0] * len(months)
    for network, g in monthly.groupby("network"):
        by_month = dict(zip(g["month"], g["recovered_usd"], strict=True))
        values = [_usd(by_month.get(m)) for m in months]
        ax.bar(months, values, bottom=bottom, label=str(network))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    fees = monthly.groupby("month")["fees_usd"].agg(lambda v: sum(_usd(x) for x in v))
    ax.plot(months, [fees.get(m, 0.0) for m in months], color="black", marker="o", label="fees")
    ax.set_ylabel("USD")
    ax.set_title("Recovered value per month, by network, and fees")
    ax.legend(fontsize=7, ncol=2)
    out.append(("USD value of the claims credited each month (stacked by network) and the fees earned",
                _png(fig)))

    wait = t["waiting_on_role"]
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    ax.barh(wait["role"], wait["cases"], color=[COLOURS["deferred"], COLOURS["credited"], COLOURS["rejected"]])
    for y, (n, oldest) in enumerate(zip(wait["cases"], wait["oldest_days"], strict=True)):
        if n:
            ax.text(n, y, f"  oldest {oldest} d", va="center", fontsize=8)
    ax.set_xlabel("cases awaiting this approval")
    ax.set_title("Where the approvals are stuck")
    ax.margins(x=0.3)
    out.append(("Cases awaiting approval, per role still missing, with the longest wait", _png(fig)))

    net = t["by_network"]
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    xs = range(len(net))
    ax.bar([x - 0.2 for x in xs], net["opened"], width=0.4, label="opened", color=COLOURS["opened"])
    ax.bar([x + 0.2 for x in xs], net["credited"], width=0.4, label="credited", color=COLOURS["credited"])
    ax.set_xticks(list(xs), list(net["network"]), rotation=30, fontsize=8)
    ax.set_title("Claims per network")
    ax.legend(fontsize=8)
    out.append(("Claims opened and credited in the period, per network", _png(fig)))
    return out


def render(report: Report) -> str:
    """The whole page."""
    s = report.summary
    q, c = s["queue_age_days"], s["open_to_credit_days"]
    cards = [("claims opened", s["opened"]), ("closed", s["closed"]), ("rejected", s["rejected"]),
             ("credited", s["credited"]), ("open queue", s["queue"]),
             ("queue age median / p90", f"{q['median']} / {q['p90']} d"), ("oldest in queue", f"{q['oldest']} d"),
             ("open to credit median / p90", f"{c['median']} / {c['p90']} d"),
             (f"past the {s['service_target_days']}-day target", s["past_target"]),
             ("recovered", f"{s['recovered_usd']} USD"), ("fees", f"{s['fees_usd']} USD"),
             ("fee share", f"{s['fee_share_pct']} %"),
             ("deferred as too small", f"{s['deferred']['count']} ({s['deferred']['usd']} USD)")]
    where = f" on {s['network']}" if s["network"] else ""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Recovery report {html.escape(s['since'])} to {html.escape(s['until'][:10])}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>Recovery report{html.escape(where)}</h1>",
             f'<p class="sub">{html.escape(s["since"])} to {html.escape(s["until"][:16].replace("T", " "))} UTC; '
             "flows count what happened in the period, the queue is as of its end.</p>", '<div class="cards">']
    parts += [f'<div class="card"><div class="v">{html.escape(str(v))}</div><div class="k">{html.escape(k)}</div>'
              "</div>" for k, v in cards]
    parts.append('</div><div class="charts">')
    for caption, uri in charts(report):
        parts.append(f'<figure><img alt="{html.escape(caption)}" src="{uri}">'
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("</div>")
    for name, frame in report.tables.items():
        if name == "summary":
            continue
        parts.append(f"<h2>{html.escape(name.replace('_', ' '))}</h2>")
        parts.append(frame.to_html(index=False, escape=True, na_rep="", border=0) if not frame.empty
                     else "<p>none</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(report: Report, path: Path) -> None:
    """Write the page (UTF-8)."""
    path.write_text(render(report), encoding="utf-8")
