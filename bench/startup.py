"""CLI start-up: median wall time of each everyday command against `python -c "import typer"`.

Run: .venv/bin/python bench/startup.py [--runs 21]
Each command runs in a fresh process; the ratio is against the baseline measured in the same run.
The commands that touch the database run against a SQLite database prepared in a temp folder (two actors,
one case, four audit rows); `verify` asks a loopback Esplora server that replays a recorded Bitcoin
transaction (fixtures/chaindata), so no network is involved.

Every command is timed twice, one right after the other: cold (`RECOVERY_WARM=0`: the command imports
everything itself) and warm (the launcher hands it to a warm process started before the timing, in a
socket folder of the benchmark's own; recovery/warm.py).
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

from recovery import warm  # noqa: E402

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
           "RECOVERY_WARM": "0",
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
    print(f"{'floor':<38} {'median ms':>10} {'x baseline':>11}")
    base_label = 'python -c "import typer"'
    print(f"{base_label:<38} {baseline * 1000:>10.1f} {1:>11.2f}")
    for label, code in (('python -c "import typer, sqlalchemy"', "import typer, sqlalchemy"),
                        ('python -c "import typer, sqlmodel"', "import typer, sqlmodel")):
        t = median_wall([sys.executable, "-c", code], args.runs)   # the floor of a command that uses the ORM
        print(f"{label:<38} {t * 1000:>10.1f} {t / baseline:>11.2f}")
    with tempfile.TemporaryDirectory() as tmp, \
            Loopback(esplora_handler(esplora_docs(REPO / "fixtures" / "chaindata"), tip=896100)) as srv:
        env = prepare(exe, Path(tmp), f"esplora+{srv.url}/api")
        cold = {**env, "RECOVERY_WARM": "0"}
        warm_env = {**env, "RECOVERY_WARM": "1", "XDG_RUNTIME_DIR": tmp, "RECOVERY_WARM_IDLE": "600"}
        path = start_warm(exe, warm_env)
        print(f"\n{'command':<38} {'cold ms':>10} {'x baseline':>11} {'warm ms':>10} {'x baseline':>11}")
        try:
            for label, cmd in COMMANDS:
                t_cold = median_wall([exe, *cmd], args.runs, cold)
                t_warm = median_wall([exe, *cmd], args.runs, warm_env)
                print(f"{label:<38} {t_cold * 1000:>10.1f} {t_cold / baseline:>11.2f} "
                      f"{t_warm * 1000:>10.1f} {t_warm / baseline:>11.2f}", flush=True)
        finally:
            warm.stop(path)


COMMANDS = (("recovery --help", ["--help"]),
            ("recovery networks list", ["networks", "list"]),
            ("recovery networks list --json", ["networks", "list", "--json"]),
            ("recovery case show 1", ["case", "show", "1"]),
            ("recovery case list", ["case", "list"]),
            ("recovery actors list", ["actors", "list"]),
            ("recovery audit verify", ["audit", "verify"]),
            ("recovery verify (bitcoin)", ["verify", "--network", "bitcoin", "--tx", TX]))


def start_warm(exe: str, env: dict[str, str]) -> str:
    """Run one command so that the launcher starts a warm process; its socket once it answers."""
    subprocess.run([exe, "--help"], capture_output=True, check=True, env=env)
    path = warm.socket_path(env)
    assert path is not None, "no private folder for the warm socket"
    deadline = time.monotonic() + 60
    while not warm.ready(path):
        if time.monotonic() > deadline:
            raise SystemExit("the warm process did not start within 60 s")
        time.sleep(0.1)
    return path


if __name__ == "__main__":
    main()
