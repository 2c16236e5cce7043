"""Recovery conditions through the CLI, on SQLite and PostgreSQL, against recorded mainnet answers over
loopback: every condition kind open, confirmed by its role (another role refused), approval refused while
one is open, deferral on a failed one, approval once all hold; `networks list` and `verify` show them.

Real transactions used (tests/support/recorded_*.py): polkadot 0x27e4a6f0… (277.9843 DOT, block 4947391 of
2021-05-06), cardano 28172ea8… (400000 ADA to a Byron address, block 5040611), near 4X788aPw… (0.62 SWEAT
ft_transfer, block 76538232 of 2022-10-19) and 8qfBoDpJ… (0.05 NEAR). All are years old: the shipped age
limit (180 days) fails them, so the tests that need it to hold name a conditions file of their own
(`[conditions] file` in the config), as a team with another policy would.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import recorded_cardano, recorded_near, recorded_polkadot
from tests.support.cli import ok, run

DOT_TO = "15kUt2i86LHRWCkE3D9Bg1HZAoc2smhn1fwPzDERTb1BXAkX"
PEOPLE = [("ann", "agent"), ("bea", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")]


def states(case: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["state"] for c in case["conditions"]}


class Desk:
    """The team, the reference data and the config of one test."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.folder, self.config, self.n = folder, Path(env["RECOVERY_CONFIG"]), 0
        self.url = env["RECOVERY_DATABASE_URL"]
        for name, role in PEOPLE:
            assert run("actors", "add", name, "--role", role)[0] == 0

    def load(self, kind: str, header: str, *rows: str) -> None:
        self.n += 1
        path = self.folder / f"{kind}-{self.n}.csv"
        path.write_text("\n".join([header, *rows]) + "\n")
        code, _, err = run("import", kind, str(path))
        assert code == 0, err

    def price(self, network: str, asset: str, usd: str) -> None:
        self.load("prices", "network,asset,usd_price,as_of", f"{network},{asset},{usd},{datetime.now(UTC).isoformat()}")

    def conditions(self, text: str) -> None:
        """A conditions file of the team's own, named by the config."""
        (self.folder / "conditions.toml").write_text(text)
        self.config.write_text('[conditions]\nfile = "conditions.toml"\n')


COMMON = """  { kind = 'claimant_proves_sender', role = 'agent' },
  { kind = 'max_age_days', days = %d },
  { kind = 'min_usd', usd = '50' },
  { kind = 'wallet_confirms_key', role = 'wallet' },
"""


def policy(days: int = 36500, polkadot: str = "10000000000", cardano: str = "1000000") -> str:
    """Every conditional network's conditions (the file must cover them all), with these parameters."""
    from chains.networks import registry

    tables = []
    for net in registry().values():
        if net.tier != "conditional":
            continue
        extra = {"polkadot": f"  {{ kind = 'existential_deposit', amount = '{polkadot}' }},\n",
                 "cardano": f"  {{ kind = 'min_utxo', amount = '{cardano}' }},\n",
                 "near": "  { kind = 'storage_deposit', amount = '1250000000000000000000', role = 'wallet' },\n"}
        tables.append(f"[{net.id}]\nconditions = [\n{COMMON % days}{extra.get(net.id, '')}]\n")
    return "\n".join(tables)


@pytest.fixture
def desk(cli_env: dict[str, str], tmp_path: Path) -> Desk:
    return Desk(cli_env, tmp_path)


@pytest.fixture
def polkadot(desk: Desk, loopback: Any, chaindata: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A below-minimum DOT deposit (277.9843 DOT, the listing's minimum is 1000) worth 1,389.92 USD."""
    monkeypatch.setenv("RECOVERY_RPC_POLKADOT", str(loopback(recorded_polkadot.Recorded(chaindata).handle).url))
    desk.load("addresses", "network,address,user_id,memo", f"polkadot,{DOT_TO},u-dot,")
    desk.load("assets", "network,asset,symbol,decimals,min_deposit,deposit_enabled", "polkadot,native,DOT,10,1000,true")
    desk.price("polkadot", "native", "5")
    return recorded_polkadot.claim(recorded_polkadot.TRANSFER_KEEP_ALIVE)


@pytest.fixture
def cardano(desk: Desk, loopback: Any, chaindata: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A below-minimum deposit of 400000 ADA (the listing's minimum is 10^6 ADA); no price yet."""
    recorded = recorded_cardano.Recorded(chaindata)
    monkeypatch.setenv("RECOVERY_RPC_CARDANO", str(loopback(recorded.handle).url))
    to = recorded.utxos[recorded_cardano.BYRON_TX]["outputs"][1]["address"]
    desk.load("addresses", "network,address,user_id,memo", f"cardano,{to},u-ada,")
    desk.load("assets", "network,asset,symbol,decimals,min_deposit,deposit_enabled",
              "cardano,native,ADA,6,1000000,true")
    return recorded_cardano.BYRON_TX


def open_verified(network: str, tx: str, user: str) -> str:
    cid = str(ok("case", "open", "--network", network, "--tx", tx, "--user", user, actor="ann")["id"])
    case = ok("case", "verify", cid, actor="ann")
    assert case["status"] == "verified", case["reason"]
    return cid


def approvals_until_security(cid: str) -> None:
    ok("case", "quote", cid, actor="ann")
    ok("case", "accept", cid, actor="ann")
    ok("case", "approve", cid, "--role", "wallet", actor="wanda")
    ok("case", "approve", cid, "--role", "clearing", actor="carl")


def test_open_confirm_refuse_then_approve(desk: Desk, cardano: str) -> None:
    """cardano: unknown min_usd until priced; each person condition by its own role; approval waits for all."""
    desk.conditions(policy())
    cid = open_verified("cardano", cardano, "u-ada")
    case = ok("case", "show", cid)
    assert states(case) == {"claimant_proves_sender": "needs_person", "max_age_days": "holds", "min_usd": "unknown",
                            "wallet_confirms_key": "needs_person", "min_utxo": "holds"}
    assert case["conditions_met"] is False and case["block_time"] == "2020-12-06T01:07:07+00:00"
    by_name = {c["name"]: c for c in case["conditions"]}
    assert by_name["claimant_proves_sender"]["role"] == "agent" and "no USD price" in by_name["min_usd"]["reason"]
    code, text, _ = run("case", "show", cid)
    assert code == 0 and "Recovery conditions of cardano" in text and "needs person" in text

    code, _, err = run("case", "confirm", cid, "--condition", "claimant_proves_sender", actor="wanda")
    assert code == 1 and "does not hold the agent role" in err
    code, _, err = run("case", "confirm", cid, "--condition", "min_usd", actor="ann")
    assert code == 2 and "checked from the chain and reference data" in err and "is unknown" in err
    code, _, err = run("case", "confirm", cid, "--condition", "min_utxo", actor="ann")
    assert code == 2 and "holds" in err
    code, _, err = run("case", "confirm", cid, "--condition", "claimant_proves_sendr", actor="ann")
    assert code == 2 and "did you mean claimant_proves_sender?" in err
    case = ok("case", "confirm", cid, "--condition", "claimant_proves_sender", "--note", "signed message seen",
              actor="ann")
    done = next(c for c in case["conditions"] if c["name"] == "claimant_proves_sender")
    assert (done["state"], done["confirmed_by"], done["note"]) == ("confirmed", "ann", "signed message seen")
    code, _, err = run("case", "confirm", cid, "--condition", "claimant_proves_sender", actor="bea")
    assert code == 2 and "already confirmed by ann" in err

    desk.price("cardano", "native", "0.001")                       # 400 USD
    assert states(ok("case", "show", cid))["min_usd"] == "holds"
    approvals_until_security(cid)
    code, _, err = run("case", "approve", cid, "--role", "security", actor="sam")
    assert code == 1 and "wallet_confirms_key is open" in err and "Nothing was recorded" in err
    case = ok("case", "show", cid)
    assert case["status"] == "awaiting_approval" and {a["role"] for a in case["approvals"]} == {"wallet", "clearing"}
    code, _, err = run("case", "confirm", cid, "--condition", "wallet_confirms_key", actor="carl")
    assert code == 1 and "does not hold the wallet role" in err
    ok("case", "confirm", cid, "--condition", "wallet_confirms_key", actor="wanda")
    case = ok("case", "approve", cid, "--role", "security", actor="sam")
    assert case["status"] == "approved" and case["conditions_met"] is True
    events = [h["event"] for h in ok("case", "history", cid)]
    assert events.count("confirm") == 2 and events[-1] == "approve"
    assert ok("audit", "verify")["ok"] is True

    from sqlalchemy import create_engine, text  # a confirmation slipped into the table, not audited
    engine = create_engine(desk.url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE condition_confirmations SET actor = 'mallory' WHERE kind = 'wallet_confirms_key'"))
    engine.dispose()
    code, out, _ = run("audit", "verify", "--json")
    [problem] = json.loads(out)["cases"]
    assert code == 1 and problem["case_id"] == int(cid)
    said = problem["problem"]
    assert "wallet_confirms_key by mallory" in said and "wallet_confirms_key by wanda" in said


@pytest.mark.parametrize(("kind", "conditions", "price"), [
    ("max_age_days", None, "5"),                                    # the shipped policy: 180 days
    ("min_usd", "default", "0.1"),                                  # 27.80 USD, at least 50
    ("existential_deposit", "ed", "5"),                             # 277.9843 DOT, ED set at 1000 DOT
])
def test_failed_condition_refuses_approval_and_defers(desk: Desk, polkadot: str, kind: str,
                                                      conditions: str | None, price: str) -> None:
    if conditions == "default":
        desk.conditions(policy())
    elif conditions == "ed":
        desk.conditions(policy(polkadot=str(1000 * 10**10)))
    desk.price("polkadot", "native", price)
    cid = open_verified("polkadot", polkadot, "u-dot")
    case = ok("case", "show", cid)
    assert states(case)[kind] == "fails" and [k for k, s in states(case).items() if s == "fails"] == [kind]
    reason = next(c["reason"] for c in case["conditions"] if c["name"] == kind)
    if kind == "max_age_days":
        assert reason.startswith("deposit is ") and reason.endswith("days old, at most 180")
    for name, who in (("claimant_proves_sender", "ann"), ("wallet_confirms_key", "wanda")):
        ok("case", "confirm", cid, "--condition", name, actor=who)
    if kind != "min_usd":                       # a quote needs a claim worth the minimum fee
        approvals_until_security(cid)
        code, _, err = run("case", "approve", cid, "--role", "security", actor="sam")
        assert code == 1 and f"{kind} fails" in err
    case = ok("case", "defer", cid, actor="ann")
    assert case["status"] == "deferred" and kind in case["note"] and reason in case["note"]
    if kind != "min_usd":      # deferred from awaiting_approval: the approvals given on its quote are void
        assert case["approvals"] == [] and len(case["voided_approvals"]) == 2
    assert ok("case", "history", cid)[-1]["data"]["failed_conditions"] == [kind]
    assert ok("audit", "verify")["ok"] is True


def test_min_utxo_fails_and_the_case_defers_before_a_quote(desk: Desk, cardano: str) -> None:
    desk.conditions(policy(cardano=str(10**12)))                    # 1,000,000 ADA per output
    desk.price("cardano", "native", "0.001")
    cid = open_verified("cardano", cardano, "u-ada")
    failing = next(c for c in ok("case", "show", cid)["conditions"] if c["state"] == "fails")
    assert failing["name"] == "min_utxo" and failing["reason"] == (
        "deposit of 400,000 ADA, each output must carry 1,000,000 ADA")
    case = ok("case", "defer", cid, "--reason", "waits for a larger claim", actor="ann")
    assert case["status"] == "deferred" and case["note"].startswith("waits for a larger claim (min_utxo: ")


def test_defer_before_a_quote_needs_a_failed_condition(desk: Desk, cardano: str) -> None:
    desk.conditions(policy())
    desk.price("cardano", "native", "0.001")
    cid = open_verified("cardano", cardano, "u-ada")
    code, _, err = run("case", "defer", cid, actor="ann")
    assert code == 1 and "only when a recovery condition fails" in err
    assert ok("case", "show", cid)["status"] == "verified"


def test_near_storage_deposit_by_the_wallet_and_void_on_changed_facts(desk: Desk, loopback: Any, chaindata: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A SWEAT token deposit needs the wallet to confirm its storage deposit; a native one does not."""
    desk.conditions(policy())
    url = loopback(recorded_near.Recorded(chaindata, final=76538232).handle).url   # the SWEAT block is final
    monkeypatch.setenv("RECOVERY_RPC_NEAR", str(url))
    desk.load("addresses", "network,address,user_id,memo", f"near,{recorded_near.FT_TO},u-sweat,",
              f"near,{recorded_near.NATIVE_TO},u-near,")
    desk.load("assets", "network,asset,symbol,decimals,min_deposit,deposit_enabled", "near,native,NEAR,24,1,true")
    cid = open_verified("near", f"{recorded_near.FT_TX}@{recorded_near.FT_SIGNER}", "u-sweat")
    case = ok("case", "show", cid)
    assert case["outcome"] == "unlisted_token" and case["block_time"].startswith("2022-10-19")
    assert states(case)["storage_deposit"] == "needs_person" and states(case)["min_usd"] == "unknown"
    code, _, err = run("case", "confirm", cid, "--condition", "storage_deposit", actor="carl")
    assert code == 1 and "does not hold the wallet role" in err
    case = ok("case", "confirm", cid, "--condition", "storage_deposit", actor="wanda")
    assert states(case)["storage_deposit"] == "confirmed"
    ok("case", "value", cid, "--usd-price", "0.01", actor="carl")
    unknown = next(c for c in ok("case", "show", cid)["conditions"] if c["name"] == "min_usd")
    assert unknown["state"] == "unknown" and "decimals of" in unknown["reason"]   # the chain does not say them

    # listing the token changes the facts (outcome, decimals): the confirmation given on the old ones goes
    desk.load("assets", "network,asset,symbol,decimals,min_deposit,deposit_enabled",
              "near,token.sweat,SWEAT,18,1,true")
    case = ok("case", "verify", cid, actor="ann")
    assert case["outcome"] == "below_minimum" and states(case)["storage_deposit"] == "needs_person"
    assert states(case)["min_usd"] == "fails"                         # 0.62 SWEAT at 0.01 USD
    assert ok("case", "history", cid)[-1]["data"]["confirmations_voided"] == 1
    assert ok("audit", "verify")["ok"] is True

    native = open_verified("near", f"{recorded_near.NATIVE_TX}@{recorded_near.NATIVE_SIGNER}", "u-near")
    assert states(ok("case", "show", native))["storage_deposit"] == "holds"
    code, _, err = run("case", "confirm", native, "--condition", "storage_deposit", actor="wanda")
    assert code == 2 and "needs no token registration" in err


def test_a_broken_conditions_file_is_bad_input(desk: Desk) -> None:
    desk.conditions("[polkadot]\nconditions = [{ kind = 'max_age_days' }]\n")
    code, _, err = run("networks", "list")
    assert code == 2 and "conditions.toml: network polkadot: condition #1 field 'days' is missing" in err
    desk.config.write_text("[conditions]\nfile = 7\n")
    code, _, err = run("networks", "list")
    assert code == 2 and "[conditions] takes one key" in err


def test_confirm_refuses_direct_tier_and_unknown_cases(desk: Desk) -> None:
    tx = "0x" + "ab" * 32
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", tx, "--user", "u-1", actor="ann")["id"])
    code, _, err = run("case", "confirm", cid, "--condition", "claimant_proves_sender", actor="ann")
    assert code == 2 and "direct tier" in err
    assert ok("case", "show", cid)["conditions"] == []
    assert run("case", "confirm", "999", "--condition", "min_usd", actor="ann")[0] == 2


def test_verify_lists_the_conditions_a_case_would_meet(desk: Desk, polkadot: str) -> None:
    doc = ok("verify", "--network", "polkadot", "--tx", polkadot)
    assert doc["outcome"] == "below_minimum" and doc["block_time"].startswith("2021-05-06")
    assert {c["name"]: c["state"] for c in doc["conditions"]} == {
        "claimant_proves_sender": "needs_person", "max_age_days": "fails", "min_usd": "holds",
        "wallet_confirms_key": "needs_person", "existential_deposit": "holds"}
    code, text, _ = run("verify", "--network", "polkadot", "--tx", polkadot)
    assert code == 0 and "Recovery conditions a case would be held to" in text and "fails" in text


def test_networks_list_shows_adapters_readiness_and_conditions(cli_env: dict[str, str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rows = {r["id"]: r for r in ok("networks", "list")}
    assert len(rows) == 32 and all(r["adapter_present"] for r in rows.values())
    assert all(r["adapter"] == "ready" for r in rows.values())
    for r in rows.values():
        assert bool(r["conditions"]) == (r["tier"] == "conditional"), r["id"]
    assert [c["name"] for c in rows["near"]["conditions"]][-1] == "storage_deposit"
    assert rows["polkadot"]["conditions"][-1] == {"name": "existential_deposit", "role": None,
                                                  "needs_person": False, "params": {"amount": "10000000000"}}
    code, text, _ = run("networks", "list")
    assert code == 0 and "32/32 networks have an adapter; 32 tested on real transactions" in text
    assert "polkadot: claimant_proves_sender [agent]; max_age_days ≤180 days" in text
    assert "existential_deposit 1 DOT" in text and "storage_deposit 0.00125 NEAR [wallet]" in text

    import chains.registry

    monkeypatch.setattr(chains.registry, "TESTED_ON_REAL_DATA", chains.registry.TESTED_ON_REAL_DATA - {"cardano"})
    rows = {r["id"]: r for r in ok("networks", "list")}
    assert (rows["cardano"]["adapter"], rows["cardano"]["adapter_ready"]) == ("untested", False)
    text = run("networks", "list")[1]
    assert "32/32 networks have an adapter; 31 tested on real transactions (ready), untested: cardano" in text
    assert "untested" in next(line for line in text.splitlines() if line.startswith("cardano "))
