"""The README's main job: `recovery demo` on two fresh Anvil nodes, start to finish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_demo_triages_every_claim_and_closes_a_case(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "cli", "demo", "--out", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "14/14 claims got the outcome the scenario expects." in proc.stdout
    assert "case 1 closed: ann closes it" in proc.stdout
    assert "hash chain intact" in proc.stdout
    for name in ("addresses.csv", "assets.csv", "credits.csv", "prices.csv", "claims.csv", "recovery.sqlite3"):
        assert (tmp_path / name).is_file()
