"""Batch verification: a claims file in, one result row per claim out, at the speed of the node.

Rows are read in chunks; a chunk's hashes are grouped by network, deduplicated and fetched with the
adapters' `fetch_many` (while the previous chunk is triaged and written), triaged in bulk, appended to
the output, and a checkpoint is saved, so that `--resume` after a crash continues exactly there.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from chains.base import Adapter, ChainTx, TxStatus
from chains.endpoints import resolve_endpoints
from chains.errors import ChainError, InvalidTxHash, RegistryError, RpcUnavailable, UnsupportedNetwork
from chains.networks import Network, get_network
from chains.registry import adapter_class, adapter_ready, answer_limit, same_family
from recovery.batch_io import (
    LANGUAGE_COLUMN,
    MESSAGE_COLUMN,
    REQUIRED,
    RESULT_COLUMNS,
    CsvSink,
    check_output,
    csv_bytes,
    output_columns,
    publish,
)
from recovery.batch_progress import MALFORMED, Progress, fingerprint, partial_path, progress_path
from recovery.errors import BadInput
from recovery.i18n import ENGLISH
from recovery.reference import Reference, key_tx
from recovery.tabular import ROW_ERROR, Row, count_rows, read_rows, require_columns
from recovery.triage import Outcome, Triage, Verdict, no_adapter, unverifiable, whole_units
from recovery.verify import FOUND, NOT_FOUND, PROBE_BUDGET, UNREACHABLE, with_probes

if TYPE_CHECKING:
    from recovery.batch_cases import CaseOpener

@dataclass(frozen=True)
class BatchOptions:
    """How a batch run talks to the nodes."""

    chunk_size: int = 5000
    concurrency: int | None = None          # connections per endpoint (adapter default when None)
    rate: float | None = None               # requests/second per endpoint, every network
    rate_limits: Mapping[str, float] = field(default_factory=dict)   # per network, from the config file
    config_rpc: Mapping[str, Any] = field(default_factory=dict)
    probe_siblings: bool = True
    timeout: float = 20.0
    cache_size: int = 20_000                # fetched transactions kept for repeated hashes
    open_cases_as: str | None = None        # open a case per recoverable row, as this agent
    limits: Mapping[str, Any] = field(default_factory=dict)          # the config file's [limits]
    probe_budget: float = PROBE_BUDGET      # seconds the sibling probes of one chunk share
    lang: str | None = None                 # a user_message column in this language (a `language` column
                                            # of the claims file wins row by row; it alone adds the column too)


@dataclass
class BatchResult:
    """What a run did: the summary counts, the files, and how long it took."""

    output: Path
    progress: Progress
    elapsed: float
    resumed_from: int = 0

    @property
    def rows(self) -> int:
        """Rows written."""
        return self.progress.rows_done

    def to_json(self) -> dict[str, Any]:
        """The `batch verify --json` summary."""
        p = self.progress
        doc = {"input": p.input, "output": str(self.output), "rows": p.rows_done, "malformed": p.malformed,
                "resumed_from_row": self.resumed_from, "elapsed_seconds": round(self.elapsed, 3),
                "by_outcome": dict(sorted(p.by_outcome.items())),
                "by_network": {n: dict(sorted(c.items())) for n, c in sorted(p.by_network.items())}}
        if p.options.get("open_cases"):
            doc["cases"] = {"opened": p.cases_opened, "existing": p.cases_existing}
        return doc


@dataclass
class _Slot:
    """One input row on its way: where it stands, what it claims, and its result once known."""

    row: Row
    network: Network | None = None
    key: str | None = None
    error: str | None = None      # a malformed row
    verdict: Verdict | None = None
    case_id: int | None = None
    case_note: str | None = None


@dataclass
class _Fetched:
    """A chunk with its chain data fetched, ready for triage."""

    slots: list[_Slot]
    txs: dict[tuple[str, str], ChainTx]
    probed: dict[tuple[str, str], dict[str, str]]


class _Nodes:
    """Adapters per network built once per run, and a bounded cache of fetched transactions."""

    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        self.adapters: dict[str, Adapter] = {}
        self.cache: OrderedDict[tuple[str, str], ChainTx] = OrderedDict()
        self._lock = threading.Lock()   # adapters are built by the fetch thread and used by triage

    def adapter(self, net: Network, *, explicit_only: bool = False) -> Adapter | None:
        """The run's adapter of a network (None when `explicit_only` and nobody chose its endpoints)."""
        label = ("probe:" if explicit_only else "") + net.id
        with self._lock:
            return self._adapter(net, label, explicit_only)

    def _adapter(self, net: Network, label: str, explicit_only: bool) -> Adapter | None:
        if label not in self.adapters:
            endpoints = resolve_endpoints(net, None, self.options.config_rpc)
            if explicit_only and not endpoints.explicit:
                return None
            timeout = min(self.options.timeout, self.options.probe_budget) if explicit_only else self.options.timeout
            self.adapters[label] = adapter_class(net)(
                net, endpoints.urls, timeout=timeout, concurrency=self.options.concurrency,
                rate_limit=self.options.rate or self.options.rate_limits.get(net.id),
                max_answer_bytes=answer_limit(self.options.limits, net))
        return self.adapters[label]

    def fetch(self, net: Network, keys: list[str], *, probe: bool = False) -> dict[str, ChainTx | ChainError]:
        """Fetch unique hashes of one network, repeated hashes from the cache."""
        adapter = self.adapter(net, explicit_only=probe)
        if adapter is None:
            return {}
        out: dict[str, ChainTx | ChainError] = {}
        todo = []
        for k in keys:
            hit = self.cache.get((net.id, k))
            if hit is not None:
                self.cache.move_to_end((net.id, k))
                out[k] = hit
            else:
                todo.append(k)
        if todo:
            try:
                results = adapter.fetch_many(todo)
            except ChainError as exc:   # the head could not be read, or the endpoint is another chain
                results = [exc] * len(todo)
            except Exception as exc:    # noqa: BLE001 - an answer no adapter rule foresaw costs its network only
                results = [RpcUnavailable(f"{net.name}: an answer could not be read ({type(exc).__name__})")
                           ] * len(todo)
            for k, res in zip(todo, results, strict=True):
                out[k] = res
                if isinstance(res, ChainTx) and self.options.cache_size:
                    self.cache[(net.id, k)] = res
            while len(self.cache) > self.options.cache_size:
                self.cache.popitem(last=False)
        return out

    def close(self) -> None:
        """Release every adapter's connections."""
        for adapter in self.adapters.values():
            adapter.close()


def _check(slot: _Slot) -> None:
    """Fill the slot's network and hash key, or its error (malformed) or verdict (no adapter)."""
    row = slot.row
    if ROW_ERROR in row:
        slot.error = row[ROW_ERROR]
        return
    network_id, tx_hash = row.get("network", ""), row.get("tx_hash", "")
    if not network_id:
        slot.error = "empty network"
        return
    if not tx_hash:
        slot.error = "empty tx_hash"
        return
    try:
        net = get_network(network_id.lower())
    except (RegistryError, UnsupportedNetwork):
        slot.error = f"unknown network {network_id!r}"
        return
    slot.network = net
    try:
        slot.key = key_tx(net.id, tx_hash)
    except ChainError as exc:
        slot.error = exc.user_message
        return
    if not adapter_ready(net.family):
        slot.verdict = no_adapter(net, slot.key)


def _prepare(nodes: _Nodes, rows: list[Row], probe: bool) -> _Fetched:
    """Check the rows, then fetch each network's unique hashes (and probe siblings for unknown ones)."""
    slots = [_Slot(row) for row in rows]
    groups: dict[str, dict[str, None]] = {}
    nets: dict[str, Network] = {}
    for slot in slots:
        _check(slot)
        if slot.network is not None and slot.key is not None and slot.verdict is None:
            groups.setdefault(slot.network.id, {})[slot.key] = None
            nets[slot.network.id] = slot.network
    txs: dict[tuple[str, str], ChainTx] = {}
    errors: dict[tuple[str, str], ChainError] = {}
    for net_id, keys in groups.items():
        for k, res in nodes.fetch(nets[net_id], list(keys)).items():
            if isinstance(res, ChainTx):
                txs[(net_id, k)] = res
            else:
                errors[(net_id, k)] = res
    for slot in slots:
        if slot.network is not None and slot.key is not None and (slot.network.id, slot.key) in errors:
            exc = errors[(slot.network.id, slot.key)]
            if isinstance(exc, InvalidTxHash):
                slot.error = exc.user_message
            else:   # the node could not answer, or the endpoint serves another chain (WrongChain)
                slot.verdict = unverifiable(slot.network, slot.key, exc.user_message)
    probed = _probe(nodes, nets, txs) if probe else {}
    return _Fetched(slots, txs, probed)


def _probe(nodes: _Nodes, nets: dict[str, Network],
           txs: dict[tuple[str, str], ChainTx]) -> dict[tuple[str, str], dict[str, str]]:
    """For hashes unknown on their network: every sibling with an explicit endpoint asked at once, all
    within the probe budget; per hash, sibling id -> "found" | "not found" | "unreachable"."""
    jobs: list[tuple[str, Network, list[str]]] = []
    for net_id, net in nets.items():
        missing = [k for (n, k), tx in txs.items() if n == net_id and tx.status is TxStatus.NOT_FOUND]
        if missing:
            jobs += [(net_id, other, missing) for other in same_family(net)
                     if adapter_ready(other.family) and nodes.adapter(other, explicit_only=True) is not None]
    if not jobs:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(16, len(jobs)), thread_name_prefix="batch-probe")
    futures = [pool.submit(nodes.fetch, other, missing, probe=True) for _, other, missing in jobs]
    wait(futures, timeout=nodes.options.probe_budget)
    pool.shutdown(wait=False, cancel_futures=True)   # a sibling still talking ends at its own deadline
    out: dict[tuple[str, str], dict[str, str]] = {}
    for (net_id, other, missing), future in zip(jobs, futures, strict=True):
        answers = future.result() if future.done() and not future.exception() else {}
        for k in missing:
            res = answers.get(k)
            state = UNREACHABLE if not isinstance(res, ChainTx) else \
                NOT_FOUND if res.status is TxStatus.NOT_FOUND else FOUND
            out.setdefault((net_id, k), {})[other.id] = state
    return out


def _triage(engine: Engine, nodes: _Nodes, fetched: _Fetched) -> list[_Slot]:
    """Triage every fetched transaction of the chunk, a network at a time, against reference data."""
    verdicts: dict[tuple[str, str], Verdict] = {}
    with Session(engine) as session:
        ref = Reference(session)   # per chunk: its caches stay bounded
        by_net: dict[str, list[ChainTx]] = {}
        for (net_id, _), tx in fetched.txs.items():
            by_net.setdefault(net_id, []).append(tx)
        for net_id, txs in by_net.items():
            net = get_network(net_id)
            for tx, verdict in zip(txs, Triage(ref, net, nodes.adapter(net)).run(txs), strict=True):
                key = (net_id, tx.tx_hash)
                probed = fetched.probed.get(key)
                if probed and verdict.outcome is Outcome.NOT_FOUND:
                    verdict = with_probes(verdict, net, probed)
                verdicts[key] = verdict
    for slot in fetched.slots:
        if slot.verdict is None and slot.error is None and slot.network is not None and slot.key is not None:
            slot.verdict = verdicts[(slot.network.id, slot.key)]
    return fetched.slots


def result_cells(slot: _Slot) -> list[str]:
    """The result columns of one row, in RESULT_COLUMNS order."""
    v = slot.verdict
    if v is None:
        return [""] * (len(RESULT_COLUMNS) - 1) + [slot.error or "no result"]
    t = v.transfer or (v.transfers[0] if v.transfers else None)
    asset = v.asset or (t.asset if t else None)
    # never base units labelled as whole units: a transfer whose decimals are unknown leaves it empty
    amount = v.amount if v.amount is not None else (
        whole_units(t.amount, t.decimals) if t and t.decimals is not None and v.transfer is None else None)
    values: list[Any] = [v.status, v.outcome.value, v.recoverable, v.reason, v.block_height,
                         v.confirmations if v.status != "unknown" else None, asset,
                         None if amount is None else format(amount, "f"), t.from_address if t else None,
                         t.to_address if t else None, v.found_on_network, v.error]
    return ["" if x is None else str(x) for x in values]


def _open_cases(opener: CaseOpener, slots: list[_Slot], progress: Progress) -> None:
    """A case for each recoverable row whose hash has none yet; rows of an existing case get its id."""
    todo = [s for s in slots if s.verdict is not None and s.verdict.recoverable == "yes"]
    by_net: dict[str, list[_Slot]] = {}
    for slot in todo:
        by_net.setdefault(slot.verdict.network, []).append(slot)  # type: ignore[union-attr]
    for net_id, group in by_net.items():
        known = opener.existing(net_id, [s.key or "" for s in group])
        for slot in group:
            key = slot.key or ""
            if key in known:
                slot.case_id = known[key]
                progress.cases_existing += 1
                continue
            slot.case_id, slot.case_note = opener.open(slot.verdict, slot.row)  # type: ignore[arg-type]
            if slot.case_id is not None:
                known[key] = slot.case_id
                progress.cases_opened += 1


ProgressHook = Callable[[int, int | None], None]   # (rows done, rows in the file or None)
CHECKPOINT_SECONDS = 1.0   # rows are fetched in slices sized to take about this long: a checkpoint each
FIRST_SLICE = 100          # rows in the first slice, before the pace of the nodes is known


class _Pace:
    """The size of the next slice of rows: what the last one's pace finishes in CHECKPOINT_SECONDS, at most
    the chunk size and at most four times the last size."""

    def __init__(self, chunk_size: int) -> None:
        self.chunk_size = chunk_size
        self.size = min(chunk_size, FIRST_SLICE)
        self.last = time.monotonic()

    def done(self, rows: int) -> None:
        """A slice of `rows` was committed."""
        now = time.monotonic()
        rate = rows / max(now - self.last, 1e-3)
        self.last = now
        self.size = max(1, min(self.chunk_size, self.size * 4, int(rate * CHECKPOINT_SECONDS)))


def run_batch(engine: Engine, input_path: Path, output: Path, *, resume: bool = False,
              options: BatchOptions | None = None, on_progress: ProgressHook | None = None) -> BatchResult:
    """Verify every claim of `input_path` into `output` (CSV or XLSX); resumable from its progress file."""
    opts = options or BatchOptions()
    if output.suffix.lower() not in (".csv", ".xlsx"):
        raise BadInput(f"{output}: the output must be a .csv or .xlsx file")
    started = time.monotonic()
    state_file, sink_path = progress_path(output), partial_path(output)
    check_output(input_path, output, sink_path, state_file, state_file.with_name(state_file.name + ".tmp"))
    chunks = read_rows(input_path, opts.chunk_size)
    columns, first = next(chunks)
    require_columns(input_path, columns, REQUIRED)
    messages = opts.lang is not None or LANGUAGE_COLUMN in columns
    header, _ = output_columns(columns, (MESSAGE_COLUMN,) if messages else ())
    wanted: dict[str, Any] = {"open_cases": bool(opts.open_cases_as)}
    if wanted["open_cases"]:
        header.append("case_id")
    if messages:
        wanted["user_message"] = opts.lang or ENGLISH
        header.append(MESSAGE_COLUMN)
    if state_file.exists() and not resume:
        raise BadInput(f"{state_file} exists: a previous run into {output} did not finish; "
                       "run again with --resume to continue it, or delete that file to start over")
    if resume and state_file.exists():
        progress = Progress.load(state_file)
        if progress.input_fingerprint != fingerprint(input_path):
            raise BadInput(f"{input_path} changed since the interrupted run; delete {state_file} to start over")
        if progress.options.get("open_cases", False) != wanted["open_cases"]:
            how = "with" if progress.options.get("open_cases") else "without"
            raise BadInput(f"{state_file} was written by a run {how} --open-cases: resume it the same way, "
                           "or delete it to start over")
        if progress.options.get("user_message") != wanted.get("user_message"):
            was = progress.options.get("user_message")
            how = f"with --lang {was}" if was else "without user messages"
            raise BadInput(f"{state_file} was written by a run {how}: resume it the same way, "
                           "or delete it to start over")
        sink = CsvSink(sink_path, keep_bytes=progress.output_bytes)
    else:
        progress = Progress(input=str(input_path), input_fingerprint=fingerprint(input_path), options=wanted)
        sink = CsvSink(sink_path, keep_bytes=None)
    resumed_from = progress.rows_done
    total = count_rows(input_path)
    if on_progress:
        on_progress(progress.rows_done, total)

    pace = _Pace(opts.chunk_size)

    def unskipped() -> Iterator[list[Row]]:
        skip = resumed_from   # rows the interrupted run already wrote
        for rows in chain([first], (rows for _, rows in chunks)):
            if skip >= len(rows):
                skip -= len(rows)
                continue
            rows, skip = rows[skip:], 0
            while rows:   # slices sized by time, so that a checkpoint comes about every CHECKPOINT_SECONDS
                n = pace.size   # read once: the pace changes while this generator waits at `yield`
                yield rows[:n]
                rows = rows[n:]

    opener = None
    if opts.open_cases_as is not None:
        from recovery.batch_cases import CaseOpener
        opener = CaseOpener(engine, opts.open_cases_as, opts.config_rpc)
    nodes = _Nodes(opts)

    writer = _Letters(wanted["user_message"]) if messages else None

    def commit(fetched: _Fetched) -> None:
        _commit(engine, nodes, opener, fetched, columns, sink, progress, state_file, on_progress, total, writer)
        pace.done(len(fetched.slots))

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-fetch")
    try:
        if not progress.header_written:
            sink.write(csv_bytes([header]))
            progress.header_written = True
        ahead: Future[_Fetched] | None = None
        for rows in unskipped():
            if not rows:
                continue
            nxt = pool.submit(_prepare, nodes, rows, opts.probe_siblings)
            if ahead is not None:
                commit(ahead.result())
            ahead = nxt
        if ahead is not None:
            commit(ahead.result())
        pool.shutdown()
        progress.output_bytes = sink.sync()
        progress.save(state_file)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)   # on Ctrl-C: do not wait for a fetch in flight
        sink.close()
        nodes.close()
    publish(sink_path, output)
    state_file.unlink()
    return BatchResult(output=output, progress=progress, elapsed=time.monotonic() - started,
                       resumed_from=resumed_from)


class _Letters:
    """The user_message cell of a row: in the row's `language` when it names one we write in, else in the
    run's language; an unknown language reads in English and the row's `error` says so."""

    def __init__(self, default: str) -> None:
        from recovery.i18n import speaker

        self.default = speaker(default)
        self.speakers = {default: self.default}

    def cell(self, slot: _Slot) -> tuple[str, str | None]:
        """The message, and a note for the `error` column (or None)."""
        from recovery.i18n import ENGLISH, find_language, language_list, speaker
        from recovery.messages import verdict_letter

        if slot.verdict is None:
            return "", None
        sp, note = self.default, None
        asked = (slot.row.get(LANGUAGE_COLUMN) or "").strip()
        if asked:
            lang = find_language(asked)
            if lang is None:
                lang, note = ENGLISH, (f"language {asked!r} is not one we write in ({language_list()}): "
                                       "user_message in English")
            sp = self.speakers.setdefault(lang, speaker(lang))
        user = (slot.row.get("user_id") or "").strip() or None
        return verdict_letter(slot.verdict, user_id=user, sp=sp).text, note


def _commit(engine: Engine, nodes: _Nodes, opener: CaseOpener | None, fetched: _Fetched, columns: list[str],
            sink: CsvSink, progress: Progress, state_file: Path, on_progress: ProgressHook | None,
            total: int | None, letters: _Letters | None = None) -> None:
    """Triage a fetched chunk, open its cases, append its rows, and checkpoint."""
    slots = _triage(engine, nodes, fetched)
    if opener is not None:
        _open_cases(opener, slots, progress)
    lines = []
    for slot in slots:
        network = slot.network.id if slot.network else (slot.row.get("network") or "(blank)")
        progress.count(network, slot.verdict.outcome.value if slot.verdict else MALFORMED)
        cells = [slot.row.get(c, "") for c in columns] + result_cells(slot)
        error = len(cells) - 1
        if opener is not None:
            if slot.case_note:
                cells[error] = "; ".join(x for x in (cells[error], slot.case_note) if x)
            cells.append("" if slot.case_id is None else str(slot.case_id))
        if letters is not None:
            text, note = letters.cell(slot)
            if note:
                cells[error] = "; ".join(x for x in (cells[error], note) if x)
            cells.append(text)
        lines.append(cells)
    sink.write(csv_bytes(lines))
    progress.rows_done += len(fetched.slots)
    progress.output_bytes = sink.sync()
    progress.save(state_file)
    if on_progress:
        on_progress(progress.rows_done, total)


__all__ = ["BatchOptions", "BatchResult", "Outcome", "run_batch"]
