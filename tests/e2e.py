"""Helpers for end-to-end tests: run the real ./configure into temporary build directories."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Mapping, Sequence

import pytest

REPO = Path(__file__).resolve().parent.parent

# The tests' own probe cache: never the developer's.
TEST_CACHE_HOME = Path(tempfile.mkdtemp(prefix="qemu-config-test-cache-"))

# QEMU_CONFIG_CROSS_TESTS=required (CI): a cross tool a test needs and does not find is a failure, not a skip.
CROSS_TESTS_REQUIRED = os.environ.get("QEMU_CONFIG_CROSS_TESTS", "") == "required"


def require_cross(present: bool, why: str) -> None:
    """Skip, saying why, when a cross tool is absent; in CI (QEMU_CONFIG_CROSS_TESTS=required) fail instead."""
    if present:
        return
    if CROSS_TESTS_REQUIRED:
        pytest.fail(f"{why} (QEMU_CONFIG_CROSS_TESTS=required: CI installs it, see .ci/run)")
    pytest.skip(why)


# Files whose rewrite is allowed on a no-op re-run (logs and tool state).
VOLATILE = {"config.log", ".ninja_log", ".ninja_deps"}
VOLATILE_DIRS = {"pyvenv", "meson-logs"}


def tool_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a Python program a test runs (meson, configure): its byte code, and that of the
    modules it imports, is kept in one cache for the whole test run, even where PYTHONDONTWRITEBYTECODE is
    set, rather than compiled again by every process.  test_fresh_setup.py runs configure without it, as a
    new user does."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(TEST_CACHE_HOME / "pycache")
    env.update(extra or {})
    return env


def configure_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = tool_env()
    env["PYTHON"] = sys.executable   # the test's interpreter: its packages are visible to the new venv
    env["XDG_CACHE_HOME"] = str(TEST_CACHE_HOME)
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    if extra:
        env.update(extra)
    return env


def run_configure(build_dir: Path, *args: str, configure: Path | str | None = None,
                  env: Mapping[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    build_dir.mkdir(parents=True, exist_ok=True)
    script = str(configure or REPO / "configure")
    proc = subprocess.run([script, *args], cwd=build_dir, env=configure_env(env),
                          capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"configure failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def run_ninja(build_dir: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["ninja", "-C", str(build_dir)], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"ninja failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def snapshot(build_dir: Path) -> dict[str, int]:
    """mtime (ns) of every file configure may not rewrite on a no-op re-run."""
    result: dict[str, int] = {}
    for root, dirs, files in os.walk(build_dir):
        rel_root = Path(root).relative_to(build_dir)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in VOLATILE_DIRS]
        for name in files:
            if name in VOLATILE:
                continue
            path = Path(root) / name
            result[str(path.relative_to(build_dir))] = path.stat().st_mtime_ns
    return result


def parse_config_header(path: Path) -> dict[str, object]:
    """config-host.h as {KEY: True | False | text}."""
    return parse_header_text(path.read_text())


def parse_header_text(text: str) -> dict[str, object]:
    """A generated header's text as {KEY: True (defined empty) | False (#undef) | its value}."""
    result: dict[str, object] = {}
    for line in text.splitlines():
        if line.startswith("#undef "):
            result[line.split()[1]] = False
        elif line.startswith("#define "):
            parts = line.split(" ", 2)
            result[parts[1]] = True if len(parts) == 2 else parts[2]
    return result


def run(cmd: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[arg-type]


def copy_source_tree(dst: Path) -> Path:
    """A copy of the checkout's tracked (and new, unignored) files, to modify in a test."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        src = REPO / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    return dst


def extension_path(build_dir: Path) -> Path:
    """The qemu_core extension module a build produced."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    found = [p for p in build_dir.glob("qemu_core*") if any(p.name.endswith(s) for s in suffixes)]
    assert found, f"no qemu_core extension in {build_dir}"
    return found[0]


def load_extension(build_dir: Path) -> ModuleType:
    """A build's qemu_core, loaded from its path without touching sys.modules (builds may differ)."""
    spec = importlib.util.spec_from_file_location("qemu_core", extension_path(build_dir))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_core(build_dir: Path, *args: str) -> Path:
    """Configure (x86_64-softmmu unless args say otherwise) and build the core into build_dir."""
    if not any(a.startswith("--target-list=") for a in args):
        args = ("--target-list=x86_64-softmmu", *args)
    run_configure(build_dir, *args)
    run_ninja(build_dir)
    return build_dir
