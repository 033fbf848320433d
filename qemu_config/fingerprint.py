"""The no-op re-run: recognising that nothing configure reads has changed.

Owns ``qemu-config-fingerprint.json``: what the last successful configure read
(arguments, environment, the source files it depends on, the programs,
directories and .pc files its probes looked at, the files it wrote and the
meson setup stamp), with the stat data of each.  When every entry still
matches, a re-run with the same arguments has nothing to decide and nothing to
write, and ``./configure`` ends after printing the last summary.

Standard library only, and cheap to import: it runs before the engine is loaded.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .environment import FINGERPRINT_ENVIRONMENT

FINGERPRINT = "qemu-config-fingerprint.json"
FORMAT = 1

# Arguments that ask for work a fingerprint cannot stand in for.
NEVER_SHORTCUT = ("--no-cache", "--clear-cache", "--help", "-h", "--version", "-V")
# Source-tree inputs: every file below these (relative to the source dir).
# (The engine's templates are package data, under qemu_config/templates/.)
SOURCE_INPUTS: tuple[str, ...] = ("configure", "meson_options.txt", "VERSION", "Kconfig", "Kconfig.host",
                                  "qemu_config", "configs", "core")


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


ENGINE_DIR = Path(__file__).resolve().parent


def source_files(source_dir: Path) -> list[str]:
    """Every file under SOURCE_INPUTS, and the engine's own (templates included) when it is installed
    elsewhere than in the source tree (pip install): a new engine can decide differently."""
    found: list[str] = []
    tops = [source_dir / name for name in SOURCE_INPUTS]
    if ENGINE_DIR != source_dir / "qemu_config":
        tops.append(ENGINE_DIR)
    for top in tops:
        if top.is_file():
            found.append(str(top))
            continue
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found += [os.path.join(root, f) for f in sorted(files) if not f.endswith(".pyc")]
    return found


def _programs(names: Iterable[str], path: str | None) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in names:
        found = shutil.which(name, path=path)
        out[name] = [found, _stat(found)] if found else None
    return out


def compute(*, argv: Sequence[str], environ: Mapping[str, str], source_dir: Path, build_dir: Path,
            programs: Iterable[str], dirs: Iterable[str], files: Iterable[str], outputs: Iterable[str]) -> dict:
    """The fingerprint of a configure run: what it read and wrote, with stat data."""
    return {
        "format": FORMAT,
        "argv": list(argv),
        "environment": {name: environ.get(name) for name in FINGERPRINT_ENVIRONMENT},
        "sources": {p: _stat(p) for p in source_files(source_dir)},
        "programs": _programs(sorted(set(programs)), environ.get("PATH")),
        "dirs": {d: (_stat(d) or [None])[0] for d in sorted(set(dirs))},
        "files": {f: _stat(f) for f in sorted(set(files))},
        "outputs": {o: _stat(str(build_dir / o)) for o in sorted(set(outputs))},
    }


def load(build_dir: Path) -> dict | None:
    try:
        data = json.loads((build_dir / FINGERPRINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def unchanged(recorded: Mapping, *, argv: Sequence[str], environ: Mapping[str, str], source_dir: Path,
              build_dir: Path) -> bool:
    """True when a configure with these arguments would decide and write exactly what it did last time."""
    if any(a in NEVER_SHORTCUT for a in argv):
        return False
    fresh = compute(argv=argv, environ=environ, source_dir=source_dir, build_dir=build_dir,
                    programs=recorded.get("programs", {}), dirs=recorded.get("dirs", {}),
                    files=recorded.get("files", {}), outputs=recorded.get("outputs", {}))
    return all(fresh[key] == recorded.get(key) for key in fresh)


def render(data: Mapping) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"
