"""The EVM builder against real Anvil nodes: token recovery with a gas top-up, native sweep, legacy fees,
signing with the devnet's keys (offline and on the node), and tampered signed transactions refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak

from chains.networks import get_network
from recovery.anvil import Anvil
from recovery.devnet import deploy_token, send_native, send_token, sign_fields
from recovery.prepare import BuildRequest, SignedMismatch, UnsignedTx, builder_for
from recovery.prepare.evm import EvmBuilder, decode

ETHER = 10**18
HOT = 8


def fresh_key(label: str) -> Any:
    """A key no dev account has: a deposit address that holds only what the test sends it."""
    return Account.from_key(keccak(text=f"recovery test deposit {label}"))


def builder(node: Anvil, network: str) -> EvmBuilder:
    return builder_for(get_network(network), endpoints=[node.url])  # type: ignore[return-value]


def send_and_mine(node: Anvil, b: EvmBuilder, signed: str) -> dict[str, Any]:
    tx_hash = b.broadcast(signed)
    node.mine(1)   # automine may be off on the session's "ethereum" node
    return node.receipt(tx_hash)


def balance(node: Anvil, address: str) -> int:
    return int(node.rpc("eth_getBalance", address, "latest"), 16)


def token_balance(node: Anvil, token: str, owner: str) -> int:
    data = "0x70a08231" + owner.lower().removeprefix("0x").rjust(64, "0")
    return int(node.rpc("eth_call", {"to": token, "data": data}, "latest"), 16)


@pytest.mark.parametrize("network", ["ethereum", "bsc"])
def test_token_only_deposit_gets_a_top_up_then_the_transfer(anvil_nodes: dict[str, Anvil], network: str) -> None:
    node = anvil_nodes[network]
    acc = node.accounts()
    keys = node.dev_keys()
    hot = acc[HOT]
    token = deploy_token(node, acc[0], "Stray Token", "STRY", 18, 10**6 * ETHER, mine=True)
    deposit = fresh_key(f"token {network}")
    address = deposit.address.lower()
    sent = send_token(node, acc[0], token, address, 700 * ETHER)
    node.mine(1)
    node.receipt(sent)
    assert balance(node, address) == 0 and token_balance(node, token, address) == 700 * ETHER

    b = builder(node, network)
    txs = b.build(BuildRequest(network=network, deposit_address=address, destination=hot, asset=token,
                               amount_base=700 * ETHER, decimals=18, deposit_tx="0x", funder=hot))
    assert [t.purpose for t in txs] == ["top_up", "recovery"]
    top_up, recovery = txs
    fields = recovery.fields
    assert int(fields["chainId"], 16) == get_network(network).chain_id and fields["type"] == "0x2"
    # the top-up is exactly the recovery's gas at its max fee (the address held nothing)
    assert top_up.amount_base == int(fields["gas"], 16) * int(fields["maxFeePerGas"], 16)
    assert (top_up.from_address, top_up.to_address, top_up.asset) == (hot, address, "native")
    assert (recovery.from_address, recovery.to_address, recovery.asset) == (address, hot, token)
    assert fields["data"].startswith("0xa9059cbb") and fields["to"].lower() == token

    signed_top_up = sign_fields(top_up.fields, keys[hot])
    signed_recovery = sign_fields(recovery.fields, deposit.key.hex())
    assert b.check_signed(top_up, signed_top_up) == "0x" + keccak(bytes.fromhex(signed_top_up[2:])).hex()
    b.check_signed(recovery, signed_recovery)
    assert send_and_mine(node, b, signed_top_up)["status"] == "0x1"
    before = token_balance(node, token, hot)
    receipt = send_and_mine(node, b, signed_recovery)
    assert receipt["status"] == "0x1"
    assert token_balance(node, token, hot) - before == 700 * ETHER
    assert token_balance(node, token, address) == 0
    assert b.signed_by_hash(receipt["transactionHash"]) == signed_recovery


def test_the_node_signs_the_fields_into_the_same_transaction(anvil_nodes: dict[str, Anvil]) -> None:
    """`eth_signTransaction` on a node holding the key signs exactly the prepared transaction."""
    node = anvil_nodes["bsc"]
    acc = node.accounts()
    b = builder(node, "bsc")
    [tx] = b.build(BuildRequest(network="bsc", deposit_address=acc[3], destination=acc[HOT], asset=None,
                                amount_base=ETHER, decimals=18, deposit_tx="0x"))
    on_node = node.rpc("eth_signTransaction", tx.fields)
    offline = sign_fields(tx.fields, node.dev_keys()[acc[3]])
    assert on_node == offline
    assert b.check_signed(tx, on_node)


@pytest.mark.parametrize("network", ["ethereum", "bsc"])
def test_native_sweep_leaves_nothing_behind(anvil_nodes: dict[str, Anvil], network: str) -> None:
    node = anvil_nodes[network]
    acc = node.accounts()
    deposit = fresh_key(f"sweep {network}")
    address = deposit.address.lower()
    send_native(node, acc[1], address, 3 * ETHER // 2)
    node.mine(1)
    b = builder(node, network)
    [tx] = b.build(BuildRequest(network=network, deposit_address=address, destination=acc[HOT], asset=None,
                                amount_base=2 * ETHER, min_amount_base=ETHER, decimals=18, deposit_tx="0x"))
    fee = int(tx.fields["gas"], 16) * int(tx.fields["maxFeePerGas"], 16)
    assert tx.amount_base == 3 * ETHER // 2 - fee and tx.purpose == "recovery"
    receipt = send_and_mine(node, b, sign_fields(tx.fields, deposit.key.hex()))
    assert receipt["status"] == "0x1"
    assert balance(node, address) == 0


def test_a_sweep_below_the_quoted_net_is_refused(anvil_nodes: dict[str, Anvil]) -> None:
    from recovery.prepare import CannotBuild

    node = anvil_nodes["bsc"]
    address = fresh_key("short").address.lower()
    send_native(node, node.accounts()[1], address, ETHER // 100)
    node.mine(1)
    with pytest.raises(CannotBuild, match="less than the quoted net"):
        builder(node, "bsc").build(BuildRequest(network="bsc", deposit_address=address,
                                                destination=node.accounts()[HOT], asset=None,
                                                amount_base=ETHER, min_amount_base=ETHER // 100, decimals=18,
                                                deposit_tx="0x"))


@pytest.fixture(scope="module")
def berlin() -> Iterator[Anvil]:
    """A chain whose blocks carry no base fee: a network without EIP-1559."""
    with Anvil(56, hardfork="berlin") as node:
        yield node


def test_legacy_gas_price_where_the_network_has_no_base_fee(berlin: Anvil) -> None:
    acc = berlin.accounts()
    b = builder(berlin, "bsc")
    [tx] = b.build(BuildRequest(network="bsc", deposit_address=acc[2], destination=acc[HOT], asset=None,
                                amount_base=ETHER, decimals=18, deposit_tx="0x"))
    assert "gasPrice" in tx.fields and "maxFeePerGas" not in tx.fields and tx.fields["type"] == "0x0"
    signed = sign_fields(tx.fields, berlin.dev_keys()[acc[2]])
    assert decode(bytes.fromhex(signed[2:]))[0]["chainId"] == 56
    before = balance(berlin, acc[HOT])
    assert send_and_mine(berlin, b, signed)["status"] == "0x1"
    assert balance(berlin, acc[HOT]) - before == ETHER


@pytest.fixture
def prepared(anvil_nodes: dict[str, Anvil]) -> tuple[EvmBuilder, UnsignedTx, dict[str, str]]:
    node = anvil_nodes["bsc"]
    acc = node.accounts()
    b = builder(node, "bsc")
    [tx] = b.build(BuildRequest(network="bsc", deposit_address=acc[4], destination=acc[HOT], asset=None,
                                amount_base=ETHER, decimals=18, deposit_tx="0x"))
    return b, tx, node.dev_keys()


@pytest.mark.parametrize(("change", "field"), [
    ({"value": hex(2 * ETHER)}, "value"),
    ({"to": "0x" + "11" * 20}, "to"),
    ({"nonce": "0x999"}, "nonce"),
    ({"maxFeePerGas": hex(10**12)}, "maxFeePerGas"),
    ({"chainId": "0x1"}, "chainId"),
    ({"data": "0x00"}, "data"),
])
def test_a_tampered_signed_transaction_names_the_field(prepared: tuple[EvmBuilder, UnsignedTx, dict[str, str]],
                                                       change: dict[str, str], field: str) -> None:
    b, tx, keys = prepared
    signed = sign_fields({**tx.fields, **change}, keys[tx.from_address])
    with pytest.raises(SignedMismatch) as caught:
        b.check_signed(tx, signed)
    assert caught.value.field == field


def test_signed_by_another_key_or_garbage_is_refused(prepared: tuple[EvmBuilder, UnsignedTx, dict[str, str]]) -> None:
    b, tx, keys = prepared
    other = next(a for a in keys if a != tx.from_address)
    with pytest.raises(SignedMismatch) as caught:
        b.check_signed(tx, sign_fields(tx.fields, keys[other]))
    assert caught.value.field == "from" and caught.value.signed == other
    with pytest.raises(SignedMismatch) as garbage:
        b.check_signed(tx, "0x1234")
    assert garbage.value.field == "encoding"
    with pytest.raises(SignedMismatch) as unsigned:
        b.check_signed(tx, tx.unsigned_tx)
    assert unsigned.value.field == "signature"
