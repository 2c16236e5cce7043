"""An amount of 31 significant digits stays exact from the chain to the credit: verify, case, quote, execute.

1,234,567,890,123.123456789012341234 tokens of an 18-decimal token, sent on a real Anvil node; Python's
default Decimal context (28 digits) would round it anywhere it is normalised, scaled or stored.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from recovery.db import session_scope

pytestmark = pytest.mark.anvil

WHOLE = Decimal("1234567890123.123456789012341234")
BASE = 1234567890123123456789012341234


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_31_digit_amount_is_exact_from_verify_to_execute(scenario_env: dict[str, str], evm_scenario: Any,
                                                           anvil_nodes: Any, engine: Any, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from recovery.cases import CaseService
    from recovery.devnet import deploy_token, send_token
    from recovery.quotes import base_amounts, quote_json
    from recovery.reference_import import import_file
    from recovery.verify import verify

    bsc = anvil_nodes["bsc"]   # automines; a wrong-network token deposit: sent on bsc to an ethereum-only address
    whale, deposit = bsc.accounts()[0], evm_scenario.deposits["u-1001"]
    hot = bsc.accounts()[8]
    big = deploy_token(bsc, whale, "Big Supply", "BIG", 18, 10**40)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for kind, text in (("assets", f"network,asset,symbol,decimals,min_deposit,deposit_enabled\n"
                                  f"bsc,{big},BIG,18,1,true\n"),
                       ("prices", f"network,asset,usd_price,as_of\nbsc,{big},0.000001,{now}\n")):
        assert not import_file(engine, kind, _csv(tmp_path / f"{kind}.csv", text)).errors
    claim = send_token(bsc, whale, big, deposit, BASE)
    bsc.mine(15)

    with session_scope(engine) as s:                                  # recovery verify
        verdict = verify(s, "bsc", claim)
    assert verdict.outcome.value == "wrong_network" and verdict.amount == WHOLE
    assert [t["amount"] for t in verdict.to_json()["transfers"]] == [format(WHOLE, "f")]

    svc = CaseService(engine, hot_wallets={"bsc": [hot]})
    for name, roles in (("ann", ["agent"]), ("wal", ["wallet"]), ("cle", ["clearing"]), ("sec", ["security"]),
                        ("sec2", ["security"])):
        svc.add_actor(name, roles)
    case = svc.open("ann", network="bsc", tx_hash=claim, user_id="u-1001")
    case = svc.verify(case.id, "ann")                                  # the case
    assert case.status == "verified" and (case.amount, case.amount_base, case.decimals) == (WHOLE, BASE, 18)

    case, q = svc.quote(case.id, "ann")                                # the quote
    parts = base_amounts(q)
    assert q.gross == WHOLE and parts["gross"] == BASE
    assert parts["fee"] + parts["network_fee"] + parts["net"] == BASE and parts["fee"] == 10**9 * 10**18
    doc = quote_json(q)
    assert doc["gross"] == format(WHOLE, "f") and doc["base_units"]["net"] == str(parts["net"])
    ctx = _wide()   # the test's own sum needs more than the default 28 digits too
    assert ctx.add(ctx.add(Decimal(doc["fee"]), Decimal(doc["network_fee"])), Decimal(doc["net"])) == WHOLE

    svc.accept(case.id, "ann")
    for who, role in (("wal", "wallet"), ("cle", "clearing"), ("sec", "security"), ("sec2", "security")):
        case = svc.approve(case.id, who, role)
    assert case.status == "approved"
    send_token(bsc, whale, big, deposit, BASE)   # so two recoveries can be sent from the deposit address
    short = send_token(bsc, deposit, big, hot, parts["net"] - 1)
    bsc.mine(15)
    with pytest.raises(Exception, match="^amount: .*less than the quoted net"):   # one base unit short
        svc.execute(case.id, "wal", short)
    good = send_token(bsc, deposit, big, hot, parts["net"])
    bsc.mine(15)
    case = svc.execute(case.id, "wal", good)                           # the execute check
    assert case.status == "executed" and case.recovered_base == parts["net"]
    assert case.recovered_amount == Decimal(parts["net"]).scaleb(-18, context=_wide())


def _wide() -> Any:
    from decimal import Context

    return Context(prec=60)
