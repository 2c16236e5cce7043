"""Bitcoin-family addresses: base58check P2PKH/P2SH, segwit bech32/bech32m, CashAddr. The coin
parameters (version bytes, HRP, CashAddr prefix, accepted forms) are the `address` table of each
network's row in networks.toml; this module holds only the rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from chains.addresses.base import AddressCodec
from chains.addresses.bech32 import (
    CASH_TYPES,
    cashaddr_decode,
    cashaddr_encode,
    segwit_decode,
    segwit_encode,
)
from chains.base58 import b58check_decode, b58check_encode

if TYPE_CHECKING:
    from chains.networks import Network


@dataclass(frozen=True, slots=True)
class CoinParams:
    """What the adapter's script decoding needs: preferred base58 versions, segwit hrp, CashAddr prefix
    (set where CashAddr is the coin's display form), `getrawtransaction` verbosity."""

    p2pkh: bytes
    p2sh: bytes
    hrp: str | None = None
    cashaddr: str | None = None
    #: a number (zcashd and old forks reject a JSON bool); 2 makes Bitcoin Core >= 25 add
    #: vin[].prevout and fee, and older Core nodes read any non-zero as verbose
    verbosity: int = 1


@cache
def coin_params(network: Network) -> CoinParams:
    """The `CoinParams` of a utxo network, from its registry row."""
    a = network.address
    return CoinParams(p2pkh=a.p2pkh[0], p2sh=a.p2sh[0], hrp=a.hrp,
                      cashaddr=a.cashaddr_prefix if a.display_form == "cashaddr" else None,
                      verbosity=network.rpc_verbosity)


class _Coins(Mapping[str, CoinParams]):
    """Network id -> `CoinParams` of the registry's utxo networks, read from the registry in force."""

    @staticmethod
    def _all() -> dict[str, CoinParams]:
        from chains.networks import registry

        return {n.id: coin_params(n) for n in registry().values() if n.family == "utxo"}

    def __getitem__(self, network_id: str) -> CoinParams:
        return self._all()[network_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


COINS: Mapping[str, CoinParams] = _Coins()


def script_address(script_hex: str, coin: CoinParams) -> str | None:
    """The address a standard output script pays to (P2PKH, P2SH, witness programs), else None."""
    try:
        s = bytes.fromhex(script_hex)
    except ValueError:
        return None
    if len(s) == 25 and s[:3] == b"\x76\xa9\x14" and s[23:] == b"\x88\xac":
        kind, digest = "p2pkh", s[3:23]
    elif len(s) == 23 and s[:2] == b"\xa9\x14" and s[22] == 0x87:
        kind, digest = "p2sh", s[2:22]
    elif coin.hrp and 4 <= len(s) <= 42 and (s[0] == 0 or 0x51 <= s[0] <= 0x60) and s[1] == len(s) - 2:
        version = 0 if s[0] == 0 else s[0] - 0x50
        if version == 0 and len(s) not in (22, 34):
            return None
        return segwit_encode(coin.hrp, version, s[2:])
    else:
        return None
    if coin.cashaddr:
        return cashaddr_encode(coin.cashaddr, 0 if kind == "p2pkh" else 1, digest)
    return b58check_encode((coin.p2pkh if kind == "p2pkh" else coin.p2sh) + digest)


@dataclass(frozen=True, slots=True)
class _Script:
    kind: str              # "p2pkh", "p2sh" or "segwit"
    payload: bytes         # the key or script hash, or the witness program
    witness_version: int = 0


class UtxoCodec(AddressCodec):
    """One coin's addresses. Keys: bech32 lower-case, base58 under the coin's preferred version (so a
    Litecoin `3…` legacy P2SH and the `M…` the node writes are one key), a 20-byte CashAddr as the
    legacy base58 of the same hash (the key Bitcoin writes for it)."""

    def _form(self, value: str) -> str | None:
        forms, low = self.params.forms, value.lower()
        if "segwit" in forms and self.params.hrp and low.startswith(self.params.hrp + "1"):
            return "segwit"
        if "cashaddr" in forms and (":" in value or (len(value) >= 42 and low[0] in "qpzr")):
            return "cashaddr"
        return "base58" if "base58" in forms else None

    def _decode(self, value: str) -> _Script:
        form = self._form(value)
        if form is None:
            raise self.invalid(value, f"not of an accepted form ({', '.join(self.params.forms)})")
        try:
            if form == "segwit":
                version, program = segwit_decode(self.params.hrp or "", value)
                return _Script("segwit", program, version)
            if form == "cashaddr":
                return self._cashaddr(value)
            return self._base58(value)
        except ValueError as exc:
            raise self.invalid(value, str(exc)) from None

    def _base58(self, value: str) -> _Script:
        try:
            raw = b58check_decode(value)
        except ValueError as exc:
            raise ValueError("fails its base58check checksum" if "checksum" in str(exc) else str(exc)) from None
        for kind in ("p2pkh", "p2sh"):
            for version in getattr(self.params, kind):
                if raw.startswith(version) and len(raw) == len(version) + 20:
                    return _Script(kind, raw[len(version):])
        return self._unknown_version(raw)

    def _unknown_version(self, raw: bytes) -> _Script:
        known = ", ".join(f"{k} {v.hex()}" for k in ("p2pkh", "p2sh") for v in getattr(self.params, k))
        raise ValueError(f"base58check version {raw[:1].hex()}… with {len(raw)} bytes is none of this "
                         f"coin's ({known})")

    def _cashaddr(self, value: str) -> _Script:
        prefix = self.params.cashaddr_prefix or ""
        got, kind, payload = cashaddr_decode(value, default_prefix=prefix)
        if got != prefix:
            raise ValueError(f"CashAddr prefix {got!r} is not {prefix!r}")
        if kind not in CASH_TYPES:
            raise ValueError(f"CashAddr type {kind} is neither P2PKH nor P2SH")
        return _Script(CASH_TYPES[kind][0], payload)

    def _key(self, script: _Script) -> str:
        if script.kind == "segwit":
            return segwit_encode(self.params.hrp or "", script.witness_version, script.payload)
        versions = getattr(self.params, script.kind)
        if len(script.payload) == 20 and versions:
            return b58check_encode(versions[0] + script.payload)
        # P2SH-32 has no legacy form: the CashAddr is canonical
        return cashaddr_encode(self.params.cashaddr_prefix or "", 0 if script.kind == "p2pkh" else 1,
                               script.payload)

    def validate(self, address: str) -> str:
        """The key of a well-formed address of this coin; `InvalidAddress` with the reason otherwise."""
        return self._key(self._decode(address.strip()))

    def display(self, address: str) -> str:
        """The coin's display form (CashAddr for Bitcoin Cash, else the key)."""
        value = address.strip()
        try:
            script = self._decode(value)
        except ValueError:
            return value
        if self.params.display_form == "cashaddr" and script.kind != "segwit":
            return cashaddr_encode(self.params.cashaddr_prefix or "", 0 if script.kind == "p2pkh" else 1,
                                   script.payload)
        return self._key(script)
