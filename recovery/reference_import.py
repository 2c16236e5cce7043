"""`recovery import`: reference files in, one upsert per good row, bad rows reported by line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import SQLModel

from chains.addresses import InvalidAddress, codec
from chains.errors import ChainError
from chains.networks import get_network
from recovery.bounds import MAX_PRICE_USD, check_row, decimal_problem, time_problem
from recovery.db import session_scope
from recovery.dbtypes import utcnow
from recovery.errors import BadInput
from recovery.models import Credit, DepositAddress, ListedAsset, Price
from recovery.reference import key_address, key_asset, key_tx
from recovery.tabular import ROW_ERROR, ROW_LINE, read_rows, require_columns

KINDS = ("addresses", "assets", "credits", "prices")
_FIELD_OF = {"address_key": "address", "asset_key": "asset", "tx_key": "tx_hash"}   # stored key -> its cell


class RowError(ValueError):
    """A bad cell: the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass
class ImportReport:
    """What an import did: rows read, rows written, and each bad row with its line."""

    kind: str
    path: str
    read: int = 0
    written: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as the `--json` document."""
        return {"kind": self.kind, "file": self.path, "rows": self.read, "imported": self.written,
                "rejected": len(self.errors),
                "errors": [{"line": line, "error": msg} for line, msg in self.errors]}


def _network(row: dict[str, str]) -> str:
    try:
        return get_network(row.get("network", "")).id
    except ChainError as exc:
        raise RowError("network", exc.user_message) from None


def _decimal(row: dict[str, str], name: str, *, positive: bool = False, maximum: Decimal | None = None) -> Decimal:
    text = row.get(name, "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(name, f"{text[:40]!r} is not a number") from None
    problem = decimal_problem(value, zero_ok=not positive, maximum=maximum)
    if problem:
        raise RowError(name, f"{text[:40]!r} {problem}")
    return value


def _required(row: dict[str, str], name: str) -> str:
    value = row.get(name, "")
    if not value:
        raise RowError(name, "is empty")
    return value


def _address(row: dict[str, str]) -> dict[str, Any]:
    net = get_network(_network(row))
    address = _required(row, "address")
    try:
        codec(net).validate(address)
    except InvalidAddress as exc:
        raise RowError("address", exc.user_message) from None
    memo = row.get("memo", "")
    if memo and not net.valid_memo(memo):
        raise RowError("memo", f"{memo!r} does not match {net.name}'s memo format {net.memo_regex}")
    if net.memo_required and not memo:
        raise RowError("memo", f"{net.name} deposit addresses need a memo")
    return {"network": net.id, "address": address, "address_key": key_address(net.id, address),
            "user_id": _required(row, "user_id"), "memo": memo, "imported_at": utcnow()}


_BOOLS = {"true": True, "yes": True, "1": True, "y": True, "false": False, "no": False, "0": False, "n": False}


def _asset(row: dict[str, str]) -> dict[str, Any]:
    network = _network(row)
    asset = _required(row, "asset")
    decimals_text = _required(row, "decimals")
    if not decimals_text.isdigit() or int(decimals_text) > 36:
        raise RowError("decimals", f"{decimals_text!r} must be a whole number from 0 to 36")
    enabled = row.get("deposit_enabled", "true").lower() or "true"
    if enabled not in _BOOLS:
        raise RowError("deposit_enabled", f"{enabled!r} must be true or false")
    return {"network": network, "asset": asset, "asset_key": _asset_key(network, asset),
            "symbol": _required(row, "symbol"), "decimals": int(decimals_text),
            "min_deposit": _decimal(row, "min_deposit"), "deposit_enabled": _BOOLS[enabled]}


def _asset_key(network: str, asset: str) -> str:
    try:
        return key_asset(network, asset)
    except (ChainError, ValueError) as exc:
        raise RowError("asset", str(exc)) from None


def _credit(row: dict[str, str]) -> dict[str, Any]:
    network = _network(row)
    tx_hash = _required(row, "tx_hash")
    try:
        tx_key = key_tx(network, tx_hash)
    except ChainError as exc:
        raise RowError("tx_hash", exc.user_message) from None
    asset = _required(row, "asset")
    return {"network": network, "tx_hash": tx_hash, "tx_key": tx_key, "user_id": _required(row, "user_id"),
            "asset": asset, "asset_key": _asset_key(network, asset),
            "amount": _decimal(row, "amount", positive=True)}


def _price(row: dict[str, str]) -> dict[str, Any]:
    network = _network(row)
    asset = _required(row, "asset")
    text = _required(row, "as_of")
    try:
        as_of = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise RowError("as_of", f"{text[:40]!r} is not an ISO date or time") from None
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    problem = time_problem(as_of)
    if problem:
        raise RowError("as_of", f"{text!r} {problem}")
    return {"network": network, "asset": asset, "asset_key": _asset_key(network, asset),
            "usd_price": _decimal(row, "usd_price", positive=True, maximum=MAX_PRICE_USD),
            "as_of": as_of.astimezone(UTC),
            "source": row.get("source") or "import"}


@dataclass(frozen=True)
class _Spec:
    model: type[SQLModel]
    columns: tuple[str, ...]
    parse: Callable[[dict[str, str]], dict[str, Any]]
    conflict: tuple[str, ...]   # the unique key: a row already there is updated, not duplicated


SPECS: dict[str, _Spec] = {
    "addresses": _Spec(DepositAddress, ("network", "address", "user_id"), _address,
                       ("network", "address_key", "memo")),
    "assets": _Spec(ListedAsset, ("network", "asset", "symbol", "decimals", "min_deposit"), _asset,
                    ("network", "asset_key")),
    "credits": _Spec(Credit, ("network", "tx_hash", "user_id", "asset", "amount"), _credit,
                     ("network", "tx_key", "asset_key")),
    "prices": _Spec(Price, ("network", "asset", "usd_price", "as_of"), _price, ("network", "asset_key", "as_of")),
}


def _upsert(engine: Engine, spec: _Spec, values: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    insert: Any = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    table = spec.model.__table__  # type: ignore[attr-defined]
    # the last row of a file wins when it names the same key twice
    unique = {tuple(v[c] for c in spec.conflict): v for v in values}
    stmt = insert(table).values(list(unique.values()))
    updates = {c: stmt.excluded[c] for c in unique[next(iter(unique))] if c not in spec.conflict}
    with session_scope(engine) as session:
        session.execute(stmt.on_conflict_do_update(index_elements=list(spec.conflict), set_=updates))


def import_file(engine: Engine, kind: str, path: Path) -> ImportReport:
    """Import one reference file; every good row lands even when others are bad."""
    if kind not in SPECS:
        raise BadInput(f"unknown reference kind {kind!r}; one of {', '.join(KINDS)}")
    spec = SPECS[kind]
    table = spec.model.__table__  # type: ignore[attr-defined]
    report = ImportReport(kind, str(path))
    for columns, rows in read_rows(path, chunksize=2000):   # SQLite takes ~32k bound values a statement
        require_columns(path, columns, spec.columns)
        good = []
        for row in rows:
            report.read += 1
            line = int(row[ROW_LINE])
            if ROW_ERROR in row:
                report.errors.append((line, row[ROW_ERROR]))
                continue
            try:
                values = spec.parse(row)
            except RowError as exc:
                report.errors.append((line, str(exc)))
                continue
            # lengths and characters checked here, before the database sees them: on PostgreSQL one
            # overlong value or NUL byte would fail the whole statement and lose the good rows with it
            problem = check_row(table, values, _FIELD_OF)
            if problem:
                report.errors.append((line, problem))
                continue
            good.append(values)
        if good:
            _upsert(engine, spec, good)
            report.written += len(good)
    return report
