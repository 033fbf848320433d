"""The engine's own runtime: which Python packages and tools it needs, and where they come from.

Owns the pins (meson 1.12.1, ninja, jinja2, packaging) and the ``pyvenv`` a build
directory carries, as QEMU's mkvenv does.  Standard library only: this runs
before anything else is known to be importable.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

MESON_VERSION = "1.12.1"
NINJA_MINIMUM = (1, 8, 2)


@dataclass(frozen=True)
class Requirement:
    """One thing the engine needs at run time."""

    pip_spec: str       # what pip installs when it is missing
    module: str | None  # importable module that proves it is present
    version: str | None = None  # exact version required (meson only)


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(f"meson=={MESON_VERSION}", "mesonbuild", MESON_VERSION),
    Requirement("jinja2>=3.0", "jinja2"),
    Requirement("packaging>=21", "packaging"),
)


def installed_meson_version() -> str | None:
    """The version of the importable ``mesonbuild`` package, without importing meson itself."""
    spec = importlib.util.find_spec("mesonbuild")
    if spec is None or not spec.submodule_search_locations:
        return None
    coredata = Path(list(spec.submodule_search_locations)[0]) / "coredata.py"
    try:
        for line in coredata.read_text(encoding="utf-8").splitlines():
            if line.startswith("version = "):
                return line.split("=", 1)[1].strip().strip("'\"")
    except OSError:
        return None
    return None


def meson_command() -> list[str]:
    """argv prefix that runs the pinned meson with this interpreter."""
    found = installed_meson_version()
    if found != MESON_VERSION:
        have = f"meson {found} is installed" if found else "meson is not installed"
        raise UserError(
            f"meson {MESON_VERSION} is required, but {have} for {sys.executable}",
            "run ./configure (it bootstraps meson into <build>/pyvenv),",
            f"or: {sys.executable} -m pip install meson=={MESON_VERSION}",
        )
    return [sys.executable, "-m", "mesonbuild.mesonmain"]


def _version_tuple(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.strip().split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def ninja_usable(path: str) -> bool:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return False
    return out.returncode == 0 and _version_tuple(out.stdout) >= NINJA_MINIMUM


def find_ninja(explicit: str | None = None) -> str | None:
    """The ninja to use: --ninja/$NINJA, the venv's, then the first usable on PATH."""
    candidates: list[str] = []
    if explicit:
        candidates.append(explicit)
    env = os.environ.get("NINJA")
    if env:
        candidates.append(env)
    venv_ninja = Path(sysconfig.get_path("scripts")) / "ninja"
    candidates.append(str(venv_ninja))
    for name in ("ninja", "ninja-build", "samu"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    for cand in candidates:
        resolved = shutil.which(cand) or (cand if os.path.exists(cand) else None)
        if resolved and ninja_usable(resolved):
            return resolved
    return None


def missing_requirements() -> list[Requirement]:
    missing: list[Requirement] = []
    for req in REQUIREMENTS:
        if req.version is not None:
            if installed_meson_version() != req.version:
                missing.append(req)
        elif req.module and importlib.util.find_spec(req.module) is None:
            missing.append(req)
    return missing
