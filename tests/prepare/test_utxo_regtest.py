"""The UTXO builder against a real Litecoin Core regtest node: build, sign with the node's wallet,
check the signed transaction, broadcast it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from recovery.prepare.model import BuildRequest, CannotBuild, SignedMismatch, UnsignedTx
from recovery.prepare.utxo import builder
from recovery.prepare.utxo_tx import TxOut, parse_tx
from tests.prepare.regtest import Node, regtest_network


def _deposit(node: Node, kind: str, amount: str = "1.5") -> tuple[str, BuildRequest]:
    """Send `amount` LTC to a fresh wallet address of `kind`, confirm it, and the request to recover it."""
    address = node.rpc("getnewaddress", "", kind, wallet="w")
    txid = node.rpc("sendtoaddress", address, amount, wallet="w")
    node.rpc("generatetoaddress", 1, node.rpc("getnewaddress", wallet="w"))
    raw = node.rpc("getrawtransaction", txid, 1)
    (out,) = [o for o in raw["vout"] if o["scriptPubKey"].get("addresses") == [address]
              or o["scriptPubKey"].get("address") == address]
    value = int(Decimal(out["value"]) * 10**8)
    hot = node.rpc("getnewaddress", "", "bech32", wallet="w")
    return address, BuildRequest(network="litecoin", deposit_address=address, destination=hot, asset=None,
                                 amount_base=value, decimals=8, deposit_tx=txid, outputs=((txid, out["n"], value),))


def _build(node: Node, request: BuildRequest) -> UnsignedTx:
    (tx,) = builder(regtest_network(), [node.url]).build(request)
    return tx


@pytest.mark.parametrize("kind", ["bech32", "legacy", "p2sh-segwit"])
def test_built_transaction_signs_checks_and_broadcasts(regtest: Node, kind: str) -> None:
    _, request = _deposit(regtest, kind)
    tx = _build(regtest, request)
    decoded = regtest.rpc("decoderawtransaction", tx.unsigned_tx)
    assert [(i["txid"], i["vout"]) for i in decoded["vin"]] == [o[:2] for o in request.outputs]
    assert len(decoded["vout"]) == 1
    assert int(Decimal(decoded["vout"][0]["value"]) * 10**8) == tx.amount_base == request.amount_base - tx.fields["fee"]
    assert tx.fields["sighash"] == "ALL" and tx.fields["sighash_type"] == 1
    # regtest has no fee estimate: the node's relay fee is the rate
    relay = int(Decimal(regtest.rpc("getnetworkinfo")["relayfee"]) * 10**8)
    assert tx.fields["fee_source"] == "relayfee" and Decimal(tx.fields["fee_rate_per_kvb"]) == relay

    signed = regtest.rpc("signrawtransactionwithwallet", tx.unsigned_tx, wallet="w")
    assert signed["complete"], signed
    txid = builder(regtest_network(), [regtest.url]).check_signed(tx, signed["hex"])
    accept = regtest.rpc("testmempoolaccept", [signed["hex"]])[0]
    assert accept["allowed"], accept
    assert accept["vsize"] <= tx.fields["vsize_estimate"]   # the fee covers the real size
    b = builder(regtest_network(), [regtest.url])
    assert b.signed_by_hash(txid) is None
    assert b.broadcast(signed["hex"]) == txid == accept["txid"]
    assert b.signed_by_hash(txid) == signed["hex"]
    assert b.check_signed(tx, b.signed_by_hash(txid) or "") == txid


def test_psbt_is_one_the_node_reads_and_signs(regtest: Node) -> None:
    _, request = _deposit(regtest, "bech32")
    tx = _build(regtest, request)
    decoded = regtest.rpc("decodepsbt", tx.fields["psbt"])
    assert decoded["tx"]["txid"] == tx.fields["txid"] == parse_tx(tx.unsigned_tx).txid()
    assert decoded["inputs"][0]["witness_utxo"]["scriptPubKey"]["hex"] == tx.fields["vin"][0]["scriptPubKey"]
    assert decoded["inputs"][0]["sighash"] == "ALL"
    processed = regtest.rpc("walletprocesspsbt", tx.fields["psbt"], wallet="w")
    final = regtest.rpc("finalizepsbt", processed["psbt"])
    assert final["complete"]
    assert builder(regtest_network(), [regtest.url]).check_signed(tx, final["hex"]) == tx.fields["txid"]


def test_legacy_psbt_carries_the_previous_transaction(regtest: Node) -> None:
    _, request = _deposit(regtest, "legacy")
    tx = _build(regtest, request)
    decoded = regtest.rpc("decodepsbt", tx.fields["psbt"])
    assert decoded["inputs"][0]["non_witness_utxo"]["txid"] == request.deposit_tx


def test_a_signed_transaction_paying_elsewhere_is_named(regtest: Node) -> None:
    _, request = _deposit(regtest, "bech32")
    tx = _build(regtest, request)
    unsigned = parse_tx(tx.unsigned_tx)
    out = unsigned.outputs[0]
    tampered = replace(unsigned, outputs=(TxOut(out.value - 1000, out.script),))
    signed = regtest.rpc("signrawtransactionwithwallet", tampered.serialize().hex(), wallet="w")
    with pytest.raises(SignedMismatch) as err:
        builder(regtest_network(), [regtest.url]).check_signed(tx, signed["hex"])
    assert err.value.field == "vout[0].value"
    # the untouched transaction unsigned is no signed one
    with pytest.raises(SignedMismatch) as err:
        builder(regtest_network(), [regtest.url]).check_signed(tx, tx.unsigned_tx)
    assert err.value.field == "vin[0].signature"


def test_spent_and_misclaimed_outputs_are_refused(regtest: Node) -> None:
    _, request = _deposit(regtest, "bech32")
    txid, vout, value = request.outputs[0]
    with pytest.raises(CannotBuild, match="claims"):
        _build(regtest, replace(request, outputs=((txid, vout, value + 1),)))
    with pytest.raises(CannotBuild, match="more than"):
        _build(regtest, replace(request, amount_base=value // 2))
    other = regtest.rpc("getnewaddress", "", "bech32", wallet="w")
    with pytest.raises(CannotBuild, match="not the deposit address"):
        _build(regtest, replace(request, deposit_address=other))
    tx = _build(regtest, request)
    signed = regtest.rpc("signrawtransactionwithwallet", tx.unsigned_tx, wallet="w")
    regtest.rpc("sendrawtransaction", signed["hex"])
    with pytest.raises(CannotBuild, match="already spent"):
        _build(regtest, request)


def test_policy_fee_rate_and_dust(regtest: Node) -> None:
    _, request = _deposit(regtest, "bech32", amount="0.0001")
    tx = _build(regtest, replace(request, policy={"fee_rate_per_kvb": 20000}))
    assert tx.fields["fee_source"] == "policy"
    assert tx.fields["fee"] == -(-20000 * tx.fields["vsize_estimate"] // 1000)
    with pytest.raises(CannotBuild, match="dust"):
        _build(regtest, replace(request, policy={"fee_rate_per_kvb": 10_000_000}))
    with pytest.raises(CannotBuild, match="max_fee_rate_per_kvb"):
        _build(regtest, replace(request, policy={"fee_rate_per_kvb": 50000, "max_fee_rate_per_kvb": 30000}))


def test_a_request_naming_no_outputs_spends_the_deposits_outputs_to_the_deposit_address(regtest: Node) -> None:
    """`case prepare` names no outputs: the builder takes the deposit transaction's outputs to the deposit
    address (and only those; the sender's change stays where it is)."""
    _, request = _deposit(regtest, "bech32")
    tx = _build(regtest, replace(request, outputs=()))
    decoded = regtest.rpc("decoderawtransaction", tx.unsigned_tx)
    assert [(i["txid"], i["vout"]) for i in decoded["vin"]] == [o[:2] for o in request.outputs]
    other = replace(request, deposit_address=regtest.rpc("getnewaddress", "", "bech32", wallet="w"), outputs=())
    with pytest.raises(CannotBuild, match="pays no output to the deposit address"):
        _build(regtest, other)
