"""`recovery verify`: one transaction hash, its facts and its outcome."""

from typing import Any

import typer

from recovery.commands.common import JsonOpt, NetworkOpt, RpcOpt, TxOpt, emit_json, out, state


def verify(ctx: typer.Context, network: NetworkOpt, tx: TxOpt, rpc: RpcOpt = None, json_: JsonOpt = False) -> None:
    """Verify a transaction hash and name the cause. Exit 1 when the network cannot confirm it."""
    from chains.networks import get_network
    from recovery.db import session_scope
    from recovery.verify import verify as run_verify

    st = state(ctx)
    net = get_network(network)  # unknown network: exit 2 before touching the database
    with session_scope(st.engine()) as session:
        verdict = run_verify(session, net.id, tx, rpc=rpc, config_rpc=st.config.rpc,
                             limits=st.config.raw.get("limits"))
        verdict = _with_conditions(session, verdict, st.config)
    doc = verdict.to_json()
    if json_:
        emit_json(doc)
    else:
        _panel(doc)
    if verdict.status in ("not_found", "failed", "unknown"):
        raise typer.Exit(1)


def _with_conditions(session: Any, verdict: Any, config: Any) -> Any:
    """The verdict with the recovery conditions a case of it would be held to (conditional networks)."""
    from dataclasses import replace
    from datetime import timedelta

    from recovery.case_confirm import declared, verdict_evaluation
    from recovery.fees import load_policy

    conds = declared(verdict.network, config.conditions_file)
    if not conds:
        return verdict
    age = timedelta(hours=float(load_policy(config.fee_policy).max_price_age_hours))
    return replace(verdict, conditions=verdict_evaluation(session, verdict, conds, age))


def _panel(doc: dict) -> None:  # type: ignore[type-arg]
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    doc = {k: escape(v) if isinstance(v, str) else v for k, v in doc.items()}   # chain and user texts stay text
    doc["transfers"] = [{k: escape(v) if isinstance(v, str) else v for k, v in t.items()} for t in doc["transfers"]]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    from recovery.outcomes import info

    colour = info(doc["outcome"]).colour
    grid.add_row("Outcome", f"[{colour} bold]{doc['outcome']}[/]  (recoverable: {doc['recoverable']})")
    grid.add_row("Why", doc["reason"])
    grid.add_row("Status", f"{doc['status']}, {doc['confirmations']} confirmations "
                           f"({doc['required_confirmations']} required)"
                 + (f", block {doc['block_height']}" if doc["block_height"] is not None else ""))
    if doc.get("block_time") is not None:
        grid.add_row("Block time", f"{doc['block_time']:%Y-%m-%d %H:%M:%S} UTC")
    if doc["amount"] is not None:
        grid.add_row("Amount", f"{doc['amount']} {doc['symbol'] or doc['asset']}")
    elif doc.get("amount_base_units") is not None:
        grid.add_row("Amount", f"{doc['amount_base_units']} base units of {doc['symbol'] or doc['asset']} "
                               "(decimals unknown)")
    if doc["user_id"]:
        grid.add_row("User", doc["user_id"])
    if doc["deposit_network"] and doc["deposit_network"] != doc["network"]:
        grid.add_row("Ours on", doc["deposit_network"])
    if doc["found_on_network"]:
        grid.add_row("Found on", doc["found_on_network"])
    if doc.get("probed"):
        grid.add_row("Probed", ", ".join(f"{net}: {state}" for net, state in doc["probed"].items()))
    for t in doc["transfers"]:
        how_much = t["amount"] if t["amount"] is not None else f"{t['amount_base_units']} base units of"
        grid.add_row("Transfer", f"{how_much} {t['asset']}  {t['from_address']} → {t['to_address']}"
                     + (f"  memo {t['memo']!r}" if t["memo"] else ""))
    if doc["error"]:
        grid.add_row("Error", doc["error"])
    grid.add_row("Explorer", doc["explorer_url"] or "")
    panel = Panel(grid, title=f"{doc['network']} {doc['tx_hash']}", expand=False)
    if doc.get("conditions"):
        from rich.console import Group

        from recovery.commands.case_render import conditions_table

        title = "Recovery conditions a case would be held to (age measured to today)"
        panel = Panel(Group(grid, conditions_table(doc["conditions"], title)),
                      title=f"{doc['network']} {doc['tx_hash']}", expand=False)
    out().print(panel)
