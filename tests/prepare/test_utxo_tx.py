"""Bitcoin-family serialization, scripts and signed-transaction checks on recorded mainnet transactions."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.addresses.utxo import coin_params, script_address
from chains.networks import registry
from recovery.prepare.model import NoBuilder, SignedMismatch, UnsignedTx
from recovery.prepare.utxo import builder, sighash_type, signature_sighashes
from recovery.prepare.utxo_tx import Tx, TxIn, TxOut, address_script, parse_tx, script_kind
from tests.support.loopback import refused_url

BLOCKBOOK = {"bitcoin": "bitcoin/blockbook/rpc_testdata_bitcoin.json",
             "litecoin": "litecoin/blockbook/rpc_testdata_litecoin.json",
             "dogecoin": "dogecoin/blockbook/rpc_testdata_dogecoin.json",
             "bitcoin-cash": "bitcoin-cash/blockbook/rpc_testdata_bcash.json"}


def _recorded(chaindata: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for network, path in BLOCKBOOK.items():
        doc = json.loads((chaindata / path).read_text(), parse_float=Decimal)
        out += [(network, tx) for tx in doc["txDetails"].values()]
    return out


def _unsigned_from_fields(raw: dict[str, Any], decimals: int = 8) -> Tx:
    """The transaction rebuilt from the node's JSON fields, scriptSigs and witnesses left empty."""
    return Tx(version=raw["version"], locktime=raw["locktime"],
              inputs=tuple(TxIn(i["txid"], i["vout"], sequence=i["sequence"]) for i in raw["vin"]),
              outputs=tuple(TxOut(int(Decimal(o["value"]).scaleb(decimals)), bytes.fromhex(o["scriptPubKey"]["hex"]))
                            for o in raw["vout"]))


def test_recorded_transactions_round_trip_and_rebuild_unsigned(chaindata: Path) -> None:
    seen = set()
    for network, raw in _recorded(chaindata):
        tx = parse_tx(raw["hex"])
        assert tx.serialize().hex() == raw["hex"]
        assert tx.txid() == raw["txid"]
        stripped = replace(tx, inputs=tuple(TxIn(i.txid, i.vout, sequence=i.sequence) for i in tx.inputs))
        assert _unsigned_from_fields(raw).serialize() == stripped.serialize()
        seen.add(network)
    assert seen == set(BLOCKBOOK)


def test_segwit_transactions_from_esplora_fields_give_their_txid(chaindata: Path) -> None:
    docs = json.loads((chaindata / "bitcoin/mempool-esplora/transactions-random.json").read_text())
    segwit = 0
    for doc in docs:
        tx = Tx(version=doc["version"], locktime=doc["locktime"],
                inputs=tuple(TxIn(i["txid"], i["vout"], bytes.fromhex(i["scriptsig"]), i["sequence"],
                                  tuple(bytes.fromhex(w) for w in i.get("witness") or [])) for i in doc["vin"]),
                outputs=tuple(TxOut(o["value"], bytes.fromhex(o["scriptpubkey"])) for o in doc["vout"]))
        assert tx.txid() == doc["txid"]
        assert 3 * len(tx.serialize(witness=False)) + len(tx.serialize()) == doc["weight"]
        assert parse_tx(tx.serialize()).txid() == doc["txid"]
        segwit += any(i.witness for i in tx.inputs)
        if all(i["prevout"]["scriptpubkey_type"] == "v0_p2wpkh" for i in doc["vin"]):
            _check_p2wpkh_signer(doc, tx, [o["scriptpubkey"] for d in docs for o in d["vout"]])
    assert segwit == 4   # the fourth spends a P2SH-wrapped witness output beside legacy ones


def _check_p2wpkh_signer(doc: dict[str, Any], signed: Tx, scripts: list[str]) -> None:
    """check_signed accepts the signed transaction with the spent scripts; with another key's script in
    their place it names the input whose signer is not the deposit address."""
    unsigned = replace(signed, inputs=tuple(TxIn(i.txid, i.vout, sequence=i.sequence) for i in signed.inputs))
    vin = [{"scriptPubKey": i["prevout"]["scriptpubkey"]} for i in doc["vin"]]
    prepared = UnsignedTx("recovery", "bitcoin", "", "", "native", 0, unsigned.serialize().hex(),
                          {"sighash_type": 1, "vin": vin})
    check = builder(registry()["bitcoin"], [refused_url()]).check_signed
    assert check(prepared, signed.serialize().hex()) == doc["txid"]
    other = next(s for s in scripts if s.startswith("0014") and s != vin[0]["scriptPubKey"])
    stranger = replace(prepared, fields={"sighash_type": 1, "vin": [{"scriptPubKey": other}] + vin[1:]})
    with pytest.raises(SignedMismatch) as err:
        check(stranger, signed.serialize().hex())
    assert err.value.field == "vin[0].signature"


def test_output_scripts_from_addresses_match_the_recorded_ones(chaindata: Path) -> None:
    """The script of each output's address (as Esplora wrote it, or as the adapter reads the script) is that
    output's script."""
    pairs = []
    for network_id, raw in _recorded(chaindata):
        for out in raw["vout"]:
            # blockbook stripped the addresses: the adapter's decoding writes them (CashAddr for BCH)
            script = out["scriptPubKey"]["hex"]
            address = script_address(script, coin_params(registry()[network_id]))
            if address is not None:
                pairs.append((network_id, address, script))
    for doc in json.loads((chaindata / "bitcoin/mempool-esplora/transactions-random.json").read_text()):
        pairs += [("bitcoin", o["scriptpubkey_address"], o["scriptpubkey"]) for o in doc["vout"]
                  if o.get("scriptpubkey_address")]
    for network_id, address, script in pairs:
        assert address_script(registry()[network_id], address).hex() == script, (network_id, address)
    kinds = {script_kind(bytes.fromhex(s)) for _, _, s in pairs}
    assert {"p2pkh", "p2sh", "p2wpkh"} <= kinds
    assert {n for n, _, _ in pairs} == set(BLOCKBOOK)


def test_signatures_carry_each_coins_sighash(chaindata: Path) -> None:
    """Bitcoin Cash signs with ALL|FORKID (0x41), the others with ALL (0x01): the recorded signatures say so."""
    for network_id, raw in _recorded(chaindata):
        expected = sighash_type(registry()[network_id])
        for txin in parse_tx(raw["hex"]).inputs:
            assert set(signature_sighashes(txin)) == {expected}, (network_id, raw["txid"])
    assert sighash_type(registry()["bitcoin-cash"]) == 0x41
    assert sighash_type(registry()["bitcoin"]) == 0x01


def _prepared(network_id: str, raw: dict[str, Any]) -> UnsignedTx:
    unsigned = _unsigned_from_fields(raw)
    return UnsignedTx("recovery", network_id, "", "", "native", unsigned.outputs[0].value,
                      unsigned.serialize().hex(), {"sighash_type": sighash_type(registry()[network_id])})


def test_check_signed_accepts_the_recorded_signed_transaction(chaindata: Path) -> None:
    for network_id, raw in _recorded(chaindata):
        check = builder(registry()[network_id], [refused_url()]).check_signed
        assert check(_prepared(network_id, raw), raw["hex"]) == raw["txid"]


def test_check_signed_names_the_differing_field(chaindata: Path) -> None:
    recorded = dict((n, r) for n, r in _recorded(chaindata))
    raw = recorded["bitcoin"]
    check = builder(registry()["bitcoin"], [refused_url()]).check_signed
    prepared = _prepared("bitcoin", raw)
    signed = parse_tx(raw["hex"])
    cases = {
        "version": replace(signed, version=1 if signed.version != 1 else 2),
        "locktime": replace(signed, locktime=signed.locktime + 1),
        "vin[0].vout": replace(signed, inputs=(replace(signed.inputs[0], vout=signed.inputs[0].vout + 1),)
                               + signed.inputs[1:]),
        "vout[0].scriptPubKey": replace(signed, outputs=(replace(signed.outputs[0], script=b"\x6a"),)
                                        + signed.outputs[1:]),
        "vout.count": replace(signed, outputs=signed.outputs[:1] * (len(signed.outputs) + 1)),
    }
    for field, tx in cases.items():
        with pytest.raises(SignedMismatch) as err:
            check(prepared, tx.serialize().hex())
        assert err.value.field == field
    with pytest.raises(SignedMismatch) as err:
        check(prepared, raw["hex"] + "00")
    assert err.value.field == "transaction"
    # a Bitcoin signature (SIGHASH_ALL) held against a Bitcoin Cash preparation: replay protection missing
    bch = builder(registry()["bitcoin-cash"], [refused_url()]).check_signed
    with pytest.raises(SignedMismatch) as err:
        bch(replace(prepared, network="bitcoin-cash", fields={"sighash_type": 0x41}), raw["hex"])
    assert err.value.field == "vin[0].sighash"


def test_zcash_and_esplora_only_networks_have_no_builder() -> None:
    with pytest.raises(NoBuilder, match="Zcash"):
        builder(registry()["zcash"], [refused_url()])
    with pytest.raises(NoBuilder, match="JSON-RPC"):
        builder(registry()["bitcoin"], ["esplora+" + refused_url()])
