"""The demo's second half: the unlisted-token claim walked from open to closed, as four people would, with
the recovery prepared, signed offline and broadcast."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from chains.networks import get_network
from recovery import audit
from recovery.anvil import Anvil
from recovery.cases import CaseService
from recovery.db import session_scope
from recovery.devnet import Scenario, sign_fields
from recovery.money import amount
from recovery.triage import whole_units

PEOPLE = (("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security"))
HOT_WALLET_INDEX = 8   # the dev account that stands for the exchange's hot wallet


def walk_case(engine: Engine, scenario: Scenario, eth: Anvil, console: Console,
              prepared_file: Path | None = None) -> str:
    """The unlisted-token claim on a token-only deposit address: open, verify, value, quote, accept, prepare
    (a gas top-up and the token transfer), three approvals of that digest, signed offline with the devnet's
    keys, checked, broadcast and confirmed, credit and close; returns the status. The prepared payloads are
    written to `prepared_file` when given."""
    hot_wallet = eth.accounts()[HOT_WALLET_INDEX]
    # as config [hot_wallets] would; each poll for confirmations mines a block (the devnet's clock)
    service = CaseService(engine, hot_wallets={"ethereum": [hot_wallet]}, tick=lambda _: eth.mine(1))
    for name, role in PEOPLE:
        service.add_actor(name, [role])
    claim = scenario.claim("Unlisted token sent to a deposit address")
    deposit = scenario.deposits["u-1003"]
    eth.mine(1)                                   # the scenario's mempool deposit to this address lands first
    eth.rpc("anvil_setBalance", deposit, "0x0")   # a token-only deposit address, as most are: no ETH for gas
    case = service.open("ann", network=claim.network, tx_hash=claim.tx_hash, user_id=claim.user_id)
    case_id = case.id
    assert case_id is not None
    step = _stepper(console, case_id)
    step("ann opens it", case)
    step("ann verifies it on chain", service.verify(case_id, "ann"))
    service.value(case_id, "carl", Decimal("0.002"))
    step("carl values the unlisted token at 0.002 USD", _case(service, case_id))
    case, quote = service.quote(case_id, "ann")
    gross, fee, network_fee, net = (amount(v, quote.symbol, quote.decimals)
                                    for v in (quote.gross, quote.fee, quote.network_fee, quote.net))
    step(f"ann quotes it: gross {gross}, fee {fee}, network fee {network_fee}, net {net} "
         f"({quote.rule}; {quote.recommendation})", case)
    step("the user accepts", service.accept(case_id, "ann"))
    prepared = service.prepare(case_id, "wanda")
    if prepared_file is not None:
        prepared_file.write_text(json.dumps(prepared.as_json(), indent=2, default=_iso) + "\n")
    for tx in prepared.transactions:
        what = amount(whole_units(tx.amount_base, 18 if tx.asset == "native" else quote.decimals),
                      "ETH" if tx.asset == "native" else quote.symbol, 18)
        console.print(f"     {tx.purpose}: {what} from {tx.from_address} to {tx.to_address}", highlight=False)
    step(f"wanda prepares it: {len(prepared.transactions)} unsigned transactions, digest {prepared.digest}"
         + (f" (written to {prepared_file})" if prepared_file else ""), _case(service, case_id))
    for name, role in PEOPLE[1:]:
        step(f"{name} approves that digest as {role}", service.approve(case_id, name, role))
    keys = eth.dev_keys()   # the devnet's keys stand for the offline signer / HSM
    signed = [sign_fields(tx.fields, keys[tx.from_address]) for tx in prepared.transactions]
    console.print("     signed offline: the top-up by the hot wallet's key, the recovery by the deposit "
                  "address's key", highlight=False)
    executed = service.execute_signed(case_id, "wanda", signed, broadcast=True, wait_seconds=120)
    step(f"wanda records the recovery transaction {executed.recovery_tx} (checked against the prepared one, "
         f"broadcast, {get_network(claim.network).min_confirmations} confirmations)", executed)
    step("carl credits the user", service.credit(case_id, "carl", "LEDGER-2026-0001"))
    closed = service.move(case_id, "ann", "close")
    step("ann closes it", closed)
    with session_scope(engine) as s:
        check = audit.verify_chain(s)
    chain = "intact" if check.ok else f"BROKEN: {check.problem}"
    console.print(f"   audit log: {check.rows} rows, hash chain {chain}")
    return str(closed.status)


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _case(service: CaseService, case_id: int) -> object:
    with service.session() as s:
        return service.case(s, case_id)


def _stepper(console: Console, case_id: int | None):  # type: ignore[no-untyped-def]
    def step(what: str, case: object) -> None:
        console.print(f"   case {case_id} [bold]{getattr(case, 'status', '?')}[/]: {what}", highlight=False)
    return step
