"""CLI start-up: median wall time of `recovery --help` and `recovery networks list` against `import typer`.

Run: .venv/bin/python bench/startup.py [--runs 21]
Each command runs in a fresh process; the ratio is against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_wall(cmd: list[str], runs: int) -> float:
    """Median seconds of `runs` fresh runs (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    exe = shutil.which("recovery", path=str(Path(sys.executable).parent)) or "recovery"
    baseline = median_wall([sys.executable, "-c", "import typer"], args.runs)
    print(f"{'command':<32} {'median ms':>10} {'x baseline':>11}")
    base_label = 'python -c "import typer"'
    print(f"{base_label:<32} {baseline * 1000:>10.1f} {1:>11.2f}")
    for label, cmd in (("recovery --help", [exe, "--help"]),
                       ("recovery networks list", [exe, "networks", "list"]),
                       ("recovery networks list --json", [exe, "networks", "list", "--json"])):
        t = median_wall(cmd, args.runs)
        print(f"{label:<32} {t * 1000:>10.1f} {t / baseline:>11.2f}")


if __name__ == "__main__":
    main()
