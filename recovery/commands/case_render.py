"""Rich panels for a case and a quote (imported only when printing for people)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from recovery.case_views import human
from recovery.outcomes import Outcome, info

_STYLE = {"rejected": "red", "declined": "red", "cancelled": "red", "closed": "green", "credited": "green",
          "approved": "cyan", "executed": "cyan", "deferred": "yellow"}


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return format(value, "f") if not isinstance(value, str) else value


def quote_panel(q: dict[str, Any], title: str = "Quote") -> Panel:
    """The quote: amounts, USD values, rule, recommendation, price source, expiry."""
    sym = q["symbol"]
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    t.add_row("gross", f"{q['gross']} {sym}  (≈ {q['usd_value']} USD)")
    t.add_row("fee", f"{q['fee']} {sym}  (≈ {q['fee_usd']} USD)")
    nf = f"{q['network_fee']} {sym}" + (f"  ({q['network_fee_note']})" if q.get("network_fee_note") else "")
    t.add_row("network fee", nf)
    t.add_row("net to user", f"[bold]{q['net']} {sym}[/]")
    t.add_row("rule", q["rule"])
    colour = "green" if q["recommendation"] == "recover" else "yellow"
    t.add_row("recommendation", f"[{colour}]{q['recommendation']}[/]: {q['reason']}")
    t.add_row("price", f"{q['usd_price']} USD from {q['price_source']} at {_fmt(q['price_as_of'])}")
    t.add_row("expires", _fmt(q["expires_at"]) + ("  [red](expired)[/]" if q.get("expired") else ""))
    return Panel(t, title=title, expand=False)


def case_panel(d: dict[str, Any]) -> Panel:
    """The case: state, claim, facts, quote and approvals."""
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    t.add_row("network / tx", f"{d['network']}  {d['tx_hash']}")
    t.add_row("user", d["user_id"])
    t.add_row("opened", f"by {d['opened_by']} {human(timedelta(seconds=d['age_seconds']))} ago; "
                        f"waiting {human(timedelta(seconds=d['waiting_seconds']))} in this state")
    if d["outcome"]:
        colour = info(d["outcome"]).colour if d["outcome"] in Outcome._value2member_map_ else "white"
        t.add_row("outcome", f"[{colour}]{d['outcome']}[/] ({d['recoverable']})")
        t.add_row("reason", d["reason"] or "")
    if d["amount"] is not None:
        t.add_row("funds", f"{_fmt(d['amount'])} of {d['asset']} at {d['deposit_address']}")
    if d.get("payout_address"):
        t.add_row("payout to", d["payout_address"])
    if d.get("reopen_of"):
        t.add_row("reopens", f"case {d['reopen_of']}")
    if d["recovery_tx"]:
        t.add_row("recovery tx", f"{d['recovery_tx']} ({_fmt(d['recovered_amount'])})")
    if d["ledger_ref"]:
        t.add_row("ledger ref", d["ledger_ref"])
    if d["note"]:
        t.add_row("note", d["note"])
    t.add_row("next", ", ".join(d["allowed_events"]) or "nothing (final state)")
    parts: list[Any] = [t]
    if d["quote"]:
        parts.append(quote_panel(d["quote"]))
    if d["approvals"] or d["voided_approvals"]:
        a = Table(title="Approvals", header_style="bold")
        for col in ("role", "actor", "decision", "at", "reason"):
            a.add_column(col)
        for row in d["approvals"]:
            a.add_row(row["role"], row["actor"], row["decision"], _fmt(row["at"]), row["reason"] or "")
        for row in d["voided_approvals"]:
            a.add_row(row["role"], row["actor"], f"[dim]{row['decision']} (void)[/]", _fmt(row["at"]),
                      "voided by re-verification")
        parts.append(a)
    if d.get("approvals_needed") and d["status"] == "awaiting_approval":
        parts.append("needed: " + ", ".join(f"{r} ×{n}" for r, n in d["approvals_needed"].items()))
    style = _STYLE.get(d["status"], "blue")
    return Panel(Group(*parts), title=f"Case {d['id']} · [{style}]{d['status']}[/]", expand=False)
