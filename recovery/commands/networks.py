"""`recovery networks list`: the registry, with each network's adapter readiness and endpoint."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from recovery.commands.common import JsonOpt, emit_json, out, state

app = typer.Typer(no_args_is_help=True, help="The 32 networks of the registry.")


class Tier(StrEnum):
    """Recovery tier."""

    direct = "direct"
    conditional = "conditional"


@app.command("list")
def list_networks(
    ctx: typer.Context,
    tier: Annotated[Tier | None, typer.Option(help="Only this tier.")] = None,
    json_: JsonOpt = False,
) -> None:
    """List the networks: family, tier, confirmations, memo rule, adapter readiness, endpoint."""
    from chains.endpoints import redact, resolve_endpoints
    from chains.networks import registry
    from chains.registry import adapter_ready

    config_rpc = state(ctx).config.rpc
    rows: list[dict[str, Any]] = []
    for net in registry().values():
        if tier and net.tier != tier.value:
            continue
        eps = resolve_endpoints(net, None, config_rpc)
        rows.append({
            "id": net.id, "name": net.name, "family": net.family, "tier": net.tier,
            "chain_id": net.chain_id, "native_symbol": net.native_symbol,
            "native_decimals": net.native_decimals, "min_confirmations": net.min_confirmations,
            "memo_required": net.memo_required, "adapter_ready": adapter_ready(net.family),
            "endpoint": redact(eps.urls[0]), "endpoint_source": eps.source,
            "explorer_tx_url": net.explorer_tx_url, "shares_keys_with": list(net.shares_keys_with),
        })
    if json_:
        emit_json(rows)
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Networks ({len(rows)})", header_style="bold", box=box.SIMPLE_HEAD)
    for col in ("id", "name", "family", "tier", "chain", "symbol", "confs", "memo", "adapter", "endpoint"):
        table.add_column(col, no_wrap=col not in ("name", "endpoint"), min_width=len(col))
    for r in rows:
        table.add_row(
            r["id"], r["name"], r["family"], r["tier"], str(r["chain_id"] or ""), r["native_symbol"],
            str(r["min_confirmations"]), "required" if r["memo_required"] else "",
            Text("ready", "green") if r["adapter_ready"] else Text("not yet", "yellow"),
            Text(f"{r['endpoint']} ({r['endpoint_source']})"),
        )
    ready = sum(r["adapter_ready"] for r in rows)
    console = out()
    console.print(table)
    console.print(f"{ready}/{len(rows)} networks have an adapter.", highlight=False)
