"""A new user's first run: a copy of the tree, an empty HOME and cache, no meson anywhere.

The README's commands must work on a machine that has never run them: no
``~/.cache/qemu-config`` (a user-level cache once hid a first-run failure), no
meson importable by the Python that configure picks, no earlier build
directory.  These tests build that situation for real and run ``./configure``,
``./configure --help`` and ``make``; configure bootstraps meson from the
package index into the build's venv, so they need the index to be reachable,
as a new user does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e import copy_source_tree

pytestmark = pytest.mark.slow

# Variables a developer's or a test runner's shell may carry that a new user's does not.
INHERITED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHON", "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
             "QEMU_CONFIG_BUILD_DIR", "NINJA", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR")


def _has_meson(python: str) -> bool:
    return subprocess.run([python, "-c", "import mesonbuild"], capture_output=True).returncode == 0


def _usable(python: str) -> bool:
    check = "import sys, venv; sys.exit(sys.version_info < (3, 10))"
    return subprocess.run([python, "-c", check], capture_output=True).returncode == 0


def _without_meson(path: str) -> str:
    """``path`` without the directories that hold a meson command or the test run's own venv."""
    own_venv = str(Path(sys.prefix) / "bin") if sys.prefix != sys.base_prefix else None
    kept = [d for d in path.split(os.pathsep)
            if d and d != own_venv and not os.access(os.path.join(d, "meson"), os.X_OK)]
    return os.pathsep.join(kept)


def fresh_environment(root: Path) -> tuple[dict[str, str], str | None]:
    """An environment as on a machine that never ran configure, and the PYTHON to give, if any.

    HOME and XDG_CACHE_HOME are new empty directories; PATH keeps no meson.  The
    Python is the one ``./configure`` finds on that PATH when it has no meson
    (PYTHON stays unset, as for a new user); else another interpreter of this
    machine without meson, passed as PYTHON.
    """
    env = {k: v for k, v in os.environ.items() if k not in INHERITED}
    (root / "home").mkdir()
    (root / "cache").mkdir()
    env["HOME"] = str(root / "home")
    env["XDG_CACHE_HOME"] = str(root / "cache")
    env["PATH"] = _without_meson(os.environ.get("PATH", ""))
    on_path = shutil.which("python3", path=env["PATH"])
    if on_path and _usable(on_path) and not _has_meson(on_path):
        return env, None
    candidates = [getattr(sys, "_base_executable", ""), os.path.join(sys.base_prefix, "bin", "python3"),
                  "/usr/bin/python3"]
    for python in candidates:
        if python and os.path.exists(python) and _usable(python) and not _has_meson(python):
            return env, python
    pytest.skip("every Python 3.10+ on this machine can import meson: a first run without meson cannot be "
                "simulated here (.ci/run makes such a machine)")


@pytest.fixture(scope="module")
def fresh_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("fresh")
    src = copy_source_tree(root / "src")
    env, python = fresh_environment(root)
    if python:
        env["PYTHON"] = python
    return src, env


def run_fresh(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


def test_help_works_on_a_fresh_machine(fresh_tree: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    src, env = fresh_tree
    env = {**env, "XDG_CACHE_HOME": str(tmp_path / "own-cache")}   # nothing cached by another test
    build = tmp_path / "b"
    build.mkdir()
    proc = run_fresh([str(src / "configure"), "--help"], build, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Usage: configure [options]" in proc.stdout
    # meson's builtins are listed: they come from the meson configure installed into the build's venv
    assert "--prefix=VALUE" in proc.stdout and "--enable-lto" in proc.stdout
    assert "installing meson==" in proc.stderr
    assert (build / "pyvenv" / "bin" / "python3").exists()


def test_configure_and_make_work_on_a_fresh_machine(fresh_tree: tuple[Path, dict[str, str]]) -> None:
    src, env = fresh_tree
    cache = Path(env["XDG_CACHE_HOME"])
    assert not any(cache.iterdir()) and not (src / "build").exists()
    proc = run_fresh(["./configure", "--target-list=x86_64-softmmu"], src, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Using './build' as the directory for build output\n")
    venv_python = src / "build" / "pyvenv" / "bin" / "python3"
    assert _has_meson(str(venv_python)), "configure did not install meson into the build's venv"
    assert any((cache / "qemu-config").iterdir())   # the probe cache was filled from nothing
    proc = run_fresh(["make"], src, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    version = run_fresh([str(src / "build" / "qemu-system-x86_64"), "--version"], src, env)
    assert version.returncode == 0 and version.stdout.startswith("QEMU emulator version "), version.stderr
    # a second run needs nothing more: no install, and the same answer
    again = run_fresh(["./configure", "--target-list=x86_64-softmmu"], src, env)
    assert again.returncode == 0 and "installing" not in again.stderr, again.stderr
