"""EVM recovery transactions with web3.py: an ERC-20 `transfer` or a native sweep, the gas top-up first.

`unsigned_tx` is the serialized unsigned transaction a signer signs (its Keccak hash is what the key
signs): type 2 (`0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data,
accessList])`, EIP-1559) where the node's blocks carry a base fee, else legacy with the EIP-155 chain id
(`rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])`). `fields` is the same transaction as the
JSON-RPC object `eth_signTransaction` takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import rlp
from eth_utils import keccak, to_checksum_address

from chains.endpoints import redact
from chains.errors import RpcUnavailable, WrongChain
from recovery.errors import Refused
from recovery.prepare.model import BuildRequest, CannotBuild, SignedMismatch, UnsignedTx

if TYPE_CHECKING:
    from web3 import Web3

    from chains.networks import Network

ERC20_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "transfer", "stateMutability": "nonpayable",
     "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"type": "function", "name": "balanceOf", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
]
FEE_HISTORY_BLOCKS = 10
TIP_PERCENTILE = 50
# a token call's gas limit above the node's estimate (a state change between build and broadcast);
# a native sweep uses the estimate itself, so that it leaves nothing behind
GAS_MARGIN_PERCENT = 10
# fields of the unsigned payloads, in RLP order; quantities are integers, `to` and `data` bytes
TYPE2_FIELDS = ("chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gas", "to", "value", "data")
LEGACY_FIELDS = ("nonce", "gasPrice", "gas", "to", "value", "data")
# the order a difference is reported in: the first that differs is named
COMPARED = ("type", "chainId", "nonce", "to", "value", "data", "gas", "maxFeePerGas", "maxPriorityFeePerGas",
            "gasPrice")


def builder(network: Network, endpoints: Sequence[str], *, timeout: float = 20.0) -> EvmBuilder:
    """The EVM builder on the network's endpoints (the module contract of `recovery.prepare`)."""
    return EvmBuilder(network, tuple(endpoints), timeout)


def _hex(value: int) -> str:
    return hex(value)


def _bytes(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def encode_unsigned(tx: dict[str, Any]) -> bytes:
    """The unsigned payload of a transaction given as integers and bytes (`type` 2 or 0)."""
    if tx["type"] == 2:
        return b"\x02" + rlp.encode([tx[k] for k in TYPE2_FIELDS] + [[]])
    return rlp.encode([tx[k] for k in LEGACY_FIELDS] + [tx["chainId"], 0, 0])


def _int(item: bytes) -> int:
    return int.from_bytes(item, "big")


def decode(raw: bytes) -> tuple[dict[str, Any], bytes]:
    """A signed or unsigned transaction as named fields, and its unsigned payload; ValueError if it is
    neither a type-2 nor a legacy transaction."""
    if raw[:1] == b"\x02":
        items = rlp.decode(raw[1:])
        if len(items) not in (9, 12) or items[8] != []:
            raise ValueError("a type-2 transaction has 9 fields (12 signed) and no access list here")
        tx: dict[str, Any] = {"type": 2, **{k: items[i] if k in ("to", "data") else _int(items[i])
                                            for i, k in enumerate(TYPE2_FIELDS)}}
        return tx, encode_unsigned(tx)
    if raw[:1] and raw[0] >= 0xC0:
        items = rlp.decode(raw)
        if len(items) != 9:
            raise ValueError("a legacy transaction has 9 fields")
        tx = {"type": 0, **{k: items[i] if k in ("to", "data") else _int(items[i])
                            for i, k in enumerate(LEGACY_FIELDS)}}
        v = _int(items[6])
        signed = bool(_int(items[7]) or _int(items[8]))
        tx["chainId"] = (v - 35) // 2 if signed and v >= 35 else v if not signed else None
        return tx, encode_unsigned(tx) if tx["chainId"] is not None else b""
    raise ValueError("not a type-2 or legacy EVM transaction")


def _shown(name: str, value: Any) -> Any:
    if name == "type":
        return {2: "type 2 (EIP-1559)", 0: "legacy"}.get(value, value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


class EvmBuilder:
    """Builds, checks and broadcasts recovery transactions on one EVM network."""

    def __init__(self, network: Network, endpoints: tuple[str, ...], timeout: float) -> None:
        self.network = network
        self.endpoints = endpoints
        self.timeout = timeout
        self._w3: Web3 | None = None

    # -- the node ---------------------------------------------------------------------------------
    def w3(self) -> Web3:
        """A Web3 on the first endpoint that answers, checked to serve the network's chain id."""
        if self._w3 is not None:
            return self._w3
        from web3 import HTTPProvider, Web3

        problems = []
        for url in self.endpoints:
            w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": self.timeout}))
            try:
                chain_id = w3.eth.chain_id
            except Exception as exc:  # connection refused, timeout, malformed answer
                problems.append(f"{redact(url)}: {type(exc).__name__}")
                continue
            if self.network.chain_id is not None and chain_id != self.network.chain_id:
                raise WrongChain(f"{redact(url)} serves chain id {chain_id}, not {self.network.id} "
                                 f"({self.network.chain_id})")
            self._w3 = w3
            return w3
        raise RpcUnavailable(f"no endpoint of {self.network.id} answered ({'; '.join(problems) or 'none set'})")

    def fees(self) -> dict[str, int]:
        """EIP-1559 fees from `eth_feeHistory` (max fee twice the next base fee plus the median tip of the
        last blocks), or the legacy gas price where the network's blocks carry no base fee."""
        w3 = self.w3()
        if w3.eth.get_block("latest").get("baseFeePerGas") is None:
            return {"gasPrice": int(w3.eth.gas_price)}
        history = w3.eth.fee_history(FEE_HISTORY_BLOCKS, "latest", [TIP_PERCENTILE])
        base_next = int(history["baseFeePerGas"][-1])
        tips = sorted(int(r[0]) for r in history.get("reward") or [] if r)
        tip = tips[len(tips) // 2] if tips else 0
        return {"maxFeePerGas": 2 * base_next + tip, "maxPriorityFeePerGas": tip}

    # -- building ---------------------------------------------------------------------------------
    def build(self, request: BuildRequest) -> list[UnsignedTx]:
        """The top-up (when the deposit address lacks gas) and the recovery, in signing order."""
        w3 = self.w3()
        fees = self.fees()
        price = fees.get("maxFeePerGas", fees.get("gasPrice", 0))
        deposit = to_checksum_address(request.deposit_address)
        dest = to_checksum_address(request.destination)
        balance = int(w3.eth.get_balance(deposit, "pending"))
        if request.asset is None:
            return [self._native_sweep(request, fees, balance)]
        token = w3.eth.contract(address=to_checksum_address(request.asset), abi=ERC20_ABI)
        held = int(token.functions.balanceOf(deposit).call())
        if held < request.amount_base:
            raise CannotBuild(f"the deposit address {request.deposit_address} holds {held} base units of "
                              f"{request.asset}, less than the {request.amount_base} the recovery moves")
        data = token.encode_abi("transfer", args=[dest, request.amount_base])
        estimate = int(w3.eth.estimate_gas({"from": deposit, "to": token.address, "data": data}))
        gas = estimate * (100 + GAS_MARGIN_PERCENT) // 100
        recovery = self._tx("recovery", request.deposit_address, request.asset, data, 0, gas, fees,
                            asset=request.asset.lower(), amount=request.amount_base, to_address=request.destination)
        short = gas * price - balance
        if short <= 0:
            return [recovery]
        if not request.funder:
            raise CannotBuild(f"the deposit address {request.deposit_address} holds {balance} wei, {short} wei "
                              f"short of the recovery's gas, and no hot wallet is set to top it up")
        top_up = self._tx("top_up", request.funder, request.deposit_address, b"", short, 21_000, fees,
                          asset="native", amount=short, to_address=request.deposit_address)
        funder_balance = int(w3.eth.get_balance(to_checksum_address(request.funder), "pending"))
        if funder_balance < short + 21_000 * price:
            raise CannotBuild(f"the hot wallet {request.funder} holds {funder_balance} wei, less than the "
                              f"top-up of {short} wei and its own gas")
        return [top_up, recovery]

    def _native_sweep(self, request: BuildRequest, fees: dict[str, int], balance: int) -> UnsignedTx:
        """The native coin: the case's gross where the address holds more, else everything it holds less the
        fee, paid exactly (the tip is the whole max fee and the gas limit the estimate), so nothing is left."""
        w3 = self.w3()
        gas = int(w3.eth.estimate_gas({"from": to_checksum_address(request.deposit_address),
                                       "to": to_checksum_address(request.destination)}))
        price = fees.get("maxFeePerGas", fees.get("gasPrice", 0))
        sweep = balance - gas * price
        if sweep >= request.amount_base:
            amount = request.amount_base
        else:
            amount = sweep
            if "maxFeePerGas" in fees:   # effective price = min(max fee, base + tip) = max fee exactly
                fees = {**fees, "maxPriorityFeePerGas": fees["maxFeePerGas"]}
        if amount < max(request.min_amount_base, 1):
            raise CannotBuild(f"the deposit address {request.deposit_address} holds {balance} wei: after the "
                              f"gas of {gas * price} wei it could send {max(sweep, 0)} wei, less than the quoted "
                              f"net of {request.min_amount_base} wei")
        return self._tx("recovery", request.deposit_address, request.destination, b"", amount, gas, fees,
                        asset="native", amount=amount, to_address=request.destination)

    def _tx(self, purpose: str, sender: str, to: str, data: bytes | str, value: int, gas: int,
            fees: dict[str, int], *, asset: str, amount: int, to_address: str) -> UnsignedTx:
        w3 = self.w3()
        chain_id = int(self.network.chain_id or w3.eth.chain_id)
        nonce = int(w3.eth.get_transaction_count(to_checksum_address(sender), "pending"))
        payload = _bytes(data) if isinstance(data, str) else data
        tx: dict[str, Any] = {"type": 2 if "maxFeePerGas" in fees else 0, "chainId": chain_id, "nonce": nonce,
                              "to": _bytes(to), "value": value, "data": payload, "gas": gas, **fees}
        fields = {"from": to_checksum_address(sender), "to": to_checksum_address(to), "value": _hex(value),
                  "data": "0x" + payload.hex(), "nonce": _hex(nonce), "gas": _hex(gas),
                  **{k: _hex(v) for k, v in fees.items()}, "chainId": _hex(chain_id), "type": _hex(tx["type"])}
        return UnsignedTx(purpose=purpose, network=self.network.id,  # type: ignore[arg-type]
                          from_address=sender.lower(), to_address=to_address.lower(), asset=asset,
                          amount_base=amount, unsigned_tx="0x" + encode_unsigned(tx).hex(), fields=fields)

    # -- signed transactions ----------------------------------------------------------------------
    def check_signed(self, prepared: UnsignedTx, signed: str) -> str:
        """The signed transaction's hash, after checking it is the prepared payload signed by its sender."""
        from eth_account import Account

        try:
            raw = _bytes(signed.strip())
            got, unsigned = decode(raw)
        except ValueError as exc:
            raise SignedMismatch("encoding", "a signed EVM transaction", f"undecodable ({exc})") from None
        want, _ = decode(_bytes(prepared.unsigned_tx))
        for name in COMPARED:
            if want.get(name) != got.get(name):
                raise SignedMismatch(name, _shown(name, want.get(name)), _shown(name, got.get(name)))
        if unsigned != _bytes(prepared.unsigned_tx):
            raise SignedMismatch("unsigned_tx", prepared.unsigned_tx, "0x" + unsigned.hex())
        try:
            signer = str(Account.recover_transaction(raw)).lower()
        except Exception as exc:  # no signature, or one that recovers to no key
            raise SignedMismatch("signature", f"a signature by {prepared.from_address}",
                                 f"invalid ({type(exc).__name__})") from None
        if signer != prepared.from_address.lower():
            raise SignedMismatch("from", prepared.from_address, signer)
        return "0x" + keccak(raw).hex()

    def broadcast(self, signed: str) -> str:
        """`eth_sendRawTransaction`; the node's refusal is said as it is."""
        try:
            sent = self.w3().eth.send_raw_transaction(_bytes(signed.strip()))
        except (RpcUnavailable, WrongChain):
            raise
        except Exception as exc:   # the node refused it: nonce too low, fee too low, funds short
            raise Refused(f"{self.network.id} refused the signed transaction: {exc}") from None
        text = sent.hex()
        return text if text.startswith("0x") else "0x" + text

    def signed_by_hash(self, tx_hash: str) -> str | None:
        """`eth_getRawTransactionByHash`: the signed transaction as the node holds it."""
        try:
            raw = self.w3().provider.make_request("eth_getRawTransactionByHash", [tx_hash])  # type: ignore[arg-type]
        except Exception as exc:
            raise RpcUnavailable(f"{self.network.id}: eth_getRawTransactionByHash failed ({type(exc).__name__})") \
                from None
        if "error" in raw:
            raise Refused(f"{self.network.id}'s endpoint does not give signed transactions by hash "
                          f"({raw['error'].get('message')}): record it with --signed-tx HEX instead")
        result = raw.get("result")
        return str(result) if result else None
