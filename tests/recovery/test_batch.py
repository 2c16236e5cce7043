"""Batch verification on Anvil: mixed files, malformed rows, duplicates, CSV and XLSX, resume, cases."""

from __future__ import annotations

import csv
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from recovery.batch import BatchOptions, run_batch
from recovery.batch_io import restore
from recovery.batch_progress import partial_path, progress_path
from recovery.errors import BadInput

pytestmark = pytest.mark.anvil


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

BAD_ROWS = [  # (network, tx_hash, expected error fragment)
    ("ethereum", "0x1234", "not a valid Ethereum transaction hash"),
    ("moonchain", "0x" + "ab" * 32, "unknown network 'moonchain'"),
    ("", "0x" + "ab" * 32, "empty network"),
    ("ethereum", "", "empty tx_hash"),
]


def mixed_rows(scenario: Any) -> list[dict[str, str]]:
    """The scenario's claims, with malformed rows, duplicates and an unreachable network between them."""
    rows: list[dict[str, str]] = []
    for i, c in enumerate(scenario.claims):
        rows.append({"network": c.network, "tx_hash": c.tx_hash, "user_id": c.user_id, "asset": "ETH",
                     "amount": "1.5", "note": c.expected})
        if i < len(BAD_ROWS):
            net, tx, why = BAD_ROWS[i]
            rows.append({"network": net, "tx_hash": tx, "user_id": "", "asset": "", "amount": "",
                         "note": "error:" + why})
    first = scenario.claims[0]
    rows.append({"network": "polygon", "tx_hash": first.tx_hash, "user_id": "u-9", "asset": "", "amount": "",
                 "note": "unverifiable"})
    rows.append({"network": first.network, "tx_hash": first.tx_hash.upper().replace("0X", "0x"),
                 "user_id": first.user_id, "asset": "", "amount": "", "note": first.expected})  # duplicate
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def env(scenario_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, db_url: str) -> Any:
    """The scenario's database and endpoints, and polygon pointing at a closed port."""
    from recovery.db import make_engine

    monkeypatch.setenv("RECOVERY_RPC_POLYGON", f"http://127.0.0.1:{closed_port()}")
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def check_results(rows: list[dict[str, str]], out: list[dict[str, str]]) -> None:
    assert len(out) == len(rows)
    for given, got in zip(rows, out, strict=True):
        assert got["tx_hash"] == given["tx_hash"] and got["note"] == given["note"]   # input order kept
        assert got["claimed_asset"] == given["asset"] and got["claimed_amount"] == given["amount"]
        if given["note"].startswith("error:"):
            assert given["note"].removeprefix("error:") in got["error"]
            assert got["outcome"] == ""
        else:
            assert got["outcome"] == given["note"], (given, got)


def test_mixed_csv_keeps_order_flags_bad_rows_and_verifies_the_rest(evm_scenario: Any, env: Any,
                                                                    tmp_path: Path) -> None:
    rows = mixed_rows(evm_scenario)
    result = run_batch(env, write_csv(tmp_path / "claims.csv", rows), tmp_path / "out.csv",
                       options=BatchOptions(chunk_size=5))
    out = read_csv(tmp_path / "out.csv")
    check_results(rows, out)
    assert list(out[0])[:6] == ["network", "tx_hash", "user_id", "claimed_asset", "claimed_amount", "note"]
    assert result.progress.malformed == len(BAD_ROWS)
    assert result.progress.by_network["polygon"] == {"unverifiable": 1}
    polygon = next(r for r in out if r["network"] == "polygon")
    assert polygon["status"] == "unknown" and "Polygon" in polygon["error"]
    moved = next(r for r in out if r["note"] == "not_found" and r["user_id"] == "u-1002")
    assert moved["found_on_network"] == "bsc"
    uncredited = out[0]
    assert (uncredited["asset"], uncredited["amount"], uncredited["confirmations"]) == ("native", "0.5", "22") or \
        (uncredited["asset"], uncredited["amount"]) == ("native", "0.5")
    assert out[-1]["outcome"] == out[0]["outcome"] and out[-1]["reason"] == out[0]["reason"]   # the duplicate
    assert not progress_path(tmp_path / "out.csv").exists()
    assert sum(result.progress.by_outcome.values()) == len(rows)


def test_xlsx_in_and_out_gives_the_csv_results(evm_scenario: Any, env: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    from recovery.batch_io import AMOUNT_HEADER

    rows = mixed_rows(evm_scenario)
    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for r in rows:
        ws.append([r[k] or None for k in rows[0]])
    wb.save(tmp_path / "claims.xlsx")
    run_batch(env, tmp_path / "claims.xlsx", tmp_path / "out.xlsx", options=BatchOptions(chunk_size=7))
    sheet = load_workbook(tmp_path / "out.xlsx", read_only=True).worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert AMOUNT_HEADER in values[0] and "amount" not in values[0]
    numeric = {type(v) for row in sheet.iter_rows(min_row=2, values_only=True) for v in row}
    assert int in numeric and float in numeric                  # block heights and amounts are numbers
    out = [dict(zip(["amount" if h == AMOUNT_HEADER else h for h in values[0]], v, strict=True))
           for v in values[1:]]
    check_results(rows, out)
    run_batch(env, write_csv(tmp_path / "claims.csv", rows), tmp_path / "out.csv")
    # the same values: the CSV holds them neutralised against formulas, the XLSX as text cells
    assert [{k: restore(v) for k, v in r.items()} for r in read_csv(tmp_path / "out.csv")] == out


def test_missing_columns_and_leftover_progress_are_bad_input(env: Any, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "claims.csv", [{"network": "ethereum", "hash": "0x" + "ab" * 32}])
    with pytest.raises(BadInput, match="missing column.*tx_hash"):
        run_batch(env, src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    good = write_csv(tmp_path / "good.csv", [{"network": "ethereum", "tx_hash": "0x" + "ab" * 32}])
    progress_path(tmp_path / "out.csv").write_text("{}")
    with pytest.raises(BadInput, match="--resume"):
        run_batch(env, good, tmp_path / "out.csv")


class Crash(Exception):
    """Stands for the process dying after a checkpoint."""


def test_resume_after_a_crash_equals_a_clean_run(evm_scenario: Any, env: Any, tmp_path: Path) -> None:
    rows = mixed_rows(evm_scenario) * 3
    src = write_csv(tmp_path / "claims.csv", rows)
    run_batch(env, src, tmp_path / "clean.csv", options=BatchOptions(chunk_size=4))

    def crash_after_three_chunks(done: int, total: int | None) -> None:
        if done >= 12:
            raise Crash

    with pytest.raises(Crash):
        run_batch(env, src, tmp_path / "out.csv", options=BatchOptions(chunk_size=4),
                  on_progress=crash_after_three_chunks)
    assert progress_path(tmp_path / "out.csv").exists()
    assert not (tmp_path / "out.csv").exists()       # only a finished run writes the output
    with partial_path(tmp_path / "out.csv").open("ab") as fh:   # a chunk half-written when the process died
        fh.write(b"ethereum,0xdeadbeef,half a row")
    result = run_batch(env, src, tmp_path / "out.csv", resume=True, options=BatchOptions(chunk_size=4))
    assert result.resumed_from == 12
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert sum(result.progress.by_outcome.values()) == len(rows)


def test_open_cases_once_per_recoverable_hash(evm_scenario: Any, env: Any, tmp_path: Path) -> None:
    from sqlmodel import Session, select

    from recovery.case_models import Case
    from recovery.cases import CaseService

    CaseService(env).add_actor("ann", ["agent"])
    rows = mixed_rows(evm_scenario)
    src = write_csv(tmp_path / "claims.csv", rows)
    first = run_batch(env, src, tmp_path / "one.csv", options=BatchOptions(open_cases_as="ann"))
    out = read_csv(tmp_path / "one.csv")
    recoverable = {r["tx_hash"].lower() for r in out if r["recoverable"] == "yes"}
    with Session(env) as s:
        cases = s.exec(select(Case)).all()
    assert len(cases) == len(recoverable) == first.progress.cases_opened
    assert {c.tx_key for c in cases} == recoverable
    assert all(r["case_id"] for r in out if r["recoverable"] == "yes")
    assert not any(r["case_id"] for r in out if r["recoverable"] != "yes")
    second = run_batch(env, src, tmp_path / "two.csv", options=BatchOptions(open_cases_as="ann"))
    assert second.progress.cases_opened == 0 and second.progress.cases_existing == first.progress.cases_existing \
        + first.progress.cases_opened
    with Session(env) as s:
        assert len(s.exec(select(Case)).all()) == len(cases)
    assert [r["case_id"] for r in read_csv(tmp_path / "two.csv")] == [r["case_id"] for r in out]


def garbage_node(req: Any) -> tuple[int, Any]:
    """A JSON-RPC node whose every result is the string "garbage" (ids kept)."""
    body = req.json()
    calls = body if isinstance(body, list) else [body]
    out = [{"jsonrpc": "2.0", "id": c["id"], "result": "garbage"} for c in calls]
    return 200, out if isinstance(body, list) else out[0]


def test_a_network_answering_garbage_costs_its_rows_only(evm_scenario: Any, env: Any, tmp_path: Path,
                                                         loopback: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """polygon answers "garbage" to everything, arbitrum points at the BSC node (another chain): their rows
    are unverifiable with the reason; the Ethereum and BSC rows keep their outcomes; the file is complete."""
    monkeypatch.setenv("RECOVERY_RPC_POLYGON", loopback(garbage_node).url)
    monkeypatch.setenv("RECOVERY_RPC_ARBITRUM", evm_scenario.urls["bsc"])
    rows = [{"network": c.network, "tx_hash": c.tx_hash, "note": c.expected} for c in evm_scenario.claims]
    sick = [{"network": net, "tx_hash": c.tx_hash, "note": "unverifiable"}
            for net in ("polygon", "arbitrum") for c in evm_scenario.claims[:3]]
    mixed = [r for pair in zip(rows, sick + [None] * len(rows), strict=False) for r in pair if r]
    result = run_batch(env, write_csv(tmp_path / "claims.csv", mixed), tmp_path / "out.csv",
                       options=BatchOptions(chunk_size=4, probe_siblings=False))
    out = read_csv(tmp_path / "out.csv")
    assert [r["tx_hash"] for r in out] == [r["tx_hash"] for r in mixed]
    for given, got in zip(mixed, out, strict=True):
        if given["note"] == "not_found":
            assert got["outcome"] == "not_found"
        else:
            assert got["outcome"] == given["note"], (given, got)
    polygon = [r for r in out if r["network"] == "polygon"]
    assert all(r["status"] == "unknown" and "garbage" in r["error"] for r in polygon), polygon[0]
    arbitrum = [r for r in out if r["network"] == "arbitrum"]
    assert all("serves BNB Smart Chain (56)" in r["error"] for r in arbitrum), arbitrum[0]
    assert result.progress.by_network["polygon"] == {"unverifiable": 3}
    assert result.progress.by_network["arbitrum"] == {"unverifiable": 3}
    assert not progress_path(tmp_path / "out.csv").exists()   # the run finished


def test_sibling_probes_share_one_budget_and_name_the_unreachable(evm_scenario: Any, env: Any, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """polygon's endpoint drips its answers forever: the probes of a chunk end within the budget, and the
    rows say polygon could not be checked."""
    from tests.support.faults import drip, raw_server

    with raw_server(drip(interval=0.1, limit=20)) as slow:
        monkeypatch.setenv("RECOVERY_RPC_POLYGON", slow)
        missing = evm_scenario.claim("Hash unknown everywhere")
        moved = evm_scenario.claim("BSC transaction claimed on Ethereum")
        rows = [{"network": c.network, "tx_hash": c.tx_hash} for c in (missing, moved)]
        started = time.monotonic()
        run_batch(env, write_csv(tmp_path / "claims.csv", rows), tmp_path / "out.csv",
                  options=BatchOptions(probe_budget=2.0))
        elapsed = time.monotonic() - started
    out = read_csv(tmp_path / "out.csv")
    assert elapsed < 8, elapsed
    assert out[0]["outcome"] == "not_found" and "Could not check polygon (unreachable)" in out[0]["reason"]
    assert out[1]["found_on_network"] == "bsc"
