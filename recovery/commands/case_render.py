"""Rich panels for a case and a quote (imported only when printing for people)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from recovery import money
from recovery.case_views import human
from recovery.outcomes import Outcome, info

_STYLE = {"rejected": "red", "declined": "red", "cancelled": "red", "closed": "green", "credited": "green",
          "approved": "cyan", "executed": "cyan", "deferred": "yellow"}


def _fmt(value: Any) -> str:
    """A value as plain text for rich: markup in it (`[/]`, `[link=...]`) is escaped, never rendered."""
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return escape(format(value, "f") if not isinstance(value, str) else value)


def quote_panel(q: dict[str, Any], title: str = "Quote") -> Panel:
    """The quote: amounts, USD values, rule, recommendation, price source, expiry."""
    f = {k: _fmt(v) for k, v in q.items() if not isinstance(v, (dict, list))}

    def amt(key: str) -> str:
        return escape(money.amount(q[key], q["symbol"], q.get("decimals")))

    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    t.add_row("gross", f"{amt('gross')}  (≈ {money.usd(q['usd_value'])})")
    t.add_row("fee", f"{amt('fee')}  (≈ {money.usd(q['fee_usd'])})")
    nf = amt("network_fee") + (f"  ({f['network_fee_note']})" if q.get("network_fee_note") else "")
    t.add_row("network fee", nf)
    t.add_row("net to user", f"[bold]{amt('net')}[/]")
    t.add_row("rule", f["rule"])
    colour = "green" if q["recommendation"] == "recover" else "yellow"
    t.add_row("recommendation", f"[{colour}]{f['recommendation']}[/]: {f['reason']}")
    t.add_row("price", f"{f['usd_price']} USD per {escape(q['symbol'])} from {f['price_source']} "
                       f"at {_fmt(q['price_as_of'])}")
    t.add_row("expires", _fmt(q["expires_at"]) + ("  [red](expired)[/]" if q.get("expired") else ""))
    return Panel(t, title=escape(title), expand=False)


_STATE_STYLE = {"holds": "green", "confirmed": "green", "fails": "red", "needs_person": "yellow",
                "unknown": "magenta"}


def conditions_table(rows: list[dict[str, Any]], title: str) -> Table:
    """The recovery conditions: name, state, who confirms it, and why (or who confirmed it, when)."""
    t = Table(title=escape(title), header_style="bold")
    for name in ("condition", "state", "by role", "why"):
        t.add_column(name, overflow="fold")
    for c in rows:
        why = _fmt(c["reason"])
        if c.get("confirmed_at"):
            why += f", {_fmt(c['confirmed_at'])}" + (f": {_fmt(c['note'])}" if c.get("note") else "")
        state = c["state"].replace("_", " ")
        t.add_row(_fmt(c["name"]), f"[{_STATE_STYLE.get(c['state'], 'white')}]{state}[/]", _fmt(c["role"]), why)
    return t


def case_panel(d: dict[str, Any]) -> Panel:
    """The case: state, claim, facts, quote and approvals; every stored text shown as text."""
    f = {k: _fmt(v) for k, v in d.items() if not isinstance(v, (dict, list))}
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    t.add_row("network / tx", f"{f['network']}  {f['tx_hash']}")
    t.add_row("user", f["user_id"])
    opened = f"by {f['opened_by']} {human(timedelta(seconds=d['age_seconds']))} ago"
    if d.get("waiting_seconds") is not None:
        opened += f"; waiting {human(timedelta(seconds=d['waiting_seconds']))} in this state"
    t.add_row("opened", opened)
    if d["outcome"]:
        colour = info(d["outcome"]).colour if d["outcome"] in Outcome._value2member_map_ else "white"
        t.add_row("outcome", f"[{colour}]{f['outcome']}[/] ({f['recoverable']})")
        t.add_row("reason", f["reason"])
    if d["amount"] is not None:
        unit = d.get("symbol") or d["asset"]
        what = "" if unit == d["asset"] else f" ({f['asset']})" if d["asset"] != "native" else ""
        t.add_row("funds", f"{escape(money.amount(d['amount'], unit, d.get('decimals')))}{what} "
                           f"at {f['deposit_address']}")
    if d.get("payout_address"):
        t.add_row("payout to", f["payout_address"])
    if d.get("reopen_of"):
        t.add_row("reopens", f"case {d['reopen_of']}")
    if d["recovery_tx"]:
        got = money.amount(d["recovered_amount"], d.get("symbol") or "", d.get("decimals"))
        t.add_row("recovery tx", f"{f['recovery_tx']} ({escape(got)})")
    if d.get("prepared"):
        p = d["prepared"]
        t.add_row("prepared", f"digest {escape(p['digest'])}: " + ", ".join(
            f"{escape(tx['purpose'])} {escape(tx['amount'])} {escape(tx['asset'])}" for tx in p["transactions"])
            + f" base units (by {escape(p['created_by'])}; in full: `case show {d['id']} --json`)")
    if d["ledger_ref"]:
        t.add_row("ledger ref", f["ledger_ref"])
    if d["note"]:
        t.add_row("note", f["note"])
    t.add_row("next", escape(", ".join(d["allowed_events"])) or "nothing (final state)")
    parts: list[Any] = [t]
    if d["quote"]:
        parts.append(quote_panel(d["quote"]))
    if d["approvals"] or d["voided_approvals"]:
        a = Table(title="Approvals", header_style="bold")
        for col in ("role", "actor", "decision", "at", "reason"):
            a.add_column(col)
        for row in d["approvals"]:
            a.add_row(_fmt(row["role"]), _fmt(row["actor"]), _fmt(row["decision"]), _fmt(row["at"]),
                      _fmt(row["reason"]))
        for row in d["voided_approvals"]:
            a.add_row(_fmt(row["role"]), _fmt(row["actor"]), f"[dim]{_fmt(row['decision'])} (void)[/]",
                      _fmt(row["at"]), "void: changed facts, a new quote or a deferral")
        parts.append(a)
    if d.get("conditions"):
        parts.append(conditions_table(d["conditions"], f"Recovery conditions of {d['network']}"))
    elif d.get("conditions_exempt"):
        parts.append(Text(f"recovery conditions: none apply ({d['conditions_exempt']})"))
    missing = d.get("approvals_missing")
    if missing and d["status"] == "awaiting_approval":
        parts.append(Text("still needed: " + ", ".join(f"{r} ×{n}" for r, n in missing.items())))
    style = _STYLE.get(d["status"], "blue")
    return Panel(Group(*parts), title=f"Case {d['id']} · [{style}]{f['status']}[/]", expand=False)
