"""The bitcoin-family builder: one unsigned transaction spending exactly the claimed outputs to the
destination, the fee taken from them.

The node (bitcoind-compatible JSON-RPC) is asked for each spent output (`getrawtransaction`, checked
against the claim: address and value) and whether it is still unspent (`gettxout`), and for the fee
rate: `estimatesmartfee`, else the node's relay fee (`getnetworkinfo`), never below it. Replay rules:
Bitcoin Cash inputs are signed with SIGHASH_ALL|FORKID (0x41), every other coin with SIGHASH_ALL
(0x01) and never with FORKID; Bitcoin and Litecoin outputs may be segwit, the others' may not. A PSBT
is given for the segwit coins (BIP-174 is theirs); Zcash's transparent transactions have another
format and no builder here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

from chains.addresses import codec
from chains.addresses.utxo import coin_params, script_address
from chains.errors import ChainError, TxNotFound
from chains.networks import Network
from chains.utxo import to_base_units
from recovery.prepare.model import BuildRequest, CannotBuild, NoBuilder, SignedMismatch, UnsignedTx
from recovery.prepare.nodes import clients, first_answer
from recovery.prepare.utxo_tx import (
    SIGHASH_ALL,
    SIGHASH_FORKID,
    Tx,
    TxIn,
    TxOut,
    address_script,
    estimate_vsize,
    hash160,
    is_der_signature,
    parse_tx,
    psbt,
    pushes,
    script_kind,
    witness_program,
)

#: networks whose transactions this builder cannot write (another serialization)
UNSUPPORTED = {"zcash": "Zcash transparent transactions are v4/v5 (Overwinter/Sapling) with an expiry "
                        "height and branch id; build it with zcashd's createrawtransaction"}
FORKID_NETWORKS = frozenset({"bitcoin-cash"})
DUST = 546                      # base units below which nodes refuse an output as dust
CONF_TARGET = 6                 # blocks, for estimatesmartfee


def sighash_type(network: Network) -> int:
    """The sighash type every input is signed with on this network."""
    return SIGHASH_ALL | SIGHASH_FORKID if network.id in FORKID_NETWORKS else SIGHASH_ALL


class UtxoBuilder:
    """Builds and checks recovery transactions of one bitcoin-family network over its nodes."""

    def __init__(self, network: Network, urls: Sequence[str], *, timeout: float = 20.0) -> None:
        if network.family != "utxo":
            raise ValueError(f"{network.id} is not a bitcoin-family network")
        if network.id in UNSUPPORTED:
            raise NoBuilder(UNSUPPORTED[network.id])
        if not urls:
            raise ValueError(f"no endpoint for {network.id}")
        self.network = network
        self.coin = coin_params(network)
        # bitcoind writes amounts in whole coins as JSON numbers: read them as exact decimals
        self.clients = clients([u for u in urls if not u.startswith("esplora+")], timeout=timeout,
                               parse_float=Decimal)
        if not self.clients:
            raise NoBuilder(f"{network.id}: building needs a bitcoind-compatible JSON-RPC endpoint, "
                            "not only Esplora")

    # -- node calls -----------------------------------------------------------------------------

    def _call(self, method: str, params: list[Any]) -> Any:
        """One call on the first endpoint that answers; a definite error is raised as it is."""
        return first_answer(self.clients, method, params)

    def _fee_rate(self, policy: dict[str, Any]) -> tuple[Decimal, str]:
        """Base units per 1000 vbytes, and where the rate came from."""
        decimals = self.network.native_decimals
        relay = self._call("getnetworkinfo", [])
        floor = Decimal(to_base_units(relay["relayfee"], decimals))
        rate, source = floor, "relayfee"
        if "fee_rate_per_kvb" in policy:
            rate, source = Decimal(str(policy["fee_rate_per_kvb"])), "policy"
        else:
            try:
                answer = self._call("estimatesmartfee", [int(policy.get("conf_target", CONF_TARGET))])
            except ChainError:
                answer = {}
            if isinstance(answer, dict) and answer.get("feerate") is not None and Decimal(answer["feerate"]) > 0:
                rate, source = Decimal(to_base_units(answer["feerate"], decimals)), "estimatesmartfee"
        if rate < floor:
            rate, source = floor, "relayfee"
        cap = policy.get("max_fee_rate_per_kvb")
        if cap is not None and rate > Decimal(str(cap)):
            raise CannotBuild(f"{self.network.id}: fee rate {rate} per kvB ({source}) is above the policy's "
                          f"max_fee_rate_per_kvb {cap}")
        return rate, source

    def _outputs_to_deposit(self, request: BuildRequest, key: str) -> list[tuple[str, int, int]]:
        """The deposit's outputs to the deposit address, when the request names none: what the case claims."""
        parsed = parse_tx(bytes.fromhex(self._call("getrawtransaction", [request.deposit_tx, 1])["hex"]))
        if parsed.txid() != request.deposit_tx:
            raise CannotBuild(f"{request.deposit_tx}: the node answered transaction {parsed.txid()}")
        return [(request.deposit_tx, n, out.value) for n, out in enumerate(parsed.outputs)
                if (pays := script_address(out.script.hex(), self.coin)) is not None
                and codec(self.network).normalize(pays) == key]

    def _spent(self, request: BuildRequest, key: str) -> list[tuple[TxIn, TxOut, bytes]]:
        """Each claimed output with its script, checked: it pays the deposit address the claimed value
        and is unspent. The previous transaction's bytes come along for the PSBT."""
        claimed = list(request.outputs) or self._outputs_to_deposit(request, key)
        if not claimed:
            raise CannotBuild(f"{request.deposit_tx} pays no output to the deposit address {request.deposit_address}")
        out = []
        for txid, vout, value in claimed:
            raw = self._call("getrawtransaction", [txid, 1])
            prev = bytes.fromhex(raw["hex"])
            parsed = parse_tx(prev)
            if parsed.txid() != txid:
                raise CannotBuild(f"{txid}: the node answered transaction {parsed.txid()}")
            if vout >= len(parsed.outputs):
                raise CannotBuild(f"{txid}:{vout}: the transaction has {len(parsed.outputs)} outputs")
            spent = parsed.outputs[vout]
            pays = script_address(spent.script.hex(), self.coin)
            if pays is None or codec(self.network).normalize(pays) != key:
                raise CannotBuild(f"{txid}:{vout} pays {pays or 'a non-standard script'}, "
                              f"not the deposit address {request.deposit_address}")
            if spent.value != value:
                raise CannotBuild(f"{txid}:{vout} holds {spent.value}, the case claims {value}")
            if script_kind(spent.script) not in ("p2pkh", "p2wpkh", "p2sh", "p2tr"):
                raise NoBuilder(f"{txid}:{vout}: a {script_kind(spent.script)} output is not one this "
                                "builder can size")
            if self._call("gettxout", [txid, vout, True]) is None:
                raise CannotBuild(f"{txid}:{vout} is already spent")
            out.append((TxIn(txid, vout), spent, prev))
        return out

    # -- the builder ----------------------------------------------------------------------------

    def build(self, request: BuildRequest) -> list[UnsignedTx]:
        """The one recovery transaction: all claimed outputs in, the destination out, less the fee."""
        if request.asset not in (None, "native", self.network.native_symbol):
            raise NoBuilder(f"{request.network}: only the native coin moves on a bitcoin-family network")
        net = self.network
        key = codec(net).validate(request.deposit_address)
        dest = address_script(net, request.destination)
        if script_kind(dest) in ("p2wpkh", "p2wsh", "p2tr") and not net.address.hrp:
            raise CannotBuild(f"{net.id} has no segwit: {request.destination} cannot be paid")
        spent = self._spent(request, key)
        total = sum(s.value for _, s, _ in spent)
        rate, source = self._fee_rate(request.policy)
        vsize = estimate_vsize([script_kind(s.script) for _, s, _ in spent], [dest])
        fee = int((rate * vsize / 1000).to_integral_value(ROUND_CEILING))
        amount = total - fee
        dust = int(request.policy.get("dust", DUST))
        least = int(getattr(request, "min_amount_base", 0))
        if amount > request.amount_base:
            raise CannotBuild(f"{net.id}: the outputs hold {total}, more than the {request.amount_base} "
                              "the recovery may move")
        if amount < dust:
            raise CannotBuild(f"{net.id}: the outputs hold {total}, the fee is {fee}: {amount} left is below "
                              f"the dust limit {dust}")
        if amount < least:
            raise CannotBuild(f"{net.id}: after the fee of {fee} the recovery moves {amount}, below the "
                              f"quoted net {least}")
        tx = Tx(version=2, inputs=tuple(i for i, _, _ in spent), outputs=(TxOut(amount, dest),))
        sighash = sighash_type(net)
        fields: dict[str, Any] = {
            "txid": tx.txid(), "version": tx.version, "locktime": tx.locktime,
            "vin": [{"txid": i.txid, "vout": i.vout, "sequence": i.sequence, "value": s.value,
                     "scriptPubKey": s.script.hex(), "type": script_kind(s.script)} for i, s, _ in spent],
            "vout": [{"n": 0, "value": amount, "scriptPubKey": dest.hex(),
                      "address": codec(net).display(request.destination)}],
            "fee": fee, "fee_rate_per_kvb": str(rate), "fee_source": source, "vsize_estimate": vsize,
            "sighash_type": sighash, "sighash": "ALL|FORKID" if sighash & SIGHASH_FORKID else "ALL",
            "psbt": None,
        }
        if net.address.hrp:   # segwit coins: BIP-174 is theirs
            fields["psbt"] = psbt(tx, [p if script_kind(s.script) == "p2pkh" else None for _, s, p in spent],
                                  [s for _, s, _ in spent], sighash)
        return [UnsignedTx(purpose="recovery", network=net.id, from_address=request.deposit_address,
                           to_address=request.destination, asset="native", amount_base=amount,
                           unsigned_tx=tx.serialize().hex(), fields=fields)]

    def check_signed(self, prepared: UnsignedTx, signed: str) -> str:
        """The signed transaction's txid; SignedMismatch names the first field that is not as prepared
        (version, locktime, each input's outpoint and sequence, each output, each signature's sighash)."""
        want = parse_tx(prepared.unsigned_tx)
        try:
            got = parse_tx(signed.strip())
        except ValueError as exc:
            raise SignedMismatch("transaction", "a bitcoin-family transaction", f"unreadable ({exc})") from None
        pairs: list[tuple[str, object, object]] = [
            ("version", want.version, got.version), ("locktime", want.locktime, got.locktime),
            ("vin.count", len(want.inputs), len(got.inputs)), ("vout.count", len(want.outputs), len(got.outputs)),
        ]
        for name, a, b in pairs:
            if a != b:
                raise SignedMismatch(name, a, b)
        for n, (a, b) in enumerate(zip(want.inputs, got.inputs, strict=True)):
            for name in ("txid", "vout", "sequence"):
                if getattr(a, name) != getattr(b, name):
                    raise SignedMismatch(f"vin[{n}].{name}", getattr(a, name), getattr(b, name))
        for n, (c, d) in enumerate(zip(want.outputs, got.outputs, strict=True)):
            if c.value != d.value:
                raise SignedMismatch(f"vout[{n}].value", c.value, d.value)
            if c.script != d.script:
                raise SignedMismatch(f"vout[{n}].scriptPubKey", c.script.hex(), d.script.hex())
        sighash = int(prepared.fields.get("sighash_type", sighash_type(self.network)))
        for n, i in enumerate(got.inputs):
            used = signature_sighashes(i)
            if not used:
                raise SignedMismatch(f"vin[{n}].signature", "a signature", "none")
            wrong = [u for u in used if u != sighash]
            if wrong:
                raise SignedMismatch(f"vin[{n}].sighash", hex(sighash), hex(wrong[0]))
        for n, (i, spent) in enumerate(zip(got.inputs, prepared.fields.get("vin") or [], strict=False)):
            script = bytes.fromhex(spent["scriptPubKey"])
            if not signed_by_script(i, script):
                raise SignedMismatch(f"vin[{n}].signature", f"signed by the key of {spent['scriptPubKey']}",
                                     "another key")
        return got.txid()

    def broadcast(self, signed: str) -> str:
        """`sendrawtransaction`; the node's txid."""
        return str(self._call("sendrawtransaction", [signed.strip()]))

    def signed_by_hash(self, tx_hash: str) -> str | None:
        """The raw transaction the node holds under this txid (it needs -txindex once confirmed)."""
        try:
            raw = self._call("getrawtransaction", [tx_hash, 0])
        except TxNotFound:
            return None
        return str(raw)


def signed_by_script(txin: TxIn, script: bytes) -> bool:
    """Whether the input's public key is the one the spent key-hash script names (P2PKH, P2WPKH,
    P2SH-P2WPKH); other scripts are left to the node's own checks."""
    kind = script_kind(script)
    if kind == "p2wpkh" and len(txin.witness) == 2:
        return script[2:] == hash160(txin.witness[1])
    if kind == "p2pkh":
        items = pushes(txin.script_sig)
        return len(items) == 2 and script[3:23] == hash160(items[1])
    if kind == "p2sh" and len(txin.witness) == 2:
        return script[2:22] == hash160(witness_program(0, hash160(txin.witness[1])))
    return True


def signature_sighashes(txin: TxIn) -> list[int]:
    """The sighash byte of each signature of an input (scriptSig pushes, witness items); a 64-byte
    taproot key-path signature is SIGHASH_DEFAULT, which commits as ALL; empty if there is none."""
    if len(txin.witness) == 1 and len(txin.witness[0]) in (64, 65) and not txin.script_sig:
        sig = txin.witness[0]
        return [SIGHASH_ALL if len(sig) == 64 else sig[-1]]
    items = list(txin.witness) + pushes(txin.script_sig)
    return [item[-1] for item in items if is_der_signature(item)]


def builder(network: Network, endpoints: Sequence[str], *, timeout: float = 20.0) -> UtxoBuilder:
    """The builder of a bitcoin-family network over its endpoints (priority order)."""
    return UtxoBuilder(network, endpoints, timeout=timeout)
