"""Reliability campaign: a probe cache that is damaged, or cannot be written.

Entries are truncated, overwritten with garbage, replaced by JSON of the wrong shape (missing
fields, ``"ok": "false"``, ``"cflags": 7``), by a directory, a FIFO, a symlink loop, a file that
cannot be read or one too big to be an entry; or the cache directory cannot be written at all.
configure must still succeed with exactly the files a clean cache gives, say so once in
config.log, and leave the entries it could replace repaired (the next run finds nothing wrong).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from campaign import FULL, count, size
from e2e import REPO, configure_env
from test_reliability_kill import engine_files

ARGS = ("--target-list=x86_64-softmmu", "--enable-pixman")


def configure(build: Path, cache_home: Path) -> subprocess.CompletedProcess[str]:
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)
    proc = subprocess.run([str(REPO / "configure"), *ARGS], cwd=build, capture_output=True, text=True, timeout=900,
                          env=configure_env({"XDG_CACHE_HOME": str(cache_home)}))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc


def outputs(build: Path) -> dict[str, bytes]:
    """The files configure wrote, config.status without the line that names the cache (it differs by design)."""
    files = engine_files(build)
    files["config.status"] = b"".join(line for line in files["config.status"].splitlines(keepends=True)
                                      if not line.startswith(b"XDG_CACHE_HOME="))
    return files


def cache_notes(build: Path) -> list[str]:
    return [line for line in (build / "config.log").read_text().splitlines() if line.startswith("# probe cache:")]


def entries(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "qemu-config" / "probes").rglob("*.json"))


def _truncate(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(0, max(1, len(data) - 1))])


def _garbage(path: Path, rng: random.Random) -> None:
    path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))


def _wrong_type(path: Path, rng: random.Random) -> None:
    data = json.loads(path.read_text())
    choices: list[object] = [[], 7, "text", None, {}]
    if isinstance(data, dict) and data:
        key = rng.choice(sorted(data))
        choices += [{k: v for k, v in data.items() if k != key},              # a field missing
                    {**data, key: rng.choice([7, "false", None, [1], {"a": 1}])}]   # a field of another type
        if "ok" in data:
            choices.append({**data, "ok": "false"})
        if "cflags" in data:
            choices.append({**data, "cflags": 7})
    path.write_text(json.dumps(rng.choice(choices)))


def _directory(path: Path, rng: random.Random) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)


def _fifo(path: Path, rng: random.Random) -> None:
    path.unlink()
    os.mkfifo(path)


def _symlink_loop(path: Path, rng: random.Random) -> None:
    path.unlink()
    path.symlink_to(path.name)


def _unreadable(path: Path, rng: random.Random) -> None:
    path.chmod(0)      # root reads it anyway: then it must simply be used


def _huge(path: Path, rng: random.Random) -> None:
    with open(path, "ab") as handle:
        handle.write(b" " * (2 * 1024 * 1024))


FAULTS: dict[str, Callable[[Path, random.Random], None]] = {
    "truncated": _truncate, "garbage": _garbage, "wrong type": _wrong_type, "directory": _directory,
    "fifo": _fifo, "symlink loop": _symlink_loop, "unreadable": _unreadable, "huge": _huge,
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], list[str]]:
    """A configure with an empty cache: its build dir, its files, and the cache entries it wrote (names)."""
    root = tmp_path_factory.mktemp("cache-faults")
    build = root / "build"
    configure(build, root / "seed-cache")
    assert cache_notes(build) == []
    names = [str(p.relative_to(root / "seed-cache")) for p in entries(root / "seed-cache")]
    assert names
    return root, outputs(build), names


@pytest.mark.slow
def test_damaged_entries_are_probed_again_noted_once_and_repaired(clean: tuple[Path, dict[str, bytes], list[str]]) -> None:
    """Each round damages a random set of entries, each with a random fault (every fault in the first rounds)."""
    root, expected, names = clean
    rng = random.Random(None if FULL else 20261204)
    kinds = sorted(FAULTS)
    for round_ in range(size(2, 40)):
        cache_home = root / f"cache-{round_}"
        shutil.copytree(root / "seed-cache", cache_home, symlinks=True)
        damaged = rng.sample(names, k=rng.randint(len(kinds), len(names)))
        faults = [kinds[i] if round_ == 0 and i < len(kinds) else rng.choice(kinds) for i in range(len(damaged))]
        for name, fault in zip(damaged, faults):
            FAULTS[fault](cache_home / name, rng)
        build = root / "build"
        configure(build, cache_home)
        count("probe cache faults", "configures")
        count("probe cache faults", "entries damaged", len(damaged))
        assert outputs(build) == expected, f"faults {sorted(set(faults))}: the outputs differ from a clean cache's"
        notes = cache_notes(build)
        assert len(notes) == 1 and "bad entr" in notes[0], notes
        configure(build, cache_home)
        assert cache_notes(build) == [], f"faults {sorted(set(faults))}: not repaired by the run that found them"
        assert outputs(build) == expected
        shutil.rmtree(cache_home)


def _read_only_mount(directory: Path) -> None:
    directory.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(directory)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here ({done.stderr.strip()}): needs root")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["a file where the directory goes", "a read-only file system"])
def test_a_cache_that_cannot_be_written_is_skipped_and_noted_once(clean: tuple[Path, dict[str, bytes], list[str]],
                                                                  how: str) -> None:
    root, expected, _ = clean
    cache_home = root / f"unwritable-{how.split()[1]}"
    if how.startswith("a file"):
        cache_home.mkdir()
        (cache_home / "qemu-config").write_text("not a directory\n")
    else:
        _read_only_mount(cache_home)
    try:
        build = root / "build"
        configure(build, cache_home)
        count("probe cache faults", "configures")
        assert outputs(build) == expected
        notes = cache_notes(build)
        assert len(notes) == 1 and "cannot be written" in notes[0], notes
    finally:
        if not how.startswith("a file"):
            subprocess.run(["umount", str(cache_home)], check=False)
