"""`recovery report` on a database of 2,000 claims walked through the case service over four months, on SQLite
and PostgreSQL: every figure against a plain recomputation from the service's own rows, the files it writes,
and the HTML page rendered in a real headless Chromium."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

import cli
from recovery.case_models import Approval, AuditEntry, Case, Quote

app = cli.app
if not app.registered_groups:  # cli.py registers lazily in main()
    cli.register(list(cli.COMMANDS))

pytestmark = pytest.mark.slow
CLAIMS = 2000
QUEUE = ("open", "verified", "quoted", "awaiting_approval", "approved", "executed")
CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class Seeded:
    url: str
    engine: Any
    end: datetime
    summary: Any
    seconds: float


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """2,000 claims over 120 days, seeded once per database through the case service (recovery.demo_seed)."""
    from recovery.db import make_engine, upgrade
    from recovery.demo_seed import seed_cases
    from tests.conftest import TEST_AUDIT_KEY, _fresh_postgres

    def make(url: str) -> Iterator[Seeded]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("RECOVERY_AUDIT_KEY", TEST_AUDIT_KEY)
            upgrade(url)
            engine = make_engine(url)
            end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
            started = time.monotonic()
            summary = seed_cases(engine, count=CLAIMS, end=end)
            seconds = time.monotonic() - started
            sys.stderr.write(f"\nseeded {CLAIMS} claims on {request.param} in {seconds:.0f} s\n")
            yield Seeded(url, engine, end, summary, seconds)
            engine.dispose()

    if request.param == "sqlite":
        yield from make(f"sqlite:///{tmp_path_factory.mktemp('report') / 'recovery.sqlite3'}")
        return
    for url in _fresh_postgres():
        yield from make(url)


@pytest.fixture
def env(seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    monkeypatch.setenv("RECOVERY_DATABASE_URL", seeded.url)
    monkeypatch.setenv("RECOVERY_CONFIG", str(cfg))
    return seeded


def report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["report", "--json", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


# -- the plain recomputation: loops over the service's rows, no pandas ------------------------------
def _days(seconds: list[float], oldest: bool = True) -> dict[str, float | None]:
    if not seconds:
        out: dict[str, float | None] = {"median": None, "p90": None}
    else:
        p90 = seconds[0] if len(seconds) == 1 else statistics.quantiles(seconds, n=10, method="inclusive")[8]
        out = {"median": round(statistics.median(seconds) / 86400, 2), "p90": round(p90 / 86400, 2)}
    if oldest:
        out["oldest"] = round(max(seconds) / 86400, 2) if seconds else None
    return out


def _usd(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")) if value.as_tuple().exponent > -2 else value, "f")  # type: ignore[operator]


def recompute(engine: Any, since: datetime, until: datetime, network: str | None, target_days: int = 14,
              high_value_usd: Decimal = Decimal(10000)) -> dict[str, Any]:
    """Every figure of `report --json`, from the cases, quotes, approvals and audit rows read one by one."""
    from recovery.db import session_scope

    with session_scope(engine) as s:
        cases = {c.id: c for c in s.exec(select(Case)) if c.opened_at <= until and network in (None, c.network)}
        audit = [r for r in s.exec(select(AuditEntry).order_by(AuditEntry.seq))  # type: ignore[arg-type]
                 if r.case_id in cases and r.at <= until]
        quotes = [q for q in s.exec(select(Quote)) if q.case_id in cases]
        approvals = [a for a in s.exec(select(Approval)) if a.case_id in cases and a.at <= until]
        s.expunge_all()

    def quote_at(case_id: int, at: datetime) -> Quote | None:
        mine = [q for q in quotes if q.case_id == case_id and q.created_at <= at]
        return max(mine, key=lambda q: q.created_at) if mine else None

    state: dict[int, str] = {}
    for row in audit:
        if row.to_status is not None:
            state[row.case_id] = row.to_status  # type: ignore[index]
    inside = [r for r in audit if since <= r.at <= until]
    opened = [c for c in cases.values() if c.opened_at >= since]
    credits = [(r.case_id, r.at) for r in inside if r.event == "credit"]
    credit_quotes = [quote_at(cid, at) for cid, at in credits]  # type: ignore[arg-type]
    queue = [(until - c.opened_at).total_seconds() for c in cases.values() if state[c.id] in QUEUE]  # type: ignore[index]
    waiting = Counter()
    for cid in cases:
        if state[cid] != "awaiting_approval":  # type: ignore[index]
            continue
        q = quote_at(cid, until)  # type: ignore[arg-type]
        for role in ("wallet", "clearing", "security"):
            given = sum(1 for a in approvals if a.case_id == cid and a.role == role and a.decision == "approve"
                        and (a.voided_at is None or a.voided_at > until))
            if given < (2 if role == "security" and q is not None and q.usd_value > high_value_usd else 1):
                waiting[role] += 1
    small = [q for cid in cases if state[cid] == "deferred"  # type: ignore[index]
             and (q := quote_at(cid, until)) is not None and q.recommendation == "defer"]  # type: ignore[arg-type]
    recovered = sum((q.usd_value for q in credit_quotes if q), Decimal(0))
    fees = sum((q.fee_usd for q in credit_quotes if q), Decimal(0))
    return {
        "opened": len(opened),
        "closed": sum(r.event == "close" for r in inside),
        "rejected": sum(r.to_status == "rejected" and r.from_status != "rejected" for r in inside),
        "deferred_in_period": sum(r.event == "defer" for r in inside),
        "credited": len(credits),
        "by_status": dict(Counter(state[c.id] for c in opened)),  # type: ignore[index]
        "by_outcome": dict(Counter(c.outcome or "unverified" for c in opened)),
        "by_network": dict(Counter(c.network for c in opened)),
        "queue": len(queue),
        "queue_age_days": _days(queue),
        "open_to_credit_days": _days([(at - cases[cid].opened_at).total_seconds() for cid, at in credits],  # type: ignore[index]
                                     oldest=False),
        "waiting_on_role": {r: waiting[r] for r in ("wallet", "clearing", "security")},
        "past_target": sum(age > target_days * 86400 for age in queue),
        "recovered_usd": _usd(recovered), "fees_usd": _usd(fees),
        "deferred": {"count": len(small), "usd": _usd(sum((q.usd_value for q in small), Decimal(0)))},
    }


def _same(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key, expected in want.items():
        value = got[key]
        if key in ("queue_age_days", "open_to_credit_days"):
            for k, v in expected.items():   # float rounding of an interpolated percentile may differ by 0.01
                assert value[k] == pytest.approx(v, abs=0.011), (key, k, value, expected)
        else:
            assert value == expected, (key, value, expected)


# -- the tests ------------------------------------------------------------------------------------
def test_seeding_goes_through_the_service(seeded: Seeded) -> None:
    from recovery.audit import verify_chain
    from recovery.db import session_scope
    from tests.conftest import TEST_AUDIT_KEY

    with session_scope(seeded.engine) as s:
        check = verify_chain(s, key=TEST_AUDIT_KEY.encode())
        first = s.exec(select(Case).order_by(Case.opened_at)).first()  # type: ignore[arg-type]
    assert check.ok, check.problem   # the keyed chain holds and every case agrees with its audit rows
    assert seeded.summary.cases == CLAIMS
    for event in ("verify", "value", "quote", "accept", "approve", "execute", "credit", "close", "defer",
                  "decline", "cancel"):
        assert seeded.summary.actions.get(event, 0) > 0, event
    assert seeded.summary.requotes > 0       # expired quotes were issued again, as the service demands
    assert first is not None and seeded.end - first.opened_at > timedelta(days=100)
    assert seeded.seconds < 900


@pytest.mark.parametrize("window", ["all", "last 45 days", "ethereum", "as of 20 days ago", "xrp last 30 days"])
def test_figures_match_a_plain_recomputation(env: Seeded, window: str) -> None:
    end, args, network = env.end, ["--until", env.end.isoformat()], None
    since: datetime | None = None
    if window == "last 45 days":
        since = (end - timedelta(days=45)).replace(hour=0, minute=0, second=0)
    elif window == "ethereum":
        network = "ethereum"
    elif window == "as of 20 days ago":
        end = end - timedelta(days=20)
        args = ["--until", end.isoformat()]
    elif window == "xrp last 30 days":
        network, since = "xrp", (end - timedelta(days=30)).replace(hour=0, minute=0, second=0)
    if since is not None:
        args += ["--since", since.date().isoformat()]
    if network:
        args += ["--network", network]
    got = report(*args)
    if since is None:
        since = datetime.fromisoformat(got["since"]).replace(tzinfo=UTC)
    want = recompute(env.engine, since, end, network)
    _same(got, want)
    assert got["until"] == end.isoformat() and got["network"] == network
    # the figures are not all empty: the window holds claims of every kind
    assert want["opened"] > 20 and want["credited"] > 5
    if window == "all":
        sys.stderr.write(f"\nreport of the seeded database: {json.dumps(got)}\n")   # shown with -s
        assert want["queue"] > 10 and want["past_target"] > 0 and want["deferred"]["count"] > 10
        assert sum(want["waiting_on_role"].values()) > 0
        assert sum(got["by_status"].values()) == got["opened"] == CLAIMS


def test_json_types(env: Seeded) -> None:
    doc = report("--until", env.end.isoformat())
    for key in ("opened", "closed", "rejected", "credited", "queue", "past_target"):
        assert type(doc[key]) is int
    assert all(type(v) is int for part in ("by_status", "by_outcome", "by_network", "waiting_on_role")
               for v in doc[part].values())
    for text in (doc["recovered_usd"], doc["fees_usd"], doc["deferred"]["usd"]):
        assert isinstance(text, str) and re.fullmatch(r"\d+\.\d{2,}", text), text
    assert type(doc["deferred"]["count"]) is int
    assert Decimal(doc["fees_usd"]) < Decimal(doc["recovered_usd"])


def test_xlsx_has_a_sheet_per_table_and_csv_every_table(env: Seeded, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    doc = report("--until", env.end.isoformat())
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(app, ["report", "--until", env.end.isoformat(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out, read_only=True)
    assert {"summary", "weekly", "by_network", "by_outcome", "queue", "waiting_on_role", "monthly_money",
            "deferred_small", "past_target"} <= set(wb.sheetnames)
    summary = {row[0]: row[1] for row in wb["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["opened"] == doc["opened"]
    assert Decimal(str(summary["recovered_usd"])) == Decimal(doc["recovered_usd"])
    weekly = list(wb["weekly"].iter_rows(min_row=2, values_only=True))
    assert sum(r[1] for r in weekly) == doc["opened"]
    monthly = list(wb["monthly_money"].iter_rows(min_row=1, values_only=True))
    col = monthly[0].index("recovered_usd")
    assert sum(Decimal(str(r[col])) for r in monthly[1:]) == Decimal(doc["recovered_usd"])
    csv_out = tmp_path / "r.csv"
    assert CliRunner().invoke(app, ["report", "--until", env.end.isoformat(), "-o", str(csv_out)]).exit_code == 0
    lines = csv_out.read_text().splitlines()
    assert f"summary,opened,{doc['opened']}" in lines and any(line.startswith("monthly_money,") for line in lines)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_html_page_in_headless_chromium(env: Seeded, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--until", env.end.isoformat(), "-o", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 5
    for data in images:
        width, height = _png_size(base64.b64decode(data, validate=True))
        assert width > 300 and height > 200
    assert "http://" not in text and "https://" not in text    # self-contained: nothing to fetch
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): apt-get install -y chromium")
    shot = tmp_path / "shot.png"
    proc = subprocess.run([str(CHROMIUM), "--headless", "--disable-gpu", "--no-sandbox", f"--screenshot={shot}",
                           "--window-size=1280,2000", "--hide-scrollbars", page.as_uri()],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert _png_size(data) == (1280, 2000) and len(data) > 100_000
    from PIL import Image

    pixels = Image.open(io.BytesIO(data)).convert("RGB")
    colours = {colour: n for n, colour in pixels.getcolors(maxcolors=1 << 24) or []}
    # the charts were painted: the chart blue (opened, #4c72b0) covers a good area of the page
    assert colours.get((0x4C, 0x72, 0xB0), 0) > 2000, sorted(colours.items(), key=lambda kv: -kv[1])[:5]
