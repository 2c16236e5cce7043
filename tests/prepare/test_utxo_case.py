"""A Litecoin case from open to closed through the CLI on a real regtest node: verify the deposit, quote,
accept, `case prepare` (the UTXO builder), approvals bound to the digest, the node's wallet signs, a
tampered signature is refused naming the field, `execute --signed-tx --broadcast`, confirmations, credit,
close; on SQLite and PostgreSQL. The registry in force is the shipped one with Litecoin's chain identity
and address versions set to regtest's, so every check of the real path runs (identity, address codec,
confirmations)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from recovery.prepare.utxo_tx import TxOut, parse_tx
from tests.prepare.regtest import REGTEST_ADDRESS, Node
from tests.support import memo_registry
from tests.support.cli import ok, run
from tests.support.refdata import Ref

REGTEST = {"address": REGTEST_ADDRESS,
           "address_regex": "^(rltc1[02-9ac-hj-np-z]{11,71}|[mnQ2][1-9A-HJ-NP-Za-km-z]{25,34})$"}


@pytest.fixture
def regtest_litecoin(regtest: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    """`litecoin` is the regtest node: its genesis as the chain identity, regtest address versions."""
    genesis = regtest.rpc("getblockhash", 0)
    path = memo_registry.write(tmp_path / "networks.toml",
                               changed={"litecoin": {**REGTEST, "identity": f"0:{genesis}"}})
    monkeypatch.setenv("RECOVERY_RPC_LITECOIN", regtest.url)
    yield from memo_registry.use(monkeypatch, path)


def _mine(node: Node, blocks: int) -> None:
    node.rpc("generatetoaddress", blocks, node.rpc("getnewaddress", wallet="w"))


def test_a_litecoin_case_from_open_to_closed_with_a_prepared_recovery(regtest_litecoin: None, regtest: Node,
                                                                     cli_env: dict[str, str], engine: object,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    deposit = regtest.rpc("getnewaddress", "", "bech32", wallet="w")
    hot = regtest.rpc("getnewaddress", "", "bech32", wallet="w")
    monkeypatch.setenv("RECOVERY_HOT_WALLETS_LITECOIN", hot)
    txid = regtest.rpc("sendtoaddress", deposit, "1.25", wallet="w")
    ref = Ref(engine, tmp_path)   # type: ignore[arg-type]
    ref.load("addresses", f"litecoin,{deposit},u-ltc,")
    ref.load("assets", "litecoin,native,LTC,8,2,true")   # a minimum above the deposit
    (tmp_path / "prices.csv").write_text("network,asset,usd_price,as_of\n"
                                         f"litecoin,native,84.5,{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
    assert run("import", "prices", str(tmp_path / "prices.csv"))[0] == 0
    for name, role in [("ann", "agent"), ("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")]:
        assert run("actors", "add", name, "--role", role)[0] == 0

    cid = str(ok("case", "open", "--network", "litecoin", "--tx", txid, "--user", "u-ltc", actor="ann")["id"])
    case = ok("case", "verify", cid, actor="ann")
    assert case["outcome"] == "pending" and case["chain_status"] == "pending"   # in the mempool
    _mine(regtest, 6)
    case = ok("case", "verify", cid, actor="ann")
    assert (case["outcome"], case["deposit_address"], case["amount_base_units"]) == ("below_minimum", deposit,
                                                                                    "125000000")
    first = regtest.rpc("getrawtransaction", txid, 1)["vin"][0]   # the node (0.21) gives no prevout: asked for
    spk = regtest.rpc("getrawtransaction", first["txid"], 1)["vout"][first["vout"]]["scriptPubKey"]
    assert case["from_address"] == (spk.get("address") or spk["addresses"][0])
    quote = ok("case", "quote", cid, actor="ann")
    ok("case", "accept", cid, actor="ann")
    assert run("case", "prepare", cid, actor="carl")[0] == 1          # the wallet team prepares
    doc = ok("case", "prepare", cid, actor="wanda")
    (tx,) = doc["transactions"]
    assert (tx["purpose"], tx["from_address"], tx["to_address"], tx["asset"]) == ("recovery", deposit, hot,
                                                                                 "native")
    decoded = regtest.rpc("decoderawtransaction", tx["unsigned_tx"])
    outputs = [o for o in regtest.rpc("getrawtransaction", txid, 1)["vout"]
               if deposit in (o["scriptPubKey"].get("address"), *o["scriptPubKey"].get("addresses", []))]
    assert [(i["txid"], i["vout"]) for i in decoded["vin"]] == [(txid, o["n"]) for o in outputs]
    fee = tx["fields"]["fee"]
    assert int(tx["amount"]) == 125_000_000 - fee and fee > 0
    assert int(Decimal(decoded["vout"][0]["value"]) * 10**8) == int(tx["amount"])
    assert regtest.rpc("decodepsbt", tx["fields"]["psbt"])["tx"]["txid"] == decoded["txid"]
    gross, net = (int(quote["base_units"][k]) for k in ("gross", "net"))
    assert gross == 125_000_000 and net < int(tx["amount"]) < gross   # what execute will accept

    for who, role in (("wanda", "wallet"), ("carl", "clearing"), ("sam", "security")):
        case = ok("case", "approve", cid, "--role", role, actor=who)
    assert case["status"] == "approved" and {a["digest"] for a in case["approvals"]} == {doc["digest"]}

    unsigned = parse_tx(tx["unsigned_tx"])
    out = unsigned.outputs[0]
    tampered = regtest.rpc("signrawtransactionwithwallet",
                           replace(unsigned, outputs=(TxOut(out.value - 5000, out.script),)).serialize().hex(),
                           wallet="w")["hex"]
    code, _, err = run("case", "execute", cid, "--signed-tx", tampered, "--broadcast", "--wait", "0",
                       actor="wanda")
    assert code == 1 and err.startswith("vout[0].value differs"), err
    assert regtest.rpc("getrawmempool") == []                          # nothing was sent by the refusal

    signed = regtest.rpc("signrawtransactionwithwallet", tx["unsigned_tx"], wallet="w")
    assert signed["complete"]
    code, _, err = run("case", "execute", cid, "--signed-tx", signed["hex"], "--broadcast", "--wait", "0",
                       actor="wanda")
    assert code == 1 and "has 0 of the 6 confirmations" in err, err   # sent, not yet confirmed
    recovery_tx = err.split("--recovery-tx ")[1].split("`")[0]
    assert recovery_tx == decoded["txid"] and regtest.rpc("getrawmempool") == [recovery_tx]
    _mine(regtest, 6)
    case = ok("case", "execute", cid, "--recovery-tx", recovery_tx, actor="wanda")
    assert case["status"] == "executed" and case["recovered_base_units"] == tx["amount"]
    ok("case", "credit", cid, "--ledger-ref", "L-ltc", actor="carl")
    assert ok("case", "close", cid, actor="ann")["status"] == "closed"
    assert [h["event"] for h in ok("case", "history", cid)] == [
        "open", "verify", "verify", "quote", "accept", "prepare", "approve", "approve", "approve", "execute",
        "credit", "close"]
    assert ok("audit", "verify")["ok"] is True
