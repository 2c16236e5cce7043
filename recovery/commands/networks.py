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
    from chains.networks import key_peers, registry
    from chains.registry import adapter_ready, tested_on_real_data

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
            "memo_required": net.memo_required,
            # ready: an adapter exists and its tests run on real recorded transactions
            "adapter_ready": adapter_ready(net.family) and tested_on_real_data(net.family),
            "adapter_present": adapter_ready(net.family),
            "endpoint": redact(eps.urls[0]), "endpoint_source": eps.source,
            "explorer_tx_url": net.explorer_tx_url, "key_group": net.key_group,
            "shares_keys_with": [n.id for n in key_peers(net)],
        })
    if json_:
        emit_json(rows)
        return
    from rich.text import Text

    cells = [[r["id"], r["name"], r["family"], r["tier"], str(r["chain_id"] or ""), r["native_symbol"],
              str(r["min_confirmations"]), "required" if r["memo_required"] else "",
              "ready" if r["adapter_ready"] else "not yet", f"{r['endpoint']} ({r['endpoint_source']})"]
             for r in rows]
    headers = ["id", "name", "family", "tier", "chain", "symbol", "confs", "memo", "adapter", "endpoint"]
    # columns padded here rather than by rich.table: measuring 320 cells was most of this command's time
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(headers)]
    console = out()
    console.print(Text(f"Networks ({len(rows)})", style="italic"))
    console.print(Text("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)), style="bold"))
    console.print(Text("  ".join("─" * w for w in widths), style="dim"))
    for c in cells:
        line = Text("  ".join(v.ljust(w) for v, w in zip(c[:8], widths, strict=False)) + "  ")
        line.append(c[8].ljust(widths[8]), style="green" if c[8] == "ready" else "yellow")
        line.append("  " + c[9])
        console.print(line)
    ready = sum(r["adapter_ready"] for r in rows)
    console.print(f"{ready}/{len(rows)} networks have an adapter tested on real transactions.", highlight=False)
