"""The Tron builder on recorded node answers (createtransaction, triggersmartcontract, gettransactionbyid)
replayed over loopback, and its signed-transaction check on recorded mainnet transactions."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chains.errors import RpcUnavailable
from chains.networks import registry
from recovery.prepare.model import BuildRequest, CannotBuild, SignedMismatch, UnsignedTx
from recovery.prepare.tron import builder
from recovery.prepare.tron_tx import parse_raw, signed_transaction, to_base58
from tests.support.loopback import Request

CREATE = "tron/bitgo/wallet_createtransaction_80b8b9eaed51c8bba3b49f7f0e7cc5f21ac99a6f3e2893c663b544bf2c695b1d.json"
TRIGGER = "tron/bitgo/wallet_triggersmartcontract_f8179caab4c781676cb33940948533e209dc7fe2135bbd6e00f60597862b86be.json"
MAINNET_TX = "tron/bjrobin-note/get_transaction_661f1df88ce02b746efe7449c3c7a04d6d21a7fc019723c92679228d8275ad57.json"
MAINNET_BLOCK = "tron/bjrobin-note/get_block_60836289.json.gz"


def _serve(answers: dict[str, Any]) -> Any:
    def handle(req: Request) -> tuple[int, Any]:
        return (200, answers[req.path]) if req.path in answers else (404, {"Error": "no such path"})
    return handle


def _request(**kw: Any) -> BuildRequest:
    base = dict(network="tron", asset=None, decimals=6, deposit_tx="00" * 32)
    return BuildRequest(**{**base, **kw})


def test_trx_recovery_is_the_nodes_createtransaction(chaindata: Path, loopback: Any) -> None:
    recorded = json.loads((chaindata / CREATE).read_text())
    value = recorded["raw_data"]["contract"][0]["parameter"]["value"]
    owner, to = to_base58(bytes.fromhex(value["owner_address"])), to_base58(bytes.fromhex(value["to_address"]))
    srv = loopback(_serve({"/wallet/createtransaction": recorded}))
    (tx,) = builder(registry()["tron"], [srv.url]).build(
        _request(deposit_address=owner, destination=to, amount_base=value["amount"]))
    assert tx.unsigned_tx == recorded["raw_data_hex"] and tx.fields["txID"] == recorded["txID"]
    assert tx.expires == "2019-10-23T06:17:48Z"          # raw_data.expiration 1571811468000 ms
    assert tx.asset == "native" and tx.amount_base == 1718
    sent = srv.requests[0].json()
    assert (sent["owner_address"], sent["to_address"], sent["amount"]) == (value["owner_address"],
                                                                          value["to_address"], 1718)
    # a node that writes another amount than the one asked is not believed
    with pytest.raises(RpcUnavailable, match="amount 1718 where 1719 was asked"):
        builder(registry()["tron"], [srv.url]).build(
            _request(deposit_address=owner, destination=to, amount_base=1719))


def test_trc20_recovery_is_the_nodes_triggersmartcontract(chaindata: Path, loopback: Any) -> None:
    recorded = json.loads((chaindata / TRIGGER).read_text())
    value = recorded["transaction"]["raw_data"]["contract"][0]["parameter"]["value"]
    data = value["data"]
    payee, amount = bytes.fromhex("41" + data[8 + 24:8 + 64]), int(data[8 + 64:], 16)
    request = _request(deposit_address=to_base58(bytes.fromhex(value["owner_address"])),
                       destination=to_base58(payee), asset=to_base58(bytes.fromhex(value["contract_address"])),
                       amount_base=amount, policy={"fee_limit": 100_000_000})
    srv = loopback(_serve({"/wallet/triggersmartcontract": recorded}))
    (tx,) = builder(registry()["tron"], [srv.url]).build(request)
    assert tx.unsigned_tx == recorded["transaction"]["raw_data_hex"]
    assert tx.fields["fee_limit"] == 100_000_000 and tx.asset == request.asset
    sent = srv.requests[0].json()
    assert sent["function_selector"] == "transfer(address,uint256)"
    assert "a9059cbb" + sent["parameter"] == data and sent["fee_limit"] == 100_000_000
    with pytest.raises(CannotBuild, match="fee_limit"):
        builder(registry()["tron"], [srv.url]).build(replace(request, policy={}))
    with pytest.raises(RpcUnavailable, match="fee_limit"):
        builder(registry()["tron"], [srv.url]).build(replace(request, policy={"fee_limit": 50_000_000}))


def _mainnet_transfers(chaindata: Path) -> list[dict[str, Any]]:
    block = json.loads(gzip.decompress((chaindata / MAINNET_BLOCK).read_bytes()))
    return [t for t in block["transactions"]
            if t["raw_data"]["contract"][0]["type"] in ("TransferContract", "TriggerSmartContract")]


def _prepared(tx: dict[str, Any]) -> UnsignedTx:
    owner = tx["raw_data"]["contract"][0]["parameter"]["value"]["owner_address"]
    return UnsignedTx("recovery", "tron", owner, "", "native", 0, tx["raw_data_hex"], {})


def test_check_signed_recovers_the_signer_of_mainnet_transactions(chaindata: Path) -> None:
    check = builder(registry()["tron"], ["http://127.0.0.1:9"]).check_signed
    txs = _mainnet_transfers(chaindata)[:25]
    assert {t["raw_data"]["contract"][0]["type"] for t in txs} == {"TransferContract", "TriggerSmartContract"}
    for tx in txs:
        assert check(_prepared(tx), json.dumps(tx)) == tx["txID"]
        # the protobuf form a wallet may hand back instead of JSON
        assert check(_prepared(tx), signed_transaction(tx["raw_data_hex"], tx["signature"])) == tx["txID"]


def test_check_signed_names_what_differs(chaindata: Path) -> None:
    check = builder(registry()["tron"], ["http://127.0.0.1:9"]).check_signed
    first, *rest = _mainnet_transfers(chaindata)
    mine = parse_raw(first["raw_data_hex"])
    other = next(t for t in rest if parse_raw(t["raw_data_hex"]).contract_type == mine.contract_type
                 and parse_raw(t["raw_data_hex"]).owner != mine.owner)
    with pytest.raises(SignedMismatch) as err:
        check(_prepared(first), json.dumps(other))
    assert err.value.field == "owner"
    with pytest.raises(SignedMismatch) as err:     # the right transaction signed by another key
        check(_prepared(first), json.dumps({**first, "signature": other["signature"]}))
    assert err.value.field == "signature"
    with pytest.raises(SignedMismatch) as err:
        check(_prepared(first), json.dumps({**first, "txID": other["txID"]}))
    assert err.value.field == "txID"
    with pytest.raises(SignedMismatch) as err:
        check(_prepared(first), json.dumps({**first, "signature": []}))
    assert err.value.field == "signature"
    with pytest.raises(SignedMismatch) as err:
        check(_prepared(first), "not a transaction")
    assert err.value.field == "transaction"


def test_signed_by_hash_reads_the_nodes_transaction(chaindata: Path, loopback: Any) -> None:
    recorded = json.loads((chaindata / MAINNET_TX).read_text())
    srv = loopback(_serve({"/wallet/gettransactionbyid": recorded}))
    b = builder(registry()["tron"], [srv.url])
    signed = b.signed_by_hash(recorded["txID"])
    assert signed is not None and srv.requests[0].json() == {"value": recorded["txID"]}
    prepared = _prepared(recorded)
    assert prepared.from_address == "TP4MZM8iDVEfRbtbvcidqVQBt4SQ9Pfi8R"
    assert b.check_signed(prepared, signed) == recorded["txID"]
