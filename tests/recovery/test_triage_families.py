"""Triage end to end for the non-EVM direct families (bitcoin, bitcoin-cash, tron, solana), on SQLite
and PostgreSQL: `recovery.verify.verify` and `run_batch` against loopback nodes that replay recorded
mainnet answers (tests/support/recorded_*.py), reference data imported with `import_file`.

Nothing here is a chain response made up for the test. The servers replay the recorded files; what they
derive (confirmations from a chain tip, a block's hash for a blockbook tx, Tron's transaction info for
block transactions, a Solana getTransaction from its block entry) is said in tests/support/recorded_*.py.
Chain tips are stated per test, against chains/networks.toml: bitcoin needs 2 confirmations,
bitcoin-cash 6, tron 19, solana 32.

Real transactions used:
- bitcoin bc9423e0… (block 91880, chainstorage getblock v2): outputs 17.67 BTC to 15BMcDM7… and
  27.13 BTC to 1Leep5MQ…;
- bitcoin-cash e3bf3d07… (bitcoin-etl getrawtransaction from a BCH node): the 50 BCH coinbase output of
  block 91880 (p2pk), which the BCH node writes as the CashAddr bitcoincash:qzkddwa6…;
- litecoin 19ad3daa… (blockbook), asked on bitcoin: not found there, found by probing litecoin;
- tron 661f1df8… (USDT TRC-20 transfer of 2384.9501 USDT to TW3NSuhT…, with its recorded
  gettransactioninfobyid), 6f73eebe… (a REVERTed USDT transfer() call) and 43d14257… (OUT_OF_ENERGY);
- solana 2wkUfKkM… (2.29989767 SOL), 2Sx9GWzd… (creates a token account for wallet 9f2mNukP… and pays
  it 1402.1048 of mint NTRNt4Mm…, 4 decimals), ZxsgRMw5… (failed: InstructionError Custom 1), all of
  getBlock 110130000.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.base58 import b58check_decode, b58check_encode
from chains.http import RetryPolicy
from chains.solana import SolanaAdapter
from chains.tron import TronAdapter, to_base58
from chains.utxo import UtxoAdapter
from chains.utxo_addresses import cashaddr_encode
from recovery.batch import BatchOptions, run_batch
from recovery.db import session_scope
from recovery.reference_import import import_file
from recovery.triage import Outcome, Verdict
from recovery.verify import verify
from tests.support import recorded_solana, recorded_tron, recorded_utxo
from tests.support.loopback import jsonrpc_handler, refused_url
from tests.support.recorded_utxo import BC94, E3BF, LTC_TX, Node, hash160

# -- the recorded facts the tests rely on -----------------------------------------------------

BTC_HEIGHT = 91880
BTC_TIP = BTC_HEIGHT + 9        # stated: 10 confirmations, bitcoin needs 2
BTC_TIP_PENDING = BTC_HEIGHT    # stated: the block is the tip, 1 confirmation of the 2 bitcoin needs
BCH_TIP = 478558                # stated: the fork height, as test_utxo.py states it; far above 6
BTC_OUT = "15BMcDM7Hm4Dynzip5LbaWZ18FP3CemRnK"     # bc9423e0… output 0, 17.67 BTC
BTC_OTHER_OUT = "1Leep5MQXYXds4hCqmq1Z4YL3v5DMnPMBT"  # bc9423e0… output 1, 27.13 BTC
BCH_CASHADDR = "bitcoincash:qzkddwa6hgh03skr4qsrygk7e087zjydxgqkpjnsw7"   # e3bf3d07… output, as the node wrote it

TRON_TO = "TW3NSuhT68vXKdamU7Rkq6sfEVCFwoDfGb"     # recipient of the USDT transfer 661f1df8…
TRON_UNKNOWN = hashlib.sha256(b"not a tron transaction").hexdigest()

SOL_TO = "4EecK9ngxTXiW2aMb3N43b6t5Fhw5HLrdQC8WbcqQbhP"      # 2wkUfKkM…: 2299897670 lamports
SPL_OWNER = "9f2mNukPtqbkKC3TeMnDFwnojiuKMixbiYuHhwexgZSo"   # 2Sx9GWzd…: owner of the new token account
SPL_MINT = "NTRNt4MmibcfkRHww3Y4WXRwFkXWxLvFXhBJ27YUbVN"
SOL_UNKNOWN = recorded_solana.SOL_TX[::-1]

ASSET_HEADER = "network,asset,symbol,decimals,min_deposit,deposit_enabled"


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Endpoints come only from the test (no RECOVERY_RPC_* of the shell); failing endpoints fail fast."""
    for net in ("BITCOIN", "BITCOIN_CASH", "LITECOIN", "DOGECOIN", "DASH", "ZCASH", "TRON", "SOLANA"):
        monkeypatch.delenv(f"RECOVERY_RPC_{net}", raising=False)
    for cls in (UtxoAdapter, TronAdapter, SolanaAdapter):
        monkeypatch.setattr(cls, "retry", RetryPolicy(attempts=2, backoff=0.01))


@pytest.fixture(scope="module")
def block_91880(chaindata: Path) -> dict[str, Any]:
    return recorded_utxo.block_91880(chaindata)


@pytest.fixture(scope="module")
def bch_raw(chaindata: Path) -> dict[str, Any]:
    return recorded_utxo.bch_e3bf(chaindata)


@pytest.fixture(scope="module")
def tron_recorded(chaindata: Path) -> recorded_tron.Recorded:
    return recorded_tron.Recorded(chaindata)


@pytest.fixture(scope="module")
def solana_recorded(chaindata: Path) -> recorded_solana.Recorded:
    return recorded_solana.Recorded(chaindata)   # getSlot answers TIP = slot + 150; solana needs 32


@pytest.fixture
def btc_url(loopback: Any, block_91880: dict[str, Any]) -> str:
    return str(loopback(Node(tip=BTC_TIP).block_v2(block_91880).handler()).url)


@pytest.fixture
def bch_url(loopback: Any, block_91880: dict[str, Any], bch_raw: dict[str, Any]) -> str:
    # the tx's block (91880) predates the fork: its header is the one a Bitcoin node recorded
    return str(loopback(Node(tip=BCH_TIP, network="bitcoin-cash").raw_tx(bch_raw).header(block_91880).handler()).url)


@pytest.fixture
def tron_url(loopback: Any, tron_recorded: recorded_tron.Recorded) -> str:
    return str(loopback(tron_recorded.handle).url)


@pytest.fixture
def solana_url(loopback: Any, solana_recorded: recorded_solana.Recorded) -> str:
    return str(loopback(jsonrpc_handler(solana_recorded.methods)).url)


class Ref:
    """Reference files written to a temporary folder and imported into the test database."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine, self.folder, self.n = engine, folder, 0

    def _load(self, kind: str, header: str, rows: list[str]) -> None:
        self.n += 1
        path = self.folder / f"{kind}-{self.n}.csv"
        path.write_text("\n".join([header, *rows]) + "\n")
        report = import_file(self.engine, kind, path)
        assert not report.errors and report.written == len(rows), report.errors

    def addresses(self, *rows: str) -> None:
        self._load("addresses", "network,address,user_id,memo", list(rows))

    def assets(self, *rows: str) -> None:
        self._load("assets", ASSET_HEADER, list(rows))

    def credits(self, *rows: str) -> None:
        self._load("credits", "network,tx_hash,user_id,asset,amount", list(rows))


@pytest.fixture
def ref(engine: Engine, tmp_path: Path) -> Ref:
    return Ref(engine, tmp_path)


@pytest.fixture
def check(engine: Engine) -> Iterator[Any]:
    def run(network: str, tx_hash: str, **kwargs: Any) -> Verdict:
        with session_scope(engine) as session:
            return verify(session, network, tx_hash, **kwargs)

    yield run


def legacy_of_pubkey(script_hex: str) -> str:
    """The bitcoin p2pkh address of the key in a p2pk script (<push 65> pubkey OP_CHECKSIG)."""
    return b58check_encode(b"\0" + hash160(bytes.fromhex(script_hex)[1:-1]))


def cashaddr_of(legacy: str) -> str:
    """The CashAddr of a p2pkh legacy address (the same hash160)."""
    return cashaddr_encode("bitcoincash", 0, b58check_decode(legacy)[1:])


# -- bitcoin ----------------------------------------------------------------------------------


def test_bitcoin_outcomes_of_one_output(ref: Ref, check: Any, btc_url: str, block_91880: dict[str, Any]) -> None:
    raw = next(t for t in block_91880["tx"] if t["txid"] == BC94)
    assert raw["vout"][0]["scriptPubKey"]["addresses"] == [BTC_OUT]    # the recorded output we claim
    ref.addresses(f"bitcoin,{BTC_OUT},u-btc,")
    ref.assets("bitcoin,native,BTC,8,0.001,true")

    v = check("bitcoin", BC94, rpc=btc_url)
    assert v.outcome is Outcome.UNCREDITED and v.recoverable == "yes", v.reason
    assert (v.user_id, v.amount, v.asset, v.symbol) == ("u-btc", Decimal("17.67"), "native", "BTC")
    assert (v.deposit_address, v.deposit_network) == (BTC_OUT, "bitcoin")
    assert (v.status, v.block_height, v.confirmations, v.required_confirmations) == ("confirmed", 91880, 10, 2)
    assert v.to_json()["amount"] == "17.67"

    ref.assets("bitcoin,native,BTC,8,20,true")                       # the same listing, minimum above 17.67
    v = check("bitcoin", BC94, rpc=btc_url)
    assert v.outcome is Outcome.BELOW_MINIMUM and v.amount == Decimal("17.67"), v.reason

    ref.assets("bitcoin,native,BTC,8,0.001,false")
    assert check("bitcoin", BC94, rpc=btc_url).outcome is Outcome.DEPOSITS_SUSPENDED

    ref.credits(f"bitcoin,{BC94.upper()},u-btc,native,17.67")         # hash written upper-case: same key
    v = check("bitcoin", BC94, rpc=btc_url)
    assert v.outcome is Outcome.CREDITED and v.recoverable == "no", v.reason
    assert (v.user_id, v.amount) == ("u-btc", Decimal("17.67"))


def test_bitcoin_not_ours_when_no_reference_row(ref: Ref, check: Any, btc_url: str) -> None:
    v = check("bitcoin", BC94, rpc=btc_url)
    assert v.outcome is Outcome.NOT_OUR_ADDRESS, v.reason
    assert BTC_OUT[:8] in v.reason and v.user_id is None
    ref.addresses(f"bitcoin,{BTC_OTHER_OUT},u-other,")               # the other output: that one is ours
    ref.assets("bitcoin,native,BTC,8,0.001,true")
    v = check("bitcoin", BC94, rpc=btc_url)
    assert (v.outcome, v.user_id, v.amount) == (Outcome.UNCREDITED, "u-other", Decimal("27.13"))


def test_bitcoin_pending_below_required_confirmations(ref: Ref, check: Any, loopback: Any,
                                                      block_91880: dict[str, Any]) -> None:
    url = loopback(Node(tip=BTC_TIP_PENDING).block_v2(block_91880).handler()).url
    ref.addresses(f"bitcoin,{BTC_OUT},u-btc,")
    ref.assets("bitcoin,native,BTC,8,0.001,true")
    v = check("bitcoin", BC94, rpc=url)
    assert (v.outcome, v.recoverable, v.confirmations, v.required_confirmations) == (
        Outcome.PENDING, "wait", 1, 2), v.reason
    assert (v.user_id, v.amount) == ("u-btc", Decimal("17.67"))


def test_bitcoin_unknown_hash_not_found_and_probe_finds_litecoin(check: Any, btc_url: str, loopback: Any,
                                                                 chaindata: Path) -> None:
    v = check("bitcoin", LTC_TX, rpc=btc_url)
    assert v.outcome is Outcome.NOT_FOUND and v.found_on_network is None, v.reason
    ltc = recorded_utxo.blockbook_data(chaindata, "litecoin")
    assert LTC_TX in ltc["txDetails"]
    # litecoin needs 6: the stated tip gives the block 6 confirmations (only found/not found matters here)
    ltc_url = loopback(Node(tip=ltc["blockHeight"] + 5, network="litecoin").blockbook(ltc).handler()).url
    v = check("bitcoin", LTC_TX, config_rpc={"bitcoin": btc_url, "litecoin": ltc_url})
    assert v.outcome is Outcome.NOT_FOUND and v.found_on_network == "litecoin", v.reason


def test_bitcoin_dead_endpoint_is_unverifiable(ref: Ref, check: Any) -> None:
    ref.addresses(f"bitcoin,{BTC_OUT},u-btc,")
    dead = refused_url()
    for tx in (BC94, LTC_TX):
        v = check("bitcoin", tx, rpc=dead)
        assert v.outcome is Outcome.UNVERIFIABLE and v.recoverable == "retry", v.reason
        assert dead.split("//")[1] in (v.error or "")


# -- bitcoin-cash and bitcoin: one key, two chains --------------------------------------------


def test_bch_output_ours_only_on_bitcoin_is_wrong_network(ref: Ref, check: Any, bch_url: str,
                                                          bch_raw: dict[str, Any]) -> None:
    spk = bch_raw["vout"][0]["scriptPubKey"]
    assert spk["addresses"] == [BCH_CASHADDR] and spk["type"] == "pubkey"
    btc_legacy = legacy_of_pubkey(spk["hex"])
    ref.addresses(f"bitcoin,{btc_legacy},u-key,")
    ref.assets("bitcoin,native,BTC,8,0.001,true", "bitcoin-cash,native,BCH,8,0.001,true")
    v = check("bitcoin-cash", E3BF, rpc=bch_url)
    assert v.outcome is Outcome.WRONG_NETWORK and v.recoverable == "yes", v.reason
    assert (v.deposit_network, v.user_id, v.amount, v.asset) == ("bitcoin", "u-key", Decimal(50), "native")
    assert v.deposit_address == BCH_CASHADDR                         # as the BCH node wrote it
    assert (v.block_height, v.confirmations) == (91880, BCH_TIP - 91880 + 1)


def test_bitcoin_output_ours_only_on_bch_is_wrong_network(ref: Ref, check: Any, btc_url: str) -> None:
    ref.addresses(f"bitcoin-cash,{cashaddr_of(BTC_OUT)},u-bch,")      # ours on bitcoin-cash, CashAddr form
    ref.assets("bitcoin,native,BTC,8,0.001,true")
    v = check("bitcoin", BC94, rpc=btc_url)
    assert v.outcome is Outcome.WRONG_NETWORK, v.reason
    assert (v.deposit_network, v.user_id, v.amount, v.deposit_address) == (
        "bitcoin-cash", "u-bch", Decimal("17.67"), BTC_OUT)


@pytest.mark.parametrize(("min_deposit", "outcome"), [("0.001", Outcome.UNCREDITED),
                                                      ("100", Outcome.BELOW_MINIMUM)])
def test_bch_cashaddr_reference_matches_the_node_output(ref: Ref, check: Any, bch_url: str, bch_raw: dict[str, Any],
                                                        min_deposit: str, outcome: Outcome) -> None:
    # ours on both chains (the same key): on bitcoin-cash it is simply our deposit, not a wrong network
    ref.addresses(f"bitcoin-cash,{BCH_CASHADDR},u-cash,",
                  f"bitcoin,{legacy_of_pubkey(bch_raw['vout'][0]['scriptPubKey']['hex'])},u-cash,")
    ref.assets(f"bitcoin-cash,native,BCH,8,{min_deposit},true")
    v = check("bitcoin-cash", E3BF, rpc=bch_url)
    assert v.outcome is outcome, v.reason
    assert (v.deposit_network, v.user_id, v.amount, v.symbol) == ("bitcoin-cash", "u-cash", Decimal(50), "BCH")


def test_bch_cashaddr_without_prefix_matches_too(ref: Ref, check: Any, bch_url: str) -> None:
    ref.addresses(f"bitcoin-cash,{BCH_CASHADDR.split(':')[1].upper()},u-bare,")
    ref.assets("bitcoin-cash,native,BCH,8,0.001,true")
    v = check("bitcoin-cash", E3BF, rpc=bch_url)
    assert (v.outcome, v.user_id) == (Outcome.UNCREDITED, "u-bare"), v.reason


# -- tron -------------------------------------------------------------------------------------


def test_unknown_token_decimals_are_never_shown_as_whole_units(ref: Ref, check: Any, tron_url: str) -> None:
    """The recorded node cannot say USDT's decimals (no triggerconstantcontract recording) and nothing lists
    USDT: the amount is given in base units with `decimals: null`, never 2384950100 "USDT". Once the
    imported asset gives 6 decimals, whole units."""
    ref.addresses(f"tron,{TRON_TO},u-trx,")
    v = check("tron", recorded_tron.USDT_TX, rpc=tron_url)
    doc = v.to_json()
    assert v.outcome is Outcome.UNLISTED_TOKEN
    (t,) = [t for t in doc["transfers"] if t["asset"] == recorded_tron.USDT]
    assert (t["amount"], t["amount_base_units"], t["decimals"]) == (None, "2384950100", None)
    assert (doc["amount"], doc["amount_base_units"], doc["decimals"]) == (None, "2384950100", None)
    assert "2384950100 base units (decimals unknown)" in v.reason

    ref.assets(f"tron,{recorded_tron.USDT},USDT,6,1,true")
    doc = check("tron", recorded_tron.USDT_TX, rpc=tron_url).to_json()
    assert (doc["amount"], doc["amount_base_units"], doc["decimals"]) == ("2384.9501", "2384950100", 6)
    (t,) = [t for t in doc["transfers"] if t["asset"] == recorded_tron.USDT]
    assert (t["amount"], t["decimals"]) == ("2384.9501", 6)


def test_tron_usdt_transfer_listed_and_unlisted(ref: Ref, check: Any, tron_url: str) -> None:
    ref.addresses(f"tron,{TRON_TO},u-trx,")
    ref.assets("tron,native,TRX,6,1,true")
    v = check("tron", recorded_tron.USDT_TX, rpc=tron_url)
    assert v.outcome is Outcome.UNLISTED_TOKEN and v.recoverable == "yes", v.reason
    assert (v.user_id, v.asset, v.deposit_address) == ("u-trx", recorded_tron.USDT, TRON_TO)

    ref.assets(f"tron,{recorded_tron.USDT},USDT,6,1,true")
    v = check("tron", "0x" + recorded_tron.USDT_TX.upper(), rpc=tron_url)
    assert v.outcome is Outcome.UNCREDITED, v.reason
    assert (v.user_id, v.amount, v.symbol, v.asset) == ("u-trx", Decimal("2384.9501"), "USDT", recorded_tron.USDT)
    assert v.confirmations == recorded_tron.HEAD - 60836289 + 1 >= v.required_confirmations == 19

    ref.credits(f"tron,{recorded_tron.USDT_TX},u-trx,{recorded_tron.USDT},2384.9501")
    assert check("tron", recorded_tron.USDT_TX, rpc=tron_url).outcome is Outcome.CREDITED


def test_tron_usdt_listed_by_hex_contract_matches(ref: Ref, check: Any, tron_url: str) -> None:
    # the asset column written as the 41-prefixed hex of the same contract (as hex-mode answers write it)
    ref.addresses(f"tron,{TRON_TO},u-trx,")
    ref.assets(f"tron,{b58check_decode(recorded_tron.USDT).hex()},USDT,6,5000,true")
    v = check("tron", recorded_tron.USDT_TX, rpc=tron_url)
    assert (v.outcome, v.amount) == (Outcome.BELOW_MINIMUM, Decimal("2384.9501")), v.reason


@pytest.mark.parametrize("txid", [recorded_tron.REVERT_TX, recorded_tron.OUT_OF_ENERGY_TX])
def test_tron_failed_trc20_call(ref: Ref, check: Any, tron_url: str, tron_recorded: recorded_tron.Recorded,
                                txid: str) -> None:
    data = tron_recorded.txs[txid]["raw_data"]["contract"][0]["parameter"]["value"]["data"]
    ref.addresses(f"tron,{to_base58(data[32:72])},u-failed,")            # its recipient, ours: still failed
    ref.assets(f"tron,{recorded_tron.USDT},USDT,6,0,true")
    v = check("tron", txid, rpc=tron_url)
    assert v.outcome is Outcome.FAILED and v.recoverable == "no", v.reason
    assert v.status == "failed"


def test_tron_unknown_hash_and_dead_endpoint(check: Any, tron_url: str) -> None:
    v = check("tron", TRON_UNKNOWN, rpc=tron_url)
    assert v.outcome is Outcome.NOT_FOUND, v.reason
    v = check("tron", recorded_tron.USDT_TX, rpc=refused_url())
    assert v.outcome is Outcome.UNVERIFIABLE and v.recoverable == "retry", v.reason
    v = check("tron", TRON_UNKNOWN, rpc=refused_url())
    assert v.outcome is Outcome.UNVERIFIABLE, v.reason


# -- solana -----------------------------------------------------------------------------------


def test_solana_spl_transfer_to_owner_wallet(ref: Ref, check: Any, solana_url: str,
                                             solana_recorded: recorded_solana.Recorded) -> None:
    sig = solana_recorded.signature(recorded_solana.CREATE_AND_PAY_TX)
    balances = solana_recorded.txs[sig]["meta"]["postTokenBalances"]
    assert {(b["mint"], b["uiTokenAmount"]["decimals"]) for b in balances} == {(SPL_MINT, 4)}
    ref.addresses(f"solana,{SPL_OWNER},u-spl,")
    ref.assets("solana,native,SOL,9,0.01,true")
    v = check("solana", sig, rpc=solana_url)
    assert v.outcome is Outcome.UNLISTED_TOKEN, v.reason
    # whole tokens from the decimals the chain recorded, though we list nothing for the mint
    assert (v.user_id, v.asset, v.amount, v.deposit_address) == ("u-spl", SPL_MINT, Decimal("1402.1048"), SPL_OWNER)

    ref.assets(f"solana,{SPL_MINT},NTRN,4,1,true")
    v = check("solana", sig, rpc=solana_url)
    assert v.outcome is Outcome.UNCREDITED, v.reason
    assert (v.user_id, v.amount, v.symbol) == ("u-spl", Decimal("1402.1048"), "NTRN")
    assert v.confirmations == 151 >= v.required_confirmations == 32   # tip - slot + 1


def test_solana_sol_transfer(ref: Ref, check: Any, solana_url: str) -> None:
    ref.addresses(f"solana,{SOL_TO},u-sol,")
    ref.assets("solana,native,SOL,9,0.01,true")
    v = check("solana", recorded_solana.SOL_TX, rpc=solana_url)
    assert v.outcome is Outcome.UNCREDITED, v.reason
    assert (v.user_id, v.amount, v.symbol, v.asset) == ("u-sol", Decimal("2.29989767"), "SOL", "native")


def test_solana_failed_unknown_and_dead(ref: Ref, check: Any, solana_url: str,
                                        solana_recorded: recorded_solana.Recorded) -> None:
    sig = solana_recorded.signature(recorded_solana.FAILED_TX)
    dest = solana_recorded.txs[sig]["transaction"]["message"]["instructions"][0]["parsed"]["info"]["destination"]
    ref.addresses(f"solana,{dest},u-failed,")
    ref.assets("solana,native,SOL,9,0,true")
    v = check("solana", sig, rpc=solana_url)
    assert (v.outcome, v.status) == (Outcome.FAILED, "failed"), v.reason
    assert check("solana", SOL_UNKNOWN, rpc=solana_url).outcome is Outcome.NOT_FOUND
    for tx in (recorded_solana.SOL_TX, SOL_UNKNOWN):
        v = check("solana", tx, rpc=refused_url())
        assert v.outcome is Outcome.UNVERIFIABLE and v.recoverable == "retry", v.reason


# -- one batch over all four --------------------------------------------------------------------


def test_mixed_batch(ref: Ref, engine: Engine, tmp_path: Path, btc_url: str, bch_url: str, tron_url: str,
                     solana_url: str, bch_raw: dict[str, Any], solana_recorded: recorded_solana.Recorded) -> None:
    ref.addresses(f"bitcoin,{BTC_OUT},u-btc,",
                  f"bitcoin,{legacy_of_pubkey(bch_raw['vout'][0]['scriptPubKey']['hex'])},u-key,",
                  f"tron,{TRON_TO},u-trx,", f"solana,{SOL_TO},u-sol,", f"solana,{SPL_OWNER},u-spl,")
    ref.assets("bitcoin,native,BTC,8,0.001,true", "bitcoin-cash,native,BCH,8,0.001,true",
               f"tron,{recorded_tron.USDT},USDT,6,1,true", "solana,native,SOL,9,0.01,true")
    ref.credits(f"solana,{recorded_solana.SOL_TX},u-sol,native,2.29989767")
    failed = solana_recorded.signature(recorded_solana.FAILED_TX)
    spl = solana_recorded.signature(recorded_solana.CREATE_AND_PAY_TX)
    rows = [  # (network, tx_hash, outcome, amount)
        ("bitcoin", BC94, "uncredited", "17.67"),
        ("bitcoin-cash", E3BF, "wrong_network", "50"),
        ("tron", recorded_tron.USDT_TX, "uncredited", "2384.9501"),
        ("tron", "0xabc", "", ""),                                     # malformed
        ("solana", recorded_solana.SOL_TX, "credited", "2.29989767"),
        ("solana", spl, "unlisted_token", "1402.1048"),
        ("solana", failed, "failed", "0.04599"),
        ("bitcoin", LTC_TX, "not_found", ""),
        ("tron", TRON_UNKNOWN, "not_found", ""),
        ("bitcoin", BC94.upper(), "uncredited", "17.67"),            # the same claim, hash in upper case
    ]
    claims = tmp_path / "claims.csv"
    with claims.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["network", "tx_hash", "ticket"])
        writer.writerows([(n, h, f"T{i}") for i, (n, h, _, _) in enumerate(rows)])
    out = tmp_path / "results.csv"
    options = BatchOptions(config_rpc={"bitcoin": btc_url, "bitcoin-cash": bch_url, "tron": tron_url,
                                       "solana": solana_url})
    result = run_batch(engine, claims, out, options=options)
    with out.open(newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [(g["network"], g["tx_hash"], g["ticket"]) for g in got] == [
        (n, h, f"T{i}") for i, (n, h, _, _) in enumerate(rows)]
    assert [(g["outcome"], g["amount"]) for g in got] == [(o, a) for _, _, o, a in rows]
    assert "transaction hash" in got[3]["error"] and got[3]["status"] == ""
    assert got[7]["found_on_network"] == ""    # probed on bitcoin-cash (configured): unknown there too
    assert (got[1]["to_address"], got[1]["confirmations"]) == (BCH_CASHADDR, str(BCH_TIP - 91880 + 1))
    assert result.rows == len(rows) and result.progress.malformed == 1
