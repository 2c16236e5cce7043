"""`recovery networks list`: the registry, with each network's adapter readiness, endpoint and, for the
conditional tier, its recovery conditions (chains/conditions.toml, or the config's `[conditions] file`)."""

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
    """List the networks: family, tier, confirmations, memo rule, adapter readiness, endpoint, conditions."""
    from chains.conditions import conditions, load_conditions
    from chains.endpoints import redact, resolve_endpoints
    from chains.networks import key_peers, registry
    from chains.registry import adapter_ready, tested_on_real_data

    cfg = state(ctx).config
    config_rpc = cfg.rpc
    declared = load_conditions(cfg.conditions_file) if cfg.conditions_file else conditions()
    rows: list[dict[str, Any]] = []
    for net in registry().values():
        if tier and net.tier != tier.value:
            continue
        eps = resolve_endpoints(net, None, config_rpc)
        has, tested = adapter_ready(net.family), tested_on_real_data(net.family)
        rows.append({
            "id": net.id, "name": net.name, "family": net.family, "tier": net.tier,
            "chain_id": net.chain_id, "native_symbol": net.native_symbol,
            "native_decimals": net.native_decimals, "min_confirmations": net.min_confirmations,
            "memo_required": net.memo_required,
            # ready: an adapter exists and its tests run on real recorded transactions
            "adapter_ready": has and tested,
            "adapter_present": has,
            # ready: tested on real recorded transactions; untested: an adapter with no real sample to test on
            "adapter": "ready" if has and tested else "untested" if has else "missing",
            "conditions": [{"name": c.kind, "role": c.role, "needs_person": c.needs_person,
                            "params": {k: str(v) for k, v in c.params.items()}}
                           for c in declared.get(net.id, ())],
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
              r["adapter"], f"{r['endpoint']} ({r['endpoint_source']})"]
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
    present = sum(1 for r in rows if r["adapter_present"])
    ready = sum(1 for r in rows if r["adapter_ready"])
    untested = [r["id"] for r in rows if r["adapter"] == "untested"]
    console.print(f"{present}/{len(rows)} networks have an adapter; {ready} tested on real transactions (ready)"
                  + (f", untested: {', '.join(untested)}" if untested else "") + ".", highlight=False)
    groups: dict[str, list[str]] = {}
    for r in rows:
        if r["conditions"]:
            groups.setdefault("; ".join(_compact(c, r) for c in r["conditions"]), []).append(r["id"])
    if groups:
        console.print(Text("Recovery conditions (confirmed by the role in brackets; the rest checked from data):",
                           style="bold"))
        for text, ids in groups.items():
            console.print(f"  {', '.join(ids)}: {text}", highlight=False, markup=False)


def _compact(c: dict[str, Any], net: dict[str, Any]) -> str:
    """One condition in a few words: `max_age_days ≤180 days`, `existential_deposit 1 DOT`, `x [agent]`."""
    p = c["params"]
    if "days" in p:
        text = f"{c['name']} ≤{p['days']} days"
    elif "usd" in p:
        text = f"{c['name']} ≥{p['usd']} USD"
    elif "amount" in p:
        from decimal import Decimal

        whole = Decimal(p["amount"]).scaleb(-net["native_decimals"])
        text = f"{c['name']} {whole.normalize():f} {net['native_symbol']}"
    else:
        text = c["name"]
    return text + (f" [{c['role']}]" if c["role"] else "")
