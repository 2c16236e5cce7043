"""Verify one claim: fetch the transaction through its network's adapter, triage it, probe siblings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlmodel import Session

from chains.base import TxStatus
from chains.endpoints import resolve_endpoints
from chains.errors import ChainError, RetriableError
from chains.networks import Network, get_network
from chains.registry import adapter_class, adapter_ready, get_adapter, same_family
from recovery.reference import Reference, key_tx
from recovery.triage import Outcome, Triage, Verdict, no_adapter, unverifiable


def probe_siblings(network: Network, tx_hash: str,
                   config_rpc: Mapping[str, str | list[str]] | None = None) -> str | None:
    """The first other network of the family, with an endpoint someone configured, that knows the hash."""
    for other in same_family(network):
        endpoints = resolve_endpoints(other, None, config_rpc)
        if not endpoints.explicit or not adapter_ready(other.family):
            continue  # public defaults are not probed: slow, rate-limited, and nobody chose them
        with adapter_class(other)(other, endpoints.urls, timeout=10) as adapter:
            try:
                if adapter.fetch(tx_hash).status is not TxStatus.NOT_FOUND:
                    return other.id
            except ChainError:
                continue
    return None


def verify(session: Session, network_id: str, tx_hash: str, *, rpc: str | None = None,
           config_rpc: Mapping[str, str | list[str]] | None = None, probe: bool = True) -> Verdict:
    """Verify and triage one transaction. Malformed hash or unknown network raise (bad input)."""
    network = get_network(network_id)
    if not adapter_ready(network.family):
        return no_adapter(network, key_tx(network.id, tx_hash))   # a malformed hash is still bad input
    with get_adapter(network.id, rpc=rpc, config_rpc=config_rpc) as adapter:
        key = adapter.normalize_tx_hash(tx_hash)
        try:
            tx = adapter.fetch(key)
        except RetriableError as exc:
            return unverifiable(network, key, exc.user_message)
        verdict = Triage(Reference(session), network, adapter).run([tx])[0]
    if verdict.outcome is Outcome.NOT_FOUND and probe:
        found = probe_siblings(network, key, config_rpc)
        if found:
            verdict = replace(verdict, found_on_network=found, reason=(
                f"{network.name} does not know this transaction, but {get_network(found).name} does: "
                f"the claim names the wrong network."))
    return verdict
