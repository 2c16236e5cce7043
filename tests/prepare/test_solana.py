"""The Solana builder on recorded node answers (getLatestBlockhash, getAccountInfo, getTransaction)
replayed over loopback; derivation, message bytes and signatures on recorded mainnet data."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chains.base58 import b58encode
from chains.networks import registry
from recovery.prepare.ed25519 import on_curve, verify
from recovery.prepare.model import BuildRequest, CannotBuild, SignedMismatch, UnsignedTx
from recovery.prepare.solana import builder
from recovery.prepare.solana_tx import (
    ATA_PROGRAM,
    SYSTEM_PROGRAM,
    TOKEN_PROGRAM,
    associated_token_account,
    key,
    parse_message,
    parse_transaction,
)
from tests.support.loopback import jsonrpc_handler

DIR = "solana/prepare/"
OWNER = "vines1vzrYbzLMRdu58ou5XTby4qAqVRLmqo36NKPTg"       # holds the recorded USDC token account
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
PAYEE = "9f2mNukPtqbkKC3TeMnDFwnojiuKMixbiYuHhwexgZSo"      # a wallet of the recorded mainnet block


def _result(chaindata: Path, name: str) -> Any:
    return {"result": json.loads((chaindata / DIR / name).read_text())["result"]}


def _node(chaindata: Path, accounts: dict[str, str]) -> Any:
    """getLatestBlockhash and getAccountInfo of the named accounts, from the recordings."""
    def methods(name: str, params: list[Any]) -> Any:
        if name == "getLatestBlockhash":
            return _result(chaindata, "getLatestBlockhash_slot187545846.json")
        if name == "getAccountInfo" and params[0] in accounts:
            return _result(chaindata, accounts[params[0]])
        return {"error": {"code": -32601, "message": f"not recorded: {name} {params[:1]}"}}
    return jsonrpc_handler(methods)


def _request(**kw: Any) -> BuildRequest:
    base = dict(network="solana", deposit_address=OWNER, destination=PAYEE, asset=None, decimals=9,
                deposit_tx="1" * 64, amount_base=1_500_000)
    return BuildRequest(**{**base, **kw})


def test_associated_token_accounts_of_recorded_creations(chaindata: Path) -> None:
    block = json.loads(gzip.decompress((chaindata / "solana/zuyezheng-solana-etl/getBlock_110130000_jsonParsed.json.gz")
                                       .read_bytes()))
    created = [ix["parsed"]["info"] for t in block["result"]["transactions"]
               for ix in t["transaction"]["message"]["instructions"]
               + [i for g in t["meta"].get("innerInstructions") or [] for i in g["instructions"]]
               if ix.get("program") == "spl-associated-token-account"]
    assert len(created) == 5
    for info in created:
        assert associated_token_account(info["wallet"], info["mint"], info["tokenProgram"]) == info["account"]
        assert not on_curve(key(info["account"])) and on_curve(key(info["wallet"]))


def test_recorded_mainnet_transactions_parse_and_verify(chaindata: Path) -> None:
    doc = json.loads((chaindata / DIR / "solders_get_block_base64_encoding.json").read_text())
    for entry in doc["result"]["transactions"]:
        signatures, message = parse_transaction(base64.b64decode(entry["transaction"][0]))
        parsed = parse_message(message)
        assert parsed.serialize() == message
        assert all(verify(key(s), message, sig) for s, sig in zip(parsed.signers(), signatures, strict=True))
        assert not verify(key(parsed.signers()[0]), message + b"\0", signatures[0])


def test_sol_recovery_is_a_system_transfer_on_the_latest_blockhash(chaindata: Path, loopback: Any) -> None:
    srv = loopback(_node(chaindata, {}))
    (tx,) = builder(registry()["solana"], [srv.url]).build(_request())
    message = parse_message(base64.b64decode(tx.unsigned_tx))
    assert message.recent_blockhash == tx.fields["recentBlockhash"] == "DjQ4csyDJ9ZQvNNbK838ATs5UrqMq8s4Pd5i1ts22HAQ"
    assert tx.expires == "177067026" and tx.fields["lastValidBlockHeight"] == 177067026
    assert message.header == (1, 0, 1) and message.account_keys == (OWNER, PAYEE, SYSTEM_PROGRAM)
    ((program, accounts, data),) = message.instructions
    assert (program, accounts) == (2, (0, 1))
    assert data == (2).to_bytes(4, "little") + (1_500_000).to_bytes(8, "little")
    sent = [r.json() for r in srv.requests]
    assert sent[-1]["method"] == "getLatestBlockhash" and sent[-1]["params"] == [{"commitment": "finalized"}]


def test_spl_recovery_creates_the_missing_payee_account(chaindata: Path, loopback: Any) -> None:
    source, target = associated_token_account(OWNER, USDC), associated_token_account(PAYEE, USDC)
    srv = loopback(_node(chaindata, {
        source: "getAccountInfo_jsonParsed_usdc_token_account_slot140702417.json",
        target: "getAccountInfo_null_slot146423291.json"}))
    b = builder(registry()["solana"], [srv.url])
    request = _request(asset=USDC, decimals=6, amount_base=36_010_000_000)
    (tx,) = b.build(request)
    assert tx.fields["creates_destination_account"] is True and tx.fields["destination_token_account"] == target
    message = parse_message(base64.b64decode(tx.unsigned_tx))
    (create_p, create_a, create_d), (xfer_p, xfer_a, xfer_d) = message.instructions
    k = message.account_keys
    assert k[create_p] == ATA_PROGRAM and create_d == b"\x01"
    assert [k[i] for i in create_a] == [OWNER, target, PAYEE, USDC, SYSTEM_PROGRAM, TOKEN_PROGRAM]
    assert k[xfer_p] == TOKEN_PROGRAM and [k[i] for i in xfer_a] == [source, USDC, target, OWNER]
    assert xfer_d == bytes([12]) + (36_010_000_000).to_bytes(8, "little") + bytes([6])
    assert message.signers() == (OWNER,)
    with pytest.raises(CannotBuild, match="holds 36010000000"):
        b.build(replace(request, amount_base=36_010_000_001))
    with pytest.raises(CannotBuild, match="6 decimals"):
        b.build(replace(request, decimals=9))
    # a payee account that exists but is another owner's is refused
    srv2 = loopback(_node(chaindata, {
        source: "getAccountInfo_jsonParsed_usdc_token_account_slot140702417.json",
        target: "getAccountInfo_jsonParsed_usdc_token_account_slot140702417.json"}))
    with pytest.raises(CannotBuild, match=f"not {PAYEE}'s token account"):
        builder(registry()["solana"], [srv2.url]).build(request)
    # no token account at all on the deposit side
    srv3 = loopback(_node(chaindata, {source: "getAccountInfo_null_slot146423291.json"}))
    with pytest.raises(CannotBuild, match="has no token account"):
        builder(registry()["solana"], [srv3.url]).build(request)


def _recorded_tx(chaindata: Path) -> tuple[UnsignedTx, str, dict[str, Any]]:
    doc = json.loads((chaindata / DIR / "solders_get_transaction_base64_encoding.json").read_text())
    wire = doc["result"]["transaction"][0]
    _, message = parse_transaction(base64.b64decode(wire))
    signer = parse_message(message).signers()[0]
    prepared = UnsignedTx("recovery", "solana", signer, "", "native", 0, base64.b64encode(message).decode(), {})
    return prepared, wire, doc


def test_check_signed_on_a_recorded_mainnet_transaction(chaindata: Path, loopback: Any) -> None:
    prepared, wire, doc = _recorded_tx(chaindata)
    check = builder(registry()["solana"], ["http://127.0.0.1:9"]).check_signed
    signatures, message = parse_transaction(base64.b64decode(wire))
    assert check(prepared, wire) == b58encode(signatures[0])
    forged = bytearray(base64.b64decode(wire))
    forged[1] ^= 1                                   # one bit of the signature
    with pytest.raises(SignedMismatch) as err:
        check(prepared, base64.b64encode(bytes(forged)).decode())
    assert err.value.field == "signature"
    parsed = parse_message(message)
    other = replace(parsed, recent_blockhash=parsed.account_keys[0])
    with pytest.raises(SignedMismatch) as err:
        check(replace(prepared, unsigned_tx=base64.b64encode(other.serialize()).decode()), wire)
    assert err.value.field == "recent_blockhash"
    with pytest.raises(SignedMismatch) as err:
        check(replace(prepared, from_address=PAYEE), wire)
    assert err.value.field == "signature"
    with pytest.raises(SignedMismatch) as err:
        check(prepared, "not base64!")
    assert err.value.field == "transaction"
    srv = loopback(jsonrpc_handler(lambda name, params: {"result": doc["result"]}))
    b = builder(registry()["solana"], [srv.url])
    assert b.signed_by_hash(b58encode(signatures[0])) == wire
    assert srv.requests[0].json()["params"][1]["encoding"] == "base64"
