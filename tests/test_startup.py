"""The everyday commands that touch the database start without Alembic, web3 or pandas (bench/startup.py
times them; docs/benchmarks.md has the figures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.recorded_utxo import esplora_docs, esplora_handler

REPO = Path(__file__).resolve().parent.parent
TX = "b10c0000004da5a9d1d9b4ae32e09f0b3e62d21a5cce5428d4ad714fb444eb5d"
HEAVY = ("alembic", "web3", "pandas", "matplotlib")
PROBE = ("import sys, runpy; sys.argv = ['recovery'] + sys.argv[1:]\n"
         "try:\n    runpy.run_module('cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
         f"sys.stderr.write('\\nHEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n")


def test_everyday_commands_do_not_import_alembic_web3_or_pandas(tmp_path: Path, chaindata: Path,
                                                                loopback: Any) -> None:
    from recovery.cases import CaseService
    from recovery.db import open_database

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    svc = CaseService(open_database(url))
    svc.add_actor("ann", ["agent"])
    svc.open("ann", network="bitcoin", tx_hash=TX, user_id="u1")
    svc.engine.dispose()
    srv = loopback(esplora_handler(esplora_docs(chaindata), tip=896100))
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    env = {**os.environ, "RECOVERY_DATABASE_URL": url, "RECOVERY_CONFIG": str(cfg),
           "RECOVERY_RPC_BITCOIN": f"esplora+{srv.url}/api"}
    for args in (["case", "show", "1"], ["case", "list"], ["actors", "list"], ["audit", "verify"],
                 ["verify", "--network", "bitcoin", "--tx", TX], ["case", "list", "--json"]):
        proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, capture_output=True, text=True,
                              env=env, timeout=120)
        assert "HEAVY=" in proc.stderr and "error" not in proc.stderr.lower(), (args, proc.stderr[-1500:])
        assert proc.stderr.rsplit("HEAVY=", 1)[1] == "", (args, proc.stderr[-300:])
