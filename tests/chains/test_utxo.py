"""The utxo adapter against loopback bitcoind and Esplora servers that replay recorded mainnet data.

Recorded files are read from `fixtures/chaindata` (a PROVENANCE.md per family). The servers
(tests/support/recorded_utxo.py) only replay them; where a recording lacks a field that a node adds
at answer time, the server adds it from the same recording and says so (blockhash of a blockbook tx,
confirmations from the tip).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.base import ChainTx, TxStatus
from chains.base58 import b58check_decode, b58check_encode
from chains.errors import InvalidTxHash, RetriableError, RpcUnavailable
from chains.networks import get_network
from chains.utxo import UtxoAdapter, to_base_units
from chains.utxo_addresses import (
    COINS,
    cashaddr_decode,
    cashaddr_encode,
    script_address,
)
from tests.support import recorded_utxo
from tests.support.loopback import refused_url
from tests.support.recorded_utxo import (
    B10C,
    BC94,
    E3BF,
    ETL_STREAM,
    LTC_TX,
    Node,
    esplora_handler,
    hash160,
    jsonl,
    load,
)

# -- recorded data helpers --------------------------------------------------------------------


def hex_outputs(tx_hex: str) -> list[tuple[int, str]]:
    """(value in base units, script hex) of each output, read from the serialized transaction: an
    oracle independent of the node's decoded JSON (the txid, i.e. these bytes, was verified)."""
    b = bytes.fromhex(tx_hex)
    pos = 8 if b[3] & 0x80 else 4          # zcash overwintered: nVersionGroupId follows the version

    def varint() -> int:
        nonlocal pos
        first = b[pos]
        pos += 1
        if first < 0xFD:
            return first
        size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        pos += size
        return int.from_bytes(b[pos - size:pos], "little")

    if b[pos] == 0 and b[pos + 1] == 1:    # segwit marker and flag
        pos += 2
    for _ in range(varint()):
        pos += 36
        length = varint()
        pos += length + 4
    outs = []
    for _ in range(varint()):
        value = int.from_bytes(b[pos:pos + 8], "little")
        pos += 8
        length = varint()
        outs.append((value, b[pos:pos + length].hex()))
        pos += length
    return outs


def adapter(network: str, *urls: str) -> UtxoAdapter:
    return UtxoAdapter(get_network(network), list(urls), timeout=5)


@pytest.fixture
def esplora_docs(chaindata: Path) -> list[dict[str, Any]]:
    return recorded_utxo.esplora_docs(chaindata)


@pytest.fixture
def block_91880(chaindata: Path) -> dict[str, Any]:
    """Bitcoin block 91880 (getblock verbosity 2) from the chainstorage envelope."""
    return recorded_utxo.block_91880(chaindata)


# -- codecs -----------------------------------------------------------------------------------

# bitcoincashorg/bitcoincash.org spec/cashaddr.md @ 07357b9ac1f70128c8a99c56827a0f07233d557f, "Test vectors"
SPEC_TRANSLATIONS = [
    ("1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ("1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR", "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy"),
    ("16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb", "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r"),
    ("3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"),
    ("3LDsS579y7sruadqu11beEJoTjdFiFCdX4", "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e"),
    ("31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw", "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37"),
]
SPEC_LARGER = [  # (type, CashAddr, data hex) rows of the same spec's "Larger test vectors"
    (0, "bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (1, "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (1, "pref:pr6m7j9njldwwzlg9v7v53unlr4jkmx6ey65nvtks5", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (0, "bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake",
     "3173EF6623C6B48FFD1A3DCC0CC6489B0A07BB47A37F47CFEF4FE69DE825C060"),
]


@pytest.mark.parametrize(("legacy", "cash"), SPEC_TRANSLATIONS)
def test_cashaddr_spec_translations(legacy: str, cash: str) -> None:
    version_hash = b58check_decode(legacy)
    kind = 0 if version_hash[0] == 0 else 1
    assert cashaddr_encode("bitcoincash", kind, version_hash[1:]) == cash
    bare = cash.split(":")[1]
    bch = UtxoAdapter(get_network("bitcoin-cash"), ())
    for form in (cash, bare, cash.upper(), bare.upper(), f"  {cash} "):
        assert bch.normalize_address(form) == legacy
    assert bch.normalize_address(legacy) == legacy
    assert bch.normalize_address(cash[:-1] + ("q" if cash[-1] != "q" else "p")) != legacy   # checksum guards


@pytest.mark.parametrize(("kind", "cash", "data"), SPEC_LARGER)
def test_cashaddr_spec_larger_vectors(kind: int, cash: str, data: str) -> None:
    prefix = cash.split(":")[0]
    assert cashaddr_decode(cash) == (prefix, kind, bytes.fromhex(data))
    assert cashaddr_encode(prefix, kind, bytes.fromhex(data)) == cash


def test_script_address_matches_esplora(esplora_docs: list[dict[str, Any]]) -> None:
    """Every output and spent output Esplora recorded: same address from the script (p2pkh, p2sh,
    v0 p2wpkh/p2wsh, v1 p2tr and a 2-byte v1 program), none where Esplora has none (p2pk, multisig,
    OP_RETURN)."""
    scripts = [o for d in esplora_docs for o in d["vout"]]
    scripts += [i["prevout"] for d in esplora_docs for i in d["vin"] if i.get("prevout")]
    assert len(scripts) > 20
    for o in scripts:
        assert script_address(o["scriptpubkey"], COINS["bitcoin"]) == (o.get("scriptpubkey_address") or None)


def test_script_address_matches_zcash_and_dogecoin_nodes(chaindata: Path) -> None:
    """t1/t3 (two-byte versions) against zcashd's addresses; D.../9... against bitcoin-etl's dogecoin oracle."""
    pairs = []
    for path in (chaindata / "zcash" / "bitcoin-etl").glob("*/rpc_response_getblock_*_2.json"):
        for tx in load(path)["tx"]:
            pairs += [("zcash", o["scriptPubKey"]) for o in tx["vout"]
                      if o["scriptPubKey"].get("type") in ("pubkeyhash", "scripthash")]
    for tx in load(chaindata / "zcash" / "blockbook" / "rpc_testdata_zcash.json")["txDetails"].values():
        pairs += [("zcash", o["scriptPubKey"]) for o in tx["vout"]]
    oracle = jsonl(chaindata / "dogecoin/bitcoin-etl/block_with_float_precision_loss/expected_transactions.json")
    for row in oracle.values():
        pairs += [("dogecoin", {"hex": o["script_hex"], "addresses": o["addresses"], "type": o["type"]})
                  for o in row["outputs"] if o["type"] in ("pubkeyhash", "scripthash")]
    assert len(pairs) > 20
    for network, spk in pairs:
        assert script_address(spk["hex"], COINS[network]) == spk["addresses"][0]


def test_bech32_normalised_to_lower_case(esplora_docs: list[dict[str, Any]]) -> None:
    addrs = [o["scriptpubkey_address"] for d in esplora_docs for o in d["vout"]
             if o.get("scriptpubkey_address", "").startswith("bc1")]
    assert addrs
    btc = UtxoAdapter(get_network("bitcoin"), ())
    for a in addrs:
        assert btc.normalize_address(a.upper()) == a
        assert btc.normalize_address(a) == a
    mixed = addrs[0][:5].upper() + addrs[0][5:]
    assert btc.normalize_address(mixed) == mixed        # mixed case is not bech32: left alone


def test_to_base_units_is_exact() -> None:
    assert to_base_units(Decimal("729752.00000000"), 8) == 72975200000000
    assert to_base_units(Decimal("0.10034455"), 8) == 10034455
    assert to_base_units(Decimal("84841299.38700000"), 8) == 8484129938700000
    with pytest.raises(ValueError):
        to_base_units(Decimal("0.000000001"), 8)
    with pytest.raises(ValueError):
        to_base_units(True, 8)


# -- bitcoind JSON-RPC over loopback ----------------------------------------------------------


def rpc_calls(srv: Any) -> list[list[tuple[str, list[Any]]]]:
    """The (method, params) of each request the server got, a batch per request."""
    out = []
    for req in srv.requests:
        body = req.json()
        calls = [(c["method"], c["params"]) for c in (body if isinstance(body, list) else [body])]
        if any(m != "getblockhash" for m, _ in calls):   # the endpoint's chain check is asserted apart
            out.append(calls)
    return out


def test_zcash_block_with_several_outputs_matches_oracle(chaindata: Path, loopback: Any) -> None:
    """All txs of zcash block 462085 in one fetch_many; transparent outputs equal bitcoin-etl's oracle."""
    base = chaindata / "zcash" / "bitcoin-etl" / "block_with_value_balance"
    block = load(next(base.glob("rpc_response_getblock_*_2.json")))
    oracle = jsonl(base / "expected_transactions.json")
    srv = loopback(Node(tip=block["height"] + 99, network="zcash").block_v2(block).handler())
    hashes = [tx["txid"] for tx in block["tx"]]
    results = adapter("zcash", srv.url).fetch_many(hashes)
    multi = 0
    for h, tx in zip(hashes, results, strict=True):
        assert isinstance(tx, ChainTx) and tx.tx_hash == h
        assert (tx.status, tx.block_height, tx.confirmations) == (TxStatus.CONFIRMED, 462085, 100)
        assert tx.timestamp == oracle[h]["block_timestamp"] == 1547241390
        expected = [(o["addresses"][0], o["value"]) for o in oracle[h]["outputs"] if o["addresses"]]
        assert [(t.to_address, t.amount) for t in tx.transfers] == expected
        assert all(t.asset == "native" and t.decimals == 8 for t in tx.transfers)
        multi += len(expected) > 1
    assert multi >= 5
    # one batch of getrawtransaction + getblockcount; one batch for the outputs the first inputs spend (this
    # node's answers carry no prevout, so the senders are asked for: the recording has none of them, so
    # they stay unknown); then one getblockheader for the one block
    calls = rpc_calls(srv)
    assert [m for m, _ in calls[0]] == ["getrawtransaction"] * len(hashes) + ["getblockcount"]
    assert calls[0][0][1] == [hashes[0], 1]
    spent = sorted({tx["vin"][0]["txid"] for tx in block["tx"] if tx["vin"] and "coinbase" not in tx["vin"][0]})
    assert calls[1] == [("getrawtransaction", [t, 1]) for t in spent]
    assert calls[2:] == [[("getblockheader", [block["hash"], True])]]
    assert all(t.from_address is None for tx in results if isinstance(tx, ChainTx) for t in tx.transfers)


BLOCKBOOK = ["bitcoin", "litecoin", "dogecoin", "bitcoin-cash", "dash", "zcash"]


@pytest.mark.parametrize("network", BLOCKBOOK)
def test_each_coin_blockbook_txs(network: str, chaindata: Path, loopback: Any) -> None:
    """Each coin's recorded txs: amounts equal the serialized outputs, addresses of the coin's form."""
    name = {"bitcoin-cash": "bcash"}.get(network, network)
    data = load(chaindata / network / "blockbook" / f"rpc_testdata_{name}.json")
    srv = loopback(Node(tip=data["blockHeight"] + 5, network=network).blockbook(data).handler())
    ad = adapter(network, srv.url)
    net = get_network(network)
    for txid, raw in data["txDetails"].items():
        tx = ad.fetch(txid.upper())                      # upper-case hex is accepted, answered lower-case
        assert (tx.tx_hash, tx.status) == (txid, TxStatus.CONFIRMED)
        assert (tx.block_height, tx.confirmations, tx.timestamp) == (data["blockHeight"], 6, data["blockTime"])
        outs = hex_outputs(raw["hex"])
        assert [to_base_units(o["value"], 8) for o in raw["vout"]] == [v for v, _ in outs]
        assert [t.amount for t in tx.transfers] == [v for v, _ in outs]
        for t, (_, script) in zip(tx.transfers, outs, strict=True):
            assert net.valid_address(t.to_address), t.to_address
            assert t.from_address is None and tx.fee_paid is None    # verbosity 1 has no prevouts
            if network == "bitcoin-cash":
                # displayed as CashAddr; normalised to the legacy address of the same hash160
                assert t.to_address.startswith("bitcoincash:q")
                assert b58check_decode(ad.normalize_address(t.to_address)) == b"\0" + bytes.fromhex(script)[3:23]
        if network == "zcash":
            assert [t.to_address for t in tx.transfers] == [o["scriptPubKey"]["addresses"][0] for o in raw["vout"]]


def test_bitcoin_block_91880_from_chainstorage(block_91880: dict[str, Any], loopback: Any) -> None:
    """A modern Core node: two p2pkh outputs with `address`; a p2pk coinbase output has no address."""
    srv = loopback(Node(tip=91880 + 9).block_v2(block_91880).handler())
    pay, coinbase = adapter("bitcoin", srv.url).fetch_many([BC94, E3BF])
    assert isinstance(pay, ChainTx) and isinstance(coinbase, ChainTx)
    raw = next(t for t in block_91880["tx"] if t["txid"] == BC94)
    assert [(t.to_address, t.amount) for t in pay.transfers] == [
        (o["scriptPubKey"]["addresses"][0], v) for o, (v, _) in zip(raw["vout"], hex_outputs(raw["hex"]),
                                                                    strict=True)]
    assert [t.amount for t in pay.transfers] == [1767000000, 2713000000]
    assert (pay.block_height, pay.confirmations, pay.timestamp) == (91880, 10, 1289781379)
    assert coinbase.status == TxStatus.CONFIRMED and coinbase.transfers == ()
    assert rpc_calls(srv)[0][0] == ("getrawtransaction", [BC94, 2])     # bitcoin asks verbosity 2


def test_dogecoin_getrawtransaction_as_recorded(chaindata: Path, loopback: Any) -> None:
    base = chaindata / "dogecoin" / "bitcoin-etl" / "block_2"
    raw = load(next(base.glob("rpc_response_getrawtransaction_*.json")))
    block = load(next(base.glob("rpc_response_getblock_*_True.json")))
    row = jsonl(base / "expected_transactions.json")[raw["txid"]]
    srv = loopback(Node(tip=100, network="dogecoin").raw_tx(raw).header(block).handler())
    tx = adapter("dogecoin", srv.url).fetch(raw["txid"])
    assert (tx.block_height, tx.confirmations, tx.timestamp) == (2, 99, row["block_timestamp"])
    assert [(t.to_address, t.amount) for t in tx.transfers] == [
        (o["addresses"][0], o["value"]) for o in row["outputs"]]


def test_bitcoin_cash_node_cashaddr_equals_btc_legacy_of_same_key(
        chaindata: Path, block_91880: dict[str, Any], loopback: Any) -> None:
    """A BCH node writes the coinbase output of e3bf3d07 as a CashAddr; normalised, it is the BTC legacy
    address of the same key, so a BTC deposit address written either way compares equal."""
    base = chaindata / "bitcoin-cash" / "bitcoin-etl" / "block_with_duplicate_txid"
    raw = load(base / f"rpc_response_getrawtransaction_{E3BF}.json")
    row = jsonl(base / "expected_transactions.json")[E3BF]
    # the tx's block (91880, BIP30 duplicate) predates the 2017 fork: its header is the one
    # recorded from a Bitcoin node by chainstorage
    assert raw["blockhash"] == block_91880["hash"]
    srv = loopback(Node(tip=478558, network="bitcoin-cash").raw_tx(raw).header(block_91880).handler())
    tx = adapter("bitcoin-cash", srv.url).fetch(E3BF)
    assert [(t.to_address, t.amount) for t in tx.transfers] == [
        (o["addresses"][0], o["value"]) for o in row["outputs"]]
    cash = tx.transfers[0].to_address
    pubkey = bytes.fromhex(raw["vout"][0]["scriptPubKey"]["hex"])[1:-1]
    btc_legacy = b58check_encode(b"\0" + hash160(pubkey))
    assert get_network("bitcoin").valid_address(btc_legacy)
    btc, bch = (UtxoAdapter(get_network(n), ()) for n in ("bitcoin", "bitcoin-cash"))
    assert bch.normalize_address(cash) == btc.normalize_address(btc_legacy) == btc_legacy
    assert bch.normalize_address(cash.split(":")[1]) == btc_legacy
    assert tx.block_height == 91880


def test_bitcoind_not_found_is_a_status(block_91880: dict[str, Any], loopback: Any) -> None:
    srv = loopback(Node(tip=91890).block_v2(block_91880).handler())
    tx = adapter("bitcoin", srv.url).fetch(LTC_TX)       # a litecoin txid asked on bitcoin
    assert tx == ChainTx.not_found("bitcoin", LTC_TX)


def test_node_without_txindex_is_no_answer(block_91880: dict[str, Any], esplora_docs: Any,
                                           loopback: Any) -> None:
    no_index = loopback(Node(tip=91890, txindex=False).handler())
    with pytest.raises(RpcUnavailable, match="txindex"):
        adapter("bitcoin", no_index.url).fetch(B10C)
    esplora = loopback(esplora_handler(esplora_docs, tip=850000))
    tx = adapter("bitcoin", no_index.url, f"esplora+{esplora.url}/api").fetch(B10C)
    assert tx.status == TxStatus.CONFIRMED


def test_http_500_and_refused_raise_retriable_naming_each_endpoint(loopback: Any) -> None:
    broken = loopback(lambda req: (500, "Internal Server Error"))
    secret = "0123456789abcdefABCDEF"
    ad = adapter("bitcoin", f"{broken.url}/v2/{secret}", f"esplora+{refused_url()}/api")
    with pytest.raises(RetriableError) as info:
        ad.fetch(B10C)
    msg = info.value.user_message
    assert "HTTP 500" in msg and "unreachable" in msg and broken.url in msg and "esplora+" in msg
    assert secret not in msg
    result = ad.fetch_many([B10C])[0]
    assert isinstance(result, RetriableError) and not isinstance(result, ChainTx)


def test_header_error_is_retriable_in_place(chaindata: Path, block_91880: dict[str, Any], loopback: Any) -> None:
    """fetch_many: results in input order; a bad hash, a not-found, and a tx whose block header the
    node cannot give (bitcoin-etl recorded the tx, not its block) each stay in their slot."""
    stream = load(chaindata / ETL_STREAM / "rpc_response_getrawtransaction_"
                  "0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216.json")
    srv = loopback(Node(tip=91890).block_v2(block_91880).raw_tx(stream).handler())
    hashes = [BC94, "not-a-hash", LTC_TX, stream["txid"], E3BF]
    res = adapter("bitcoin", srv.url).fetch_many(hashes)
    assert isinstance(res[0], ChainTx) and res[0].tx_hash == BC94 and res[0].confirmations == 11
    assert isinstance(res[1], InvalidTxHash)
    assert res[2] == ChainTx.not_found("bitcoin", LTC_TX)
    assert isinstance(res[3], RpcUnavailable) and "Block not found" in res[3].user_message
    assert isinstance(res[4], ChainTx) and res[4].tx_hash == E3BF
    calls = rpc_calls(srv)
    assert len(calls) == 3 and len(calls[0]) == 5                # 4 valid hashes + getblockcount
    # the recorded answers (an old node's) carry no prevout: the first inputs' outputs are asked for
    assert {m for m, p in calls[1]} == {"getrawtransaction"} and all(p[1] == 1 for _, p in calls[1])
    assert sorted(p[0] for _, p in calls[2]) == sorted([block_91880["hash"], stream["blockhash"]])
    with pytest.raises(InvalidTxHash):
        adapter("bitcoin", srv.url).fetch("not-a-hash")


# -- Esplora REST over loopback and failover --------------------------------------------------


def test_esplora_confirmed_pending_and_nonstandard(esplora_docs: list[dict[str, Any]], loopback: Any) -> None:
    tip = 896100
    srv = loopback(esplora_handler(esplora_docs, tip=tip))
    ad = adapter("bitcoin", f"esplora+{srv.url}/api")
    hashes = [d["txid"] for d in esplora_docs]
    results = ad.fetch_many(hashes + [LTC_TX, "zz"])
    for doc, tx in zip(esplora_docs, results, strict=False):
        assert isinstance(tx, ChainTx) and tx.tx_hash == doc["txid"] and tx.fee_paid == doc["fee"]
        expected = [(o["scriptpubkey_address"], o["value"]) for o in doc["vout"] if o.get("scriptpubkey_address")]
        assert [(t.to_address, t.amount) for t in tx.transfers] == expected
        sender = doc["vin"][0]["prevout"].get("scriptpubkey_address") or None
        assert all(t.from_address == sender for t in tx.transfers)
        if doc["status"]["confirmed"]:
            h = doc["status"]["block_height"]
            assert (tx.status, tx.block_height, tx.timestamp) == (TxStatus.CONFIRMED, h, doc["status"]["block_time"])
            assert tx.confirmations == tip - h + 1
        else:
            assert (tx.status, tx.block_height, tx.confirmations) == (TxStatus.PENDING, None, 0)
    by_id = {d["txid"]: r for d, r in zip(esplora_docs, results, strict=False) if isinstance(r, ChainTx)}
    assert len(by_id[B10C].transfers) == 6       # of 9 outputs: p2pk, bare multisig and OP_RETURN skipped
    assert {t.from_address for t in by_id[B10C].transfers} == {None}   # it spends a p2pk output
    assert by_id["20b984492b5264162a4c92c9a34bc7fa08b67d669de7b4c5982ad3cb28aaecf6"].transfers[0].from_address \
        == "bc1qnzw0zfm5l3c9vztpp3aegx0j68zgqajyffr2r6"
    assert by_id["f859a4e6692c3f15a279449eac191ecb9d17d2d6c003bbae9a55e5da07147eab"].transfers == ()
    assert results[-2] == ChainTx.not_found("bitcoin", LTC_TX)
    assert isinstance(results[-1], InvalidTxHash)
    assert [r.path for r in srv.requests].count("/api/blocks/tip/height") == 1


def test_esplora_pending_only_needs_no_tip(esplora_docs: list[dict[str, Any]], loopback: Any) -> None:
    srv = loopback(esplora_handler(esplora_docs, tip=850010))
    pending = [d["txid"] for d in esplora_docs if not d["status"]["confirmed"]]
    assert len(pending) == 2
    assert all(r.status == TxStatus.PENDING for r in adapter("bitcoin", f"esplora+{srv.url}/api")
               .fetch_many(pending) if isinstance(r, ChainTx))
    assert all(r.path.startswith(("/api/tx/", "/api/block-height/")) for r in srv.requests)


def test_failover_from_dead_first_provider(esplora_docs: list[dict[str, Any]], loopback: Any) -> None:
    srv = loopback(esplora_handler(esplora_docs, tip=850000))
    tx = adapter("bitcoin", refused_url(), f"esplora+{srv.url}/api").fetch(B10C)
    assert (tx.status, tx.block_height, tx.confirmations) == (TxStatus.CONFIRMED, 850000, 1)


def test_not_found_with_the_other_endpoint_dead_is_unconfirmed(block_91880: dict[str, Any],
                                                               loopback: Any) -> None:
    """Two endpoints configured, one dead: a not-found nobody could confirm is no answer (retry)."""
    srv = loopback(Node(tip=91890).block_v2(block_91880).handler())
    with pytest.raises(RpcUnavailable, match="no other endpoint could confirm"):
        adapter("bitcoin", refused_url(), srv.url).fetch(LTC_TX)
    assert adapter("bitcoin", srv.url).fetch(LTC_TX).status == TxStatus.NOT_FOUND   # the only endpoint


def test_not_found_is_confirmed_on_the_second_endpoint(esplora_docs: list[dict[str, Any]],
                                                       block_91880: dict[str, Any], loopback: Any) -> None:
    """Esplora does not know BC94, the bitcoind node does: the second endpoint's answer stands; a hash
    neither knows is not_found once both said so."""
    first = loopback(esplora_handler(esplora_docs, tip=850000))
    second = loopback(Node(tip=91890).block_v2(block_91880).handler())
    ad = adapter("bitcoin", f"esplora+{first.url}/api", second.url)
    results = ad.fetch_many([BC94, B10C, LTC_TX])
    assert isinstance(results[0], ChainTx) and (results[0].status, results[0].block_height) == (
        TxStatus.CONFIRMED, 91880)
    assert isinstance(results[1], ChainTx) and results[1].status == TxStatus.CONFIRMED
    assert results[2] == ChainTx.not_found("bitcoin", LTC_TX)
    asked = [params[0] for batch in rpc_calls(second) for method, params in batch
             if method == "getrawtransaction" and params[1] == 2]   # not the senders' outputs (verbosity 1)
    assert sorted(asked) == sorted([BC94, LTC_TX])     # only the not-found hashes went to the second
