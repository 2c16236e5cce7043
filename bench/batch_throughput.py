"""Batch throughput on one Anvil node: (a) web3.py loop, (b) raw JSON-RPC batches, (c) `recovery batch verify`.

    .venv/bin/python bench/batch_throughput.py [--sizes 10000,100000] [--repeat 3] [--quick] [--concurrency 4]

Starts its own Anvil, mines N real transactions (JSON-RPC batches of eth_sendTransaction, automine
off, one block per batch), writes a claims CSV and a reference database, then times each path on the
same hashes, in interleaved rounds (medians reported). (c) runs in-process (startup and a 100-claim
warm-up excluded) and once more as a real `recovery` subprocess (wall time and peak RSS). (b) is also
timed with one core kept busy, the share of the machine the client's own work takes. Prints
hashes/second and the ratios c/b and c/a.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from recovery.anvil import Anvil  # noqa: E402

SEND_BATCH = 500   # transactions per eth_sendTransaction batch, one block each (block gas allows ~1,400)


def send_many(node: Anvil, n: int) -> list[str]:
    """N real value transfers between the dev accounts, mined; returns their hashes in send order."""
    accounts = node.accounts()
    senders = accounts[:8]
    node.rpc("evm_setAutomine", False)
    session = requests.Session()
    hashes: list[str] = []
    nonce = {a: int(node.rpc("eth_getTransactionCount", a, "pending"), 16) for a in senders}
    for start in range(0, n, SEND_BATCH):
        payload = []
        for i in range(start, min(n, start + SEND_BATCH)):
            frm = senders[i % len(senders)]
            tx = {"from": frm, "to": accounts[8 + i % 2], "value": hex(10**15 + i), "gas": hex(21_000),
                  "nonce": hex(nonce[frm])}
            nonce[frm] += 1
            payload.append({"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [tx]})
        answers = session.post(node.url, json=payload, timeout=120).json()
        bad = [a for a in answers if "result" not in a]
        if bad:
            raise RuntimeError(f"eth_sendTransaction failed: {bad[0]}")
        hashes += [a["result"] for a in sorted(answers, key=lambda a: a["id"])]
        node.mine(1)
    node.rpc("evm_setAutomine", True)
    return hashes


def bench_web3(url: str, hashes: list[str]) -> float:
    """(a) The plain loop a script would write: get_transaction + get_transaction_receipt per hash."""
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(url))
    start = time.perf_counter()
    for h in hashes:
        w3.eth.get_transaction(h)
        w3.eth.get_transaction_receipt(h)
    return time.perf_counter() - start


def bench_raw(url: str, hashes: list[str], concurrency: int, per: int = 100) -> float:
    """(b) The ceiling: hand-built batches of the same two calls, `concurrency` connections, no decoding."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=concurrency)
    session.mount("http://", adapter)
    headers = {"Content-Type": "application/json"}

    def one(chunk: list[str]) -> int:
        calls = []
        for j, h in enumerate(chunk):
            calls.append(f'{{"jsonrpc":"2.0","id":{2 * j},"method":"eth_getTransactionByHash","params":["{h}"]}}')
            calls.append(f'{{"jsonrpc":"2.0","id":{2 * j + 1},"method":"eth_getTransactionReceipt","params":["{h}"]}}')
        return len(session.post(url, data="[" + ",".join(calls) + "]", headers=headers, timeout=120).content)

    chunks = [hashes[i:i + per] for i in range(0, len(hashes), per)]
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, chunks))
    return time.perf_counter() - start


def bench_raw_contended(url: str, hashes: list[str], concurrency: int) -> float:
    """(b) again while a second process keeps one core busy, as the client's own Python work does in (c)."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        return bench_raw(url, hashes, concurrency)
    finally:
        burner.kill()
        burner.wait()


def prepare(workdir: Path, node: Anvil, hashes: list[str]) -> tuple[Path, str]:
    """The claims CSV and a migrated SQLite database holding reference data (one of the recipients is ours)."""
    from recovery.db import make_engine, upgrade
    from recovery.reference_import import import_file

    claims = workdir / f"claims_{len(hashes)}.csv"
    with claims.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["network", "tx_hash", "user_id"])
        writer.writerows(["ethereum", h, f"u-{i % 977}"] for i, h in enumerate(hashes))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    if not (workdir / "bench.sqlite3").exists():
        upgrade(url)
        engine = make_engine(url)
        ours = node.accounts()[8]
        (workdir / "addresses.csv").write_text(f"network,address,user_id,memo\nethereum,{ours},u-1,\n")
        (workdir / "assets.csv").write_text("network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
                                            "ethereum,native,ETH,18,0.01,true\n")
        for kind in ("addresses", "assets"):
            import_file(engine, kind, workdir / f"{kind}.csv")
        engine.dispose()
    return claims, url


def bench_engine(claims: Path, db_url: str, out: Path, node_url: str,
                 concurrency: int | None) -> tuple[float, dict[str, Any]]:
    """(c) in-process: the batch engine the command calls, on the CSV file (imports and startup excluded)."""
    from recovery.batch import BatchOptions, run_batch
    from recovery.db import make_engine

    engine = make_engine(db_url)
    options = BatchOptions(concurrency=concurrency, config_rpc={"ethereum": node_url})
    # warm-up on the first 100 claims: lazy imports, the first SQL compilations and connections are
    # start-up, which this measurement excludes
    warm = out.with_name("warmup_" + claims.name)
    with claims.open() as src:
        warm.write_text("".join(line for _, line in zip(range(101), src, strict=False)))
    run_batch(engine, warm, out.with_name("warmup_" + out.name), options=options)
    start = time.perf_counter()
    result = run_batch(engine, claims, out, options=options)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, result.to_json()


def bench_cli(claims: Path, db_url: str, out: Path, node_url: str, concurrency: int | None) -> tuple[float, float]:
    """(c) as a user runs it: the `recovery` console script in a child; (wall seconds, peak RSS in MB)."""
    config = out.with_suffix(".toml")
    config.write_text("")   # an empty config file of its own: a named config file must exist
    env = {**os.environ, "RECOVERY_DATABASE_URL": db_url, "RECOVERY_RPC_ETHEREUM": node_url,
           "RECOVERY_CONFIG": str(config)}
    args = [str(REPO / ".venv" / "bin" / "recovery"), "batch", "verify", str(claims), "-o", str(out), "--quiet",
            "--json"]
    if concurrency:
        args += ["--concurrency", str(concurrency)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"recovery batch verify exited {proc.returncode}: {proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated hash counts")
    parser.add_argument("--quick", action="store_true", help="development mode: 2,000 hashes, (a) on 500")
    parser.add_argument("--concurrency", type=int, default=4, help="connections for (b) and (c)")
    parser.add_argument("--web3-sample", type=int, default=2000, help="hashes timed for (a) (a loop is linear)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of (a), (b), (c), interleaved; medians are reported (Anvil's rate drifts)")
    args = parser.parse_args()
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    sample = 500 if args.quick else args.web3_sample
    report: list[dict[str, Any]] = []
    with Anvil(1) as node, tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        workdir = Path(tmp)
        t0 = time.perf_counter()
        hashes = send_many(node, max(sizes))
        setup = time.perf_counter() - t0
        print(f"setup: {len(hashes):,} transactions sent and mined in {setup:.1f}s", flush=True)
        for n in sizes:
            subset = hashes[:n]
            claims, db_url = prepare(workdir, node, subset)
            rounds: dict[str, list[float]] = {"a": [], "b": [], "b_busy": [], "c": []}
            for _ in range(max(1, args.repeat)):   # interleaved, so drift in the node hits every path alike
                rounds["a"].append(min(sample, n) / bench_web3(node.url, subset[:sample]))
                rounds["b"].append(n / bench_raw(node.url, subset, args.concurrency))
                rounds["b_busy"].append(n / bench_raw_contended(node.url, subset, args.concurrency))
                c_time, summary = bench_engine(claims, db_url, workdir / f"out_{n}.csv", node.url, args.concurrency)
                rounds["c"].append(n / c_time)
                print(json.dumps({"hashes": n, **{k: round(v[-1]) for k, v in rounds.items()}}), flush=True)
            a_rate, b_rate, b_busy_rate, c_rate = (statistics.median(rounds[k]) for k in ("a", "b", "b_busy", "c"))
            wall, rss = bench_cli(claims, db_url, workdir / f"cli_{n}.csv", node.url, args.concurrency)
            row = {"hashes": n, "a_web3_per_s": round(a_rate), "b_raw_per_s": round(b_rate),
                   "b_raw_one_core_busy_per_s": round(b_busy_rate),
                   "c_batch_per_s": round(c_rate), "c_over_b": round(c_rate / b_rate, 2),
                   "c_over_a": round(c_rate / a_rate, 1), "cli_wall_s": round(wall, 2),
                   "cli_per_s_with_startup": round(n / wall), "cli_peak_rss_mb": round(rss),
                   "outcomes": summary["by_outcome"]}
            report.append(row)
            print(json.dumps(row), flush=True)
    print("\nmedians of the rounds:")
    print(f"{'hashes':>8} {'(a) web3/s':>11} {'(b) raw/s':>10} {'(b) 1 core busy':>16} {'(c) batch/s':>12} "
          f"{'c/b':>5} {'c/a':>6} {'CLI wall s':>10} {'CLI RSS MB':>10}")
    for r in report:
        print(f"{r['hashes']:>8,} {r['a_web3_per_s']:>11,} {r['b_raw_per_s']:>10,} "
              f"{r['b_raw_one_core_busy_per_s']:>16,} {r['c_batch_per_s']:>12,} "
              f"{r['c_over_b']:>5} {r['c_over_a']:>6} {r['cli_wall_s']:>10} {r['cli_peak_rss_mb']:>10}")


if __name__ == "__main__":
    main()
