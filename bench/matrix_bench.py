#!/usr/bin/env python3
"""Benchmark: ``qemu-config matrix`` on a spec against the same combinations as ``./configure`` processes.

Measured in one run, on the project's ``matrix.toml`` (128 combinations) unless another spec is named:

* cold: the whole matrix decided in a new process with an empty probe cache (the probes run once for
  the matrix; nothing a process remembers carries over), timed from after the imports;
* warm: the same, with the cache the cold run filled;
* the per-combination cost of each;
* the same combinations as ``./configure`` processes, each in a build directory of its own with the
  warm cache (what a CI job per combination costs before it compiles anything): all of them, or
  ``--configure-sample N`` of them spread over the matrix with the total extrapolated (said so);
* the number of distinct builds against the number of combinations.

Run from the checkout with the build's interpreter:
    build/pyvenv/bin/python3 bench/matrix_bench.py [SPEC] [--runs N] [--configure-sample N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Decides the matrix in this fresh process and prints {"seconds": ..., "combinations": ..., "classes": ...}.
_CHILD = r"""
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from qemu_config import options
from qemu_config.cache import ProbeCache, default_cache_dir
from qemu_config.matrix.decide import MatrixContext, SharedProber, decide_matrix
from qemu_config.matrix.spec import expand, load_spec
src, spec_path, scratch = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
table = options.load_option_table(src)
builtins = options.builtin_options()
combinations = expand(load_spec(spec_path, table, builtins))
prober = SharedProber(dict(os.environ), ProbeCache(default_cache_dir(os.environ)))
ctx = MatrixContext(src, scratch, table, builtins, dict(os.environ), prober)
result = decide_matrix(str(spec_path), combinations, ctx)
print(json.dumps({"seconds": time.perf_counter() - start, "combinations": len(result.verdicts),
                  "ok": sum(v.ok for v in result.verdicts), "classes": len(result.classes),
                  "args": [list(c.args) for c in combinations]}))
"""


def decide_in_child(spec: Path, cache_home: Path, scratch: Path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(REPO), str(spec), str(scratch)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def configure_processes(args: list[list[str]], cache_home: Path, scratch: Path) -> list[float]:
    """Wall time of ./configure for each combination, each in a new build directory."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home), PYTHON=sys.executable)
    times = []
    for i, argv in enumerate(args):
        build = scratch / f"c{i}"
        build.mkdir(parents=True)
        start = time.perf_counter()
        subprocess.run([str(REPO / "configure"), *argv], cwd=build, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?", default=str(REPO / "matrix.toml"))
    parser.add_argument("--runs", type=int, default=3, help="repeat the matrix timings, report the median")
    parser.add_argument("--configure-sample", type=int, default=0,
                        help="run only N of the ./configure processes and extrapolate (0: all)")
    opts = parser.parse_args()
    spec = Path(opts.spec).resolve()
    cold, warm = [], []
    info: dict = {}
    with tempfile.TemporaryDirectory(prefix="matrix-bench-") as tmp:
        for run in range(opts.runs):
            cache_home = Path(tmp) / f"cache{run}"
            info = decide_in_child(spec, cache_home, Path(tmp) / "scratch")
            cold.append(info["seconds"])
            warm.append(decide_in_child(spec, cache_home, Path(tmp) / "scratch")["seconds"])
        n = info["combinations"]
        args = info["args"]
        if opts.configure_sample and opts.configure_sample < n:
            step = n / opts.configure_sample
            chosen = [args[int(i * step)] for i in range(opts.configure_sample)]
        else:
            chosen = args
        per_process = configure_processes(chosen, Path(tmp) / "cache0", Path(tmp) / "configures")
    total_processes = statistics.mean(per_process) * n
    sampled = "" if len(chosen) == n else f" (mean of {len(chosen)} runs x {n}, extrapolated)"
    print(f"spec: {spec.name}, {n} combinations, {info['ok']} configure, {info['classes']} distinct builds")
    print(f"matrix cold (empty probe cache, new process): median {statistics.median(cold):.2f} s "
          f"({statistics.median(cold) / n * 1000:.1f} ms per combination)")
    print(f"matrix warm:                                  median {statistics.median(warm):.2f} s "
          f"({statistics.median(warm) / n * 1000:.1f} ms per combination)")
    print(f"{n} ./configure processes (warm cache):        {total_processes:.1f} s{sampled} "
          f"({statistics.mean(per_process):.2f} s each)")
    print(f"ratio ./configure processes / matrix warm:    {total_processes / statistics.median(warm):.0f}x")
    print(f"distinct builds: {info['classes']} of {n} combinations ({info['ok']} configure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
