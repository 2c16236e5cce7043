"""The adapter protocol and the chain-agnostic transaction it returns."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from chains.addresses import codec
from chains.errors import ChainError, InvalidTxHash, RetriableError, RpcUnavailable, WrongChain

if TYPE_CHECKING:
    from chains.networks import Network

NATIVE = "native"


class TxStatus(StrEnum):
    """What the chain says of a transaction."""

    CONFIRMED = "confirmed"
    PENDING = "pending"
    FAILED = "failed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Transfer:
    """One movement of value inside a transaction; `amount` is in integer base units."""

    from_address: str | None
    to_address: str
    asset: str
    amount: int
    decimals: int | None
    memo: str | None = None
    non_fungible: bool = False


@dataclass(frozen=True, slots=True)
class ChainTx:
    """A transaction as the chain reports it, the same shape for every family."""

    network: str
    tx_hash: str
    status: TxStatus
    block_height: int | None = None
    confirmations: int = 0
    timestamp: int | None = None
    fee_paid: int | None = None
    transfers: tuple[Transfer, ...] = ()
    # recipients (normalised) that the adapter knows to be contracts, not wallets
    contract_recipients: frozenset[str] = field(default_factory=frozenset)
    #: the chain's own finality: True once final (EVM `finalized` tag, Tron solidified, Solana
    #: finalized commitment), False when known not to be, None where the chain or node cannot say
    final: bool | None = None
    #: the transaction ran contract code, which may move value that only a trace shows
    contract_call: bool = False

    @classmethod
    def not_found(cls, network: str, tx_hash: str) -> ChainTx:
        """The node answered and does not know this hash."""
        return cls(network=network, tx_hash=tx_hash, status=TxStatus.NOT_FOUND)


FetchResult = ChainTx | ChainError
T = TypeVar("T")
C = TypeVar("C")
DEFAULT_MAX_ANSWER_BYTES = 8 * 2**20


def head_age_limit(network: Network, environ: dict[str, str] | None = None) -> float | None:
    """Seconds the newest block of an endpoint may be old: env `RECOVERY_MAX_HEAD_AGE_<ID>` (`off` or 0
    for no check), else the registry's `max_head_age_seconds`; None for no check."""
    env = os.environ if environ is None else environ
    value = env.get("RECOVERY_MAX_HEAD_AGE_" + network.id.upper().replace("-", "_"), "").strip().lower()
    if value:
        if value in ("off", "0", "none"):
            return None
        try:
            return float(value)
        except ValueError:
            return network.max_head_age_seconds
    return network.max_head_age_seconds


def is_not_found(result: object) -> bool:
    """Whether a fetch result says "this endpoint does not know the hash"."""
    return isinstance(result, ChainTx) and result.status is TxStatus.NOT_FOUND


class Adapter:
    """Base of every family adapter: turns hashes into `ChainTx` over one network's endpoints."""

    family: ClassVar[str] = ""
    #: connections per endpoint (requests in flight at once), unless the caller sets it
    concurrency: int = 4
    #: the largest answer read from a node, unless the caller (config `[limits]`) sets it
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES

    def __init__(self, network: Network, endpoints: Sequence[str], *, timeout: float = 20.0,
                 rate_limit: float | None = None, concurrency: int | None = None,
                 max_answer_bytes: int | None = None) -> None:
        self.network = network
        self.endpoints = list(endpoints)
        self.timeout = timeout                # overall deadline of one request, retries included
        self.rate_limit = rate_limit          # requests per second per endpoint, None for no limit
        self.concurrency = concurrency or type(self).concurrency
        self.max_answer_bytes = max_answer_bytes or type(self).max_answer_bytes
        self.max_head_age = head_age_limit(network)
        self._hash_re = re.compile(network.tx_hash_regex)
        self._identified: set[int] = set()     # id() of the endpoint clients whose chain was checked
        self._identity_lock = threading.Lock()

    # -- identity -----------------------------------------------------------------------------
    def normalize_address(self, address: str) -> str:
        """The key an address is compared by on this network (its family's codec, chains/addresses/)."""
        return codec(self.network).normalize(address)

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """The hash in the form the node expects; raises `InvalidTxHash` if malformed."""
        value = tx_hash.strip()
        if not self._hash_re.fullmatch(value):
            from chains.hash_form import explain

            raise InvalidTxHash(f"{tx_hash!r} is not a valid {self.network.name} transaction hash: "
                                f"{explain(value, self.network.tx_hash_regex)}")
        return value

    def split_hashes(self, hashes: Sequence[str]) -> tuple[list[FetchResult | None], dict[int, str]]:
        """Result slots with each malformed hash's error in place, and the well-formed hashes by position."""
        results: list[FetchResult | None] = [None] * len(hashes)
        valid: dict[int, str] = {}
        for i, h in enumerate(hashes):
            try:
                valid[i] = self.normalize_tx_hash(h)
            except InvalidTxHash as exc:
                results[i] = exc
        return results, valid

    # -- endpoint identity ----------------------------------------------------------------------
    def identify(self, client: Any) -> str:
        """The chain identity this endpoint client reports, in the form of `Network.expected_identity()`
        (EVM: the decimal chain id). Network trouble raises a retriable error."""
        raise NotImplementedError(f"{type(self).__name__} cannot tell which chain an endpoint serves")

    def check_endpoint(self, client: Any, label: str) -> None:
        """Once per endpoint client and adapter: refuse an endpoint that serves another chain."""
        if id(client) in self._identified:
            return
        with self._identity_lock:
            if id(client) in self._identified:
                return
            expected = self.network.expected_identity()
            if expected is not None:
                got = self.identify(client)
                if got != expected:
                    from chains.networks import networks_with_identity

                    others = networks_with_identity(self.network.family, got)
                    what = (f"{' or '.join(n.name for n in others)} ({got})" if others
                            else f"a chain identified as {got}")
                    raise WrongChain(f"endpoint {label} is configured for {self.network.name} ({expected}) "
                                     f"but serves {what}: fix the endpoint for {self.network.id}")
            self._identified.add(id(client))

    def check_head(self, label: str, head_time: int | float | None) -> None:
        """Refuse (retriable) an endpoint whose newest block is older than the network allows."""
        if self.max_head_age is None:
            return
        if head_time is None:
            raise RpcUnavailable(f"{label} did not say when its newest block was made")
        age = time.time() - float(head_time)
        if age > self.max_head_age:
            raise RpcUnavailable(f"{label} is behind: its newest block is {age:.0f}s old, more than the "
                                 f"{self.max_head_age:g}s {self.network.name} allows")

    def failover(self, clients: Sequence[Any], call: Callable[[Any], T],
                 confirm: Callable[[T], bool] = is_not_found) -> T:
        """`call` on each endpoint client in priority order, each one's chain checked on first use.

        A retriable error passes to the next endpoint; a definite error (a wrong chain included) ends
        the search. An answer for which `confirm` holds (by default: not found) is asked again of the
        next endpoint: it stands when another endpoint gives it too, or when it was the only endpoint;
        if every other endpoint fails, it is not confirmed and the search fails (retriable).
        Clients carry a redacted `label`."""
        from chains.http import all_failed

        errors: list[RetriableError] = []
        unconfirmed: tuple[str, T] | None = None
        for client in clients:
            label = getattr(client, "label", "?")
            try:
                self.check_endpoint(client, label)
                result = call(client)
            except RetriableError as exc:
                errors.append(exc)
                continue
            if not confirm(result) or unconfirmed is not None or len(clients) == 1:
                return result
            unconfirmed = (label, result)
        if unconfirmed is not None:
            raise all_failed(self.network.name, [RpcUnavailable(
                f"{unconfirmed[0]} does not know it and no other endpoint could confirm that"), *errors])
        raise all_failed(self.network.name, errors)

    def fetch_across(self, clients: Sequence[C], hashes: dict[int, str],
                     fetch_on: Callable[[C, list[str]], list[FetchResult]]) -> dict[int, FetchResult]:
        """The batch form of `failover`: each hash goes down the endpoint list until one answers it;
        a not-found is confirmed on the next endpoint the same way. Results by position."""
        from chains.http import all_failed

        out: dict[int, FetchResult] = {}
        todo = dict(hashes)
        errors: dict[int, list[RetriableError]] = {i: [] for i in todo}
        unconfirmed: dict[int, tuple[str, ChainTx]] = {}
        for client in clients:
            if not todo:
                break
            label = getattr(client, "label", "?")
            index = list(todo)
            try:
                self.check_endpoint(client, label)
                results = fetch_on(client, [todo[i] for i in index])
            except RetriableError as exc:
                results = [exc] * len(index)
            for i, result in zip(index, results, strict=True):
                if isinstance(result, RetriableError):
                    errors[i].append(result)
                elif is_not_found(result) and i not in unconfirmed and len(clients) > 1:
                    unconfirmed[i] = (label, result)   # type: ignore[assignment]
                else:
                    out[i] = result
                    del todo[i]
        for i in todo:
            if i in unconfirmed:
                label = unconfirmed[i][0]
                errors[i].insert(0, RpcUnavailable(
                    f"{label} does not know {hashes[i]} and no other endpoint could confirm that"))
            out[i] = all_failed(self.network.name, errors[i])
        return out

    # -- fetching -----------------------------------------------------------------------------
    def fetch(self, tx_hash: str) -> ChainTx:
        """Fetch one transaction; not-found is a status, network trouble raises a retriable error.
        By default the batch path with a single hash."""
        result = self.fetch_many([tx_hash])[0]
        if isinstance(result, ChainError):
            raise result
        return result

    def fetch_many(self, hashes: Sequence[str]) -> list[FetchResult]:
        """Fetch many hashes, results in input order, each error in its hash's place."""
        raise NotImplementedError

    def contract_addresses(self, addresses: Sequence[str]) -> set[str]:
        """Which of these (normalised) addresses are contracts; families without contracts: none."""
        return set()

    def inner_transfers(self, txs: Sequence[ChainTx]) -> dict[str, list[Transfer]]:
        """Value moved inside contract calls (a trace), by tx hash; raises when the node cannot say.
        Families without contract calls have none."""
        return {tx.tx_hash: [] for tx in txs}

    def token_symbol(self, asset: str) -> str | None:
        """The token's own symbol (or name) as the chain reports it, where the adapter read it."""
        return None

    def network_fee_estimate(self, asset: str) -> int | None:
        """Native base units a recovery transfer of `asset` would cost now; None when unknown."""
        return None

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release connections."""
