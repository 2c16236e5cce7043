"""A local Anvil node (npm @foundry-rs/anvil) on a free port: started, waited for, stopped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Anvil:
    """One Anvil process with a given chain id; `url` once started. Use as a context manager."""

    def __init__(self, chain_id: int, *, block_time: int | None = None) -> None:
        self.chain_id = chain_id
        self.block_time = block_time
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._session = requests.Session()

    @property
    def url(self) -> str:
        """The node's JSON-RPC URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Anvil:
        """Start the node and wait until it answers."""
        for _ in range(5):  # a port taken between probe and bind: try another
            self.port = free_port()
            args = [anvil_binary(), "--host", "127.0.0.1", "--port", str(self.port),
                    "--chain-id", str(self.chain_id), "--silent"]
            if self.block_time:
                args += ["--block-time", str(self.block_time)]
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if int(self.rpc("eth_chainId"), 16) == self.chain_id:
                        return self
                except requests.RequestException:
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

    def mine(self, blocks: int = 1) -> None:
        """Mine empty blocks."""
        self.rpc("anvil_mine", hex(blocks))

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
