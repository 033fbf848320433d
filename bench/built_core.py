"""The benchmarks' access to a built core: configure and build it, find and load its extension."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def build_core(build_dir: Path, *configure_args: str) -> None:
    """./configure (x86_64-softmmu plus configure_args) and ninja in build_dir; exit with their output on failure."""
    env = dict(os.environ, PYTHON=sys.executable)
    for cmd in ([str(REPO / "configure"), "--target-list=x86_64-softmmu", *configure_args], ["ninja"]):
        proc = subprocess.run(cmd, cwd=build_dir, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")


def extension_path(build_dir: Path) -> Path:
    for path in sorted(build_dir.glob("qemu_core*")):
        if any(path.name.endswith(s) for s in importlib.machinery.EXTENSION_SUFFIXES):
            return path
    sys.exit(f"no qemu_core extension in {build_dir}: build the core first")


def load_extension(path: Path) -> ModuleType:
    """The extension module at path, loaded without a sys.path entry."""
    spec = importlib.util.spec_from_file_location("qemu_core", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
