"""Address codecs (chains/addresses/) on real mainnet addresses from the recorded chain data and on the
published vectors of EIP-55, BIP-173/BIP-350 and the CashAddr spec; a corrupted checksum is refused.

Sources: fixtures/chaindata/<family>/PROVENANCE.md for the recorded data; the vectors are quoted from
ethereum/EIPs EIPS/eip-55.md, bitcoin/bips bip-0350.mediawiki (whose segwit list supersedes BIP-173's)
and bitcoincashorg/bitcoincash.org spec/cashaddr.md; the Litecoin `3…`/`M…` pair is the one documented
in Simplexum/python-litecointx README.md.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from chains.addresses import InvalidAddress, codec
from chains.addresses.bech32 import segwit_decode
from chains.addresses.utxo import COINS, script_address
from chains.base58 import ALPHABET, b58check_decode, b58check_encode, b58encode
from chains.networks import get_network
from chains.tron import TronAdapter
from chains.utxo import UtxoAdapter


def c(network: str) -> Any:
    return codec(get_network(network))


def load(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        return json.load(fh)


def jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def refused(network: str, address: str, *words: str) -> str:
    """Assert the codec refuses the address, with each word in the message; return the message."""
    with pytest.raises(InvalidAddress) as info:
        c(network).validate(address)
    message = info.value.user_message
    assert get_network(network).name in message, message
    for word in words:
        assert word in message, message
    return message


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def swap_char(address: str, index: int, alphabet: str) -> str:
    """The address with one character replaced by the next of its alphabet (bech32 keeps its case)."""
    ch = address[index]
    if alphabet == BECH32:
        nxt = BECH32[(BECH32.index(ch.lower()) + 1) % 32]
        nxt = nxt.upper() if ch.isupper() else nxt
    else:
        nxt = alphabet[(alphabet.index(ch) + 1) % len(alphabet)]
    return address[:index] + nxt + address[index + 1:]


# -- EVM: EIP-55 -------------------------------------------------------------------------------------

EIP55_VECTORS = [  # EIPS/eip-55.md, "test(...)" lines
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_eip55_spec_vectors_and_every_mistyped_case(address: str) -> None:
    evm = c("ethereum")
    assert evm.validate(address) == address.lower()
    assert evm.display(address.lower()) == address
    assert evm.validate(address.lower()) == evm.validate("0x" + address[2:].upper()) == address.lower()
    letters = [i for i, ch in enumerate(address) if i > 1 and ch.isalpha()]
    for i in letters:                                   # one letter in the wrong case: not the checksum
        typo = address[:i] + address[i].swapcase() + address[i + 1:]
        refused("ethereum", typo, "EIP-55", address)


def recorded_evm_addresses(chaindata: Path) -> set[str]:
    base = chaindata / "evm" / "ethereum-etl"
    found: set[str] = set()
    for path in base.glob("*/web3_response.eth_getBlockByNumber_*.json"):
        for tx in load(path)["result"]["transactions"]:
            found.update(a for a in (tx["from"], tx["to"]) if a)
    for path in base.glob("*/web3_response.eth_getTransactionReceipt_*.json"):
        found.update(log["address"] for log in load(path)["result"]["logs"])
    return found


def test_evm_recorded_addresses_checksum_like_eth_utils(chaindata: Path) -> None:
    """Every address of the recorded Ethereum blocks and receipts: shown as eth_utils' EIP-55 form, and
    read back from it, lower case and upper case to the same key."""
    from eth_utils import to_checksum_address

    addresses = recorded_evm_addresses(chaindata)
    assert len(addresses) > 10
    evm = c("bsc")                                        # one codec for the family, any EVM network
    for a in addresses:
        shown = evm.display(a)
        assert shown == to_checksum_address(a)
        assert evm.validate(shown) == evm.validate(a) == evm.validate(a.upper().replace("0X", "0x")) == a.lower()


def test_evm_malformed_and_token_ids() -> None:
    refused("ethereum", "0x1234", "40 hex digits")
    refused("ethereum", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x")
    token_id = EIP55_VECTORS[0] + "#7"                   # an ERC-721 asset id: compared without case
    assert c("ethereum").normalize(token_id) == token_id.lower()


# -- Bitcoin: base58check, bech32, bech32m ------------------------------------------------------------

BIP350_VALID = [  # mainnet rows of "valid segwit addresses" (address, scriptPubKey)
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
]
BIP350_INVALID = [  # mainnet rows of "invalid segwit addresses", with the reason the BIP gives
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32m checksum"),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bech32m checksum"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "bech32 checksum"),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "alphabet"),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version"),
    ("bc1pw5dgrnzv", "1 bytes"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "41 bytes"),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "16 bytes"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "padding"),
    ("bc1gmk9yu", "length"),
]
BIP350_TESTNET = [  # valid, but for testnet (hrp tb): no Bitcoin mainnet address
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
]


@pytest.mark.parametrize(("address", "script"), BIP350_VALID)
def test_bip350_valid_segwit_addresses(address: str, script: str) -> None:
    key = c("bitcoin").validate(address)
    assert key == address.lower() == c("bitcoin").display(address)
    version, program = segwit_decode("bc", key)
    assert bytes([0 if version == 0 else 0x50 + version, len(program)]) + program == bytes.fromhex(script)


@pytest.mark.parametrize(("address", "why"), BIP350_INVALID)
def test_bip350_invalid_segwit_addresses(address: str, why: str) -> None:
    refused("bitcoin", address, why)


@pytest.mark.parametrize("address", BIP350_TESTNET)
def test_testnet_segwit_is_not_a_bitcoin_address(address: str) -> None:
    refused("bitcoin", address)


def esplora_addresses(chaindata: Path) -> list[str]:
    docs = load(chaindata / "bitcoin" / "mempool-esplora" / "transactions-random.json")
    outs = [o for d in docs for o in d["vout"]] + [i["prevout"] for d in docs for i in d["vin"] if i.get("prevout")]
    return sorted({o["scriptpubkey_address"] for o in outs if o.get("scriptpubkey_address")})


def test_bitcoin_recorded_addresses_valid_and_corruptions_refused(chaindata: Path) -> None:
    """p2pkh, p2sh, v0 and v1 (taproot) addresses Esplora recorded: each valid and its own key; one
    character changed anywhere after the prefix fails its checksum."""
    addresses = esplora_addresses(chaindata)
    assert {a[:4] for a in addresses} >= {"bc1q", "bc1p"} and {a[0] for a in addresses} >= {"1", "3"}
    btc = c("bitcoin")
    for a in addresses:
        assert btc.validate(a) == a == btc.display(a)
        segwit = a.startswith("bc1")
        for i in (4, len(a) // 2, len(a) - 1):
            typo = swap_char(a, i, BECH32 if segwit else ALPHABET)
            refused("bitcoin", typo, "bech32" if segwit else "base58check checksum")


def test_bitcoin_refuses_other_coins_and_forms(chaindata: Path) -> None:
    refused("bitcoin", "DPsvwvYRgt66ntxno9mMuBfwhg9nAMmGrD", "version 1e")        # dogecoin p2pkh
    refused("bitcoin", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", "base58")
    refused("bitcoin", "ltc1qx88q7zjd74lxwgkjmmwlqv5pd3vujuehexfttt")


# -- Litecoin: `3…` legacy P2SH and the `M…` the node writes are one key --------------------------------

LTC_LEGACY_P2SH, LTC_P2SH = "3F1c6UWAs9RLN2Mbt5bAJue12VhVCorXzs", "MMDkQMv8pGGmAXdVyxaW8YtQMCHw7eouma"


def test_litecoin_legacy_p2sh_and_m_form_are_one_key() -> None:
    ltc = c("litecoin")
    assert ltc.validate(LTC_LEGACY_P2SH) == ltc.validate(LTC_P2SH) == LTC_P2SH
    assert ltc.display(LTC_LEGACY_P2SH) == LTC_P2SH
    assert UtxoAdapter(get_network("litecoin"), ()).normalize_address(LTC_LEGACY_P2SH) == LTC_P2SH
    assert c("bitcoin").validate(LTC_LEGACY_P2SH) == LTC_LEGACY_P2SH     # on bitcoin a 3… stays itself
    refused("bitcoin", LTC_P2SH, "version 32")


def test_litecoin_node_p2sh_outputs_match_their_legacy_form(chaindata: Path) -> None:
    """The P2SH outputs of the recorded Litecoin block: the M… address the adapter writes for the
    script and the 3… form of the same script hash (what a Bitcoin-style wallet shows) share a key."""
    data = load(chaindata / "litecoin" / "blockbook" / "rpc_testdata_litecoin.json")
    scripts = [o["scriptPubKey"]["hex"] for tx in data["txDetails"].values() for o in tx["vout"]]
    p2sh = [s for s in scripts if s.startswith("a914") and s.endswith("87") and len(s) == 46]
    assert p2sh
    ltc = c("litecoin")
    for script in p2sh:
        written = script_address(script, COINS["litecoin"])
        assert written is not None and written.startswith("M")
        legacy = b58check_encode(b"\x05" + bytes.fromhex(script[4:44]))
        assert legacy.startswith("3") and ltc.validate(legacy) == ltc.validate(written) == written
        refused("litecoin", swap_char(legacy, 10, ALPHABET), "base58check checksum")


# -- Dogecoin, Dash, Zcash: base58check with their own versions ---------------------------------------

def test_dogecoin_dash_zcash_node_addresses(chaindata: Path) -> None:
    doge = [a for f in (chaindata / "dogecoin" / "bitcoin-etl").glob("*/expected_transactions.json")
            for row in jsonl(f) for o in row["outputs"] for a in o["addresses"]]
    zec = [a for f in (chaindata / "zcash" / "bitcoin-etl").glob("*/rpc_response_getblock_*_2.json")
           for tx in load(f)["tx"] for o in tx["vout"] for a in o["scriptPubKey"].get("addresses") or []]
    dash_data = load(chaindata / "dash" / "blockbook" / "rpc_testdata_dash.json")
    dash = [script_address(o["scriptPubKey"]["hex"], COINS["dash"]) for tx in dash_data["txDetails"].values()
            for o in tx["vout"]]
    assert len(doge) > 10 and {a[:2] for a in zec} == {"t1", "t3"} and dash and all(dash)
    for network, addresses in (("dogecoin", doge), ("zcash", zec), ("dash", dash)):
        for a in addresses:
            assert a and c(network).validate(a) == a
            refused(network, swap_char(a, len(a) - 3, ALPHABET), "base58check checksum")
        refused("bitcoin", addresses[0], "version")


# -- Bitcoin Cash: CashAddr ---------------------------------------------------------------------------

CASHADDR_TRANSLATIONS = [  # spec "Examples of address translation" (legacy, CashAddr)
    ("1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ("1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR", "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy"),
    ("16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb", "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r"),
    ("3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"),
    ("3LDsS579y7sruadqu11beEJoTjdFiFCdX4", "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e"),
    ("31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw", "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37"),
]


@pytest.mark.parametrize(("legacy", "cash"), CASHADDR_TRANSLATIONS)
def test_cashaddr_spec_translations(legacy: str, cash: str) -> None:
    bch = c("bitcoin-cash")
    bare = cash.split(":")[1]
    for form in (cash, bare, cash.upper(), bare.upper(), legacy):
        assert bch.validate(form) == legacy           # the key is the legacy form: bitcoin writes it so
        assert bch.display(form) == cash              # shown as the CashAddr
    assert c("bitcoin").validate(legacy) == legacy    # the same key on the network it shares keys with
    refused("bitcoin-cash", cash[:-1] + ("q" if cash[-1] != "q" else "p"), "CashAddr checksum")
    i = next(i for i, ch in enumerate(cash) if i > 12 and ch.isalpha())
    refused("bitcoin-cash", cash[:i] + cash[i].upper() + cash[i + 1:], "mixed")


def test_cashaddr_other_prefix_and_large_hash() -> None:
    refused("bitcoin-cash", "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", "prefix 'bchtest'")
    refused("bitcoin-cash", "pref:pr6m7j9njldwwzlg9v7v53unlr4jkmx6ey65nvtks5", "prefix 'pref'")
    big = "bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake"   # 32-byte hash
    assert c("bitcoin-cash").validate(big) == c("bitcoin-cash").display(big) == big


def test_bitcoin_cash_node_cashaddr(chaindata: Path) -> None:
    raw = load(chaindata / "bitcoin-cash" / "bitcoin-etl" / "block_with_duplicate_txid" /
               "rpc_response_getrawtransaction_e3bf3d07d4b0375638d5f1db5255fe07ba2c4cb067cd81b84ee974b6585fb468.json")
    (cash,) = raw["vout"][0]["scriptPubKey"]["addresses"]
    key = c("bitcoin-cash").validate(cash)
    assert b58check_decode(key)[:1] == b"\0" and c("bitcoin-cash").display(key) == cash
    refused("bitcoin-cash", swap_char(cash, 20, BECH32), "CashAddr checksum")


# -- Tron ----------------------------------------------------------------------------------------------

TRON_TX = "661f1df88ce02b746efe7449c3c7a04d6d21a7fc019723c92679228d8275ad57"


def test_tron_recorded_addresses_and_their_hex_forms(chaindata: Path) -> None:
    """A USDT transfer: the sender in base58 (raw_data) and as 20 bytes in the Transfer log's topic; the
    contract in base58; every base58 address of a recorded block valid, and corrupted, refused."""
    base = chaindata / "tron" / "bjrobin-note"
    tx = load(base / f"get_transaction_{TRON_TX}.json")
    info = load(base / f"get_transaction_info_{TRON_TX}.json")
    value = tx["raw_data"]["contract"][0]["parameter"]["value"]
    sender, contract = value["owner_address"], value["contract_address"]
    topic = info["log"][0]["topics"][1]
    tron = c("tron")
    assert tron.validate(sender) == sender and tron.validate(contract) == contract == info["contract_address"]
    assert tron.validate("41" + topic[-40:]) == sender == tron.display("41" + topic[-40:].upper())
    refused("tron", topic[-40:], "base58")             # 20 bare bytes are no address people type ...
    assert tron.normalize(topic[-40:]) == sender        # ... but the key of an ABI word's address
    assert TronAdapter(get_network("tron"), ()).normalize_address(topic[-40:]) == sender
    refused("tron", "42" + topic[-40:], "start with 41")
    block = load(base / "get_block_60836289.json.gz")
    owners = {c_["parameter"]["value"]["owner_address"] for t in block["transactions"]
              for c_ in t["raw_data"]["contract"]}
    assert len(owners) > 50
    for a in owners:
        assert tron.validate(a) == a
        refused("tron", swap_char(a, 17, ALPHABET), "base58check checksum")
    assert tron.normalize("1002000") == "1002000"       # a TRC-10 token id keys as itself


# -- Solana ----------------------------------------------------------------------------------------------

def test_solana_recorded_keys_are_32_bytes(chaindata: Path) -> None:
    block = load(chaindata / "solana" / "zuyezheng-solana-etl" / "getBlock_110130000_jsonParsed.json.gz")
    keys = {k["pubkey"] if isinstance(k, dict) else k
            for tx in block["result"]["transactions"][:200] for k in tx["transaction"]["message"]["accountKeys"]}
    assert "11111111111111111111111111111111" in keys      # the system program: 32 zero bytes
    sol = c("solana")
    for k in keys:
        assert sol.validate(k) == k == sol.display(k)
    # 32 bytes are 43 or 44 base58 digits (58**42 < 2**248 and 58**44 > 2**256): one digit fewer than 43
    # or more than 44 cannot be a key; within that span base58 has no checksum to catch a typo
    short_key = next(k for k in sorted(keys) if len(k) == 43)
    long_key = next(k for k in sorted(keys) if len(k) == 44)
    refused("solana", short_key[:-1], "31 bytes")
    refused("solana", long_key + "z", "33 bytes")
    refused("solana", "1" + long_key, "33 bytes")           # a leading zero byte more
    refused("solana", long_key[:10] + "0" + long_key[11:], "base58")
    signature = block["result"]["transactions"][0]["transaction"]["signatures"][0]
    refused("solana", signature, "64 bytes")
    assert b58encode(bytes(32)) == "11111111111111111111111111111111"


# -- families without a codec yet -------------------------------------------------------------------------

def test_regex_codec_for_families_without_one() -> None:
    xrp = c("xrp")
    assert xrp.validate(" rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh ") == "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"
    refused("xrp", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "expected the form")


# -- the reference import uses the codecs -------------------------------------------------------------------

def test_import_refuses_bad_checksums_by_line_and_imports_the_good_rows(engine: Any, tmp_path: Path,
                                                                      chaindata: Path) -> None:
    """Each refused row names its line and the address field; the good rows land, keyed by the codec
    (the Litecoin 3… row under the M… key the node writes)."""
    from sqlmodel import select

    from recovery.db import session_scope
    from recovery.models import DepositAddress
    from recovery.reference_import import import_file

    btc = esplora_addresses(chaindata)
    p2pkh, bech = next(a for a in btc if a[0] == "1"), next(a for a in btc if a.startswith("bc1q"))
    legacy, cash = CASHADDR_TRANSLATIONS[0]
    tron = "TP4MZM8iDVEfRbtbvcidqVQBt4SQ9Pfi8R"
    sol = "11111111111111111111111111111111"
    eip55 = EIP55_VECTORS[1]
    rows = [  # (network, address, good?)
        ("ethereum", eip55, True),                                        # line 2
        ("ethereum", eip55[:3] + eip55[3].swapcase() + eip55[4:], False),  # 3: mistyped checksum
        ("bitcoin", p2pkh, True),                                         # 4
        ("bitcoin", swap_char(p2pkh, 9, ALPHABET), False),                # 5: bad base58check
        ("bitcoin", swap_char(bech, 9, BECH32), False),                   # 6: bad bech32
        ("bitcoin", BIP350_INVALID[0][0], False),                         # 7: bech32 where bech32m is due
        ("bitcoin-cash", cash, True),                                     # 8
        ("bitcoin-cash", cash[:-1] + ("q" if cash[-1] != "q" else "p"), False),   # 9: bad CashAddr
        ("tron", tron, True),                                             # 10
        ("tron", swap_char(tron, 17, ALPHABET), False),                   # 11: bad checksum
        ("solana", sol, True),                                            # 12
        ("solana", sol[:-1], False),                                      # 13: 31 bytes
        ("litecoin", LTC_LEGACY_P2SH, True),                              # 14: keyed as M…
    ]
    path = tmp_path / "addresses.csv"
    path.write_text("network,address,user_id,memo\n" + "".join(f"{n},{a},u-{i},\n" for i, (n, a, _) in
                                                               enumerate(rows, start=2)))
    report = import_file(engine, "addresses", path)
    bad = {i for i, (_, _, good) in enumerate(rows, start=2) if not good}
    assert (report.read, report.written) == (len(rows), len(rows) - len(bad))
    errors = dict(report.errors)
    assert set(errors) == bad
    assert all(msg.startswith("address: ") for msg in errors.values())
    assert "EIP-55" in errors[3] and "base58check checksum" in errors[5] and "bech32 checksum" in errors[6]
    assert "bech32m checksum" in errors[7] and "CashAddr checksum" in errors[9]
    assert "base58check checksum" in errors[11] and "31 bytes" in errors[13]
    with session_scope(engine) as session:
        keys = {(r.network, r.address_key): r.user_id for r in session.exec(select(DepositAddress))}
    assert keys == {("ethereum", eip55.lower()): "u-2", ("bitcoin", p2pkh): "u-4",
                    ("bitcoin-cash", legacy): "u-8", ("tron", tron): "u-10", ("solana", sol): "u-12",
                    ("litecoin", LTC_P2SH): "u-14"}


def test_network_valid_address_is_the_codec() -> None:
    """`Network.valid_address` (the payout-address check of cases, among others) reads checksums too."""
    eth = get_network("ethereum")
    typo = EIP55_VECTORS[0][:3] + EIP55_VECTORS[0][3].swapcase() + EIP55_VECTORS[0][4:]
    assert eth.valid_address(EIP55_VECTORS[0]) and not eth.valid_address(typo)
    assert get_network("litecoin").valid_address(LTC_LEGACY_P2SH)
    assert not get_network("bitcoin-cash").valid_address(CASHADDR_TRANSLATIONS[0][1][:-1] + "q")


def test_families_with_their_own_module_key_as_their_adapter(chaindata: Path) -> None:
    """Cosmos, NEAR, Aptos (codecs in chains/<family>/address.py): the import refuses what the module
    refuses, and keys what it accepts as the adapter does, so an address typed in another case or
    short form meets the one the chain writes."""
    near_tx = load(next((chaindata / "near").glob("tx_8qfBoDpJ*.json")))
    signer = near_tx["result"]["transaction"]["signer_id"]
    assert c("near").validate(signer.upper()) == signer                  # NEAR ids are lower-case
    refused("near", signer + "!", "near address rules")
    recorded = next((chaindata / "cosmos" / "blockatlas").glob("cosmos-api_*")).name   # named after the account
    cosmos = re.search(r"cosmos1[02-9ac-hj-np-z]{38}", recorded).group(0)              # type: ignore[union-attr]
    assert c("cosmos").validate(cosmos.upper()) == cosmos
    refused("cosmos", swap_char(cosmos, len(cosmos) - 2, BECH32), "checksum")
    refused("cosmos", "kava1l8va9zyl50cpzv447c694k3jndelc9ygtfll2m")    # valid bech32, another chain's prefix
    sender = load(chaindata / "aptos" / "gemwallet_transaction_swap_panora.json")
    text = json.dumps(sender)
    aptos = text[text.index('"sender": "') + 11:][:66]
    assert c("aptos").validate(aptos.upper().replace("0X", "0x")) == aptos
    assert c("aptos").validate("0x1") == "0x" + "0" * 63 + "1"          # the short form of 0x…01
