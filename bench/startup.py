"""CLI start-up: median wall time of each everyday command against `python -c "import typer"`.

Run: .venv/bin/python bench/startup.py [--runs 21]
Each command runs in a fresh process; the ratio is against the baseline measured in the same run.
The commands that touch the database run against a SQLite database prepared in a temp folder (two actors,
one case, four audit rows); `verify` asks a loopback Esplora server that replays a recorded Bitcoin
transaction (fixtures/chaindata), so no network is involved.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TX = "b10c0000004da5a9d1d9b4ae32e09f0b3e62d21a5cce5428d4ad714fb444eb5d"   # recorded by mempool.space Esplora


def median_wall(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median seconds of `runs` fresh runs (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def prepare(exe: str, folder: Path, esplora: str) -> dict[str, str]:
    """A SQLite database with two actors and one verified case; the environment that points at it."""
    cfg = folder / "config.toml"
    cfg.write_text("")
    env = {**os.environ, "RECOVERY_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
           "RECOVERY_CONFIG": str(cfg), "RECOVERY_RPC_BITCOIN": esplora,
           "RECOVERY_MAX_HEAD_AGE_BITCOIN": "off",   # the recorded chain is years old
           "RECOVERY_AUDIT_KEY": os.environ.get("RECOVERY_AUDIT_KEY", "bench-audit-key-0123456789abcdef")}
    for args in (["db", "upgrade"], ["actors", "add", "ann", "--role", "agent"],
                 ["actors", "add", "wes", "--role", "wallet"],
                 ["--as", "ann", "case", "open", "--network", "bitcoin", "--tx", TX, "--user", "u1"],
                 ["--as", "ann", "case", "verify", "1"]):
        subprocess.run([exe, *args], capture_output=True, check=True, env=env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    from tests.support.loopback import Loopback
    from tests.support.recorded_utxo import esplora_docs, esplora_handler

    exe = shutil.which("recovery", path=str(Path(sys.executable).parent)) or "recovery"
    baseline = median_wall([sys.executable, "-c", "import typer"], args.runs)
    print(f"{'command':<38} {'median ms':>10} {'x baseline':>11}")
    base_label = 'python -c "import typer"'
    print(f"{base_label:<38} {baseline * 1000:>10.1f} {1:>11.2f}")
    for label, code in (('python -c "import typer, sqlalchemy"', "import typer, sqlalchemy"),
                        ('python -c "import typer, sqlmodel"', "import typer, sqlmodel")):
        t = median_wall([sys.executable, "-c", code], args.runs)   # the floor of a command that uses the ORM
        print(f"{label:<38} {t * 1000:>10.1f} {t / baseline:>11.2f}")
    with tempfile.TemporaryDirectory() as tmp, \
            Loopback(esplora_handler(esplora_docs(REPO / "fixtures" / "chaindata"), tip=896100)) as srv:
        env = prepare(exe, Path(tmp), f"esplora+{srv.url}/api")
        for label, cmd in (("recovery --help", ["--help"]),
                           ("recovery networks list", ["networks", "list"]),
                           ("recovery networks list --json", ["networks", "list", "--json"]),
                           ("recovery case show 1", ["case", "show", "1"]),
                           ("recovery case list", ["case", "list"]),
                           ("recovery actors list", ["actors", "list"]),
                           ("recovery audit verify", ["audit", "verify"]),
                           ("recovery verify (bitcoin)", ["verify", "--network", "bitcoin", "--tx", TX])):
            t = median_wall([exe, *cmd], args.runs, env)
            print(f"{label:<38} {t * 1000:>10.1f} {t / baseline:>11.2f}", flush=True)


if __name__ == "__main__":
    main()
