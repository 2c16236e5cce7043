"""`recovery demo`: the whole job on a local devnet, with nothing to configure; `mine` and
`send-recovery` talk to the nodes a `demo --keep` left running."""

from pathlib import Path
from typing import Annotated

import typer

from recovery.errors import BadInput

ACTIONS = ("mine", "send-recovery")


def demo(
    action: Annotated[str | None, typer.Argument(
        help="Nothing: run the demo. `mine`: mine blocks on the kept ethereum node. `send-recovery ID`: send "
             "case ID's recovery on the kept devnet.", metavar="[ACTION]")] = None,
    case_id: Annotated[int | None, typer.Argument(help="The case (send-recovery).", metavar="ID",
                                                  show_default=False)] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the scenario files and the SQLite database.")]
    = Path("demo-out"),
    keep: Annotated[bool, typer.Option("--keep", help="Leave the nodes running to try commands by hand.")] = False,
    blocks: Annotated[int, typer.Option("--blocks", min=1, max=10_000, help="Blocks to mine (mine).")] = 1,
    network: Annotated[str, typer.Option("--network", "-n", help="The kept node to mine on (mine).")] = "ethereum",
) -> None:
    """Start two Anvil nodes, seed a claim of every EVM outcome, import reference data, verify them all."""
    from recovery.screen import console

    if action is None:
        from recovery.demo import run_demo

        if run_demo(out_dir, console(), keep=keep):
            raise typer.Exit(1)
        return
    if action not in ACTIONS:
        raise BadInput(f"unknown demo action {action!r}: use `recovery demo`, `recovery demo mine [--blocks N]` "
                       "or `recovery demo send-recovery ID`")
    from recovery import demo_kept

    kept = demo_kept.load(out_dir)
    con = console()
    if action == "mine":
        if case_id is not None:
            raise BadInput("`demo mine` takes no ID: give the number of blocks with --blocks N")
        head = demo_kept.mine(kept, network, blocks)
        con.print(f"mined {blocks} block(s) on {network}: head is block {head}", highlight=False)
        return
    if case_id is None:
        raise BadInput("`demo send-recovery` needs the case ID")
    from recovery.money import amount
    from recovery.triage import whole_units

    sent = demo_kept.send_recovery(kept, case_id)
    what = amount(whole_units(sent.base_units, sent.decimals), sent.symbol, sent.decimals)
    def say(text: str) -> None:
        con.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"sent {what} on {sent.network} from the deposit address {sent.from_address} to the hot wallet "
        f"{sent.to_address}; mined {sent.blocks_mined} block(s) for its confirmations")
    say(f"recovery transaction: {sent.tx_hash}")
    say(f"next: recovery --as wanda case execute {case_id} --recovery-tx {sent.tx_hash}")
