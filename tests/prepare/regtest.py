"""A Litecoin Core node in regtest (Debian's `litecoind`, a Bitcoin Core 0.21 fork) for the UTXO builder."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from chains.addresses.params import parse_params
from chains.networks import Network, registry

BINARY = "litecoind"
SKIP_REASON = ("no litecoind binary: `apt-get install litecoind` (Debian's Litecoin Core 0.21, the one "
               "Bitcoin Core fork that Debian, PyPI or npm ship as a daemon; no bitcoind package exists there)")
USER, PASSWORD = "recovery", "regtest"


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# regtest's address versions (rltc1..., m/n..., Q.../2...), as a registry row's `address` table
REGTEST_ADDRESS = {"forms": ["base58", "segwit"], "p2pkh": ["6f"], "p2sh": ["3a", "c4"], "hrp": "rltc"}


def regtest_network() -> Network:
    """Litecoin's registry row with regtest address versions."""
    return replace(registry()["litecoin"], address=parse_params("utxo", REGTEST_ADDRESS))


class Node:
    """A running regtest node and its wallet's RPC."""

    def __init__(self, datadir: Path) -> None:
        self.port, self.rpcport = free_port(), free_port()
        self.proc = subprocess.Popen(
            [BINARY, "-regtest", f"-datadir={datadir}", f"-port={self.port}", f"-rpcport={self.rpcport}",
             f"-rpcuser={USER}", f"-rpcpassword={PASSWORD}", "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1",
             "-listen=0", "-dnsseed=0", "-txindex=1", "-fallbackfee=0.0002",
             "-printtoconsole=0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://{USER}:{PASSWORD}@127.0.0.1:{self.rpcport}"
        self.session = requests.Session()

    def rpc(self, method: str, *params: Any, wallet: str | None = None) -> Any:
        """One call; raises RuntimeError with the node's error."""
        url = self.url + (f"/wallet/{wallet}" if wallet else "")
        body = self.session.post(url, json={"jsonrpc": "1.0", "id": 1, "method": method, "params": list(params)},
                                 timeout=30).json(parse_float=Decimal)
        if body.get("error"):
            raise RuntimeError(f"{method}: {body['error']}")
        return body["result"]

    def wait(self) -> None:
        """Until the RPC answers (at most 60 s)."""
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{BINARY} exited with {self.proc.returncode}")
            try:
                self.rpc("getblockcount")
                return
            except (requests.RequestException, RuntimeError, ValueError):
                time.sleep(0.3)
        raise RuntimeError(f"{BINARY} did not answer within 60 s")

    def stop(self) -> None:
        """Stop the node (RPC stop, then terminate)."""
        try:
            self.rpc("stop")
            self.session.close()   # the node waits for open RPC connections before it exits
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.terminate()
            self.proc.wait(timeout=10)
