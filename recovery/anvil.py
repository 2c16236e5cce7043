"""A local Anvil node (npm @foundry-rs/anvil) on a free port: started, waited for, stopped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from recovery.errors import NotConfigured

REPO = Path(__file__).resolve().parent.parent


def anvil_binary() -> str:
    """`RECOVERY_ANVIL`, the project's node_modules/.bin/anvil, or `anvil` on PATH."""
    for candidate in (os.environ.get("RECOVERY_ANVIL"), str(REPO / "node_modules" / ".bin" / "anvil"),
                      shutil.which("anvil")):
        if candidate and Path(candidate).exists():
            return candidate
    raise NotConfigured("Anvil not found: run `npm ci` in the repository (package @foundry-rs/anvil)")


class Anvil:
    """One Anvil process with a given chain id; `url` once started. Use as a context manager."""

    def __init__(self, chain_id: int, *, block_time: int | None = None, hardfork: str | None = None) -> None:
        self.chain_id = chain_id
        self.block_time = block_time
        self.hardfork = hardfork   # e.g. "berlin": blocks without a base fee (a network without EIP-1559)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._session = requests.Session()

    @property
    def url(self) -> str:
        """The node's JSON-RPC URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Anvil:
        """Start the node on a port the OS picks (no probe-then-bind race) and wait until it answers."""
        args = [anvil_binary(), "--host", "127.0.0.1", "--port", "0", "--chain-id", str(self.chain_id)]
        if self.block_time:
            args += ["--block-time", str(self.block_time)]
        if self.hardfork:
            args += ["--hardfork", self.hardfork]
        # Anvil prints the bound address ("Listening on 127.0.0.1:PORT"), then one line per request
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the node)
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            self._log.seek(0)
            found = re.search(rb"Listening on 127\.0\.0\.1:(\d+)", self._log.read())
            if found:
                self.port = int(found.group(1))
                try:
                    if int(self.rpc("eth_chainId"), 16) == self.chain_id:
                        return self
                except requests.RequestException:
                    pass
            time.sleep(0.05)
        self.stop()
        raise NotConfigured(f"Anvil did not start on chain id {self.chain_id}")

    def stop(self) -> None:
        """Stop the node."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def rpc(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; an error answer raises RuntimeError with the node's message."""
        body = self._session.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                                  "params": list(params)}, timeout=30).json()
        if "error" in body:
            raise RuntimeError(f"{method}: {body['error'].get('message')}")
        return body["result"]

    def accounts(self) -> list[str]:
        """The node's unlocked, prefunded dev accounts (lower-case)."""
        return [a.lower() for a in self.rpc("eth_accounts")]

    def dev_keys(self) -> dict[str, str]:
        """Dev account (lower-case address) -> its private key, as the node printed them at start: the
        keys of the devnet's deposit addresses and hot wallet, so that a demo or test can sign offline."""
        from eth_account import Account

        if self._log is None:
            raise RuntimeError("the node is not running")
        self._log.seek(0)
        text = self._log.read().decode(errors="replace")
        section = text.split("Private Keys", 1)[1] if "Private Keys" in text else ""
        keys = re.findall(r"^\(\d+\) (0x[0-9a-fA-F]{64})", section, flags=re.M)
        return {Account.from_key(k).address.lower(): k for k in keys}

    def receipt(self, tx_hash: str, timeout: float = 10.0) -> dict[str, Any]:
        """The receipt of a transaction, waiting for a loaded node to finish mining it."""
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.rpc("eth_getTransactionReceipt", tx_hash)
            if receipt or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if not receipt:
            raise RuntimeError(f"{tx_hash} was not mined within {timeout:g}s")
        return dict(receipt)

    def mine(self, blocks: int = 1) -> None:
        """Mine empty blocks."""
        self.rpc("anvil_mine", hex(blocks))

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
