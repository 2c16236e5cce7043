"""Verify one claim: fetch the transaction through its network's adapter, triage it, probe siblings."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from chains.base import TxStatus
from chains.endpoints import resolve_endpoints
from chains.errors import ChainError, RetriableError
from chains.networks import Network, get_network
from chains.registry import adapter_class, adapter_ready, get_adapter, same_family
from recovery.reference import Reference, key_tx
from recovery.triage import Outcome, Triage, Verdict, no_adapter, unverifiable

#: seconds all sibling probes of one hash share: they run at once, and a sibling still silent then is
#: reported unreachable
PROBE_BUDGET = 5.0
FOUND, NOT_FOUND, UNREACHABLE = "found", "not found", "unreachable"


def probe_siblings(network: Network, tx_hash: str, config_rpc: Mapping[str, str | list[str]] | None = None,
                   budget: float = PROBE_BUDGET) -> dict[str, str]:
    """Ask every other network of the family with an endpoint someone configured (public defaults are
    not probed: slow, rate-limited, and nobody chose them) whether it knows the hash, all at once within
    `budget` seconds: network id -> "found" | "not found" | "unreachable", in registry order."""
    siblings = []
    for other in same_family(network):
        endpoints = resolve_endpoints(other, None, config_rpc)
        if endpoints.explicit and adapter_ready(other.family):
            siblings.append((other, endpoints.urls))
    if not siblings:
        return {}

    def ask(other: Network, urls: tuple[str, ...]) -> str:
        with adapter_class(other)(other, urls, timeout=budget) as adapter:
            try:
                return NOT_FOUND if adapter.fetch(tx_hash).status is TxStatus.NOT_FOUND else FOUND
            except ChainError:
                return UNREACHABLE

    pool = ThreadPoolExecutor(max_workers=len(siblings), thread_name_prefix="probe")
    futures = {other.id: pool.submit(ask, other, urls) for other, urls in siblings}
    wait(futures.values(), timeout=budget)
    pool.shutdown(wait=False, cancel_futures=True)   # a sibling still talking ends at its own deadline
    return {net_id: f.result() if f.done() and not f.exception() else UNREACHABLE
            for net_id, f in futures.items()}


def with_probes(verdict: Verdict, network: Network, probed: Mapping[str, str]) -> Verdict:
    """A not-found verdict with the siblings probed: where the hash was found, and which could not say."""
    found = next((n for n, state in probed.items() if state == FOUND), None)
    reason = verdict.reason
    if found:
        reason = (f"{network.name} does not know this transaction, but {get_network(found).name} does: "
                  "the claim names the wrong network.")
    unreachable = [n for n, state in probed.items() if state == UNREACHABLE]
    if unreachable and not found:
        reason += f" Could not check {', '.join(unreachable)} (unreachable)."
    return replace(verdict, found_on_network=found, reason=reason, probed=dict(probed))


def verify(session: Session, network_id: str, tx_hash: str, *, rpc: str | None = None,
           config_rpc: Mapping[str, str | list[str]] | None = None, probe: bool = True,
           limits: Mapping[str, Any] | None = None) -> Verdict:
    """Verify and triage one transaction. Malformed hash or unknown network raise (bad input), and so
    does an endpoint that serves another chain (`WrongChain`, a configuration error)."""
    network = get_network(network_id)
    if not adapter_ready(network.family):
        return no_adapter(network, key_tx(network.id, tx_hash))   # a malformed hash is still bad input
    with get_adapter(network.id, rpc=rpc, config_rpc=config_rpc, limits=limits) as adapter:
        key = adapter.normalize_tx_hash(tx_hash)
        try:
            tx = adapter.fetch(key)
        except RetriableError as exc:
            return unverifiable(network, key, exc.user_message)
        verdict = Triage(Reference(session), network, adapter).run([tx])[0]
    if verdict.outcome is Outcome.NOT_FOUND and probe:
        verdict = with_probes(verdict, network, probe_siblings(network, key, config_rpc))
    return verdict
