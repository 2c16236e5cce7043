"""`recovery actors add|remove-role|list`: the team and their roles."""

from typing import Annotated, Any

import typer

from recovery.commands.common import JsonOpt, emit_json, err, out, state

app = typer.Typer(no_args_is_help=True, help="Actors and their roles (agent, wallet, clearing, security).")


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The actor's name.")],
    role: Annotated[list[str], typer.Option("--role", help="agent, wallet, clearing or security "
                                                            "(repeat for several).")],
    json_: JsonOpt = False,
) -> None:
    """Add an actor, or give an existing one more roles."""
    from recovery.cases import CaseService

    st = state(ctx)
    actor = CaseService(st.engine()).add_actor(name, [r.strip() for r in role], by=st.actor)
    doc = {"name": actor.name, "roles": sorted(actor.role_set())}
    if json_:
        emit_json(doc)
    else:
        err().print(f"{actor.name}: {', '.join(doc['roles'])}", markup=False, highlight=False)


@app.command("remove-role")
def remove_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The actor's name.")],
    role: Annotated[str, typer.Option("--role", help="The role to revoke.")],
    json_: JsonOpt = False,
) -> None:
    """Revoke a role from an actor (audited); what they did with it before stays on record."""
    from recovery.cases import CaseService

    st = state(ctx)
    actor = CaseService(st.engine()).remove_role(name, role.strip(), by=st.actor)
    doc = {"name": actor.name, "roles": sorted(actor.role_set())}
    if json_:
        emit_json(doc)
    else:
        err().print(f"{actor.name}: {', '.join(doc['roles']) or 'no roles'}", markup=False, highlight=False)


@app.command("list")
def list_actors(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the actors and their roles."""
    from sqlmodel import col, select

    from recovery.case_models import Actor
    from recovery.db import session_scope

    with session_scope(state(ctx).engine()) as s:
        docs: list[dict[str, Any]] = [{"name": a.name, "roles": sorted(a.role_set()), "added_at": a.added_at}
                for a in s.exec(select(Actor).order_by(col(Actor.name)))]
    docs.sort(key=lambda d: (d["name"].casefold(), d["name"]))
    if json_:
        emit_json(docs)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Actors ({len(docs)})", header_style="bold")
    table.add_column("name")
    table.add_column("roles")
    for d in docs:
        table.add_row(Text(d["name"]), ", ".join(d["roles"]))
    out().print(table)
