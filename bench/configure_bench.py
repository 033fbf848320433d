#!/usr/bin/env python3
"""Benchmark: qemu-config's configure against meson performing the same probes.

Cold: a fresh build dir and empty caches.  qemu-config's probe + resolve + emit
(``configure.decide`` and the output files, meson setup excluded), each run in
a new Python process so that nothing a process remembers (compiler identity,
macros, pkg-config facts) carries over, timed from after the imports, against
``meson setup`` of an equivalent project generated from the same declarations
(rules.FEATURES, the warning flags, gdb), so both do the same probes.  Warm:
``./configure`` re-run with the same arguments in an existing build dir, wall
time from the shell (bootstrap, probes from cache, no meson setup).

Compiler processes: after the timed runs, one more cold run of each side with
a counting compiler, a shell script that appends a line to a log for each time
it is started and then execs the real ``cc``, given as ``--cc`` to qemu-config
and as ``CC`` to meson.  It counts compiler *driver* runs (what each side asks
for: ``--version``, ``-dM -E``, each compile and link test), not the cc1, as or
ld processes a driver starts.  The wrapper costs a shell start per run, which is
why the counting runs are not timed.

Run from the checkout with the build's interpreter:
    build/pyvenv/bin/python3 bench/configure_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qemu_config import bootstrap, options  # noqa: E402
from qemu_config.configure import NINJA_BEING_FOUND, decide, with_ninja  # noqa: E402
from qemu_config.model import Environment  # noqa: E402
from qemu_config.emit import start_compiling_templates, write_outputs  # noqa: E402
from qemu_config.outputs import build_outputs  # noqa: E402
from qemu_config.cache import ProbeCache, default_cache_dir  # noqa: E402
from qemu_config.probes import (FunctionProbe, LibraryProbe, LinkProbe, MachineProber, PkgConfigProbe,  # noqa: E402
                               ProgramProbe)
from qemu_config.rules import FEATURES, GDB_PROGRAMS, WARNING_FLAGS  # noqa: E402


def meson_str(text: str) -> str:
    return "'''" + text.replace("'''", "") + "'''"


def equivalent_meson_build() -> str:
    """A meson.build probing what rules.FEATURES probes (plus warning flags and gdb)."""
    out = ["project('bench', 'c')", "cc = meson.get_compiler('c')", "conf = configuration_data()"]
    deps: dict[str, str] = {}

    def dep(p: PkgConfigProbe) -> str:
        if p.package not in deps:
            var = "dep_" + p.package.replace("-", "_").replace(".", "_")
            version = ", version: [" + ", ".join(f"'{c}'" for c in p.constraints) + "]" if p.constraints else ""
            lookup = f"{var} = dependency('{p.package}', method: 'pkg-config', required: false{version})"
            if p.after is not None:     # looked up only when the package it comes after was found
                lookup = (f"if {dep(p.after)}.found()\n  {lookup}\nelse\n"
                          f"  {var} = dependency('', required: false)\nendif")
            out.append(lookup)
            deps[p.package] = var
        return deps[p.package]

    for i, feature in enumerate(FEATURES):
        if feature.only_on is not None and "linux" not in feature.only_on:
            continue   # objc, whpx, ...: not probed on Linux by either side
        for j, probe in enumerate(feature.probes):
            name = f"r_{i}_{j}"
            if isinstance(probe, PkgConfigProbe):
                out.append(f"{name} = {dep(probe)}.found()")
            elif isinstance(probe, LinkProbe):
                used = ", ".join(dep(u) for u in probe.uses)
                args = ", ".join(f"'{a}'" for a in (*probe.compile_args, *probe.link_args))
                out.append(f"{name} = cc.links({meson_str(probe.source)}, dependencies: [{used}], "
                           f"args: [{args}], name: '{probe.title}')")
            elif isinstance(probe, FunctionProbe):
                out.append(f"{name} = cc.has_function('{probe.name}')")
            elif isinstance(probe, LibraryProbe):
                out.append(f"lib_{name} = cc.find_library('{probe.library}', required: false)")
                out.append(f"{name} = lib_{name}.found() and cc.links({meson_str(probe.header_test)}, "
                           f"dependencies: lib_{name}, name: '{probe.title}')")
            elif isinstance(probe, ProgramProbe):
                out.append(f"{name} = find_program({', '.join(repr(n) for n in probe.names)}, required: false).found()")
            out.append(f"conf.set('R_{i}_{j}', {name})")
    flags = ", ".join(f"'{f}'" for f in WARNING_FLAGS)
    out.append(f"warn = cc.get_supported_arguments([{flags}])")
    gdb = ", ".join(f"'{g}'" for g in GDB_PROGRAMS)
    out.append(f"gdb = find_program({gdb}, required: false)")
    out.append("if gdb.found()\n  run_command(gdb, '--version', check: false)\n"
               "  run_command(gdb, '-nx', '-batch', '-ex', 'set architecture', '-ex', 'quit', check: false)\nendif")
    out.append("configure_file(output: 'config-host.h', configuration: conf)")
    return "\n".join(out) + "\n"


def engine_cold(build: Path, cache_home: Path, argv: list[str]) -> float:
    """One cold configure in this process: the seconds from the option table to the written files."""
    environ = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    start = time.perf_counter()
    table = options.load_option_table(REPO)
    request = options.parse_configure_args(argv, table)
    builtins = options.builtin_options()
    start_compiling_templates()      # as configure() does
    with ThreadPoolExecutor(max_workers=1) as finder:
        finding_ninja = finder.submit(bootstrap.find_ninja)      # as configure() does, beside deciding
        platlib, site_dirs = bootstrap.python_install_paths()    # as configure() asks the host's Python
        env = Environment(source_dir=REPO, build_dir=build, python=sys.executable,
                          meson=tuple(bootstrap.meson_command()), ninja=NINJA_BEING_FOUND,
                          environ=environ, python_platlib=platlib, python_site_dirs=site_dirs)
        prober = MachineProber(environ, ProbeCache(default_cache_dir(environ)))
        config = with_ninja(decide(env, request, table, builtins, prober), finding_ninja)
        write_outputs(build, build_outputs(config, argv))
    return time.perf_counter() - start


def time_engine_cold(build: Path, cache_home: Path, *argv: str) -> float:
    """A cold configure in a new process (this script with --one-cold-run); its own timing."""
    build.mkdir()
    out = subprocess.run([sys.executable, __file__, "--one-cold-run", str(build), str(cache_home), *argv],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def time_meson_cold(src: Path, build: Path, environ: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([*bootstrap.meson_command(), "setup", str(build), str(src)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)
    return time.perf_counter() - start


def counting_compiler(directory: Path) -> tuple[Path, Path]:
    """A cc that logs a line for each time it is started (see the module docstring), and its log."""
    real = shutil.which("cc")
    if real is None:
        raise SystemExit("no cc on PATH")
    log = directory / "cc-runs.log"
    script = directory / "counting-cc"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {shlex.quote(str(log))}\n'
                      f'exec {shlex.quote(os.path.realpath(real))} "$@"\n')
    script.chmod(0o755)
    return script, log


def compiler_runs(root: Path, src: Path) -> tuple[int, int]:
    """How many times each side starts the compiler in one cold run: (qemu-config, meson)."""
    counted = root / "counted"
    counted.mkdir()
    cc, log = counting_compiler(counted)
    time_engine_cold(counted / "engine", counted / "cache", f"--cc={cc}")
    engine = len(log.read_text().splitlines())
    log.write_text("")
    time_meson_cold(src, counted / "meson", dict(os.environ, CC=str(cc)))
    return engine, len(log.read_text().splitlines())


def time_warm(build: Path, cache_home: Path) -> float:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home), PYTHON=sys.executable)
    subprocess.run([str(REPO / "configure")], cwd=build, env=env, check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run([str(REPO / "configure")], cwd=build, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    if sys.argv[1:2] == ["--one-cold-run"]:      # internal: one timed cold configure, in this new process
        build, cache_home, *argv = sys.argv[2:]
        print(f"{engine_cold(Path(build), Path(cache_home), argv):.6f}")
        return 0
    args = parser.parse_args()
    options.builtin_options()   # fill the builtin-option cache once: it is per machine, not per build
    engine, meson, warm = [], [], []
    with tempfile.TemporaryDirectory(prefix="qemu-config-bench-") as tmp:
        root = Path(tmp)
        src = root / "meson-src"
        src.mkdir()
        (src / "meson.build").write_text(equivalent_meson_build())
        for run in range(args.runs):
            cache = root / f"cache-{run}"
            engine.append(time_engine_cold(root / f"engine-{run}", cache))
            meson.append(time_meson_cold(src, root / f"meson-{run}"))
            wb = root / f"warm-{run}"
            wb.mkdir()
            warm.append(time_warm(wb, root / f"wcache-{run}"))
            shutil.rmtree(root / f"meson-{run}")
        engine_cc, meson_cc = compiler_runs(root, src)
    med = statistics.median
    print(f"runs: {args.runs}")
    print(f"cold  qemu-config probe+resolve+emit: median {med(engine):.3f} s (min {min(engine):.3f})")
    print(f"cold  meson setup, same probes:       median {med(meson):.3f} s (min {min(meson):.3f})")
    print(f"cold  ratio meson / qemu-config:      {med(meson) / med(engine):.2f}x")
    print(f"cold  compiler processes started:     qemu-config {engine_cc}, meson {meson_cc}")
    print(f"warm  ./configure re-run:             median {med(warm):.3f} s (min {min(warm):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
