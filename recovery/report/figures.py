"""The report's figures from the frames: volume, time and money, as tables and as the `--json` document.

Flows (opened, closed, rejected, deferred, credited; recovered value and fees; open-to-credit times) count
what happened between `since` and `until`. Stocks (the open queue and its age, the approvals waited for,
cases past the service target, the deferred backlog) are the state as of `until`, over every case opened
by then. A case's state as of a moment is the `to_status` of its last audit row written by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from recovery.report.frames import Frames

if TYPE_CHECKING:
    import pandas as pd

# the team's queue: live cases still to be worked (deferred ones wait for network support, credited ones
# have reached the user and only wait to be closed)
QUEUE = ("open", "verified", "quoted", "awaiting_approval", "approved", "executed")
ROLES = ("wallet", "clearing", "security")
DAY = 86400


@dataclass(frozen=True)
class Report:
    """The figures: `summary` is the `--json` document; `tables` the named tables, in the order shown."""

    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    ages_days: list[float]     # the open queue's ages, for the histogram


def days(seconds: pd.Series) -> dict[str, float | None]:
    """median, p90 (linear interpolation) and the largest of durations in seconds, as days (2 decimals)."""
    if seconds.empty:
        return {"median": None, "p90": None, "oldest": None}
    s = seconds.astype("float64")
    return {"median": round(float(s.median()) / DAY, 2), "p90": round(float(s.quantile(0.9)) / DAY, 2),
            "oldest": round(float(s.max()) / DAY, 2)}


def money(value: Decimal) -> str:
    """A USD amount as the JSON gives it: exact decimal text."""
    return format(cents(value), "f")


def cents(value: Decimal) -> Decimal:
    """At least two decimals (`100` as `100.00`); never rounded, so a finer amount keeps its digits."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else value


def _sum(values: pd.Series) -> Decimal:
    return cents(sum((Decimal(v) for v in values if isinstance(v, Decimal)), Decimal(0)))


def _share(fees: Decimal, value: Decimal) -> str | None:
    return None if value == 0 else format((fees / value * 100).quantize(Decimal("0.01")), "f")


def _latest_quote(quotes: pd.DataFrame, at: pd.DataFrame) -> pd.DataFrame:
    """For each row of `at` (case_id, t): the case's latest quote created at or before t (or none)."""
    import pandas as pd

    if at.empty:
        return at.assign(usd_value=pd.Series(dtype=object), fee_usd=pd.Series(dtype=object),
                         recommendation=pd.Series(dtype=object))
    left = at.sort_values("t")
    right = quotes.rename(columns={"created_at": "t", "id": "quote_id"}).sort_values("t")
    merged = pd.merge_asof(left, right[["t", "case_id", "usd_value", "fee_usd", "recommendation"]], on="t",
                           by="case_id", direction="backward")
    return merged


def build(frames: Frames, *, since: datetime, until: datetime, network: str | None, target_days: int,
          high_value_usd: Decimal) -> Report:
    """Every figure of the report."""
    import pandas as pd

    cases, audit = frames.cases, frames.audit
    window = audit[(audit["at"] >= since) & (audit["at"] <= until)]
    state = audit.dropna(subset=["to_status"]).groupby("case_id")["to_status"].last()
    cases = cases.assign(state=cases["id"].map(state).fillna(cases["status"]),
                         outcome=cases["outcome"].fillna("unverified"))
    opened = cases[cases["opened_at"] >= since]
    meta = cases.set_index("id")[["network", "outcome", "opened_at"]]

    closed = window[window["event"] == "close"]
    rejected = window[(window["to_status"] == "rejected") & (window["from_status"] != "rejected")]
    deferred_ev = window[window["event"] == "defer"]
    credited = window[window["event"] == "credit"][["case_id", "at"]].rename(columns={"at": "t"})
    credited = _latest_quote(frames.quotes, credited).join(meta, on="case_id")
    credited["wait"] = (credited["t"] - credited["opened_at"]).dt.total_seconds()

    # -- volume ---------------------------------------------------------------------------------
    def week(times: pd.Series) -> pd.Series:
        return (times.dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time.dt.date.astype(str))

    weekly = pd.DataFrame({
        "opened": opened.groupby(week(opened["opened_at"])).size(),
        "closed": closed.groupby(week(closed["at"])).size(),
        "rejected": rejected.groupby(week(rejected["at"])).size(),
        "deferred": deferred_ev.groupby(week(deferred_ev["at"])).size(),
    }).fillna(0).astype(int).sort_index().rename_axis("week").reset_index()

    def per(key: str) -> pd.DataFrame:
        def count(events: pd.DataFrame) -> pd.Series:
            return events.join(meta, on="case_id").groupby(key).size()
        table = pd.DataFrame({"opened": opened.groupby(key).size(), "closed": count(closed),
                              "rejected": count(rejected), "deferred": count(deferred_ev),
                              "credited": credited.groupby(key).size()})
        return table.fillna(0).astype(int).sort_values("opened", ascending=False).rename_axis(key).reset_index()

    by_network, by_outcome = per("network"), per("outcome")
    times = {o: days(g["wait"]) for o, g in credited.groupby("outcome")}
    by_outcome["credit_median_days"] = by_outcome["outcome"].map(lambda o: times.get(o, {}).get("median"))
    by_outcome["credit_p90_days"] = by_outcome["outcome"].map(lambda o: times.get(o, {}).get("p90"))
    by_status = opened.groupby("state").size().sort_values(ascending=False).rename("cases")

    # -- time: the queue as of `until` ----------------------------------------------------------
    queue = cases[cases["state"].isin(QUEUE)].copy()
    queue["age"] = (until - queue["opened_at"]).dt.total_seconds()
    target = target_days * DAY
    late = queue[queue["age"] > target].sort_values("age", ascending=False)
    queue_table = pd.DataFrame([
        {"status": st, "cases": len(g), **{f"{k}_days": v for k, v in days(g["age"]).items()},
         "past_target": int((g["age"] > target).sum())}
        for st in QUEUE if not (g := queue[queue["state"] == st]).empty])
    past_target = pd.DataFrame({"case_id": late["id"], "network": late["network"], "status": late["state"],
                                "outcome": late["outcome"], "age_days": (late["age"] / DAY).round(1)})

    waiting = _waiting(frames, cases, until, high_value_usd)
    wait_table = pd.DataFrame([
        {"role": role, "cases": len(g), **{f"{k}_days": v for k, v in days(g["wait"]).items() if k != "p90"}}
        for role in ROLES for g in [waiting[waiting["role"] == role]]])

    # -- money ----------------------------------------------------------------------------------
    credited["month"] = credited["t"].dt.tz_convert(None).dt.to_period("M").astype(str)
    monthly = (credited.groupby(["month", "network"])
               .agg(credited=("case_id", "size"), recovered_usd=("usd_value", _sum), fees_usd=("fee_usd", _sum))
               .reset_index())
    monthly["fee_share_pct"] = [_share(f, v) for f, v in zip(monthly["fees_usd"], monthly["recovered_usd"],
                                                             strict=True)]
    money_net = (credited.groupby("network").agg(recovered_usd=("usd_value", _sum), fees_usd=("fee_usd", _sum)))
    by_network = by_network.join(money_net, on="network")
    for col in ("recovered_usd", "fees_usd"):
        by_network[col] = by_network[col].map(lambda v: v if isinstance(v, Decimal) else cents(Decimal(0)))
    by_network["fee_share_pct"] = [_share(f, v) for f, v in zip(by_network["fees_usd"], by_network["recovered_usd"],
                                                                strict=True)]
    small = _latest_quote(frames.quotes, cases[cases["state"] == "deferred"][["id"]]
                          .rename(columns={"id": "case_id"}).assign(t=until)).join(meta, on="case_id")
    small = small[small["recommendation"] == "defer"]
    deferred_table = (small.groupby("network").agg(cases=("case_id", "size"), usd=("usd_value", _sum))
                      .sort_values("cases", ascending=False).reset_index())

    recovered, fees = _sum(credited["usd_value"]), _sum(credited["fee_usd"])
    summary: dict[str, Any] = {
        "since": since.date().isoformat(), "until": until.isoformat(), "network": network,
        "opened": len(opened), "closed": len(closed), "rejected": len(rejected), "deferred_in_period": len(deferred_ev),
        "credited": len(credited),
        "by_status": {k: int(v) for k, v in by_status.items()},
        "by_outcome": {k: int(v) for k, v in opened.groupby("outcome").size().sort_values(ascending=False).items()},
        "by_network": {k: int(v) for k, v in opened.groupby("network").size().sort_values(ascending=False).items()},
        "queue": len(queue),
        "queue_age_days": days(queue["age"]),
        "open_to_credit_days": {k: v for k, v in days(credited["wait"]).items() if k != "oldest"},
        "waiting_on_role": {role: int((waiting["role"] == role).sum()) for role in ROLES},
        "service_target_days": target_days, "past_target": len(late),
        "recovered_usd": money(recovered), "fees_usd": money(fees), "fee_share_pct": _share(fees, recovered),
        "deferred": {"count": len(small), "usd": money(_sum(small["usd_value"]))},
    }
    key = pd.DataFrame([(k, _plain(v)) for k, v in _flat(summary)], columns=["figure", "value"])
    tables = {"summary": key, "weekly": weekly, "by_network": by_network, "by_outcome": by_outcome,
              "by_status": by_status.rename_axis("status").reset_index(), "queue": queue_table,
              "waiting_on_role": wait_table, "past_target": past_target, "monthly_money": monthly,
              "deferred_small": deferred_table}
    return Report(summary, tables, [a / DAY for a in queue["age"]])


def _waiting(frames: Frames, cases: pd.DataFrame, until: datetime, high_value_usd: Decimal) -> pd.DataFrame:
    """One row per (case awaiting approval as of `until`, role still missing), with how long it has waited
    (since the user's last acceptance)."""
    import pandas as pd

    waiting = cases[cases["state"] == "awaiting_approval"][["id"]].rename(columns={"id": "case_id"})
    if waiting.empty:
        return pd.DataFrame({"case_id": [], "role": [], "wait": []})
    accepts = frames.audit[frames.audit["event"] == "accept"].groupby("case_id")["at"].max()
    waiting = _latest_quote(frames.quotes, waiting.assign(t=until))
    apr = frames.approvals
    live = apr[(apr["decision"] == "approve") & (apr["voided_at"].isna() | (apr["voided_at"] > until))]
    given = live.groupby(["case_id", "role"]).size()
    rows = []
    for case_id, usd in zip(waiting["case_id"], waiting["usd_value"], strict=True):
        high = isinstance(usd, Decimal) and usd > high_value_usd
        for role in ROLES:
            if int(given.get((case_id, role), 0)) < (2 if role == "security" and high else 1):
                rows.append({"case_id": case_id, "role": role,
                             "wait": (until - accepts[case_id]).total_seconds()})
    return pd.DataFrame(rows, columns=["case_id", "role", "wait"])


def _flat(doc: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in doc.items():
        if isinstance(v, dict) and k not in ("by_status", "by_outcome", "by_network"):
            out += _flat(v, f"{prefix}{k}.")
        elif not isinstance(v, dict):
            out.append((prefix + k, v))
    return out


def _plain(value: Any) -> str:
    return "" if value is None else str(value)
