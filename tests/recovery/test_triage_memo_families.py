"""The memo outcomes on the memo networks (xrp, stellar, hedera) and the ordinary outcomes of algorand, end
to end on SQLite and PostgreSQL: `recovery.verify.verify` against loopback nodes that replay recorded mainnet
answers (tests/support/recorded_{xrpl,stellar,hedera,algorand}.py), reference data imported with
`import_file`, and the flat memo fee of the quote of a memo case.

Real transactions used (what each recording holds is said in fixtures/chaindata/<family>/PROVENANCE.md):
- xrp 68BD7AA1… (1000 drops to rMQ98K56…, DestinationTag 42) and 40279A3D… (100 XRP to rMQ98K56…, no tag);
- stellar 132c440e… (355.811836 XLM to GCTV4YCC…, memo text 298424), 23fa4d3c… (3976053 XLM to
  GCGVWRW5…, no memo), 3a644389… (77 stroops of NODL, memo hash), 95811f45… (failed);
- hedera 0.0.19852-1646746046-457048377 (0.0009 HBAR 0.0.14698 → 0.0.14684, no memo);
- algorand FBORGSDC… (236.07 ALGO to KIZLH4HU…, with a note; algorand needs no memo).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.algorand.adapter import AlgorandAdapter
from chains.hedera.adapter import HederaAdapter
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.stellar.adapter import StellarAdapter
from chains.xrpl.adapter import XrplAdapter
from recovery.cases import CaseService
from recovery.db import session_scope
from recovery.reference_import import import_file
from recovery.triage import Outcome, Verdict
from recovery.verify import verify
from tests.support import recorded_algorand, recorded_hedera, recorded_stellar, recorded_xrpl
from tests.support.loopback import refused_url

XRP_SHARED = recorded_xrpl.SHARED
XLM_SHARED = "GCTV4YCC5C7NOJ2PDKHRCWY5N4I4WMUDCFVFM3BLXFUP73OAI42RSYO4"   # recipient of 132c440e…
XLM_OTHER = "GCGVWRW5MHZW5OB2IR6RRFYBG5NV4BXUT5GYBRH2E3FD3TVYVINA72KM"    # recipient of 23fa4d3c…
HBAR_SHARED = recorded_hedera.RECIPIENT
ALGO_TO = "KIZLH4HUM5ZIB5RVP6DR2IGXB44TGJ6HZUZIAYZFZ63KWCAQB2EZGPU5BQ"
ASSETS = "network,asset,symbol,decimals,min_deposit,deposit_enabled"


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Endpoints come only from the test; failing endpoints fail fast."""
    for net in ("XRP", "STELLAR", "HEDERA", "ALGORAND"):
        monkeypatch.delenv(f"RECOVERY_RPC_{net}", raising=False)
    for cls in (XrplAdapter, StellarAdapter, HederaAdapter, AlgorandAdapter):
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


@pytest.fixture
def ref(engine: Engine, tmp_path: Path) -> Ref:
    return Ref(engine, tmp_path)


@pytest.fixture
def check(engine: Engine) -> Iterator[Any]:
    def run(network: str, tx_hash: str, url: str) -> Verdict:
        with session_scope(engine) as session:
            return verify(session, network, tx_hash, rpc=url)

    yield run


@pytest.fixture
def urls(loopback: Any, chaindata: Path) -> dict[str, str]:
    return {
        "xrp": loopback(recorded_xrpl.Recorded(chaindata).handle).url,
        "stellar": loopback(recorded_stellar.Recorded(chaindata).handle).url,
        "hedera": loopback(recorded_hedera.Recorded(chaindata).handle).url + recorded_hedera.PREFIX,
        "algorand": loopback(recorded_algorand.Recorded(chaindata).handle).url,
    }


def test_xrp_destination_tag_outcomes(ref: Ref, check: Any, urls: dict[str, str]) -> None:
    ref.assets("xrp,native,XRP,6,0.0001,true")
    ref.addresses(f"xrp,{XRP_SHARED},u-7,7")
    v = check("xrp", recorded_xrpl.TAG_42_TX, urls["xrp"])
    assert (v.outcome, v.recoverable) == (Outcome.WRONG_MEMO, "yes"), v.reason
    assert "'42'" in v.reason and "proof" in v.reason and "rBYtAxpy" in v.reason
    assert v.amount == Decimal("0.001") and v.deposit_address == XRP_SHARED

    ref.addresses(f"xrp,{XRP_SHARED},u-42,42")                      # the tag now names a user
    v = check("xrp", recorded_xrpl.TAG_42_TX, urls["xrp"])
    assert (v.outcome, v.user_id, v.status, v.confirmations) == (Outcome.UNCREDITED, "u-42", "confirmed", 1), v.reason

    v = check("xrp", recorded_xrpl.UNTAGGED_TX, urls["xrp"])        # 100 XRP to the same address, no tag
    assert (v.outcome, v.amount, v.user_id) == (Outcome.MISSING_MEMO, Decimal(100), None), v.reason
    assert "without the memo" in v.reason and "proof" in v.reason

    v = check("xrp", recorded_xrpl.NATIVE_TX[::-1], urls["xrp"])
    assert v.outcome is Outcome.NOT_FOUND, v.reason
    v = check("xrp", recorded_xrpl.TAG_42_TX, refused_url())
    assert (v.outcome, v.recoverable) == (Outcome.UNVERIFIABLE, "retry"), v.reason


def test_stellar_memo_outcomes(ref: Ref, check: Any, urls: dict[str, str], chaindata: Path) -> None:
    ref.assets("stellar,native,XLM,7,1,true")
    ref.addresses(f"stellar,{XLM_SHARED},u-1,111111", f"stellar,{XLM_OTHER},u-2,222222")
    v = check("stellar", recorded_stellar.TEXT_MEMO_TX, urls["stellar"])
    assert (v.outcome, v.amount) == (Outcome.WRONG_MEMO, Decimal("355.811836")), v.reason
    ref.addresses(f"stellar,{XLM_SHARED},u-298424,298424")
    v = check("stellar", recorded_stellar.TEXT_MEMO_TX, urls["stellar"])
    assert (v.outcome, v.user_id) == (Outcome.UNCREDITED, "u-298424"), v.reason

    v = check("stellar", recorded_stellar.NATIVE_TX, urls["stellar"])
    assert (v.outcome, v.user_id, v.amount) == (Outcome.MISSING_MEMO, None, Decimal(3976053)), v.reason

    hash_tx = recorded_stellar.Recorded(chaindata).hash(recorded_stellar.HASH_MEMO_TX)
    (op,) = StellarAdapter(get_network("stellar"), [urls["stellar"]]).fetch(hash_tx).transfers
    ref.assets(f"stellar,{op.asset},NODL,7,0.0000001,true")
    ref.addresses(f"stellar,{op.to_address},u-3,333333")
    v = check("stellar", hash_tx, urls["stellar"])                 # a hash memo is no deposit memo of ours
    assert v.outcome is Outcome.WRONG_MEMO and "is not a Stellar deposit memo" in v.reason, v.reason

    v = check("stellar", recorded_stellar.FAILED_TX, urls["stellar"])
    assert (v.outcome, v.recoverable) == (Outcome.FAILED, "no"), v.reason


def test_hedera_transfer_without_memo(ref: Ref, check: Any, urls: dict[str, str]) -> None:
    ref.assets("hedera,native,HBAR,8,0.0001,true")
    ref.addresses(f"hedera,{HBAR_SHARED},u-9,9001")
    v = check("hedera", recorded_hedera.CRYPTO_TRANSFER_SDK_FORM, urls["hedera"])
    assert (v.outcome, v.amount, v.tx_hash) == (Outcome.MISSING_MEMO, Decimal("0.0009"),
                                                recorded_hedera.CRYPTO_TRANSFER_TX), v.reason
    assert recorded_hedera.SENDER in v.reason
    v = check("hedera", recorded_hedera.FAILED_TX, urls["hedera"])
    assert v.outcome is Outcome.FAILED, v.reason
    v = check("hedera", "0.0.19852-1646746046-457048378", urls["hedera"])
    assert v.outcome is Outcome.NOT_FOUND, v.reason


def test_algorand_needs_no_memo(ref: Ref, check: Any, urls: dict[str, str]) -> None:
    ref.assets("algorand,native,ALGO,6,1,true")
    ref.addresses(f"algorand,{ALGO_TO},u-a,")
    v = check("algorand", recorded_algorand.PAY_TX, urls["algorand"])
    assert (v.outcome, v.user_id, v.amount) == (Outcome.UNCREDITED, "u-a", Decimal("236.07")), v.reason
    assert v.transfer is not None and v.transfer.memo == recorded_algorand.PAY_NOTE
    ref.assets("algorand,native,ALGO,6,500,true")
    assert check("algorand", recorded_algorand.PAY_TX, urls["algorand"]).outcome is Outcome.BELOW_MINIMUM


def test_memo_cases_are_quoted_at_the_flat_memo_fee(engine: Engine, ref: Ref, urls: dict[str, str],
                                                    tmp_path: Path) -> None:
    ref.assets("xrp,native,XRP,6,0.0001,true")
    ref.addresses(f"xrp,{XRP_SHARED},u-7,7")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ref.load("prices", "network,asset,usd_price,as_of", f"xrp,native,0.5,{now}")
    svc = CaseService(engine, config_rpc={"xrp": urls["xrp"]})
    svc.add_actor("agent-a", ["agent"])
    for tx, outcome in ((recorded_xrpl.UNTAGGED_TX, "missing_memo"), (recorded_xrpl.TAG_42_TX, "wrong_memo")):
        case = svc.open("agent-a", network="xrp", tx_hash=tx, user_id="u-claim")
        case = svc.verify(case.id, "agent-a")  # type: ignore[arg-type]
        assert case.outcome == outcome
        _, quote = svc.quote(case.id, "agent-a")  # type: ignore[arg-type]
        assert quote.rule.startswith(f"{outcome} on a listed asset: flat 25.00 USD"), quote.rule
        assert quote.fee_usd == Decimal(25) or quote.fee == quote.gross     # never above the amount
