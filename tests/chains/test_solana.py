"""Solana adapter against a recorded mainnet block, served over loopback JSON-RPC so the real requests run.

The server and what it replays or derives: tests/support/recorded_solana.py (getBlock 110130000 from
zuyezheng/solana-etl; getSlot answers TIP, a chain tip stated 150 slots after the recorded block).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.base import NATIVE, ChainTx, TxStatus
from chains.errors import InvalidTxHash, RetriableError, RpcUnavailable
from chains.http import RetryPolicy
from chains.networks import get_network
from chains.solana import TX_CONFIG, SolanaAdapter
from tests.support.loopback import jsonrpc_handler, refused_url
from tests.support.recorded_solana import (
    BLOCK_TIME,
    CHECKED_TX,
    CREATE_AND_PAY_TX,
    FAILED_TX,
    MEMO_SPL_TX,
    SLOT,
    SOL_TX,
    SWAP_TX,
    TIP,
    Recorded,
)

UNKNOWN_TX = SOL_TX[::-1]


@pytest.fixture(scope="module")
def block(chaindata: Path) -> Recorded:
    return Recorded(chaindata)


@pytest.fixture
def recorded(block: Recorded) -> Recorded:
    block.calls.clear()
    return block


@pytest.fixture
def server(loopback: Any, recorded: Recorded) -> Any:
    return loopback(jsonrpc_handler(recorded.methods))


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same policy with short waits, so failing endpoints do not slow the suite."""
    monkeypatch.setattr(SolanaAdapter, "retry", RetryPolicy(attempts=2, backoff=0.01))


def adapter(*urls: str) -> SolanaAdapter:
    return SolanaAdapter(get_network("solana"), list(urls), timeout=5.0)



def parsed(recorded: Recorded, sig: str, program: str) -> list[dict[str, Any]]:
    """The recorded parsed infos of a program's instructions, top-level then inner, in order."""
    tx = recorded.txs[sig]
    inner = {g["index"]: g["instructions"] for g in tx["meta"]["innerInstructions"]}
    out = []
    for i, ix in enumerate(tx["transaction"]["message"]["instructions"]):
        for x in [ix, *inner.get(i, [])]:
            if x.get("program") == program and isinstance(x.get("parsed"), dict):
                out.append(x["parsed"])
    return out


def test_sol_transfer(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(SOL_TX)
    (info,) = [p["info"] for p in parsed(recorded, SOL_TX, "system")]
    assert tx.status is TxStatus.CONFIRMED
    assert (tx.block_height, tx.confirmations, tx.timestamp) == (SLOT, TIP - SLOT + 1, BLOCK_TIME)
    assert tx.final is None    # getSignatureStatuses is not recorded: finality unknown
    assert tx.fee_paid == recorded.txs[SOL_TX]["meta"]["fee"] == 5000
    (t,) = tx.transfers
    assert (t.from_address, t.to_address) == (info["source"], info["destination"])
    assert (t.asset, t.amount, t.decimals, t.memo) == (NATIVE, info["lamports"], 9, None)
    assert t.amount == 2299897670


def test_requests_are_get_transaction_json_parsed_and_get_slot(server: Any, recorded: Recorded) -> None:
    adapter(server.url).fetch(SOL_TX)
    assert recorded.calls == [
        ("getGenesisHash", []),                        # the endpoint's chain, once
        ("getTransaction", [SOL_TX, {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0,
                                     "commitment": "confirmed"}]),
        ("getSignatureStatuses", [[SOL_TX]]),
        ("getSlot", [{"commitment": "confirmed"}]),
    ]


def test_spl_transfer_with_memo(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(MEMO_SPL_TX)
    (info,) = [p["info"] for p in parsed(recorded, MEMO_SPL_TX, "spl-token")]
    balances = recorded.txs[MEMO_SPL_TX]["meta"]["postTokenBalances"]
    (t,) = tx.transfers
    assert t.amount == int(info["amount"]) == 1000000
    # a plain `transfer` names no mint: it comes from the token balances, as do the decimals
    assert t.asset == balances[0]["mint"] == "kinXdEcpDQeHPEuQnqmUgtYykqKGVFq6CeVX5iAHJq6"
    assert t.decimals == 5
    assert t.memo == "QQABqASBkLSDM+nc3Az7ifdzyF5SYT+P4xBk1d0dQAI="
    # no owner in this block's balances and no account creation in the tx: the token account stays
    assert t.to_address == info["destination"]
    assert t.from_address == info["authority"]


def test_spl_transfer_checked(server: Any, recorded: Recorded) -> None:
    (t,) = adapter(server.url).fetch(CHECKED_TX).transfers
    (info,) = [p["info"] for p in parsed(recorded, CHECKED_TX, "spl-token")]
    assert (t.asset, t.amount, t.decimals) == (info["mint"], 435000000000, 9)
    assert t.to_address == info["destination"]


def test_token_account_maps_to_its_owner_in_a_multi_transfer_tx(server: Any, recorded: Recorded) -> None:
    sig = recorded.signature(CREATE_AND_PAY_TX)
    tx = adapter(server.url).fetch(sig)
    (init,) = [p["info"] for p in parsed(recorded, sig, "spl-token") if p["type"] == "initializeAccount"]
    (pay,) = [p["info"] for p in parsed(recorded, sig, "spl-token") if p["type"] == "transfer"]
    (rent,) = [p["info"] for p in parsed(recorded, sig, "system") if p["type"] == "transfer"]
    sol, spl = tx.transfers
    assert (sol.asset, sol.amount, sol.from_address, sol.to_address) == (
        NATIVE, rent["lamports"], rent["source"], rent["destination"])
    assert pay["destination"] == init["account"] == "CLwCBqxUBXo91G4xZoSm2pB4PsN2R4cZTzBKLfzpyodF"
    assert spl.to_address == init["owner"] == "9f2mNukPtqbkKC3TeMnDFwnojiuKMixbiYuHhwexgZSo"
    assert (spl.asset, spl.amount, spl.decimals) == (init["mint"], 14021048, 4)


def test_swap_with_many_inner_token_transfers(server: Any, recorded: Recorded) -> None:
    tx = adapter(server.url).fetch(SWAP_TX)
    infos = [p["info"] for p in parsed(recorded, SWAP_TX, "spl-token") if p["type"] == "transfer"]
    assert len(infos) == len(tx.transfers) == 8
    assert [t.amount for t in tx.transfers] == [int(i["amount"]) for i in infos]
    assert {t.asset for t in tx.transfers} <= {
        b["mint"] for b in recorded.txs[SWAP_TX]["meta"]["preTokenBalances"]}


def test_failed_transaction(server: Any, recorded: Recorded) -> None:
    sig = recorded.signature(FAILED_TX)
    assert recorded.txs[sig]["meta"]["err"] == {"InstructionError": [0, {"Custom": 1}]}
    tx = adapter(server.url).fetch(sig)
    assert tx.status is TxStatus.FAILED
    assert tx.fee_paid == 5000
    (t,) = tx.transfers
    assert (t.asset, t.amount) == (NATIVE, 45990000)


def test_unknown_signature_is_not_found(server: Any, recorded: Recorded) -> None:
    assert adapter(server.url).fetch(UNKNOWN_TX) == ChainTx.not_found("solana", UNKNOWN_TX)
    assert [m for m, _ in recorded.calls] == ["getGenesisHash", "getTransaction", "getSignatureStatuses",
                                              "getSlot"]


@pytest.mark.parametrize("kind", ["http500", "refused"])
def test_failing_endpoint_is_retriable_never_not_found(loopback: Any, kind: str) -> None:
    url = loopback(lambda req: (500, "internal error")).url if kind == "http500" else refused_url()
    with pytest.raises(RetriableError):
        adapter(url).fetch(SOL_TX)
    (result,) = adapter(url).fetch_many([SOL_TX])
    assert isinstance(result, RpcUnavailable)


def test_failover_to_the_second_endpoint(loopback: Any, server: Any) -> None:
    broken = loopback(lambda req: (500, "internal error"))
    assert adapter(broken.url, server.url).fetch(SOL_TX).transfers[0].amount == 2299897670
    (result,) = adapter(broken.url, server.url).fetch_many([SOL_TX])
    assert isinstance(result, ChainTx) and result.transfers[0].amount == 2299897670


def test_all_endpoints_failing_names_each_redacted(loopback: Any) -> None:
    broken = loopback(lambda req: (503, "unavailable"))
    key = "k3yk3yk3yk3yk3yk3yk3yk3y0123456789"
    with pytest.raises(RpcUnavailable) as info:
        adapter(f"{broken.url}/{key}", refused_url()).fetch(SOL_TX)
    message = info.value.user_message
    assert f"{broken.url}/***" in message and "HTTP 503" in message and "unreachable" in message
    assert key not in message


def test_fetch_many_is_one_batch_in_input_order(server: Any, recorded: Recorded) -> None:
    sigs = [SOL_TX, "0OIl-not-base58", UNKNOWN_TX, MEMO_SPL_TX, recorded.signature(FAILED_TX)]
    results = adapter(server.url).fetch_many(sigs)
    assert isinstance(results[0], ChainTx) and results[0].transfers[0].amount == 2299897670
    assert isinstance(results[1], InvalidTxHash)
    assert isinstance(results[2], ChainTx) and results[2].status is TxStatus.NOT_FOUND
    assert isinstance(results[3], ChainTx) and results[3].transfers[0].memo is not None
    assert isinstance(results[4], ChainTx) and results[4].status is TxStatus.FAILED
    identity, batch = [r.json() for r in server.requests]
    assert identity["method"] == "getGenesisHash"
    assert [c["method"] for c in batch] == ["getTransaction"] * 4 + ["getSignatureStatuses", "getSlot"]
    assert [c["params"] for c in batch[:4]] == [[s, TX_CONFIG] for i, s in enumerate(sigs) if i != 1]
