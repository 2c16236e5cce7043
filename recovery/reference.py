"""Reference data lookups: our deposit addresses, listed assets, credited deposits and prices."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlmodel import Session, col, select

from chains.addresses import codec
from chains.base import NATIVE, Adapter
from chains.networks import get_network
from chains.registry import adapter_class, adapter_ready
from recovery.models import Credit, DepositAddress, ListedAsset, Price

CHUNK = 500  # keys per IN (...) query


@cache
def _adapter(network_id: str) -> Adapter:
    """An endpoint-less adapter of the network, used only for its hash rules (the base rules for
    families without an adapter yet, so their reference data can be imported already)."""
    net = get_network(network_id)
    cls = adapter_class(net) if adapter_ready(net.family) else Adapter
    return cls(net, ())


def key_address(network_id: str, address: str) -> str:
    """The canonical form of an address on a network (what the tables and triage compare)."""
    return codec(get_network(network_id)).normalize(address)


def key_asset(network_id: str, asset: str) -> str:
    """`native`, or the canonical form of the token's contract / mint / code."""
    value = asset.strip()
    return NATIVE if value.lower() == NATIVE else codec(get_network(network_id)).normalize(value)


def key_tx(network_id: str, tx_hash: str) -> str:
    """The canonical form of a transaction hash; raises `InvalidTxHash` when malformed."""
    return _adapter(network_id).normalize_tx_hash(tx_hash)


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


class Reference:
    """Read access to the reference data, with small per-run caches; load once, look up many."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._assets: dict[str, dict[str, ListedAsset]] = {}
        self._owners: dict[tuple[str, str], list[DepositAddress]] = {}
        self._owned: set[str] = set()   # keys with a deposit-address row on any prefetched network
        self._credits: dict[tuple[str, str], list[Credit]] = {}

    # -- addresses ----------------------------------------------------------------------------
    def prefetch_owners(self, network_ids: Iterable[str], keys: Iterable[str]) -> None:
        """Load the deposit addresses among `keys` on these networks in a few queries."""
        nets = sorted(set(network_ids))
        todo = sorted({k for k in keys if any((n, k) not in self._owners for n in nets)})
        for n in nets:
            for k in todo:
                self._owners.setdefault((n, k), [])
        for part in _chunks(todo):
            rows = self.session.exec(select(DepositAddress).where(
                col(DepositAddress.network).in_(nets), col(DepositAddress.address_key).in_(part)))
            for row in rows:
                self._owners[(row.network, row.address_key)].append(row)
                self._owned.add(row.address_key)

    def owners(self, network_id: str, key: str) -> list[DepositAddress]:
        """Our deposit-address rows (one per memo) for this address on this network."""
        if (network_id, key) not in self._owners:
            self.prefetch_owners([network_id], [key])
        return self._owners[(network_id, key)]

    def owned_anywhere(self, key: str) -> bool:
        """Whether a prefetched address is ours on any of the networks it was prefetched for."""
        return key in self._owned

    # -- assets, credits, prices --------------------------------------------------------------
    def listed_asset(self, network_id: str, asset: str) -> ListedAsset | None:
        """The listing of an asset on a network, or None when we do not list it."""
        if network_id not in self._assets:
            rows = self.session.exec(select(ListedAsset).where(ListedAsset.network == network_id))
            self._assets[network_id] = {r.asset_key: r for r in rows}
        return self._assets[network_id].get(key_asset(network_id, asset))

    def prefetch_credits(self, network_id: str, tx_keys: Iterable[str]) -> None:
        """Load the credits of these transactions in a few queries."""
        todo = sorted({k for k in tx_keys if (network_id, k) not in self._credits})
        for k in todo:
            self._credits[(network_id, k)] = []
        for part in _chunks(todo):
            rows = self.session.exec(select(Credit).where(
                Credit.network == network_id, col(Credit.tx_key).in_(part)))
            for row in rows:
                self._credits[(network_id, row.tx_key)].append(row)

    def credits(self, network_id: str, tx_key: str) -> list[Credit]:
        """The credits already booked for a transaction."""
        if (network_id, tx_key) not in self._credits:
            self.prefetch_credits(network_id, [tx_key])
        return self._credits[(network_id, tx_key)]

    def latest_price(self, network_id: str, asset: str) -> Price | None:
        """The most recent USD price of an asset on a network."""
        return self.session.exec(
            select(Price).where(Price.network == network_id, Price.asset_key == key_asset(network_id, asset))
            .order_by(col(Price.as_of).desc()).limit(1)
        ).first()
