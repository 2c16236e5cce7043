"""A throwaway PostgreSQL server for one test session: initdb in a temp folder, a free port, trust auth.

The binaries come from the machine (`/usr/lib/postgresql/*/bin`, newest first) or, where it has none, from
the `pgserver` wheel of the dev extras (PostgreSQL built into a Python package). PostgreSQL refuses to run
as root, so as root the server runs as `nobody`.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any


def machine_bin_dirs() -> list[Path]:
    """The machine's PostgreSQL binary folders that hold initdb and pg_ctl, newest version first."""
    found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    found = [p for p in found if (p / "initdb").is_file() and (p / "pg_ctl").is_file()]
    return sorted(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)


def wheel_bin_dir() -> Path | None:
    """The binaries of the `pgserver` wheel, if it is installed."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if (bindir / "initdb").is_file() else None


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections there."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    """One server: `start()` gives the admin URL (database `postgres`, user `postgres`), `stop()` removes all."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder: Path | None = None
        self.port = 0
        self._as: dict[str, Any] = {}

    def _run(self, *args: str) -> None:
        proc = subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                              timeout=120, **self._as)
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-800:]}")

    def start(self) -> str:
        """initdb, start on a free loopback port, wait until it accepts connections; the admin URL."""
        self.folder = Path(tempfile.mkdtemp(prefix="recovery-pg-"))
        if os.geteuid() == 0:
            import pwd

            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
            self._as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": [], "cwd": self.folder}
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.port = _free_port()
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                  "-o", options, "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.folder is None:
            return
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "-t", "30", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
