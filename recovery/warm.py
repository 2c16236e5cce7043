"""The `recovery` console script: hand the command to a warm process when one is running, else run it here.

Importing SQLAlchemy, SQLModel and the case machinery takes most of a database command's time (about
0.8 s of 0.9 s). A warm process (`recovery.warm_server`) has them imported once and forks a child per
command; this launcher, which imports only the standard library, sends the child its arguments,
environment, working folder and its own stdin, stdout and stderr, forwards Ctrl-C and other signals, and
exits with the child's exit code. Each command runs in a fresh fork of the same imported state: no
state, no connection and no configuration passes from one command to the next.

When no warm process is there, the command runs in this process as it always did, and a warm process is
started in the background for the next command; it exits after `RECOVERY_WARM_IDLE` seconds without a
command (default 900). `RECOVERY_WARM=0` turns all of this off. The socket lives in a folder only this
user can enter, and its name carries a fingerprint of the code and of the interpreter, so a changed
checkout or an upgraded package is never served by a process holding the old code.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
# variables read when modules are imported, not when a command runs: a different value needs another process
IMPORT_TIME_ENV = ("PYTHONPATH", "PYTHONHASHSEED", "PYTHONWARNINGS", "TYPER_USE_RICH",
                   "_TYPER_STANDARD_TRACEBACK", "PYTHONSAFEPATH", "PYTHONNODEBUGRANGES")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ("recovery", "chains", "migrations")
HEADER = struct.Struct("!I")
MAX_SOCKET_PATH = 100   # sun_path holds 108 bytes; the staging name adds the process id
START_SECONDS = 10.0    # how long the launcher waits for the warm process to answer the connection


def enabled(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether commands may go to a warm process (`RECOVERY_WARM=0`, `off` or `no` says no)."""
    return sys.platform.startswith("linux") and env.get("RECOVERY_WARM", "1").strip().lower() not in (
        "0", "off", "no", "false")


def fingerprint(root: str = ROOT, env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """A digest of what the imported state depends on: the interpreter, the installed packages (the
    site-packages folders' change times), every file of the project's packages and the import-time
    environment. Any change to them names another socket."""
    h = hashlib.sha256()
    h.update(sys.executable.encode() + sys.version.encode())
    for entry in sys.path:
        if entry.endswith("-packages"):
            with contextlib.suppress(OSError):
                h.update(f"{entry}:{os.stat(entry).st_mtime_ns}".encode())
    h.update(f"cli:{_mtime(os.path.join(root, 'cli.py'))}".encode())
    for top in SOURCES:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if not name.endswith((".pyc", ".pyo")):
                    path = os.path.join(folder, name)
                    h.update(f"{path}:{_mtime(path)}".encode())
    for key in IMPORT_TIME_ENV:
        h.update(f"{key}={env.get(key, '')}".encode())
    return h.hexdigest()[:20]


def _mtime(path: str) -> int:
    try:
        st = os.stat(path)
    except OSError:
        return 0
    return st.st_mtime_ns ^ st.st_size


def socket_folder(env: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """The user's private folder for the socket (made 0700 when missing), or None when it is not private:
    owned by someone else, a symlink, or open to the group or others."""
    base = env.get("XDG_RUNTIME_DIR") or env.get("TMPDIR") or "/tmp"
    folder = os.path.join(base, f"recovery-warm-{os.getuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    st = os.lstat(folder)
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return folder


def socket_path(env: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """Where the warm process for this code listens, or None when there is no private folder for it or the
    path is longer than a Unix socket's address can be."""
    folder = socket_folder(env)
    path = None if folder is None else os.path.join(folder, f"{fingerprint(env=env)}.sock")
    return path if path is not None and len(os.fsencode(path)) < MAX_SOCKET_PATH else None


def main() -> None:
    """Console-script entry point."""
    path = socket_path() if enabled() else None
    if path is not None:
        try:
            code = _delegate(path)
        except KeyboardInterrupt:   # Ctrl-C before a child took the command: nothing ran
            sys.exit(130)
        if code is not None:
            sys.exit(code)
        spawn(path)
    from cli import main as run_here

    run_here()


def _delegate(path: str) -> int | None:
    """The exit code of the command run by the warm process at `path`, or None when none took it (then
    nothing has run and the command may run here)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(START_SECONDS)   # a warm process that does not answer at once is passed over
    try:
        conn.connect(path)
        reader = conn.makefile("rb")
        hello = reader.readline()   # the child forked for this command, before anything is sent to it
        child = int(json.loads(hello)["pid"])
    except (OSError, ValueError, KeyError):
        conn.close()
        return None
    forwarded: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        forwarded.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        conn.settimeout(None)
        request = json.dumps({"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(),
                              "umask": _umask()}).encode()
        message = HEADER.pack(len(request)) + request
        sent = conn.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
        conn.sendall(message[sent:])
        running = reader.readline()   # sent once the child has taken over, just before the command runs
        ended = reader.readline() if running else b""
    except OSError:
        running = ended = b""
    if not ended and forwarded:   # a signal ended the command: end as it would have ended this process
        signal.signal(forwarded[-1], signal.SIG_DFL)
        os.kill(os.getpid(), forwarded[-1])
    if not running:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        conn.close()
        return None   # the child gave up before it ran anything: the command may run here
    if not ended:
        sys.stderr.write("error: the command's process ended without an exit status (killed?)\n")
        return 1
    return int(json.loads(ended)["exit"])


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ready(path: str) -> bool:
    """Whether a warm process answers at `path`."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def stop(path: str) -> bool:
    """Stop the warm process listening at `path`, if there is one; whether one was stopped."""
    try:
        with open(f"{path}.pid") as pid_file:
            pid = int(pid_file.read().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:   # a stale file may name another process now
            if b"recovery.warm_server" not in cmdline.read():
                return False
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return False
    remove(path)
    return True


def remove(path: str) -> None:
    """Take a warm process's socket and its pid file away."""
    for name in (path, f"{path}.pid"):
        with contextlib.suppress(OSError):
            os.unlink(name)


def spawn(path: str, environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Start a warm process for `path` in the background, detached from this terminal; any failure to
    start it only means that the next command starts cold too. It gets only the variables read at import
    time (and the locale's), never the command's secrets: each command brings its own environment."""
    import subprocess

    env = {k: v for k, v in environ.items()
           if k in IMPORT_TIME_ENV or k in ("PATH", "HOME", "LANG", "TMPDIR", "XDG_RUNTIME_DIR",
                                           "RECOVERY_WARM_IDLE") or k.startswith("LC_")}
    with contextlib.suppress(OSError):
        subprocess.Popen([sys.executable, "-m", "recovery.warm_server", path], env=env, cwd="/",
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True)


if __name__ == "__main__":
    main()
