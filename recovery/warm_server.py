"""The warm process behind `recovery` (see recovery/warm.py): imports once, forks a child per command.

Run: python -m recovery.warm_server SOCKET_PATH (the launcher starts it; nobody needs to by hand).
Before listening it imports the libraries and modules the commands use, and nothing else: no database
connection, no configuration, no thread, so that a fork is a clean copy. A connection from another user
is closed unanswered. The process exits after RECOVERY_WARM_IDLE seconds (default 900) without a
command, or as soon as its socket file is gone or has been replaced by a newer process's.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import io
import json
import os
import random
import signal
import socket
import struct
import sys
from importlib import import_module
from typing import Any

from recovery.warm import HEADER, remove

# the libraries the commands use; then every module of the project's own packages but the report's (pandas
# and matplotlib are imported by `recovery report` alone) and this one
LIBRARIES = ("typer", "rich.console", "rich.table", "rich.panel", "rich.progress", "rich.markup",
             "rich._emoji_codes", "sqlite3", "sqlalchemy", "sqlalchemy.dialects.sqlite",
             "sqlalchemy.dialects.postgresql.psycopg", "psycopg", "sqlmodel", "requests", "orjson", "web3",
             "eth_utils", "eth_abi", "statemachine", "openpyxl")
PACKAGES = ("chains", "recovery")
SKIPPED = ("recovery.report", "recovery.warm_server")


def preload() -> None:
    """Import what the commands will need; a module that cannot be imported is left to the child."""
    import pkgutil

    names = ["cli", *LIBRARIES]
    for package in PACKAGES:
        module = import_module(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, f"{package}.")
                  if not info.name.startswith(SKIPPED)]
    for name in names:
        # a module that fails here fails again, with its message, in the child that needs it
        with contextlib.suppress(Exception):
            import_module(name)
    from sqlalchemy.orm import configure_mappers

    from chains.networks import shipped_registry

    configure_mappers()   # the ORM's class set-up, in memory, once rather than in every command
    shipped_registry()   # parsed once (a child whose RECOVERY_NETWORKS names another file reads that one)


def serve(path: str, idle: float) -> None:
    """Listen on `path` (atomically replacing an older socket there) and fork a child per command."""
    preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = f"{path}.{os.getpid()}"
    old_mask = os.umask(0o177)
    try:
        listener.bind(staging)
    finally:
        os.umask(old_mask)
    listener.listen(64)
    os.replace(staging, path)
    mine = os.stat(path).st_ino
    with open(f"{path}.pid", "w") as pid_file:   # for `stop` (recovery/warm.py)
        pid_file.write(str(os.getpid()))
    listener.settimeout(idle)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            _remove_if_mine(path, mine)
            return
        if not _still_mine(path, mine):
            conn.close()
            return
        if not _same_user(conn):
            conn.close()
            continue
        if os.fork() == 0:
            try:
                listener.close()
                _child(conn)
            finally:
                os._exit(1)   # whatever happens in the child, it never goes back to serving
        conn.close()


def _still_mine(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _remove_if_mine(path: str, inode: int) -> None:
    if _still_mine(path, inode):
        remove(path)


def _same_user(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The launcher's request and its three file descriptors."""
    fds = array.array("i")
    data = b""
    while len(data) < HEADER.size or len(data) < HEADER.size + HEADER.unpack_from(data)[0]:
        chunk, ancillary, _flags, _addr = conn.recvmsg(1 << 16, socket.CMSG_SPACE(3 * fds.itemsize))
        if not chunk:
            raise EOFError("the launcher went away before its request was complete")
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
        data += chunk
    (size,) = HEADER.unpack_from(data)
    return json.loads(data[HEADER.size:HEADER.size + size]), list(fds)


def _child(conn: socket.socket) -> None:
    """Become the command: the launcher's stdio, folder, environment and arguments; run; report the exit."""
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        # the launcher sends nothing (no descriptor) until it knows a child took its connection, and gives up
        # at once when none does; from here on it waits for this child, so nothing runs twice
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        request, fds = _receive(conn)
        if len(fds) != 3:
            raise EOFError(f"expected 3 file descriptors, got {len(fds)}")
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(str(request["cwd"]))
        os.umask(int(request["umask"]))
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        _reopen_stdio()
        random.seed()
        conn.sendall(b'{"running": true}\n')
    except Exception:  # noqa: BLE001  (nothing ran: the launcher sees no "running" and runs the command itself)
        os._exit(0)
    _watch_launcher(conn)
    code = _run()
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
    os._exit(0)


def _reopen_stdio() -> None:
    """Text streams over the launcher's descriptors, encoded as the launcher's environment says."""
    encoding, _, errors = os.environ.get("PYTHONIOENCODING", "utf-8").partition(":")
    unbuffered = os.environ.get("PYTHONUNBUFFERED", "") not in ("", "0")
    # the streams live as long as the process: no context manager
    stdin = io.TextIOWrapper(open(0, "rb", closefd=False),  # noqa: SIM115
                             encoding=encoding or "utf-8", errors=errors or "strict")
    sys.stdin = stdin
    setattr(sys, "__stdin__", stdin)  # noqa: B010  (a Final name to the type checker)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        raw = open(fd, "wb", buffering=0 if unbuffered else -1, closefd=False)  # noqa: SIM115
        stream = io.TextIOWrapper(raw, encoding=encoding or "utf-8",  # type: ignore[type-var]
                                  errors=errors or ("backslashreplace" if fd == 2 else "strict"),
                                  line_buffering=fd == 2 or raw.isatty(), write_through=unbuffered)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _watch_launcher(conn: socket.socket) -> None:
    """A launcher that goes away (killed, its terminal closed) hangs the command up, as a terminal would."""
    import threading

    def watch() -> None:
        try:
            while conn.recv(1 << 10):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGHUP)

    threading.Thread(target=watch, daemon=True, name="launcher-watch").start()


def _run() -> int:
    """The command, as `cli.main` runs it, and its exit code."""
    import cli

    code: object = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001  (what the interpreter would print before exiting 1)
        import traceback

        traceback.print_exc()
        code = 1
    with contextlib.suppress(Exception):   # what the command registered to run at exit
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


if __name__ == "__main__":
    serve(sys.argv[1], float(os.environ.get("RECOVERY_WARM_IDLE", "900")))
