"""Reliability campaign: configures at once, sharing one probe cache.

Eight configures start together, in eight build directories, with different options and one
cache directory (empty at the start of each round, so that they race to fill it).  Every one must
succeed and write exactly what the same configure writes alone, with a cache of its own; the
shared cache must end with every entry whole and no temporary file.  The same for
``qemu-config matrix --build --jobs N`` against ``--jobs 1``.  ``make check`` runs one round; the
full campaign runs more (tests/campaign.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from campaign import count, size
from e2e import REPO, configure_env
from test_reliability_kill import engine_files

CONFIGURATIONS = (
    ("--target-list=x86_64-softmmu",),
    ("--target-list=aarch64-softmmu", "--enable-pixman"),
    ("--target-list=x86_64-softmmu", "--disable-pixman", "--disable-virglrenderer"),
    ("--target-list=x86_64-softmmu", "--without-default-features"),
    ("--target-list=x86_64-softmmu,s390x-softmmu", "--enable-hv-balloon"),
    ("--target-list=x86_64-softmmu", "--disable-relocatable", "--prefix=/opt/eight"),
    ("--target-list=x86_64-softmmu", "--disable-coroutine-pool", "--disable-af-xdp"),
    ("--target-list=x86_64-softmmu", "--enable-af-xdp", "--with-pkgversion=eight"),
)


def normalized(files: dict[str, bytes], *roots: Path) -> dict[str, bytes]:
    """Files with the directories that differ between two runs (build dir, cache) replaced by names, and the
    source tree as named from each (the path-mapping flags of qemu-config-paths.mak: it depends on the depth)."""
    result = {}
    for path, data in files.items():
        for index, root in enumerate(roots):
            data = data.replace(f"={os.path.relpath(REPO, root)}/=".encode(), f"=<REPO FROM ROOT{index}>/=".encode())
            data = data.replace(str(root).encode(), f"<ROOT{index}>".encode())
        result[path] = data
    return result


def start(build: Path, args: tuple[str, ...], cache_home: Path) -> subprocess.Popen[str]:
    build.mkdir(parents=True)
    return subprocess.Popen([str(REPO / "configure"), *args], cwd=build, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=configure_env({"XDG_CACHE_HOME": str(cache_home)}))


def finish(proc: subprocess.Popen[str], what: str) -> None:
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, f"{what}:\n{out[-2000:]}\n{err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err


def assert_cache_whole(cache_home: Path) -> int:
    """Every entry of the cache is a JSON object and nothing half-written is left; how many entries."""
    probes = cache_home / "qemu-config" / "probes"
    entries = list(probes.rglob("*.json"))
    for entry in entries:
        assert isinstance(json.loads(entry.read_text()), dict), entry
    assert list(probes.rglob("*.tmp")) == []
    return len(entries)


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], dict[str, bytes]]:
    """What each configuration writes when it runs alone, with a cache of its own (paths normalized)."""
    root = tmp_path_factory.mktemp("alone")
    result = {}
    for index, args in enumerate(CONFIGURATIONS):
        build, cache = root / f"b{index}", root / f"cache{index}"
        finish(start(build, args, cache), f"alone: {' '.join(args)}")
        result[args] = normalized(engine_files(build), build, cache)
    return result


@pytest.mark.slow
def test_eight_configures_at_once_sharing_a_cache_write_what_each_writes_alone(
        tmp_path: Path, alone: dict[tuple[str, ...], dict[str, bytes]]) -> None:
    for round_ in range(size(1, 5)):
        root = tmp_path / f"round{round_}"
        cache = root / "shared-cache"
        procs = [(args, root / f"b{index}", start(root / f"b{index}", args, cache))
                 for index, args in enumerate(CONFIGURATIONS)]
        for args, build, proc in procs:
            finish(proc, f"round {round_}: {' '.join(args)}")
            count("concurrency: configures at once", "configures")
            assert normalized(engine_files(build), build, cache) == alone[args], \
                f"round {round_}: {' '.join(args)} wrote other files than it writes alone"
        assert assert_cache_whole(cache) > 0
        count("concurrency: configures at once", "rounds")
        shutil.rmtree(root)


MATRIX_SPEC = """\
[axis.pool]
option = "coroutine_pool"
values = [true, false]

[axis.targets]
argument = "--target-list"
values = ["x86_64-softmmu"]
"""


def run_matrix(root: Path, jobs: int, cache: Path) -> dict[str, dict[str, bytes]]:
    root.mkdir(parents=True)
    (root / "matrix.toml").write_text(MATRIX_SPEC)
    env = {**configure_env({"XDG_CACHE_HOME": str(cache)}), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "qemu_config", "matrix", str(root / "matrix.toml"), "-C", str(root),
                           "--build", "--jobs", str(jobs)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    builds = sorted(p for p in (root / "matrix").iterdir() if p.is_dir())
    assert builds and all("# smoke test: ok" in (b / "matrix-build.log").read_text() for b in builds)
    logs = ("matrix-build.log",)     # the build's own log: its timings differ from run to run
    return {b.name: normalized({k: v for k, v in engine_files(b).items() if k not in logs}, root, cache)
            for b in builds}


@pytest.mark.slow
def test_matrix_builds_in_parallel_write_what_they_write_one_at_a_time(tmp_path: Path) -> None:
    sequential = run_matrix(tmp_path / "one", 1, tmp_path / "cache-one")
    for round_ in range(size(1, 3)):
        parallel = run_matrix(tmp_path / f"par{round_}", len(sequential), tmp_path / f"cache-par{round_}")
        count("concurrency: matrix --build", "builds", len(parallel))
        assert parallel == sequential
        assert assert_cache_whole(tmp_path / f"cache-par{round_}") > 0
