"""The devnet demo: two Anvil chains, a seeded scenario, reference data imported, every claim triaged."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from rich.console import Console

from recovery.anvil import Anvil
from recovery.db import make_engine, session_scope, upgrade
from recovery.devnet import Scenario, seed
from recovery.outcomes import info
from recovery.reference_import import KINDS, import_file
from recovery.triage import Verdict
from recovery.verify import verify


def run_demo(out_dir: Path, console: Console, keep: bool = False) -> int:
    """Seed the devnet, import its reference data into SQLite in `out_dir`, verify every claim.

    Returns the number of claims whose outcome differs from the scenario's expectation.
    """
    out_dir = out_dir.resolve()   # every path printed is absolute: the commands work from any folder
    out_dir.mkdir(parents=True, exist_ok=True)
    key_file = _audit_key(out_dir)
    db_file = out_dir / "recovery.sqlite3"
    db_file.unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    console.print("[bold]1.[/] Starting two Anvil nodes: chain id 1 as [cyan]ethereum[/], 56 as [cyan]bsc[/]")
    eth, bsc = Anvil(1).start(), Anvil(56).start()
    try:
        scenario = seed(eth, bsc, out_dir)
        console.print(f"[bold]2.[/] Seeded {len(scenario.claims)} claims: tokens DUSD (listed), RNDM (unlisted), "
                      f"OLDT (deposits suspended); files in {out_dir}")
        for net, node in scenario.urls.items():
            os.environ["RECOVERY_RPC_" + net.upper()] = node
        upgrade(url)
        engine = make_engine(url)
        console.print(f"[bold]3.[/] Database {db_file} migrated; importing reference data")
        for kind in KINDS:
            report = import_file(engine, kind, scenario.files[kind])
            console.print(f"   {kind}: {report.written} rows")
        console.print("[bold]4.[/] Verifying every claim on chain and triaging it")
        verdicts = []
        with session_scope(engine) as session:
            for claim in scenario.claims:
                verdicts.append(verify(session, claim.network, claim.tx_hash))
        misses = _table(console, scenario, verdicts)
        console.print("[bold]5.[/] One claim through the whole case lifecycle, as four people would do it")
        from recovery.demo_case import walk_case

        if walk_case(engine, scenario, eth, console, out_dir / "prepared-recovery.json") != "closed":
            misses += 1
        from recovery.demo_seed import seed_for_report

        console.print(f"[bold]6.[/] {seed_for_report(engine).cases} more claims walked through the case service "
                      f"over 120 days, for the team's figures: RECOVERY_DATABASE_URL={url} recovery report "
                      "\\[-o report.html]", highlight=False)
        if keep:
            _keep(console, scenario, url, key_file, eth, bsc)
        engine.dispose()
        return misses
    finally:
        if not keep:
            eth.stop()
            bsc.stop()


def _audit_key(out_dir: Path) -> Path | None:
    """The demo's audit key: RECOVERY_AUDIT_KEY if set (None), else a random key kept in OUT_DIR/audit.key."""
    from recovery.audit import KEY_ENV, new_key

    if os.environ.get(KEY_ENV):
        return None
    key_file = out_dir / "audit.key"
    if not key_file.is_file():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_key() + "\n")
    os.environ[KEY_ENV] = key_file.read_text().strip()
    return key_file


def _table(console: Console, scenario: Scenario, verdicts: list[Verdict]) -> int:
    from recovery import screen

    notes = screen.Notes()
    table = screen.table("Devnet claims, verified and triaged", ["claim / network", "tx", "outcome", "reason"],
                         main="reason", whole=("tx", "outcome"), max_widths={"claim / network": 22})
    misses = 0
    for claim, v in zip(scenario.claims, verdicts, strict=True):
        ok = v.outcome.value == claim.expected
        misses += not ok
        colour = info(v.outcome).colour
        outcome = f"[{colour}]{v.outcome.value}[/]" + ("" if ok else f" [red](expected {claim.expected})[/]")
        reason = v.reason + (f" [dim](found on {v.found_on_network})[/]" if v.found_on_network else "")
        table.add_row(f"{claim.label}\n[dim]{claim.network}[/]", notes.cut(v.tx_hash, f"{claim.network:9} "),
                      f"{outcome}\n[dim]({v.recoverable})[/]", reason)
    console.print(table)
    notes.print(console)
    console.print(f"{len(verdicts) - misses}/{len(verdicts)} claims got the outcome the scenario expects.")
    return misses


def _keep(console: Console, scenario: Scenario, url: str, key_file: Path | None, eth: Anvil, bsc: Anvil) -> None:
    from recovery.config import hot_wallets_env
    from recovery.demo_case import HOT_WALLET_INDEX
    from recovery.demo_kept import Kept, activate_line, curl_mine

    hot = {"ethereum": eth.accounts()[HOT_WALLET_INDEX], "bsc": bsc.accounts()[HOT_WALLET_INDEX]}
    out_dir = scenario.files["claims"].parent
    state = Kept(dict(scenario.urls), url, hot).save(out_dir)
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"\nThe nodes keep running ({state} says where). In another shell:")
    say(f"  {activate_line()}")
    say(f"  export RECOVERY_DATABASE_URL={url}")
    say(f"  export RECOVERY_AUDIT_KEY=$(cat {key_file})" if key_file else
        "  export RECOVERY_AUDIT_KEY=...   (the key this demo used: your $RECOVERY_AUDIT_KEY)")
    for net, node in scenario.urls.items():
        say(f"  export RECOVERY_RPC_{net.upper()}={node}")
        say(f"  export {hot_wallets_env(net)}={hot[net]}")
    say(f"  recovery batch verify {scenario.files['claims']} -o {out_dir / 'claims-out.csv'}")
    say("Automine is off on the ethereum node (one claim waits in its mempool): a transaction sent there is "
        "mined only when you mine blocks, e.g. the 12 confirmations ethereum needs:")
    say(f"  recovery demo mine --blocks 12 --out {out_dir}")
    say(f"  {curl_mine(eth.url, 12)}")
    # the walk above took the unlisted-token claim; this one is left for a walk by hand
    claim = scenario.claim("ETH sent to our BSC-only address")
    say("Walk a case to the end by hand (ann agent, wanda wallet, carl clearing, sam security):")
    for line in (f"recovery --as ann case open --network ethereum --tx {claim.tx_hash} --user {claim.user_id}",
                 "recovery --as ann case verify ID",
                 "recovery --as ann case quote ID", "recovery --as ann case accept ID",
                 "recovery --as wanda case approve ID --role wallet",
                 "recovery --as carl case approve ID --role clearing",
                 "recovery --as sam case approve ID --role security",
                 f"recovery demo send-recovery ID --out {out_dir}   (the quoted net, from the deposit address "
                 "to the hot wallet, mined)",
                 "recovery --as wanda case execute ID --recovery-tx HASH",
                 "recovery --as carl case credit ID --ledger-ref REF", "recovery --as ann case close ID"):
        say(f"  {line}")
    say("Press Ctrl-C to stop the nodes.")
    # a `kill` or a closed terminal stops the nodes too, as Ctrl-C does, instead of leaving them running
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        eth.proc.wait() if eth.proc else None
    except KeyboardInterrupt:
        pass
    finally:
        eth.stop()
        bsc.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
