"""Triage: hold a transaction's on-chain facts against our reference data and name the cause."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Any

from chains.base import NATIVE, Adapter, ChainTx, Transfer, TxStatus
from chains.errors import ChainError
from chains.networks import Network, key_peers
from recovery.models import DepositAddress
from recovery.outcomes import OUTCOMES, Outcome
from recovery.reference import Reference, key_address, key_tx

RECOVERABLE: dict[Outcome, str] = {o: row.recoverable for o, row in OUTCOMES.items()}


def whole_units(amount: int, decimals: int | None) -> Decimal:
    """Base units -> whole units, exactly at any size (base units unchanged when decimals are unknown)."""
    if decimals is None:
        return Decimal(amount)
    sign, digits, exponent = Decimal(amount).as_tuple()
    exact = Decimal((sign, digits, int(exponent) - decimals))
    with localcontext() as ctx:   # normalize() rounds to the context's precision: give it every digit
        ctx.prec = len(digits) + 1
        return exact.normalize()


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim, with the facts it rests on."""

    network: str
    tx_hash: str
    status: str
    outcome: Outcome
    reason: str
    block_height: int | None = None
    confirmations: int = 0
    required_confirmations: int = 0
    transfers: tuple[Transfer, ...] = ()
    transfer: Transfer | None = None
    asset: str | None = None
    symbol: str | None = None
    #: an unlisted token's own `symbol()`/`name()` as the chain reports it (None: not read)
    token_symbol: str | None = None
    amount: Decimal | None = None
    user_id: str | None = None
    deposit_address: str | None = None
    deposit_network: str | None = None
    found_on_network: str | None = None
    error: str | None = None
    explorer_url: str | None = None
    #: the transfer's amount in base units and the decimals it was read with (None: unknown)
    amount_base_units: int | None = None
    decimals: int | None = None
    #: sibling network id -> "found" | "not found" | "unreachable", for a hash this network does not know
    probed: Mapping[str, str] | None = None
    #: the time of the transaction's block (UTC; None: the chain did not say)
    block_time: datetime | None = None
    #: the recovery conditions of a conditional network held against the deposit (`recovery verify`)
    conditions: tuple[Any, ...] | None = None

    @property
    def recoverable(self) -> str:
        """yes / no / wait / retry / per_policy."""
        return RECOVERABLE[self.outcome]

    def to_json(self, decimals: Mapping[str, int | None] | None = None) -> dict[str, Any]:
        """The `verify --json` document (amounts as strings of whole units)."""
        known = dict(decimals or {})
        if self.asset is not None and self.decimals is not None:
            known.setdefault(self.asset, self.decimals)   # the decimals the verdict was read with

        def transfer(t: Transfer) -> dict[str, Any]:
            d = t.decimals if t.decimals is not None else known.get(t.asset)
            # unknown decimals: the base units, said to be base units, never labelled as whole units
            return {"from_address": t.from_address, "to_address": t.to_address, "asset": t.asset,
                    "amount": None if d is None else format(whole_units(t.amount, d), "f"),
                    "amount_base_units": str(t.amount), "decimals": d, "memo": t.memo,
                    "non_fungible": t.non_fungible}

        doc: dict[str, Any] = {
            "network": self.network, "tx_hash": self.tx_hash, "status": self.status,
            "block_height": self.block_height, "confirmations": self.confirmations,
            "required_confirmations": self.required_confirmations,
            "transfers": [transfer(t) for t in self.transfers],
            "outcome": self.outcome.value, "recoverable": self.recoverable, "reason": self.reason,
            "found_on_network": self.found_on_network, "asset": self.asset, "symbol": self.symbol,
            "amount": None if self.amount is None else format(self.amount, "f"),
            "amount_base_units": None if self.amount_base_units is None else str(self.amount_base_units),
            "decimals": self.decimals,
            "user_id": self.user_id, "deposit_address": self.deposit_address,
            "deposit_network": self.deposit_network, "error": self.error, "explorer_url": self.explorer_url,
        }
        doc["block_time"] = self.block_time
        if self.probed is not None:
            doc["probed"] = dict(self.probed)
        if self.conditions is not None:
            doc["conditions"] = [c.to_json() for c in self.conditions]
        return doc


def _sender(t: Transfer) -> str:
    """What proves a memo deposit is the user's: control of the account it came from."""
    account = f"the sending account {short(t.from_address)}" if t.from_address else "the sending account"
    return f"a message signed by {account}, or their wallet's record of the transaction"


def short(address: str) -> str:
    """A long address or token id shortened for people: first 8 and last 4 characters."""
    return address if len(address) <= 14 else f"{address[:8]}…{address[-4:]}"


class Triage:
    """Triage many transactions of one network against reference data loaded in bulk."""

    def __init__(self, ref: Reference, network: Network, adapter: Adapter | None = None) -> None:
        self.ref = ref
        self.net = network
        self.adapter = adapter
        self.shared = key_peers(network)
        self._keys: dict[str, str] = {}   # address as the chain wrote it -> canonical key
        self._trace_error: str | None = None

    def _key(self, address: str) -> str:
        key = self._keys.get(address)
        if key is None:
            key = self._keys[address] = key_address(self.net.id, address)
        return key

    def run(self, txs: Sequence[ChainTx]) -> list[Verdict]:
        """One verdict per transaction, in order; reference rows are fetched a chunk at a time."""
        keys = {self._key(t.to_address) for tx in txs for t in tx.transfers}
        self.ref.prefetch_owners([self.net.id, *(n.id for n in self.shared)], keys)
        tx_keys = {tx.tx_hash: key_tx(self.net.id, tx.tx_hash) for tx in txs if tx.status is not TxStatus.NOT_FOUND}
        self.ref.prefetch_credits(self.net.id, tx_keys.values())
        ours = {tx.tx_hash: self._ours(tx) for tx in txs if tx.status is not TxStatus.NOT_FOUND}
        txs, self._trace_error = self._traced(txs, ours)
        contracts, contract_error = self._contracts(txs, ours)
        return [self.one(tx, ours.get(tx.tx_hash, []), tx_keys.get(tx.tx_hash, ""), contracts, contract_error)
                for tx in txs]

    def _traced(self, txs: Sequence[ChainTx], ours: dict[str, list[Any]]) -> tuple[list[ChainTx], str | None]:
        """Contract calls that reached none of ours, with the value their inner calls moved (a trace);
        the node's error when it cannot trace them."""
        todo = [tx for tx in txs if tx.contract_call and tx.status is TxStatus.CONFIRMED
                and not ours.get(tx.tx_hash)]
        if not todo or self.adapter is None:
            return list(txs), None
        try:
            inner = self.adapter.inner_transfers(todo)
        except ChainError as exc:
            return list(txs), exc.user_message
        out = []
        for tx in txs:
            extra = inner.get(tx.tx_hash)
            if extra:
                keys = {self._key(t.to_address) for t in extra}
                self.ref.prefetch_owners([self.net.id, *(n.id for n in self.shared)], keys)
                tx = replace(tx, transfers=tx.transfers + tuple(extra))
                ours[tx.tx_hash] = self._ours(tx)
            out.append(tx)
        return out, None

    def _contracts(self, txs: Sequence[ChainTx], ours: dict[str, list[Any]]) -> tuple[set[str], str | None]:
        """Recipients that are contracts, asked only for transactions that reached none of ours."""
        candidates = [self._key(t.to_address) for tx in txs if tx.tx_hash in ours and not ours[tx.tx_hash]
                      for t in tx.transfers]
        if not candidates or self.adapter is None:
            return set(), None
        try:
            return self.adapter.contract_addresses(candidates), None
        except ChainError as exc:
            return set(), exc.user_message

    def _ours(self, tx: ChainTx) -> list[tuple[Transfer, list[DepositAddress]]]:
        found = []
        for t in tx.transfers:
            rows = self.ref.owners(self.net.id, self._key(t.to_address))
            if rows:
                found.append((t, rows))
        return found

    def _verdict(self, tx: ChainTx, outcome: Outcome, reason: str, **facts: Any) -> Verdict:
        return Verdict(
            network=self.net.id, tx_hash=tx.tx_hash, status=tx.status.value, outcome=outcome, reason=reason,
            block_height=tx.block_height, confirmations=tx.confirmations,
            required_confirmations=self.net.min_confirmations, transfers=tx.transfers,
            explorer_url=self.net.explorer_url(tx.tx_hash),
            block_time=datetime.fromtimestamp(tx.timestamp, UTC) if tx.timestamp is not None else None, **facts)

    def _describe(self, t: Transfer) -> tuple[Decimal | None, str, int | None, str]:
        """(whole amount or None when the decimals are unknown, symbol, decimals, text for people)."""
        listed = self.ref.listed_asset(self.net.id, t.asset)
        decimals = t.decimals if t.decimals is not None else (listed.decimals if listed else None)
        if listed:
            symbol = listed.symbol
        elif t.asset == NATIVE:
            symbol = self.net.native_symbol
        else:
            own = self.adapter.token_symbol(t.asset) if self.adapter is not None else None
            symbol = f"token {own} ({short(t.asset)})" if own else f"token {short(t.asset)}"
        if decimals is None:
            return None, symbol, None, f"{t.amount} base units (decimals unknown) of {symbol}"
        amount = whole_units(t.amount, decimals)
        return amount, symbol, decimals, f"{amount:f} {symbol}"

    def _amount_facts(self, t: Transfer) -> dict[str, Any]:
        amount, symbol, decimals, _ = self._describe(t)
        own = None
        if t.asset != NATIVE and self.adapter is not None and self.ref.listed_asset(self.net.id, t.asset) is None:
            own = self.adapter.token_symbol(t.asset)
        return {"transfer": t, "asset": t.asset, "symbol": symbol, "token_symbol": own, "amount": amount,
                "amount_base_units": t.amount, "decimals": decimals}

    def one(self, tx: ChainTx, ours: list[tuple[Transfer, list[DepositAddress]]], tx_key: str,
            contracts: set[str], contract_error: str | None) -> Verdict:
        """The verdict for one fetched transaction, given the transfers that reached our addresses."""
        net = self.net
        if tx.status is TxStatus.NOT_FOUND:
            return self._verdict(tx, Outcome.NOT_FOUND, f"{net.name} does not know this transaction.")
        if tx.status is TxStatus.FAILED:
            return self._verdict(tx, Outcome.FAILED, "The transaction failed on chain; nothing was moved.")
        if not ours:
            return self._not_ours(tx, contracts, contract_error)
        transfer, rows = ours[0]
        amount, symbol, _, what = self._describe(transfer)
        facts: dict[str, Any] = {**self._amount_facts(transfer), "deposit_address": transfer.to_address,
                                 "deposit_network": net.id, "user_id": rows[0].user_id}
        where = f"deposit address {short(transfer.to_address)}"
        credits = self.ref.credits(net.id, tx_key)
        if credits:
            credit = credits[0]
            facts["user_id"] = credit.user_id
            return self._verdict(tx, Outcome.CREDITED, f"{what} to {where} was already credited to user "
                                 f"{credit.user_id}.", **facts)
        if tx.status is TxStatus.PENDING or (tx.confirmations < net.min_confirmations and not tx.final):
            return self._verdict(tx, Outcome.PENDING, f"{what} to {where} has {tx.confirmations} of the "
                                 f"{net.min_confirmations} confirmations {net.name} needs: wait.", **facts)
        listed = self.ref.listed_asset(net.id, transfer.asset)
        if listed is None or transfer.non_fungible:
            return self._verdict(tx, Outcome.UNLISTED_TOKEN, f"{what} reached {where}, but we do not list "
                                 f"this asset on {net.name}.", **facts)
        if net.memo_required:
            memo = (transfer.memo or "").strip()
            facts["user_id"] = None     # a shared address: only the memo names the user
            if not memo:
                return self._verdict(tx, Outcome.MISSING_MEMO, f"{what} reached {where} without the memo "
                                     f"that names the user: ask the user for their user id and proof that "
                                     f"they sent it ({_sender(transfer)}).", **facts)
            match = [r for r in rows if r.memo == memo] if net.valid_memo(memo) else []
            if not match:
                form = "matches none of our users" if net.valid_memo(memo) else f"is not a {net.name} deposit memo"
                return self._verdict(tx, Outcome.WRONG_MEMO, f"{what} reached {where} with memo {memo!r}, "
                                     f"which {form}: ask the user for their user id, the memo they meant, "
                                     f"and proof that they sent it ({_sender(transfer)}).", **facts)
            facts["user_id"] = match[0].user_id
        if not listed.deposit_enabled:
            return self._verdict(tx, Outcome.DEPOSITS_SUSPENDED, f"{what} reached {where}, but {listed.symbol} "
                                 f"deposits on {net.name} are suspended: wait until they reopen.", **facts)
        if amount is not None and amount < listed.min_deposit:
            return self._verdict(tx, Outcome.BELOW_MINIMUM, f"{what} to {where} is below the minimum deposit "
                                 f"of {listed.min_deposit:f} {listed.symbol}.", **facts)
        return self._verdict(tx, Outcome.UNCREDITED, f"{what} reached {where} of user {facts['user_id']} "
                             f"with {tx.confirmations} confirmations and is not credited: credit it.", **facts)

    def _not_ours(self, tx: ChainTx, contracts: set[str], contract_error: str | None) -> Verdict:
        for t in tx.transfers:
            key = self._key(t.to_address)
            for other in self.shared if self.ref.owned_anywhere(key) else ():
                rows = self.ref.owners(other.id, key)
                if rows:
                    what = self._describe(t)[3]
                    return self._verdict(
                        tx, Outcome.WRONG_NETWORK,
                        f"{what} was sent on {self.net.name} to {short(t.to_address)}, which is our deposit "
                        f"address on {other.name} only; the same key controls it here.",
                        **self._amount_facts(t), user_id=rows[0].user_id,
                        deposit_address=t.to_address, deposit_network=other.id)
        for t in tx.transfers:
            key = self._key(t.to_address)
            if key == t.asset or key in contracts or key in tx.contract_recipients:
                facts = self._amount_facts(t)
                del facts["symbol"], facts["token_symbol"]
                return self._verdict(tx, Outcome.CONTRACT_ADDRESS, f"{self._describe(t)[3]} was sent to the "
                                     f"contract {short(t.to_address)}, not to a deposit address.", **facts)
        if tx.contract_call and self._trace_error and tx.status is TxStatus.CONFIRMED:
            return self._verdict(tx, Outcome.UNVERIFIABLE, "The transaction called a contract, which may have "
                                 "moved value to one of our addresses that only a trace shows, and the node "
                                 f"could not trace it: {self._trace_error}", error=self._trace_error)
        if contract_error:
            return self._verdict(tx, Outcome.UNVERIFIABLE, "The recipient is not ours, and the node could "
                                 f"not say whether it is a contract: {contract_error}", error=contract_error)
        if not tx.transfers:
            return self._verdict(tx, Outcome.NOT_OUR_ADDRESS, "The transaction moved no value to any address.")
        names = ", ".join(sorted({short(t.to_address) for t in tx.transfers}))
        return self._verdict(tx, Outcome.NOT_OUR_ADDRESS, f"The recipient ({names}) is not one of our "
                             f"deposit addresses on {self.net.name} or on a network sharing its keys.")


def unverifiable(network: Network, tx_hash: str, error: str) -> Verdict:
    """The verdict when the node could not be reached reliably."""
    return Verdict(network=network.id, tx_hash=tx_hash, status="unknown", outcome=Outcome.UNVERIFIABLE,
                   reason=f"{network.name} could not be reached reliably; retry later.", error=error,
                   required_confirmations=network.min_confirmations,
                   explorer_url=network.explorer_url(tx_hash))


def no_adapter(network: Network, tx_hash: str) -> Verdict:
    """The verdict for a network whose family has no adapter yet: it cannot be verified here."""
    why = f"{network.name} ({network.family}) has no adapter yet"
    return replace(unverifiable(network, tx_hash, why), reason=f"{why}; check it on the explorer.")
