"""`recovery quote`: what a recovery would cost, for a user who asks before a case is opened."""

from typing import Annotated

import typer

from recovery.commands.common import JsonOpt, NetworkOpt, decimal_arg, emit_json, out, state
from recovery.commands.letters import LangOpt, emit_letter, user_language


def quote(
    ctx: typer.Context,
    network: NetworkOpt,
    asset: Annotated[str, typer.Option("--asset", help="`native` or the token's contract / mint / code.")],
    amount: Annotated[str, typer.Option("--amount", help="Amount in whole units.")],
    outcome: Annotated[str | None, typer.Option("--outcome", help="Triage outcome if known "
                                                                   "(e.g. missing_memo).")] = None,
    decimals: Annotated[int | None, typer.Option("--decimals", help="Decimals of a token we do not "
                                                                     "list.")] = None,
    message: Annotated[bool, typer.Option("--message", help="Print the message for the user.")] = False,
    lang: LangOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Quote the fee of recovering AMOUNT of ASSET on NETWORK (nothing is stored); with --message, the
    message for the user (in --lang)."""
    from chains.networks import get_network
    from recovery.db import session_scope
    from recovery.errors import BadInput
    from recovery.fees import load_policy
    from recovery.quotes import adapter_fee_estimator, build_quote, quote_json
    from recovery.triage import Outcome

    get_network(network)
    if outcome is not None and outcome not in {o.value for o in Outcome}:
        raise BadInput(f"--outcome must be one of {', '.join(o.value for o in Outcome)}, not {outcome!r}")
    if decimals is not None and not 0 <= decimals <= 77:
        raise BadInput(f"--decimals must be between 0 and 77, not {decimals}")
    if lang is not None and not message:
        raise BadInput("--lang is the language of the message: give it with --message")
    language = user_language(lang) if message else None
    st = state(ctx)
    value = decimal_arg(amount, "--amount")
    assert value is not None
    with session_scope(st.engine()) as s:
        q = build_quote(s, load_policy(st.config.fee_policy), network=network, asset=asset, amount=value,
                        outcome=outcome, decimals=decimals, estimator=adapter_fee_estimator(st.config.rpc))
        doc = quote_json(q)
        s.expunge_all()
    doc.pop("id")
    doc.pop("case_id")
    if language is not None:
        from recovery.messages import quote_letter

        letter = quote_letter(q, outcome=outcome, lang=language)
        emit_letter(letter.text, json_, {"quote": doc, "kind": letter.kind, "lang": language})
        return
    if json_:
        emit_json(doc)
        return
    from recovery.commands.case_render import quote_panel

    out().print(quote_panel(doc, title=f"Quote: {doc['gross']} {doc['symbol']} on {network}"))
