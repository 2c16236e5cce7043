"""`builder_for`: a family's builder module found by name, or NoBuilder said plainly; the digest."""

from __future__ import annotations

import pytest

from chains.networks import get_network
from recovery import prepare
from recovery.prepare import NoBuilder, UnsignedTx, builder_for, digest, has_builder


def test_a_family_that_is_not_listed_has_no_builder() -> None:
    assert not has_builder("xrpl")
    with pytest.raises(NoBuilder, match=r"xrp \(xrpl\) has no transaction builder.*--recovery-tx HASH"):
        builder_for(get_network("xrp"), endpoints=["http://127.0.0.1:9"])


def test_a_listed_family_whose_module_is_absent_has_no_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(prepare.FAMILIES, "xrpl", "recovery.prepare.no_such_module")
    assert not has_builder("xrpl")
    with pytest.raises(NoBuilder):
        builder_for(get_network("xrp"), endpoints=["http://127.0.0.1:9"])


def test_evm_has_a_builder_and_making_it_touches_no_network() -> None:
    assert has_builder("evm")
    b = builder_for(get_network("ethereum"), endpoints=["http://127.0.0.1:9"])
    assert type(b).__name__ == "EvmBuilder"


def test_digest_covers_each_payload_in_signing_order() -> None:
    a = UnsignedTx("top_up", "ethereum", "0xa", "0xb", "native", 1, "0x01", {})
    b = UnsignedTx("recovery", "ethereum", "0xb", "0xa", "native", 1, "0x02", {})
    assert digest([a, b]) != digest([b, a])
    assert digest([a, b]) != digest([a, UnsignedTx("recovery", "ethereum", "0xb", "0xa", "native", 1, "0x03", {})])
    assert UnsignedTx.from_json(b.as_json()) == b
