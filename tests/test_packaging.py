"""The project installs and is checked as the Makefile and CI say: a plain editable install, lint in CI,
and the Anvil hint names the command that sets it up."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _makefile_pip_settings() -> dict[str, str]:
    """The --config-settings the Makefile's editable install passes."""
    line = next(ln for ln in (REPO / "Makefile").read_text().splitlines() if "pip install" in ln and " -e " in ln)
    words = shlex.split(line.strip())
    return dict(w.split("=", 1) for prev, w in zip(words, words[1:], strict=False) if prev == "--config-settings")


def test_editable_install_is_a_plain_path_entry_without_warning(tmp_path: Path) -> None:
    """The editable wheel the Makefile builds: one .pth line naming the checkout, no import hook, no warning."""
    settings = _makefile_pip_settings()
    code = ("import sys, warnings; warnings.simplefilter('always'); from setuptools import build_meta; "
            f"print('WHEEL=' + build_meta.build_editable({str(tmp_path)!r}, {settings!r}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "compat" not in (proc.stderr + proc.stdout).lower() and "BuildBackendWarning" not in proc.stderr
    wheel = tmp_path / proc.stdout.rsplit("WHEEL=", 1)[1].strip()
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "finder" in n], names
    pth = [n for n in names if n.endswith(".pth")]
    assert len(pth) == 1
    assert zipfile.ZipFile(wheel).read(pth[0]).decode().strip() == str(REPO)


def test_ci_runs_tests_and_lint_and_fails_on_either() -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    steps = [ln.strip() for ln in script.splitlines() if ln.strip().startswith("make ")]
    assert steps == ["make test", "make lint"]


def test_anvil_hint_names_a_command_that_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Anvil the hint says `npm ci`; npm ci accepts the committed lock file and leaves it unchanged."""
    import shutil

    from recovery import anvil
    from recovery.errors import NotConfigured

    npm = shutil.which("npm") or pytest.fail("npm is needed to set up Anvil")
    env = {**os.environ}
    monkeypatch.setattr(anvil, "REPO", tmp_path)
    monkeypatch.delenv("RECOVERY_ANVIL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NotConfigured) as exc:
        anvil.anvil_binary()
    command = re.findall(r"`([^`]+)`", str(exc.value))
    assert command == ["npm ci"]
    assert "npm ci" in (REPO / "Makefile").read_text()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(REPO / name, tmp_path / name)
    lock = (tmp_path / "package-lock.json").read_bytes()
    proc = subprocess.run([npm, "ci", "--dry-run", "--offline", "--no-audit", "--no-fund"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "package-lock.json").read_bytes() == lock
