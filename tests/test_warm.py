"""The launcher and its warm process (recovery/warm.py, recovery/warm_server.py): a command handed over
answers exactly as one run cold, in the launcher's folder and environment; Ctrl-C, SIGTERM and a killed
launcher reach it; changed code or an open socket folder is never used; an idle process goes away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recovery import warm

REPO = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "recovery")
TX = "b10c0000004da5a9d1d9b4ae32e09f0b3e62d21a5cce5428d4ad714fb444eb5d"
# the launcher, run as the console script runs it, saying at exit whether it imported SQLAlchemy itself
PROBE = ("import atexit, sys\n"
         "atexit.register(lambda: sys.stderr.write('\\nORM-HERE=%s' % ('sqlalchemy' in sys.modules)))\n"
         "sys.argv = ['recovery'] + sys.argv[1:]\n"
         "from recovery.warm import main\nmain()\n")


def _database(folder: Path, *actors: str) -> str:
    from recovery.cases import CaseService
    from recovery.db import open_database

    url = f"sqlite:///{folder / 'r.sqlite3'}"
    svc = CaseService(open_database(url))
    for name in actors:
        svc.add_actor(name, ["agent"])
    svc.open(actors[0], network="bitcoin", tx_hash=TX, user_id="u1")
    svc.engine.dispose()
    return url


def _wait(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def short_folder() -> Iterator[Path]:
    """A private folder with a short path: a Unix socket's path has at most 108 bytes, which pytest's
    folders can exceed."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="rw-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def warm_env(tmp_path: Path, short_folder: Path) -> Iterator[dict[str, str]]:
    """An environment whose commands go to a warm process, started and answering, in a folder of its own."""
    run = short_folder
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    env = {**os.environ, "RECOVERY_WARM": "1", "XDG_RUNTIME_DIR": str(run), "RECOVERY_WARM_IDLE": "120",
           "RECOVERY_CONFIG": str(cfg), "RECOVERY_DATABASE_URL": _database(tmp_path, "ann")}
    path = warm.socket_path(env)
    assert path is not None
    warm.spawn(path, env)
    _wait(lambda: warm.ready(path), 60, "the warm process did not answer within 60 s")
    yield env
    warm.stop(path)


def _run(env: dict[str, str], *args: str, cwd: Path = REPO) -> tuple[int, str, str]:
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def _steady(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("age_seconds", "waiting_seconds")}


def test_a_command_handed_over_answers_as_a_cold_one(warm_env: dict[str, str]) -> None:
    cold = {**warm_env, "RECOVERY_WARM": "0"}
    for args in (["actors", "list", "--json"], ["case", "show", "99"], ["case", "list", "--outcome", "uncreditted"],
                 ["case", "approve", "1", "--role", "wallet", "--as", "nobody"], ["audit", "verify"],
                 ["networks", "list"], ["case", "show", "1", "--bogus"]):
        assert _run(warm_env, *args) == _run(cold, *args), args
    code, out, err = _run(warm_env, "case", "show", "1", "--json")
    assert code == 0, err
    assert _steady(json.loads(out)) == _steady(json.loads(_run(cold, "case", "show", "1", "--json")[1]))
    assert _run(warm_env, "case", "show", "99")[0] == 2


def test_the_launcher_hands_over_in_its_own_folder_and_environment(warm_env: dict[str, str],
                                                                  tmp_path: Path) -> None:
    for name in ("north", "south"):   # two databases, each named relative to its own folder
        (tmp_path / name).mkdir()
        _database(tmp_path / name, f"agent-{name}")
    env = {**warm_env, "RECOVERY_DATABASE_URL": "sqlite:///r.sqlite3"}
    for name in ("north", "south"):
        proc = subprocess.run([sys.executable, "-c", PROBE, "actors", "list", "--json"], capture_output=True,
                              text=True, env=env, cwd=tmp_path / name, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert [a["name"] for a in json.loads(proc.stdout)] == [f"agent-{name}"]
        assert proc.stderr.endswith("ORM-HERE=False"), proc.stderr   # the warm process ran it
    cold = subprocess.run([sys.executable, "-c", PROBE, "actors", "list"], capture_output=True, text=True,
                          env={**env, "RECOVERY_WARM": "0"}, cwd=tmp_path / "north", timeout=120)
    assert cold.returncode == 0 and cold.stderr.endswith("ORM-HERE=True"), cold.stderr


@pytest.fixture
def stuck_node(loopback: Any) -> str:
    """An Esplora endpoint that answers nothing for half a minute: a command waits on it."""
    def handler(_req: Any) -> tuple[int, str]:
        time.sleep(30)
        return 500, "late"

    return f"esplora+{loopback(handler).url}/api"


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def _server_pid(env: dict[str, str]) -> int:
    path = warm.socket_path(env)
    assert path is not None
    return int(Path(f"{path}.pid").read_text())


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_a_signal_to_the_launcher_ends_the_command_as_it_would_end_a_cold_one(
        warm_env: dict[str, str], stuck_node: str, how: str) -> None:
    sig = getattr(signal, how)
    ends = {}
    for mode in ("0", "1"):
        env = {**warm_env, "RECOVERY_WARM": mode, "RECOVERY_RPC_BITCOIN": stuck_node}
        proc = subprocess.Popen([EXE, "verify", "--network", "bitcoin", "--tx", TX], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.5)   # the command is waiting on the node
        assert proc.poll() is None
        proc.send_signal(sig)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=30)
        ends[mode] = (proc.returncode, out, err)
        assert time.monotonic() - sent < 2.0, (mode, how)
    assert ends["1"] == ends["0"]
    assert ends["1"][0] in (130, -signal.SIGTERM)


def test_a_killed_launcher_hangs_its_command_up(warm_env: dict[str, str], stuck_node: str) -> None:
    server = _server_pid(warm_env)
    env = {**warm_env, "RECOVERY_RPC_BITCOIN": stuck_node}
    proc = subprocess.Popen([EXE, "verify", "--network", "bitcoin", "--tx", TX], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(lambda: _children(server), 20, "no command process under the warm process")
    (child,) = _children(server)
    proc.kill()
    proc.wait()
    _wait(lambda: not Path(f"/proc/{child}").exists(), 5, "the command outlived its launcher")


def test_changed_code_or_import_time_settings_name_another_socket(tmp_path: Path) -> None:
    for top in warm.SOURCES:
        (tmp_path / top).mkdir()
    source = tmp_path / "recovery" / "cases.py"
    source.write_text("A = 1\n")
    env = {"PATH": "/usr/bin"}
    first = warm.fingerprint(str(tmp_path), env)
    assert warm.fingerprint(str(tmp_path), env) == first
    source.write_text("A = 22\n")   # edited in place
    edited = warm.fingerprint(str(tmp_path), env)
    assert edited != first
    (tmp_path / "chains" / "networks.toml").write_text("")   # a data file counts as code
    added = warm.fingerprint(str(tmp_path), env)
    assert added != edited
    assert warm.fingerprint(str(tmp_path), {**env, "TYPER_USE_RICH": "1"}) != added
    assert warm.fingerprint(str(tmp_path), {**env, "RECOVERY_DATABASE_URL": "sqlite:///x"}) == added


def test_a_socket_folder_others_can_enter_is_never_used(tmp_path: Path) -> None:
    base = tmp_path / "shared"
    base.mkdir()
    folder = base / f"recovery-warm-{os.getuid()}"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    env = {**os.environ, "RECOVERY_WARM": "1", "XDG_RUNTIME_DIR": str(base)}
    assert warm.socket_folder(env) is None
    assert _run(env, "networks", "list", "--json")[0] == 0   # the command runs, here
    time.sleep(1.0)
    assert list(folder.iterdir()) == []                        # and no warm process was started there
    folder.chmod(0o700)
    assert warm.socket_folder(env) == str(folder)
    (base / ("x" * 90)).mkdir()
    long = {**env, "XDG_RUNTIME_DIR": str(base / ("x" * 90))}   # too long for a socket's address: none used
    assert warm.socket_folder(long) is not None and warm.socket_path(long) is None
    assert warm.enabled(env) and not warm.enabled({**env, "RECOVERY_WARM": "off"})


def test_an_idle_warm_process_exits_and_takes_its_socket_away(short_folder: Path) -> None:
    run = short_folder
    env = {**os.environ, "RECOVERY_WARM": "1", "XDG_RUNTIME_DIR": str(run), "RECOVERY_WARM_IDLE": "1"}
    path = warm.socket_path(env)
    assert path is not None
    warm.spawn(path, env)
    _wait(lambda: Path(f"{path}.pid").exists(), 60, "the warm process did not start")
    pid = int(Path(f"{path}.pid").read_text())
    _wait(lambda: not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2],
          10, "the idle warm process is still there")
    assert not Path(path).exists() and not Path(f"{path}.pid").exists()


def test_a_warm_process_that_does_not_answer_is_passed_over(warm_env: dict[str, str]) -> None:
    """A stopped (or hung) warm process gets nothing: the command runs here once the launcher stops waiting,
    its output pipes are not held by the stopped process, and the connection taken late runs nothing."""
    server = _server_pid(warm_env)
    rows = json.loads(_run(warm_env, "audit", "verify", "--json")[1])["rows"]
    os.kill(server, signal.SIGSTOP)
    try:
        started = time.monotonic()
        code, out, err = _run(warm_env, "actors", "add", "zed", "--role", "agent")
        took = time.monotonic() - started
    finally:
        os.kill(server, signal.SIGCONT)
    assert code == 0 and "zed: agent" in out + err, err
    assert warm.START_SECONDS <= took < warm.START_SECONDS + 20
    _wait(lambda: not _children(server), 10, "the late connection's child is still there")
    audit = json.loads(_run(warm_env, "audit", "verify", "--json")[1])
    assert audit["ok"] and audit["rows"] == rows + 1     # zed was added once
