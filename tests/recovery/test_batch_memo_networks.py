"""`run_batch` over a mixed claims file of the memo networks (cosmos family, ton, eos), on SQLite and
PostgreSQL, against loopback servers replaying recorded mainnet answers (tests/support/recorded_*.py).

The cosmos-family MsgSend transactions are of Kava (a `kava` row in a test copy of the registry); the
endpoint identities of cosmos and ton are unset there because no recorded identity answer exists (eos
endpoints answer the recorded mainnet get_info and pass the check).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from chains.cosmos import CosmosAdapter
from chains.eos import EosAdapter
from chains.http import RetryPolicy
from chains.ton import TonAdapter
from chains.ton import address as ton_address
from recovery.batch import BatchOptions, run_batch
from tests.support import memo_registry, recorded_cosmos, recorded_eos, recorded_ton
from tests.support.refdata import Ref


@pytest.fixture(autouse=True)
def registry_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    path = memo_registry.write(tmp_path / "networks.toml", drop_identity=["cosmos", "ton"],
                               extra=[memo_registry.KAVA])
    for cls in (CosmosAdapter, TonAdapter, EosAdapter):
        monkeypatch.setattr(cls, "retry", RetryPolicy(attempts=1))
    for net in ("KAVA", "COSMOS", "TON", "EOS"):
        monkeypatch.delenv(f"RECOVERY_RPC_{net}", raising=False)
    yield from memo_registry.use(monkeypatch, path)


def test_mixed_memo_batch(engine: Engine, tmp_path: Path, loopback: Any, chaindata: Path) -> None:
    lcd = loopback(recorded_cosmos.Recorded(chaindata).handle)
    ton = recorded_ton.Recorded(chaindata)
    tonapi = loopback(ton.handle)
    eos = loopback(recorded_eos.Node(chaindata).handle)
    plain = ton.txs[ton.full(recorded_ton.PLAIN_IN_TX)]
    failed = ton.full(recorded_ton.FAILED_COMMENT_TX)
    ref = Ref(engine, tmp_path)
    ref.load("addresses", f"kava,{recorded_cosmos.KAVA_RECIPIENT},u-9547,100009547",
             f"kava,{recorded_cosmos.KAVA_SENDER},u-1,100001",
             f"ton,{ton_address.display(recorded_ton.COMMENT_TO)},u-2,1002",
             f"ton,{ton_address.display(plain['account']['address'], bounceable=False)},u-3,1003",
             f"eos,{recorded_eos.TO},u-4,1004")
    ref.load("assets", "kava,native,KAVA,6,1,true", "ton,native,TON,9,0.01,true", "eos,native,EOS,4,0.0001,true")
    rows = [  # (network, tx_hash, outcome, amount)
        ("kava", recorded_cosmos.KAVA_MEMO_TX, "uncredited", "9.998"),
        ("kava", recorded_cosmos.KAVA_NO_MEMO_TX.lower(), "missing_memo", "9.999"),
        ("cosmos", recorded_cosmos.HUB_UNDELEGATE_TX, "not_our_address", ""),
        ("ton", recorded_ton.COMMENT_TX, "wrong_memo", "5.44"),
        ("ton", plain["hash"], "missing_memo", "0.07"),
        ("ton", failed, "failed", ""),
        ("ton", recorded_ton.COMMENT_TX[::-1], "unverifiable", ""),     # nothing recorded: never not_found
        ("eos", recorded_eos.TX, "wrong_memo", "0.0012"),
        ("eos", "not-a-hash", "", ""),                                   # malformed
    ]
    claims = tmp_path / "claims.csv"
    with claims.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["network", "tx_hash"])
        writer.writerows([(n, h) for n, h, _, _ in rows])
    out = tmp_path / "results.csv"
    options = BatchOptions(config_rpc={"kava": "legacy+" + lcd.url, "cosmos": "legacy+" + lcd.url,
                                       "ton": tonapi.url, "eos": eos.url})
    result = run_batch(engine, claims, out, options=options)
    with out.open(newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [(g["network"], g["outcome"], g["amount"]) for g in got] == [(n, o, a) for n, _, o, a in rows]
    assert "hash" in got[-1]["error"] and got[-1]["status"] == ""
    assert got[0]["to_address"] == recorded_cosmos.KAVA_RECIPIENT and got[3]["to_address"] == recorded_ton.COMMENT_TO
    assert result.rows == len(rows) and result.progress.malformed == 1
