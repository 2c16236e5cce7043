"""The adapter protocol and the chain-agnostic transaction it returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from chains.errors import ChainError, InvalidTxHash

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

    # -- identity -----------------------------------------------------------------------------
    @classmethod
    def normalize_address(cls, address: str) -> str:
        """The canonical form used to compare addresses of this family."""
        return address.strip()

    def normalize_tx_hash(self, tx_hash: str) -> str:
        """The hash in the form the node expects; raises `InvalidTxHash` if malformed."""
        value = tx_hash.strip()
        if not self._hash_re.fullmatch(value):
            raise InvalidTxHash(
                f"{tx_hash!r} is not a valid {self.network.name} transaction hash "
                f"(expected {self.network.tx_hash_regex})"
            )
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
