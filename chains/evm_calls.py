"""EVM answers read without web3: ABI words, token call data, token metadata, and call traces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chains.base import NATIVE, Transfer

SELECTOR_TRANSFER = "a9059cbb"        # transfer(address,uint256)
SELECTOR_TRANSFER_FROM = "23b872dd"   # transferFrom(address,address,uint256)
DECIMALS_CALL = "0x313ce567"          # decimals()
SYMBOL_CALL = "0x95d89b41"            # symbol()
NAME_CALL = "0x06fdde03"              # name()


def words(data: str) -> list[int]:
    """32-byte ABI words of hex data, as integers."""
    raw = data[2:] if data.startswith("0x") else data
    return [int(raw[i:i + 64], 16) for i in range(0, len(raw) - 63, 64)]


def word_address(value: int) -> str:
    """The address in the low 20 bytes of an ABI word."""
    return "0x" + format(value, "064x")[-40:]


def call_transfer(tx: dict[str, Any]) -> Transfer | None:
    """A token `transfer`/`transferFrom` read from a transaction's call data (before any receipt)."""
    data = str(tx.get("input") or tx.get("data") or "").lower().removeprefix("0x")
    token = str(tx.get("to") or "").lower()
    if not token:
        return None
    args = words(data[8:])
    if data.startswith(SELECTOR_TRANSFER) and len(args) >= 2:
        return Transfer(str(tx.get("from", "")).lower() or None, word_address(args[0]), token, args[1], None)
    if data.startswith(SELECTOR_TRANSFER_FROM) and len(args) >= 3:
        return Transfer(word_address(args[0]), word_address(args[1]), token, args[2], None)
    return None


def abi_text(answer: Any) -> str | None:
    """An `eth_call` answer of `symbol()`/`name()`: an ABI string, or a bytes32 (older tokens)."""
    if not isinstance(answer, str) or not answer.startswith("0x") or len(answer) < 66:
        return None
    raw = bytes.fromhex(answer[2:]) if len(answer) % 2 == 0 else b""
    try:
        if len(raw) >= 64 and int.from_bytes(raw[:32], "big") == 32:
            size = int.from_bytes(raw[32:64], "big")
            text = raw[64:64 + size].decode("utf-8") if size <= len(raw) - 64 else ""
        else:
            text = raw[:32].rstrip(b"\0").decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text[:64] or None


def _calls(frame: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for sub in frame.get("calls") or []:
        if isinstance(sub, dict) and not sub.get("error"):   # a reverted frame moved nothing
            yield sub
            yield from _calls(sub)


def call_tracer_transfers(trace: Any, decimals: int) -> list[Transfer]:
    """Native value moved by inner calls in a `debug_traceTransaction` callTracer result."""
    if not isinstance(trace, dict) or trace.get("error"):
        return []
    out = []
    for frame in _calls(trace):
        value = int(str(frame.get("value") or "0x0"), 16)
        if value and frame.get("to") and frame.get("type") in ("CALL", "CREATE", "CREATE2", "SELFDESTRUCT"):
            out.append(Transfer(str(frame.get("from", "")).lower() or None, str(frame["to"]).lower(), NATIVE,
                                value, decimals))
    return out


def parity_transfers(traces: Any, decimals: int) -> list[Transfer]:
    """Native value moved by inner calls in a `trace_transaction` (OpenEthereum/Erigon) result."""
    if not isinstance(traces, list):
        return []
    failed = [t.get("traceAddress") or [] for t in traces if isinstance(t, dict) and t.get("error")]
    out = []
    for t in traces:
        if not isinstance(t, dict) or not t.get("traceAddress") or t.get("type") != "call":
            continue   # the top-level call's value is the transaction's own
        where = t["traceAddress"]
        if any(where[:len(f)] == f for f in failed):
            continue
        action = t.get("action") or {}
        value = int(str(action.get("value") or "0x0"), 16)
        if value and action.get("to"):
            out.append(Transfer(str(action.get("from", "")).lower() or None, str(action["to"]).lower(), NATIVE,
                                value, decimals))
    return out
