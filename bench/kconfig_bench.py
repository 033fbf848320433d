#!/usr/bin/env python3
"""Benchmark: the Kconfig solver on generated trees (a benchmark, not a test).

Generates QEMU-shaped device Kconfig trees (host symbols in Kconfig.host,
one architecture symbol per target in target/Kconfig, boards that depend on
their architecture and select devices, devices that select, imply and depend
on one another, per-target ``configs/devices/<t>/default.mak`` files, some
including another target's) and times, in-process:

* parsing and compiling the tree once (``parse_kconfig``),
* solving it for every target with its .mak file and command-line
  assignments (``KconfigTree.solve``), the per-target cost configure pays.

Sizes: QEMU's (780 symbols in 99 files, 29 targets), 800 and 8,000 symbols.
With ``--minikconf PATH`` (QEMU's scripts/minikconf.py) it also times one
subprocess of the original and of ``python3 -m qemu_config.minikconf`` per
target on the QEMU-sized tree.

    python3 bench/kconfig_bench.py [--repeat N] [--minikconf PATH]

``generate_tree`` is also used by the differential tests.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from qemu_config.kconfig import parse_kconfig  # noqa: E402

HOST_SYMBOLS = ("TPM", "PIXMAN", "SPICE", "IVSHMEM", "OPENGL", "GNUTLS", "X11", "FDT", "VHOST_USER",
                "VHOST_VDPA", "VHOST_KERNEL", "VIRTFS", "LINUX", "MULTIPROCESS_ALLOWED",
                "VFIO_USER_SERVER_ALLOWED", "HV_BALLOON_POSSIBLE", "HAVE_RUST", "FUZZ", "LIBCBOR", "MAC_PVG")
NOT_PASSED = ("FUZZ", "MAC_PVG")  # declared, never passed by the generated targets
ACCEL_SYMBOLS = ("TCG", "KVM", "XEN", "HVF", "WHPX", "NVMM", "MSHV")


@dataclass(frozen=True)
class GeneratedTarget:
    """One target of a generated tree: its device .mak file and the assignments configure passes."""

    name: str
    mak: Path
    assignments: dict[str, bool]

    def argv_assignments(self) -> list[str]:
        return [f"{name}={'y' if value else 'n'}" for name, value in self.assignments.items()]


@dataclass(frozen=True)
class GeneratedTree:
    """A generated source tree: the root ``Kconfig`` and the targets."""

    root: Path
    kconfig: Path
    targets: tuple[GeneratedTarget, ...]
    symbols: int
    files: int


def generate_tree(root: Path, symbols: int = 780, files: int = 99, targets: int = 29,
                  seed: int = 1) -> GeneratedTree:
    """Write a QEMU-shaped Kconfig tree under ``root``; acyclic, and solvable in defconfig."""
    rng = random.Random(seed)
    host = [h for h in HOST_SYMBOLS if h not in NOT_PASSED]
    arches = [f"ARCH{i}" for i in range(targets)]
    n_fixed = len(host) + len(ACCEL_SYMBOLS) + len(arches)
    n_rest = max(symbols - n_fixed, 2)
    n_boards = max(n_rest // 4, 1)
    boards = [f"BOARD{i}" for i in range(n_boards)]
    devices = [f"DEV{i}" for i in range(n_rest - n_boards)]
    hw_files = max(files - 5, 1)

    # Which architecture each board belongs to; arch i+1 may include arch i's default.mak
    # (as aarch64 includes arm), in which case ARCH(i+1) selects ARCH(i).
    includes = {i: i - 1 for i in range(1, targets) if i % 7 == 1}
    board_arch = [rng.randrange(targets) for _ in boards]
    text: dict[str, list[str]] = {f"hw/d{i}/Kconfig": [] for i in range(hw_files)}
    hw_names = list(text)

    def place(stanza: str) -> None:
        text[rng.choice(hw_names)].append(stanza)

    # Devices: rank = index; conditions only look at lower-ranked devices or host symbols.
    selectable_from: list[int] = []
    for index, dev in enumerate(devices):
        lines = [f"config {dev}", "    bool"]
        roll = rng.random()
        if roll < 0.25 and index > 0:
            lower = devices[rng.randrange(index)]
            lines.append(f"    depends on {lower} || {rng.choice(host)}")
        elif roll < 0.30:
            lines.append(f"    depends on {rng.choice(host)} && {rng.choice(host)}")
        if rng.random() < 0.08:
            lines.append(f"    default y if {rng.choice(host)}")
        elif rng.random() < 0.03:
            lines.append("    default n")
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            if index + 1 < len(devices):
                target = devices[rng.randrange(index + 1, len(devices))]
                if rng.random() < 0.2:
                    lines.append(f"    select {target} if {rng.choice(host)} && !{rng.choice(host)}")
                else:
                    lines.append(f"    select {target}")
        if rng.random() < 0.15 and index + 1 < len(devices):
            target = devices[rng.randrange(index + 1, len(devices))]
            lines.append(f"    imply {target}")
        place("\n".join(lines) + "\n")
        selectable_from.append(index)

    for index, board in enumerate(boards):
        lines = [f"config {board}", "    bool", "    default y", f"    depends on {arches[board_arch[index]]}"]
        for _ in range(rng.choice((2, 3, 4, 5, 6))):
            lines.append(f"    select {rng.choice(devices)}")
        if rng.random() < 0.3:
            lines.append(f"    imply {rng.choice(devices)}")
        place("\n".join(lines) + "\n")

    root.mkdir(parents=True, exist_ok=True)
    for rel, stanzas in text.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(stanzas))
    (root / "Kconfig.host").write_text("".join(f"config {h}\n    bool\n\n" for h in HOST_SYMBOLS))
    (root / "accel").mkdir(exist_ok=True)
    (root / "accel/Kconfig").write_text("".join(f"config {a}\n    bool\n\n" for a in ACCEL_SYMBOLS))
    (root / "target").mkdir(exist_ok=True)
    target_lines = []
    for i, arch in enumerate(arches):
        target_lines.append(f"config {arch}\n    bool\n")
        if i in includes:
            target_lines.append(f"    select {arches[includes[i]]}\n")
    target_lines.append("\nconfig TARGET_BIG_ENDIAN\n    bool\n")
    (root / "target/Kconfig").write_text("".join(target_lines))
    (root / "hw/Kconfig").write_text("".join(f"source {Path(rel).relative_to('hw')}\n" for rel in hw_names))
    (root / "Kconfig").write_text("source Kconfig.host\nsource accel/Kconfig\nsource target/Kconfig\n"
                                  "source hw/Kconfig\n")

    generated = []
    for i, arch in enumerate(arches):
        name = f"t{i}-softmmu"
        mak = root / "configs/devices" / name / "default.mak"
        mak.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# generated default devices", ""]
        if i in includes:
            lines.append(f"include ../t{includes[i]}-softmmu/default.mak")
        mine = [b for b, a in zip(boards, board_arch) if a == i]
        for board in mine:
            roll = rng.random()
            if roll < 0.15:
                lines.append(f"CONFIG_{board}=n")
            elif roll < 0.5:
                lines.append(f"CONFIG_{board}=y")
            else:
                lines.append(f"# CONFIG_{board}=n")
        mak.write_text("\n".join(lines) + "\n")
        assignments = {f"CONFIG_{h}": True for h in host}
        assignments["CONFIG_TCG"] = True
        assignments[f"CONFIG_{arch}"] = True
        assignments["CONFIG_TARGET_BIG_ENDIAN"] = bool(i % 3 == 0)
        generated.append(GeneratedTarget(name, mak, assignments))
    n_files = len(hw_names) + 5
    return GeneratedTree(root, root / "Kconfig", tuple(generated), symbols, n_files)


def _time(fn: Callable[[], None], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_tree(tree: GeneratedTree, repeat: int) -> None:
    holder: dict[str, Any] = {}

    def parse() -> None:
        holder["tree"] = parse_kconfig([tree.kconfig])

    def solve_all() -> None:
        for target in tree.targets:
            holder["result"] = holder["tree"].solve("defconfig", target.assignments, [target.mak])

    def solve_all_allno() -> None:
        for target in tree.targets:
            holder["tree"].solve("allnoconfig", target.assignments, [target.mak])

    t_parse = _time(parse, repeat)
    t_solve = _time(solve_all, repeat)
    t_allno = _time(solve_all_allno, repeat)
    n = len(tree.targets)
    enabled = len(holder["result"].enabled)
    print(f"{tree.symbols:>6} symbols {tree.files:>4} files {n:>3} targets: parse+compile {t_parse * 1e3:7.1f} ms;"
          f" {n} defconfig solves {t_solve * 1e3:7.1f} ms ({t_solve / n * 1e3:.2f} ms each);"
          f" {n} allnoconfig solves {t_allno * 1e3:7.1f} ms; total {(t_parse + t_solve) * 1e3:7.1f} ms"
          f" (last target: {enabled} enabled)")


def bench_subprocess(tree: GeneratedTree, minikconf: str | None) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    commands = [("qemu_config.minikconf", [sys.executable, "-m", "qemu_config.minikconf"])]
    if minikconf:
        commands.append(("QEMU minikconf.py", [sys.executable, minikconf]))
    with tempfile.TemporaryDirectory() as tmp:
        for label, command in commands:
            start = time.perf_counter()
            for target in tree.targets:
                subprocess.run([*command, "--defconfig", "out.mak", os.path.join(tmp, "dep"), str(target.mak),
                                str(tree.kconfig), *target.argv_assignments()],
                               env=env, check=True, stdout=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            print(f"  {label:>22}: {len(tree.targets)} subprocesses {elapsed * 1e3:8.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--minikconf", help="QEMU's scripts/minikconf.py, to time it as subprocesses")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        qemu_sized = generate_tree(Path(tmp) / "qemu", symbols=780, files=99, targets=29)
        print("in-process (best of %d):" % args.repeat)
        bench_tree(qemu_sized, args.repeat)
        bench_tree(generate_tree(Path(tmp) / "s800", symbols=800, files=100, targets=29, seed=2), args.repeat)
        bench_tree(generate_tree(Path(tmp) / "s8000", symbols=8000, files=1000, targets=29, seed=3), args.repeat)
        print("command line, QEMU-sized tree, one process per target:")
        bench_subprocess(qemu_sized, args.minikconf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
