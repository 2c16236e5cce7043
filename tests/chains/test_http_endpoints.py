"""Endpoint plumbing: which endpoints serve a network (chains/endpoints.py), showing URLs without their
secrets, validating the network registry (chains/networks.py), and the shared failover and HTTP client
options (chains/http.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.endpoints import redact, resolve_endpoints
from chains.errors import RateLimited, RegistryError, RetriableError, RpcTimeout, RpcUnavailable, TxNotFound
from chains.http import NO_RETRY, HttpClient, all_failed, failover
from chains.networks import DEFAULT_PATH, load_registry

REGISTRY = load_registry(DEFAULT_PATH)

# -- resolve_endpoints: --rpc, then env RECOVERY_RPC_<ID>, then config [rpc], then the registry -----------

BCH = REGISTRY["bitcoin-cash"]
CLI, ENV, CONFIG = "https://cli.example/rpc", "https://env.example/rpc", "https://config.example/rpc"


@pytest.mark.parametrize(("cli", "environ", "config", "urls", "source"), [
    (CLI, {"RECOVERY_RPC_BITCOIN_CASH": ENV}, {"bitcoin-cash": CONFIG}, (CLI,), "--rpc"),
    (None, {"RECOVERY_RPC_BITCOIN_CASH": ENV}, {"bitcoin-cash": CONFIG}, (ENV,), "env RECOVERY_RPC_BITCOIN_CASH"),
    (None, {}, {"bitcoin-cash": CONFIG}, (CONFIG,), "config"),
    (None, {}, None, BCH.rpc, "registry"),
    # the env variable spells '-' as '_': the id as written, or another network's variable, do not count
    (None, {"RECOVERY_RPC_BITCOIN-CASH": ENV, "RECOVERY_RPC_BITCOIN": ENV}, {"bitcoin-cash": CONFIG},
     (CONFIG,), "config"),
    (None, {"RECOVERY_RPC_BITCOIN_CASH": ""}, {"bitcoin": CONFIG}, BCH.rpc, "registry"),  # empty/other: no match
])
def test_resolve_endpoints_priority(cli: str | None, environ: dict[str, str], config: dict[str, str] | None,
                                    urls: tuple[str, ...], source: str) -> None:
    eps = resolve_endpoints(BCH, cli, config, environ)
    assert (eps.urls, eps.source) == (urls, source)
    assert eps.explicit == (source != "registry")


def test_resolve_endpoints_lists_keep_priority_order() -> None:
    eps = resolve_endpoints(BCH, f" {CLI} , {ENV},", None, {})
    assert eps.urls == (CLI, ENV)
    eps = resolve_endpoints(BCH, None, {"bitcoin-cash": [CONFIG, CLI]}, {})
    assert eps.urls == (CONFIG, CLI)
    assert BCH.env_var() == "RECOVERY_RPC_BITCOIN_CASH"


# -- redact -------------------------------------------------------------------------------------------

INFURA_KEY = "9aa3d95b3bc440fa88ea12eaa4456161"
ALCHEMY_KEY = "Pq8xY3kLm2Nb7Vc4Zr1Ts6Wd9Fh0Jg5A"
ALCHEMY_LETTERS_KEY = "abcdefghijklmnopqrstuvwxyzABCDEF"
QUICKNODE_TOKEN = "3f6b8e1c9a2d4f7b0e5c8a1d3b6f9e2c4a7d0b5e"


@pytest.mark.parametrize(("url", "shown", "secrets"), [
    (f"https://mainnet.infura.io/v3/{INFURA_KEY}", "https://mainnet.infura.io/v3/***", [INFURA_KEY]),
    (f"https://eth-mainnet.g.alchemy.com/v2/{ALCHEMY_KEY}", "https://eth-mainnet.g.alchemy.com/v2/***",
     [ALCHEMY_KEY]),
    (f"https://solana-mainnet.g.alchemy.com/v2/{ALCHEMY_LETTERS_KEY}",
     "https://solana-mainnet.g.alchemy.com/v2/***", [ALCHEMY_LETTERS_KEY]),
    (f"https://withered-sparkling-shape.btc.quiknode.pro/{QUICKNODE_TOKEN}/",
     "https://withered-sparkling-shape.btc.quiknode.pro/***", [QUICKNODE_TOKEN]),
    ("https://rpcuser:s3cretpass@node.example:8332/", "https://***@node.example:8332/", ["rpcuser", "s3cretpass"]),
    ("http://rpcuser@127.0.0.1:8332", "http://***@127.0.0.1:8332", ["rpcuser"]),
    ("https://:onlypass@host.example/x", "https://***@host.example/***", ["onlypass"]),
    ("https://api.example/rpc?apikey=abc123&network=main", "https://api.example/rpc?***",
     ["abc123", "main"]),
    ("esplora+https://u1:p1@blockstream.info/api?token=xyz", "esplora+https://***@blockstream.info/api?***",
     ["u1", "p1", "xyz"]),
    ("postgresql+psycopg://app:pw0rd@db.internal:5432/recovery", "postgresql+psycopg://***@db.internal:5432/recovery",
     ["pw0rd"]),
    ("http://[::1", "***", []),                                      # unparseable: nothing shown
    ("https://arb1.arbitrum.io/rpc", "https://arb1.arbitrum.io/rpc", []),
])
def test_redact_never_leaks_secrets(url: str, shown: str, secrets: list[str]) -> None:
    assert redact(url) == shown
    for secret in secrets:
        assert secret not in redact(url)


def test_shipped_endpoints_show_unchanged() -> None:
    """The registry's public endpoints carry no secret, so they are shown as written."""
    for net in REGISTRY.values():
        for url in net.rpc:
            assert redact(url) == url, url


# -- load_registry validation -------------------------------------------------------------------------


def broken(tmp_path: Path, network: str, pattern: str, replacement: str) -> Path:
    """A copy of the shipped registry with one line of one network's table rewritten."""
    blocks = DEFAULT_PATH.read_text().split("[[network]]")
    (index,) = [i for i, b in enumerate(blocks) if f"\nid = '{network}'\n" in b]
    blocks[index], count = re.subn(pattern, replacement, blocks[index], count=1, flags=re.M)
    assert count == 1, f"{pattern!r} not in {network}"
    path = tmp_path / "networks.toml"
    path.write_text("[[network]]".join(blocks))
    return path


@pytest.mark.parametrize(("network", "pattern", "replacement", "named", "field"), [
    ("bsc", r"^native_symbol = .*\n", "", "bsc", "native_symbol"),                       # missing field
    ("bsc", r"^chain_id = .*\n", "", "bsc", "chain_id"),                                 # evm needs chain_id
    ("tron", r"^tier = .*$", "tier = 'sometimes'", "tron", "tier"),                      # bad tier
    ("solana", r"^address_regex = .*$", "address_regex = '^[1-9A-HJ-NP-Za-km-z{32,44}$'", "solana",
     "address_regex"),                                                                  # bad regex
    ("litecoin", r"^rpc = .*$", "rpc = ['https://litecoin-rpc.publicnode.com']\nkey_group = 'litecoin'",
     "litecoin", "key_group"),                                                          # a group of one
    ("bitcoin", r"^key_group = .*$", "key_group = 'evm'", "bitcoin", "key_group"),   # another family
    ("polygon", r"^id = .*$", "id = 'bsc'", "bsc", "id"),                                # duplicate id
    ("dogecoin", r"^native_decimals = .*$", "native_decimals = '8'", "dogecoin", "native_decimals"),  # type
    ("dogecoin", r"^memo_required = .*$", "memo_required = 0", "dogecoin", "memo_required"),       # type
    ("ethereum", r"^chain_id = .*$", "chain_id = true", "ethereum", "chain_id"),                   # bool not int
    ("xrp", r"^rpc = .*$", "rpc = 'https://xrplcluster.com'", "xrp", "rpc"),                       # type
    ("zcash", r"^tier = .*$", "tier = 'direct'\ncolour = 'blue'", "zcash", "colour"),             # unknown field
    ("ton", r"^explorer_tx_url = .*$", "explorer_tx_url = 'https://tonviewer.com/'", "ton", "explorer_tx_url"),
])
def test_broken_registry_names_file_network_and_field(tmp_path: Path, network: str, pattern: str,
                                                      replacement: str, named: str, field: str) -> None:
    path = broken(tmp_path, network, pattern, replacement)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert str(path) in message and f"network {named}:" in message and f"field '{field}'" in message, message


def test_unreadable_or_invalid_registry_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(RegistryError, match=re.escape(str(missing))):
        load_registry(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[network]\nid = 'x'\n")
    with pytest.raises(RegistryError, match=re.escape(str(bad)) + ".*not valid TOML"):
        load_registry(bad)
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing\n")
    with pytest.raises(RegistryError, match=re.escape(str(empty)) + ".*no \\[\\[network\\]\\] tables"):
        load_registry(empty)


# DESIGN.md section 3: the default registry (id -> family), per tier
DIRECT = {
    "ethereum": "evm", "bsc": "evm", "polygon": "evm", "arbitrum": "evm", "optimism": "evm", "base": "evm",
    "avalanche": "evm", "opbnb": "evm", "zksync": "evm", "linea": "evm", "tron": "tron", "solana": "solana",
    "bitcoin": "utxo", "litecoin": "utxo", "dogecoin": "utxo", "bitcoin-cash": "utxo",
}
CONDITIONAL = {
    "ethereum-classic": "evm", "dash": "utxo", "zcash": "utxo", "xrp": "xrpl", "stellar": "stellar",
    "cosmos": "cosmos", "ton": "ton", "eos": "eos", "hedera": "hedera", "algorand": "algorand", "tezos": "tezos",
    "polkadot": "polkadot", "cardano": "cardano", "near": "near", "aptos": "aptos", "sui": "sui",
}


def test_shipped_registry_matches_the_design() -> None:
    assert len(REGISTRY) == 32
    direct = {n.id: n.family for n in REGISTRY.values() if n.tier == "direct"}
    conditional = {n.id: n.family for n in REGISTRY.values() if n.tier == "conditional"}
    assert (len(direct), len(conditional)) == (16, 16)
    assert direct == DIRECT and conditional == CONDITIONAL
    assert all(n.chain_id is not None for n in REGISTRY.values() if n.family == "evm")


# -- failover and all_failed --------------------------------------------------------------------------


def test_failover_tries_clients_in_priority_order() -> None:
    tried: list[str] = []

    def call(name: str) -> str:
        tried.append(name)
        if name == "first":
            raise RpcUnavailable("https://first.example answered HTTP 502")
        return f"answer from {name}"

    assert failover(["first", "second", "third"], call, "Bitcoin") == "answer from second"
    assert tried == ["first", "second"]


def test_failover_stops_at_a_definite_answer() -> None:
    tried: list[str] = []

    def call(name: str) -> str:
        tried.append(name)
        raise TxNotFound("not found")

    with pytest.raises(TxNotFound):
        failover(["first", "second"], call, "Bitcoin")
    assert tried == ["first"]


def test_failover_names_each_provider_when_all_fail() -> None:
    errors = iter([RpcUnavailable("https://a.example answered HTTP 502"),
                   RpcTimeout("https://b.example did not answer within 5s")])

    def call(name: str) -> str:
        raise next(errors)

    with pytest.raises(RpcUnavailable) as info:
        failover(["a", "b"], call, "Bitcoin")
    message = info.value.user_message
    assert message.startswith("Bitcoin: no endpoint could answer")
    assert "https://a.example answered HTTP 502" in message and "https://b.example did not answer" in message


@pytest.mark.parametrize(("errors", "kind"), [
    ([RateLimited("a: 429"), RateLimited("b: 429")], RateLimited),
    ([RpcTimeout("a: slow")], RpcTimeout),
    ([RpcTimeout("a: slow"), RpcUnavailable("b: down")], RpcUnavailable),
    ([RateLimited("a: 429"), RpcUnavailable("b: down")], RpcUnavailable),
])
def test_all_failed_keeps_one_kind_else_unavailable(errors: list[RetriableError], kind: type) -> None:
    err = all_failed("Tron", errors)
    assert type(err) is kind
    assert all(e.user_message in err.user_message for e in errors)


def test_all_failed_without_endpoints() -> None:
    err = all_failed("Solana", [])
    assert type(err) is RpcUnavailable and err.user_message == "Solana: no endpoint configured"
    with pytest.raises(RpcUnavailable, match="no endpoint configured"):
        failover([], lambda c: c, "Solana")


# -- HttpClient: text bodies and parse_float ----------------------------------------------------------


def test_text_bodies_and_ok_statuses(loopback: Any) -> None:
    srv = loopback(lambda req: (200, "850000") if req.path == "/blocks/tip/height" else (404, "Transaction not found"))
    http = HttpClient(srv.url, retry=NO_RETRY)
    assert http.request("GET", "/blocks/tip/height", text=True) == (200, "850000")
    assert http.request("GET", "/tx/ab", ok_statuses=(404,), text=True) == (404, "Transaction not found")
    with pytest.raises(RpcUnavailable, match="HTTP 404"):
        http.request("GET", "/tx/ab", text=True)
    with pytest.raises(RpcUnavailable, match="not JSON"):
        http.request("GET", "/tx/ab", ok_statuses=(404,))


def test_parse_float(loopback: Any) -> None:
    srv = loopback(lambda req: (200, '{"value": 0.00012345, "n": 1}'))
    assert HttpClient(srv.url, retry=NO_RETRY, parse_float=Decimal).get("/") == \
        (200, {"value": Decimal("0.00012345"), "n": 1})
    assert HttpClient(srv.url, retry=NO_RETRY).get("/") == (200, {"value": 0.00012345, "n": 1})
