"""The demo's second half: one wrong-network claim walked from open to closed, as four people would."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import Engine

from chains.networks import get_network
from recovery import audit
from recovery.anvil import Anvil
from recovery.cases import CaseService
from recovery.db import session_scope
from recovery.devnet import Scenario, send_native
from recovery.money import amount
from recovery.quotes import base_amounts

PEOPLE = (("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security"))
HOT_WALLET_INDEX = 8   # the dev account that stands for the exchange's hot wallet


def walk_case(engine: Engine, scenario: Scenario, eth: Anvil, console: Console) -> str:
    """Open, verify, quote, accept, approve three times, execute on chain, credit and close; returns the status."""
    hot_wallet = eth.accounts()[HOT_WALLET_INDEX]
    service = CaseService(engine, hot_wallets={"ethereum": [hot_wallet]})   # as config [hot_wallets] would
    for name, role in PEOPLE:
        service.add_actor(name, [role])
    claim = scenario.claim("ETH sent to our BSC-only address")
    case = service.open("ann", network=claim.network, tx_hash=claim.tx_hash, user_id=claim.user_id)
    case_id = case.id
    assert case_id is not None
    step = _stepper(console, case_id)
    step("ann opens it", case)
    step("ann verifies it on chain", service.verify(case_id, "ann"))
    case, quote = service.quote(case_id, "ann")
    gross, fee, network_fee, net = (amount(v, quote.symbol, quote.decimals)
                                    for v in (quote.gross, quote.fee, quote.network_fee, quote.net))
    step(f"ann quotes it: gross {gross}, fee {fee}, network fee {network_fee}, net {net} "
         f"({quote.rule}; {quote.recommendation})", case)
    step("the user accepts", service.accept(case_id, "ann"))
    for name, role in PEOPLE[1:]:
        step(f"{name} approves as {role}", service.approve(case_id, name, role))
    deposit = case.deposit_address or scenario.deposits["u-1002@bsc"]
    recovery_tx = send_native(eth, deposit, hot_wallet, base_amounts(quote)["net"])
    # automine is off on this devnet after seeding (one claim waits in the mempool); execute wants the
    # network's confirmations
    eth.mine(get_network(claim.network).min_confirmations)
    step(f"wanda records the recovery transaction {recovery_tx} (checked on chain)",
         service.execute(case_id, "wanda", recovery_tx))
    step("carl credits the user", service.credit(case_id, "carl", "LEDGER-2026-0001"))
    closed = service.move(case_id, "ann", "close")
    step("ann closes it", closed)
    with session_scope(engine) as s:
        check = audit.verify_chain(s)
    chain = "intact" if check.ok else f"BROKEN: {check.problem}"
    console.print(f"   audit log: {check.rows} rows, hash chain {chain}")
    return str(closed.status)


def _stepper(console: Console, case_id: int | None):  # type: ignore[no-untyped-def]
    def step(what: str, case: object) -> None:
        console.print(f"   case {case_id} [bold]{getattr(case, 'status', '?')}[/]: {what}", highlight=False)
    return step
