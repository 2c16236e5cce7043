"""A realistic devnet scenario on two Anvil chains ("ethereum" id 1, "bsc" id 56): one claim per outcome.

Deposit addresses are Anvil dev accounts (unlocked, so a recovery can later be sent from them);
users send from other dev accounts. Reference files (addresses, assets, credits, prices) and a claims
file are written next to each other, in the formats `recovery import` and `recovery batch verify` read.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recovery.anvil import REPO, Anvil

ARTIFACT = REPO / "fixtures" / "contracts" / "TestToken.json"
ETHER = 10**18
SELECTOR_TRANSFER = "a9059cbb"
MISSING_HASH = "0x" + "ab" * 32   # a well-formed hash no devnet ever mined


@dataclass(frozen=True)
class Claim:
    """A user's claim in the scenario and the outcome triage must find."""

    label: str
    network: str
    tx_hash: str
    expected: str
    user_id: str = ""


@dataclass
class Scenario:
    """What `seed` built: chain URLs, actors' addresses, tokens, claims and reference files."""

    urls: dict[str, str]
    users: dict[str, str]            # role -> address (senders)
    deposits: dict[str, str]         # label -> our deposit address
    tokens: dict[str, str]           # symbol -> contract address (on ethereum)
    claims: list[Claim] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    def claim(self, label: str) -> Claim:
        """The claim with this label."""
        return next(c for c in self.claims if c.label == label)


def _word(value: int | str) -> str:
    if isinstance(value, str):
        return value.lower().removeprefix("0x").rjust(64, "0")
    return format(value, "064x")


def deploy_token(node: Anvil, sender: str, name: str, symbol: str, decimals: int, supply: int,
                 mine: bool = False) -> str:
    """Deploy TestToken and return its address; `mine` mines the block itself (automine off)."""
    from eth_abi import encode

    artifact = json.loads(ARTIFACT.read_text())
    data = artifact["bytecode"] + encode(["string", "string", "uint8", "uint256"],
                                         [name, symbol, decimals, supply]).hex()
    tx = node.rpc("eth_sendTransaction", {"from": sender, "data": data, "gas": hex(2_000_000)})
    if mine:
        node.mine(1)
    return str(node.receipt(tx)["contractAddress"]).lower()


def send_native(node: Anvil, sender: str, to: str, wei: int) -> str:
    """Send native coin; returns the tx hash."""
    return str(node.rpc("eth_sendTransaction", {"from": sender, "to": to, "value": hex(wei)}))


def send_token(node: Anvil, sender: str, token: str, to: str, amount: int, gas: int | None = None) -> str:
    """Call transfer(to, amount) on a token; a fixed gas limit lets a reverting call be mined."""
    tx: dict[str, Any] = {"from": sender, "to": token, "data": "0x" + SELECTOR_TRANSFER + _word(to) + _word(amount)}
    if gas:
        tx["gas"] = hex(gas)
    return str(node.rpc("eth_sendTransaction", tx))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def seed(eth: Anvil, bsc: Anvil, out_dir: Path) -> Scenario:
    """Build the scenario on two running nodes and write its files into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    acc = eth.accounts()
    bacc = bsc.accounts()
    whale, alice, bob = acc[0], acc[1], acc[2]
    ours_1001, ours_1003 = acc[5], acc[7]        # deposit addresses on ethereum
    ours_bsc_1002 = bacc[6]                      # a deposit address only on bsc (same key space)
    stranger = acc[9]
    s = Scenario(urls={"ethereum": eth.url, "bsc": bsc.url},
                 users={"whale": whale, "alice": alice, "bob": bob, "stranger": stranger},
                 deposits={"u-1001": ours_1001, "u-1003": ours_1003, "u-1002@bsc": ours_bsc_1002}, tokens={})

    dusd = deploy_token(eth, whale, "Demo Dollar", "DUSD", 6, 10**12 * 10**6)
    rndm = deploy_token(eth, whale, "Random Meme", "RNDM", 18, 10**9 * ETHER)
    oldt = deploy_token(eth, whale, "Old Token", "OLDT", 18, 10**6 * ETHER)
    s.tokens = {"DUSD": dusd, "RNDM": rndm, "OLDT": oldt}
    for token, amount in ((dusd, 50_000 * 10**6), (rndm, 100_000 * ETHER), (oldt, 1_000 * ETHER)):
        send_token(eth, whale, token, alice, amount)

    def claim(label: str, network: str, tx: str, expected: str, user: str = "") -> None:
        s.claims.append(Claim(label, network, tx, expected, user))

    claim("ETH deposit never credited", "ethereum", send_native(eth, alice, ours_1001, ETHER // 2),
          "uncredited", "u-1001")
    credited = send_native(eth, alice, ours_1001, ETHER)
    claim("ETH deposit already credited", "ethereum", credited, "credited", "u-1001")
    claim("ETH dust under the minimum", "ethereum", send_native(eth, alice, ours_1001, ETHER // 1000),
          "below_minimum", "u-1001")
    claim("Unlisted token sent to a deposit address", "ethereum",
          send_token(eth, alice, rndm, ours_1003, 25_000 * ETHER), "unlisted_token", "u-1003")
    claim("Listed token with deposits suspended", "ethereum",
          send_token(eth, alice, oldt, ours_1003, 40 * ETHER), "deposits_suspended", "u-1003")
    claim("ETH sent to our BSC-only address", "ethereum", send_native(eth, bob, ours_bsc_1002, 2 * ETHER),
          "wrong_network", "u-1002")
    claim("DUSD sent to the DUSD contract itself", "ethereum",
          send_token(eth, alice, dusd, dusd, 1_200 * 10**6), "contract_address")
    claim("ETH sent to someone else's address", "ethereum", send_native(eth, bob, stranger, ETHER // 10),
          "not_our_address")
    claim("DUSD transfer that reverted", "ethereum",
          send_token(eth, bob, dusd, ours_1001, 999 * 10**6, gas=100_000), "failed", "u-1001")
    bsc_deposit = send_native(bsc, bacc[1], ours_bsc_1002, 3 * ETHER)
    claim("BNB deposit never credited", "bsc", bsc_deposit, "uncredited", "u-1002")
    claim("BSC transaction claimed on Ethereum", "ethereum", bsc_deposit, "not_found", "u-1002")
    claim("Hash unknown everywhere", "ethereum", MISSING_HASH, "not_found")
    eth.mine(12)
    bsc.mine(15)
    claim("Deposit still confirming", "ethereum", send_native(eth, alice, ours_1001, ETHER // 4),
          "pending", "u-1001")
    eth.rpc("evm_setAutomine", False)
    claim("Deposit waiting in the mempool", "ethereum", send_native(eth, alice, ours_1003, ETHER // 5),
          "pending", "u-1003")

    s.files["addresses"] = _write_csv(out_dir / "addresses.csv", ["network", "address", "user_id", "memo"], [
        ["ethereum", ours_1001, "u-1001", ""], ["ethereum", ours_1003, "u-1003", ""],
        ["bsc", ours_bsc_1002, "u-1002", ""]])
    s.files["assets"] = _write_csv(
        out_dir / "assets.csv", ["network", "asset", "symbol", "decimals", "min_deposit", "deposit_enabled"], [
            ["ethereum", "native", "ETH", "18", "0.01", "true"], ["ethereum", dusd, "DUSD", "6", "10", "true"],
            ["ethereum", oldt, "OLDT", "18", "1", "false"], ["bsc", "native", "BNB", "18", "0.01", "true"]])
    s.files["credits"] = _write_csv(out_dir / "credits.csv", ["network", "tx_hash", "user_id", "asset", "amount"],
                                    [["ethereum", credited, "u-1001", "native", "1"]])
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    s.files["prices"] = _write_csv(out_dir / "prices.csv", ["network", "asset", "usd_price", "as_of"], [
        ["ethereum", "native", "3012.55", now], ["ethereum", dusd, "1.00", now], ["bsc", "native", "598.10", now]])
    s.files["claims"] = _write_csv(out_dir / "claims.csv", ["network", "tx_hash", "user_id", "note"],
                                   [[c.network, c.tx_hash, c.user_id, c.label] for c in s.claims])
    return s


def sign_fields(fields: dict[str, Any], private_key: str) -> str:
    """Sign a prepared transaction's JSON-RPC `fields` offline with eth_account, as the wallet team's signer
    would (the devnet's keys stand for the HSM's); returns the signed transaction, hex."""
    from eth_account import Account

    tx: dict[str, Any] = {k: int(v, 16) for k, v in fields.items() if k not in ("from", "to", "data")}
    tx.update(to=fields["to"], data=fields["data"])
    if tx.get("type") == 0:
        del tx["type"]
    signed = Account.sign_transaction(tx, private_key)
    return "0x" + bytes(signed.raw_transaction).hex()
