"""Reliability campaign: configure killed (SIGKILL) at random points of a re-configure.

A job that is cancelled kills configure wherever it is: probing, writing the outputs, in meson
setup.  After each kill, every file configure writes holds its old content or its new one (never a
mix, never half a file), and a re-run of configure succeeds and leaves exactly what a run that was
never interrupted leaves, temporary files included.  The same holds when make re-runs configure
itself (an input of the configuration changed) and make is the one killed.  The kill points are
random with a fixed seed in ``make check`` (the same points every run) and fresh in the full
campaign (tests/campaign.py).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from campaign import FULL, count, size
from e2e import REPO, configure_env, copy_source_tree, run_configure

# meson's and ninja's own files, and the log: not what the engine writes as its outputs.
NOT_ENGINE_DIRS = {"pyvenv", "meson-private", "meson-info", "meson-logs"}
# build.ninja~ is meson's own temporary copy while it writes build.ninja: a kill can leave it, and
# meson's next run overwrites it.
NOT_ENGINE_FILES = {"build.ninja", "build.ninja~", "compile_commands.json", ".ninja_log", ".ninja_deps",
                    "config.log"}
# The no-op check's record: the times of the files it watches, new on every run.  Whole JSON or absent.
FINGERPRINT = "qemu-config-fingerprint.json"
# Built objects: make builds them after configure, they are not configure's.
BUILT_SUFFIXES = (".o", ".so", ".a", ".p", ".d")


def engine_files(build: Path) -> dict[str, bytes]:
    """Every file configure writes itself, by its path in the build directory: its bytes."""
    found: dict[str, bytes] = {}
    for root, dirs, files in os.walk(build):
        here = Path(root)
        if here == build:
            dirs[:] = [d for d in dirs if d not in NOT_ENGINE_DIRS]
        dirs[:] = [d for d in dirs if not d.endswith(".p")]
        for name in files:
            if name == FINGERPRINT and here == build:
                json.loads((here / name).read_text())      # never half a file
                continue
            if name in NOT_ENGINE_FILES or name.endswith(BUILT_SUFFIXES) or name.startswith("qemu-system-") \
                    or name.startswith("qemu_core"):
                continue
            found[str((here / name).relative_to(build))] = (here / name).read_bytes()
    return found


def temporaries(build: Path) -> list[str]:
    """Temporary files of atomic writes (``.NAME.XXXX.tmp``) anywhere but in the venv."""
    return sorted(str(p.relative_to(build)) for p in build.rglob(".*.tmp") if "pyvenv" not in p.parts)


def assert_old_or_new(now: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes], when: str) -> None:
    mixed = [path for path in sorted(old.keys() | new.keys() | now.keys())
             if not path.startswith(".") or path in old or path in new
             if now.get(path) not in (old.get(path), new.get(path))]
    assert not mixed, f"after a kill {when}: neither the old nor the new content: {mixed}"


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything it started (its process group), as a cancelled CI job is."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def seeded() -> random.Random:
    return random.Random(None if FULL else 20261204)


OLD = ("--target-list=x86_64-softmmu,aarch64-softmmu", "--disable-pixman", "--with-pkgversion=old")
NEW = ("--target-list=x86_64-softmmu,aarch64-softmmu", "--enable-pixman", "--with-pkgversion=new",
       "--disable-coroutine-pool")


@pytest.mark.slow
def test_configure_killed_anywhere_leaves_old_or_new_files_and_a_rerun_repairs(tmp_path: Path) -> None:
    build = tmp_path / "build"
    run_configure(build, *OLD)
    old = engine_files(build)
    start = time.monotonic()
    run_configure(build, *NEW)
    duration = time.monotonic() - start
    new = engine_files(build)
    assert old != new
    rng = seeded()
    kills = size(10, 100)
    for kill in range(kills):
        run_configure(build, *OLD)          # a re-run after the last kill: it succeeds, and repairs
        assert engine_files(build) == old, f"configure after kill {kill} did not restore the old configuration"
        assert temporaries(build) == []
        proc = subprocess.Popen([str(REPO / "configure"), *NEW], cwd=build, env=configure_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        delay = rng.uniform(0.0, duration)
        time.sleep(delay)
        kill_group(proc)
        count("kill safety: configure", "kills")
        assert_old_or_new(engine_files(build), old, new, f"{delay:.2f} s into configure")
    run_configure(build, *NEW)
    assert engine_files(build) == new
    assert temporaries(build) == []
    make = subprocess.run(["make", "-C", str(build)], env=configure_env(), capture_output=True, text=True,
                          timeout=900)
    assert make.returncode == 0, make.stdout[-3000:] + make.stderr[-3000:]
    count("kill safety: configure", "builds after kills")


@pytest.mark.slow
def test_a_rerun_that_would_change_nothing_still_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    # A run killed after it staged its outputs but before it renamed any leaves the old configuration,
    # and the old arguments would make the next run the no-op re-run: it must not be one, since only
    # a whole run removes the staged files.  (Found by the full kill campaign.)
    build = tmp_path / "build"
    run_configure(build, *OLD)
    old = engine_files(build)
    staged = [build / ".config-host.h.k1lled00.tmp", build / ".x86_64-softmmu-config-devices.h.k1lled01.tmp"]
    for path in staged:
        path.write_bytes(b"half of a file")
    rerun = run_configure(build, *OLD)
    assert "Nothing that configure reads has changed" not in rerun.stdout
    assert temporaries(build) == [] and engine_files(build) == old
    again = run_configure(build, *OLD)
    assert "Nothing that configure reads has changed" in again.stdout     # and then it is a no-op again


def _set_pkgversion_default(source: Path, value: str) -> None:
    """Change the default of an option in the tree's meson_options.txt: make must re-run configure."""
    path = source / "meson_options.txt"
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("option('pkgversion'"))
    lines[index] = f"option('pkgversion', type : 'string', value : '{value}',\n"
    path.write_text("".join(lines))


@pytest.mark.slow
def test_make_killed_while_it_reconfigures_leaves_a_build_that_make_repairs(tmp_path: Path) -> None:
    source = copy_source_tree(tmp_path / "src")
    build = tmp_path / "build"
    configure = source / "configure"
    run_configure(build, "--target-list=x86_64-softmmu", configure=configure)
    env = configure_env()

    def make() -> None:
        done = subprocess.run(["make", "-C", str(build)], env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    make()
    snapshots: dict[str, dict[str, bytes]] = {}
    durations: dict[str, float] = {}
    for version in ("a", "b"):
        _set_pkgversion_default(source, version)
        start = time.monotonic()
        make()
        durations[version] = time.monotonic() - start
        snapshots[version] = engine_files(build)
    assert snapshots["a"] != snapshots["b"]
    rng = seeded()
    current = "b"
    for kill in range(size(4, 30)):
        previous, current = current, "a" if current == "b" else "b"
        _set_pkgversion_default(source, current)
        proc = subprocess.Popen(["make", "-C", str(build)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.0, durations[current]))
        kill_group(proc)
        count("kill safety: make re-running configure", "kills")
        assert_old_or_new(engine_files(build), snapshots[previous], snapshots[current], f"make, kill {kill}")
        make()
        assert engine_files(build) == snapshots[current]
        assert temporaries(build) == []
    count("kill safety: make re-running configure", "builds after kills", size(4, 30))
