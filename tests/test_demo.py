"""The README's main job: `recovery demo` on two fresh Anvil nodes, start to finish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_demo_triages_every_claim_and_closes_a_case(tmp_path: Path) -> None:
    import csv
    import os

    proc = subprocess.run([sys.executable, "-m", "cli", "demo", "--out", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "80"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "14/14 claims got the outcome the scenario expects." in proc.stdout
    assert "case 1 closed: ann closes it" in proc.stdout
    assert "hash chain intact" in proc.stdout
    for name in ("addresses.csv", "assets.csv", "credits.csv", "prices.csv", "claims.csv", "recovery.sqlite3"):
        assert (tmp_path / name).is_file()
    # at 80 columns the table fits, and every transaction hash prints whole on its own line
    table = proc.stdout.split("Devnet claims")[1].split("claims got the outcome")[0]
    rows = [line for line in table.splitlines() if not line.startswith("[")]
    assert max(len(line.rstrip()) for line in rows) <= 80, table
    with (tmp_path / "claims.csv").open() as fh:
        for claim in csv.DictReader(fh):
            assert f"{claim['network']:9} {claim['tx_hash']}\n" in table
    assert "…" not in proc.stdout.split("5. One claim")[1]      # the walked case's recovery hash is whole too


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_kept_demo_walks_a_case_by_hand(tmp_path: Path) -> None:
    """`demo --keep` says how to use it (absolute paths, activate, mining); a case walked to executed by hand."""
    import json
    import os
    import re
    import signal

    import requests

    out = tmp_path / "kept"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOVERY_")}
    rel = os.path.relpath(out, REPO)     # a relative --out: every path printed must come out absolute
    proc = subprocess.Popen([sys.executable, "-m", "cli", "demo", "--keep", "--out", rel], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(lines)
        assert "Press Ctrl-C" in text, text[-3000:]
        assert f"source {Path(sys.executable).parent / 'activate'}" in text
        assert f"export RECOVERY_DATABASE_URL=sqlite:///{out.resolve() / 'recovery.sqlite3'}" in text
        assert "Automine is off on the ethereum node" in text and "recovery demo mine --blocks 12" in text
        assert '"method": "anvil_mine"' in text
        exports = dict(re.findall(r"^  export (RECOVERY_[A-Z_]+)=(\S+)$", text, re.MULTILINE))
        key = (out / "audit.key").read_text().strip()
        env2 = {**env, **{k: v for k, v in exports.items() if k != "RECOVERY_AUDIT_KEY"}, "RECOVERY_AUDIT_KEY": key}
        assert {"RECOVERY_RPC_ETHEREUM", "RECOVERY_HOT_WALLETS_ETHEREUM"} <= exports.keys()

        eth_url = exports["RECOVERY_RPC_ETHEREUM"]

        def head() -> int:
            return int(requests.post(eth_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber",
                                                    "params": []}, timeout=10).json()["result"], 16)

        before = head()
        done = _cli(env2, "demo", "mine", "--blocks", "3", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert head() == before + 3 and f"head is block {before + 3}" in done.stdout

        tx = re.search(r"case open --network ethereum --tx (0x[0-9a-f]{64}) --user (\S+)", text)
        assert tx is not None

        def step(actor: str, *args: str) -> dict:  # type: ignore[type-arg]
            done = _cli(env2, "--as", actor, "case", *args, "--json")
            assert done.returncode == 0, (args, done.stderr)
            return json.loads(done.stdout)  # type: ignore[no-any-return]

        cid = str(step("ann", "open", "--network", "ethereum", "--tx", tx.group(1), "--user", tx.group(2))["id"])
        step("ann", "verify", cid)
        refused = _cli(env2, "demo", "send-recovery", cid, "--out", str(out))
        assert refused.returncode == 1 and "approved" in refused.stderr
        quote = step("ann", "quote", cid)
        step("ann", "accept", cid)
        for who, role in (("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")):
            step(who, "approve", cid, "--role", role)
        sent = _cli(env2, "demo", "send-recovery", cid, "--out", str(out))
        assert sent.returncode == 0, sent.stderr
        assert f"to the hot wallet {exports['RECOVERY_HOT_WALLETS_ETHEREUM']}" in sent.stdout
        rtx = re.search(r"recovery transaction: (0x[0-9a-f]{64})", sent.stdout)
        assert rtx is not None
        case = step("wanda", "execute", cid, "--recovery-tx", rtx.group(1))
        assert case["status"] == "executed"
        assert case["recovered_base_units"] == quote["base_units"]["net"]
    finally:
        # SIGTERM (a `kill`, a closed session) must stop the nodes as Ctrl-C does, not leave them running
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    gone = _cli(env, "demo", "mine", "--out", str(out))
    assert gone.returncode != 0 and "still running" in gone.stderr
