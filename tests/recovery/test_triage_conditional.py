"""Triage end to end for the conditional families with adapters (polkadot, cardano, near, sui, aptos,
tezos), on SQLite and PostgreSQL: `recovery.verify.verify` and `run_batch` against loopback servers that
replay recorded mainnet answers (tests/support/recorded_*.py say what they derive), reference data
imported with `import_file`.

Stated against chains/networks.toml: polkadot needs 1 confirmation (a finalized block), cardano 15
(the Blockfrost server's tip is stated per test), near 1 (a final block), sui 1 (a checkpoint), aptos 1.

Real transactions used:
- polkadot 0x27e4a6f0… (277.9843 DOT, transferKeepAlive, block 4947391) and 0xbebfd46a… (failed);
- cardano 28172ea8… (Byron outputs of 301374.004958 and 400000 ADA, block 5040611);
- near 8qfBoDpJ… (0.05 NEAR to an implicit account) and 4X788aPw… (0.62 SWEAT ft_transfer, not yet final);
- sui CJ16PEqq… (0.1 SUI) and 4MjZc5Gr… (a coin whose decimals only the listing gives);
- aptos 0x6a43e003… (24.31838058 APT as fungible-asset events) and 0x418bc250… (failed);
- tezos ooT5uBir… (a Dexter swap paying 125.060096 XTZ to its sender; tezos needs 2 confirmations,
  the stated head gives 10) and oo5XsmdP… (failed).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.aptos.adapter import AptosAdapter
from chains.cardano.adapter import CardanoAdapter
from chains.http import RetryPolicy
from chains.near.adapter import NearAdapter
from chains.polkadot import address as ss58
from chains.polkadot.adapter import PolkadotAdapter
from chains.sui.adapter import SuiAdapter
from chains.tezos.adapter import TezosAdapter
from recovery.batch import BatchOptions, run_batch
from recovery.db import session_scope
from recovery.reference_import import import_file
from recovery.triage import Outcome, Verdict
from recovery.verify import verify
from tests.support import (
    recorded_aptos,
    recorded_cardano,
    recorded_near,
    recorded_polkadot,
    recorded_sui,
    recorded_tezos,
)
from tests.support.loopback import refused_url

DOT_TO = "15kUt2i86LHRWCkE3D9Bg1HZAoc2smhn1fwPzDERTb1BXAkX"   # 0x27e4a6f0…: 2779843000000 planck
SUI_RECEIVER = "0x9d6b98b18fd26b5efeec68d020dcf1be7a94c2c315353779bc6b3aed44188ddf"
SUI_COIN_RECEIVER = "0xf0e295b8e40b4d554f1f0e4ac78d79227f1921ccd3059d017d0225553384c781"
ASSETS = "network,asset,symbol,decimals,min_deposit,deposit_enabled"


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for net in ("POLKADOT", "CARDANO", "NEAR", "SUI", "APTOS", "TEZOS"):
        monkeypatch.delenv(f"RECOVERY_RPC_{net}", raising=False)
    for cls in (PolkadotAdapter, CardanoAdapter, NearAdapter, SuiAdapter, AptosAdapter, TezosAdapter):
        monkeypatch.setattr(cls, "retry", RetryPolicy(attempts=2, backoff=0.01))


class Ref:
    """Reference files written to a temporary folder and imported into the test database."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine, self.folder, self.n = engine, folder, 0

    def load(self, kind: str, header: str, *rows: str) -> None:
        self.n += 1
        path = self.folder / f"{kind}-{self.n}.csv"
        path.write_text("\n".join([header, *rows]) + "\n")
        report = import_file(self.engine, kind, path)
        assert not report.errors and report.written == len(rows), report.errors

    def addresses(self, *rows: str) -> None:
        self.load("addresses", "network,address,user_id,memo", *rows)

    def assets(self, *rows: str) -> None:
        self.load("assets", ASSETS, *rows)

    def credits(self, *rows: str) -> None:
        self.load("credits", "network,tx_hash,user_id,asset,amount", *rows)


@pytest.fixture
def ref(engine: Engine, tmp_path: Path) -> Ref:
    return Ref(engine, tmp_path)


@pytest.fixture
def check(engine: Engine) -> Iterator[Any]:
    def run(network: str, tx_hash: str, **kwargs: Any) -> Verdict:
        with session_scope(engine) as session:
            return verify(session, network, tx_hash, **kwargs)

    yield run


@pytest.fixture
def dot_url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(recorded_polkadot.Recorded(chaindata).handle).url)


@pytest.fixture
def ada_url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(recorded_cardano.Recorded(chaindata).handle).url)   # tip: 21 confirmations


@pytest.fixture
def near_url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(recorded_near.Recorded(chaindata).handle).url)


@pytest.fixture
def sui_url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(recorded_sui.Recorded(chaindata).handle).url)


@pytest.fixture
def aptos_url(loopback: Any, chaindata: Path) -> str:
    return str(loopback(recorded_aptos.Recorded(chaindata).handle).url)


# -- polkadot ---------------------------------------------------------------------------------


def test_polkadot_deposit_and_credit(ref: Ref, check: Any, dot_url: str) -> None:
    ref.addresses(f"polkadot,{DOT_TO},u-dot,")
    ref.assets("polkadot,native,DOT,10,1,true")
    claim = recorded_polkadot.claim(recorded_polkadot.TRANSFER_KEEP_ALIVE)
    v = check("polkadot", claim, rpc=dot_url)
    assert v.outcome is Outcome.UNCREDITED and v.recoverable == "yes", v.reason
    assert (v.user_id, v.amount, v.symbol, v.deposit_address) == ("u-dot", Decimal("277.9843"), "DOT", DOT_TO)
    assert (v.block_height, v.confirmations, v.required_confirmations) == (4947391, 1, 1)
    ref.credits(f"polkadot,{claim},u-dot,native,277.9843")   # credits name the block too
    assert check("polkadot", claim, rpc=dot_url).outcome is Outcome.CREDITED
    assert ss58.normalize(ss58.encode(ss58.public_key(DOT_TO), ss58.KUSAMA)) == DOT_TO


def test_polkadot_failed_and_unreachable(ref: Ref, check: Any, dot_url: str, chaindata: Path) -> None:
    ext = recorded_polkadot.Recorded(chaindata).extrinsic(recorded_polkadot.FAILED_TRANSFER)
    ref.addresses(f"polkadot,{ext['args']['dest']['id']},u-failed,")
    ref.assets("polkadot,native,DOT,10,1,true")
    v = check("polkadot", recorded_polkadot.claim(recorded_polkadot.FAILED_TRANSFER), rpc=dot_url)
    assert (v.outcome, v.status) == (Outcome.FAILED, "failed"), v.reason
    v = check("polkadot", recorded_polkadot.claim(recorded_polkadot.FAILED_TRANSFER), rpc=refused_url())
    assert v.outcome is Outcome.UNVERIFIABLE and v.recoverable == "retry", v.reason


# -- cardano ----------------------------------------------------------------------------------


def test_cardano_byron_output_ours(ref: Ref, check: Any, ada_url: str, chaindata: Path) -> None:
    outputs = recorded_cardano.Recorded(chaindata).utxos[recorded_cardano.BYRON_TX]["outputs"]
    ref.addresses(f"cardano,{outputs[1]['address']},u-ada,")
    ref.assets("cardano,native,ADA,6,1,true")
    v = check("cardano", recorded_cardano.BYRON_TX, rpc=ada_url)
    assert v.outcome is Outcome.UNCREDITED, v.reason
    assert (v.user_id, v.amount, v.symbol, v.confirmations, v.required_confirmations) == (
        "u-ada", Decimal(400000), "ADA", 21, 15)


def test_cardano_pending_and_not_found(ref: Ref, check: Any, loopback: Any, chaindata: Path, ada_url: str) -> None:
    outputs = recorded_cardano.Recorded(chaindata).utxos[recorded_cardano.BYRON_TX]["outputs"]
    ref.addresses(f"cardano,{outputs[0]['address']},u-ada,")
    ref.assets("cardano,native,ADA,6,1,true")
    shallow = loopback(recorded_cardano.Recorded(chaindata, tip=recorded_cardano.BYRON_HEIGHT + 3).handle).url
    v = check("cardano", recorded_cardano.BYRON_TX, rpc=shallow)
    assert (v.outcome, v.confirmations, v.amount) == (Outcome.PENDING, 4, Decimal("301374.004958")), v.reason
    v = check("cardano", recorded_cardano.ASSET_UTXOS_TX, rpc=ada_url)
    assert v.outcome is Outcome.NOT_FOUND, v.reason


# -- near -------------------------------------------------------------------------------------


def test_near_native_and_token(ref: Ref, check: Any, near_url: str) -> None:
    ref.addresses(f"near,{recorded_near.NATIVE_TO},u-near,", f"near,{recorded_near.FT_TO},u-sweat,")
    ref.assets("near,native,NEAR,24,0.01,true")
    v = check("near", f"{recorded_near.NATIVE_TX}@{recorded_near.NATIVE_SIGNER}", rpc=near_url)
    assert v.outcome is Outcome.UNCREDITED, v.reason
    assert (v.user_id, v.amount, v.symbol) == ("u-near", Decimal("0.05"), "NEAR")
    assert v.tx_hash == f"{recorded_near.NATIVE_TX}@{recorded_near.NATIVE_SIGNER}"
    # the token is unlisted; its decimals come only from a listing, so the amount is in base units
    v = check("near", f"{recorded_near.FT_TX}@{recorded_near.FT_SIGNER}", rpc=near_url)
    assert v.outcome is Outcome.PENDING, v.reason          # its block is not final yet
    ref.assets("near,token.sweat,SWEAT,18,0.1,true")
    v = check("near", f"{recorded_near.FT_TX}@{recorded_near.FT_SIGNER}", rpc=near_url)
    assert (v.outcome, v.amount, v.symbol, v.confirmations) == (Outcome.PENDING, Decimal("0.62"), "SWEAT", 0)


def test_near_bare_hash_is_bad_input(check: Any, near_url: str) -> None:
    from chains.errors import InvalidTxHash
    with pytest.raises(InvalidTxHash, match="HASH@signer"):
        check("near", recorded_near.NATIVE_TX, rpc=near_url)


# -- sui and aptos ----------------------------------------------------------------------------


def test_sui_native_and_coin(ref: Ref, check: Any, sui_url: str) -> None:
    ref.addresses(f"sui,{SUI_RECEIVER},u-sui,", f"sui,{SUI_COIN_RECEIVER},u-coin,")
    ref.assets("sui,native,SUI,9,0.01,true")
    v = check("sui", recorded_sui.SUI_TX, rpc=sui_url)
    assert (v.outcome, v.user_id, v.amount, v.symbol) == (Outcome.UNCREDITED, "u-sui", Decimal("0.1"), "SUI"), v.reason
    v = check("sui", recorded_sui.COIN_TX, rpc=sui_url)
    assert (v.outcome, v.user_id, v.asset) == (Outcome.UNLISTED_TOKEN, "u-coin", recorded_sui.COIN), v.reason


def test_aptos_fungible_asset_deposit(ref: Ref, check: Any, aptos_url: str) -> None:
    ref.addresses(f"aptos,{recorded_aptos.APT_TO},u-apt,")
    ref.assets("aptos,native,APT,8,1,true")
    v = check("aptos", recorded_aptos.APT_TX, rpc=aptos_url)
    assert (v.outcome, v.user_id, v.amount, v.symbol) == (Outcome.UNCREDITED, "u-apt", Decimal("24.31838058"), "APT")
    ref.assets("aptos,native,APT,8,0.1,false")
    assert check("aptos", recorded_aptos.APT_TX, rpc=aptos_url).outcome is Outcome.DEPOSITS_SUSPENDED


def test_aptos_failed_and_unreachable(ref: Ref, check: Any, aptos_url: str, chaindata: Path) -> None:
    sender = recorded_aptos.Recorded(chaindata).txs[recorded_aptos.FAILED_TX]["sender"]
    ref.addresses(f"aptos,{sender},u-apt,")
    v = check("aptos", recorded_aptos.FAILED_TX, rpc=aptos_url)
    assert (v.outcome, v.status) == (Outcome.FAILED, "failed"), v.reason
    assert check("aptos", recorded_aptos.FAILED_TX, rpc=refused_url()).outcome is Outcome.UNVERIFIABLE


def test_tezos_internal_payout_failed_and_unreachable(ref: Ref, check: Any, loopback: Any, chaindata: Path) -> None:
    url = loopback(recorded_tezos.Recorded(chaindata).handle).url
    ref.addresses(f"tezos,{recorded_tezos.SWAPPER},u-xtz,")
    ref.assets("tezos,native,XTZ,6,1,true")
    v = check("tezos", recorded_tezos.SWAP_OP, rpc=url)
    assert (v.outcome, v.user_id, v.amount, v.symbol) == (Outcome.UNCREDITED, "u-xtz", Decimal("125.060096"), "XTZ")
    assert (v.confirmations, v.required_confirmations) == (10, 2)
    assert check("tezos", recorded_tezos.FAILED_OP, rpc=url).outcome is Outcome.FAILED
    v = check("tezos", recorded_tezos.SWAP_OP, rpc=refused_url())
    assert v.outcome is Outcome.UNVERIFIABLE and v.recoverable == "retry", v.reason


# -- one batch over them ----------------------------------------------------------------------


def test_mixed_batch(ref: Ref, engine: Engine, tmp_path: Path, dot_url: str, ada_url: str, near_url: str,
                     sui_url: str, chaindata: Path) -> None:
    outputs = recorded_cardano.Recorded(chaindata).utxos[recorded_cardano.BYRON_TX]["outputs"]
    ref.addresses(f"polkadot,{DOT_TO},u-dot,", f"cardano,{outputs[1]['address']},u-ada,",
                  f"near,{recorded_near.NATIVE_TO},u-near,", f"sui,{SUI_RECEIVER},u-sui,")
    ref.assets("polkadot,native,DOT,10,1,true", "cardano,native,ADA,6,1,true", "near,native,NEAR,24,0.01,true",
               "sui,native,SUI,9,0.01,true")
    rows = [  # (network, tx_hash, outcome, amount)
        ("polkadot", recorded_polkadot.claim(recorded_polkadot.TRANSFER_KEEP_ALIVE), "uncredited", "277.9843"),
        ("polkadot", recorded_polkadot.TRANSFER_KEEP_ALIVE, "", ""),          # no block: bad input
        ("cardano", recorded_cardano.BYRON_TX, "uncredited", "400000"),
        ("near", f"{recorded_near.NATIVE_TX}@{recorded_near.NATIVE_SIGNER}", "uncredited", "0.05"),
        ("near", recorded_near.NATIVE_TX, "", ""),                            # no signer: bad input
        ("sui", recorded_sui.SUI_TX, "uncredited", "0.1"),
        ("sui", recorded_sui.SUI_TX[::-1], "not_found", ""),
    ]
    claims = tmp_path / "claims.csv"
    with claims.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["network", "tx_hash"])
        writer.writerows([(n, h) for n, h, _, _ in rows])
    out = tmp_path / "results.csv"
    options = BatchOptions(config_rpc={"polkadot": dot_url, "cardano": ada_url, "near": near_url, "sui": sui_url})
    run_batch(engine, claims, out, options=options)
    with out.open(newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [(g["outcome"], g["amount"]) for g in got] == [(o, a) for _, _, o, a in rows]
    assert "@BLOCK_NUMBER" in got[1]["error"] and "HASH@signer" in got[4]["error"]
