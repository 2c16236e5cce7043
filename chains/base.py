"""The adapter protocol and the chain-agnostic transaction it returns."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from chains.errors import ChainError, InvalidTxHash, RetriableError, WrongChain

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

    @classmethod
    def not_found(cls, network: str, tx_hash: str) -> ChainTx:
        """The node answered and does not know this hash."""
        return cls(network=network, tx_hash=tx_hash, status=TxStatus.NOT_FOUND)


FetchResult = ChainTx | ChainError
T = TypeVar("T")


class Adapter:
    """Base of every family adapter: turns hashes into `ChainTx` over one network's endpoints."""

    family: ClassVar[str] = ""
    #: connections per endpoint (requests in flight at once), unless the caller sets it
    concurrency: int = 4

    def __init__(self, network: Network, endpoints: Sequence[str], *, timeout: float = 20.0,
                 rate_limit: float | None = None, concurrency: int | None = None) -> None:
        self.network = network
        self.endpoints = list(endpoints)
        self.timeout = timeout
        self.rate_limit = rate_limit          # requests per second per endpoint, None for no limit
        self.concurrency = concurrency or type(self).concurrency
        self._hash_re = re.compile(network.tx_hash_regex)
        self._identified: set[int] = set()     # id() of the endpoint clients whose chain was checked
        self._identity_lock = threading.Lock()

    # -- identity -----------------------------------------------------------------------------
    @classmethod
    def normalize_address(cls, address: str) -> str:
        """The canonical form used to compare addresses of this family."""
        return address.strip()

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
                    from chains.networks import network_with_identity

                    other = network_with_identity(self.network.family, got)
                    what = f"{other.name} ({got})" if other else f"a chain identified as {got}"
                    raise WrongChain(f"endpoint {label} is configured for {self.network.name} ({expected}) "
                                     f"but serves {what}: fix the endpoint for {self.network.id}")
            self._identified.add(id(client))

    def failover(self, clients: Sequence[Any], call: Callable[[Any], T]) -> T:
        """`call` on each endpoint client in priority order, each one's chain checked on first use; a
        definite error (a wrong chain included) ends the search. Clients carry a redacted `label`."""
        from chains.http import all_failed

        errors: list[RetriableError] = []
        for client in clients:
            try:
                self.check_endpoint(client, getattr(client, "label", "?"))
                return call(client)
            except RetriableError as exc:
                errors.append(exc)
        raise all_failed(self.network.name, errors)

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

    def network_fee_estimate(self, asset: str) -> int | None:
        """Native base units a recovery transfer of `asset` would cost now; None when unknown."""
        return None

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release connections."""
