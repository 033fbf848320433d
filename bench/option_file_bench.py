#!/usr/bin/env python3
"""Benchmark: loading option files with the engine's parser against meson's own option interpreter.

Why the engine keeps a parser of its own (``qemu_config/options/syntax.py``
and ``optionfile.py``) instead of calling ``mesonbuild.optinterpreter``: the
figures this prints, measured in one run on the same files.

* cold: what one configure run pays, in a fresh interpreter (byte code
  already compiled, as configure's pycache has it): importing the parser,
  then loading the project's ``meson_options.txt`` and QEMU's.  meson's
  option interpreter cannot be imported on its own (``mesonbuild.interpreter``
  must come first), so its import is that whole package.
* warm: parsing alone, in-process, after the imports (best of N).

Both load the same options (checked: names, types, defaults, descriptions,
choices); the differential tests in tests/test_options.py prove the rest.
QEMU's file is its reference copy beside the repository
(``../shared/reference/qemu-10.2.50/`` or ``$QEMU_REFERENCE_DIR``), else the
project's extract of it in tests/data.

Run from the checkout with the build's interpreter (it has the pinned meson):
    build/pyvenv/bin/python3 bench/option_file_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qemu_config import bootstrap  # noqa: E402

REFERENCE_DIR = Path(os.environ.get("QEMU_REFERENCE_DIR") or REPO.parent / "shared" / "reference")

# Each prints {"import": s, "parse": s, "options": [...]} for the files in argv.
OURS = """
import json, sys, time
t0 = time.perf_counter()
from qemu_config.options import parse_option_file
t1 = time.perf_counter()
tables = [parse_option_file(p) for p in sys.argv[1:]]
t2 = time.perf_counter()
rows = [[[o.name, o.type, list(o.value) if isinstance(o.value, tuple) else o.value, o.description,
          list(o.choices) if o.choices is not None else None] for o in t] for t in tables]
print(json.dumps({"import": t1 - t0, "parse": t2 - t1, "options": rows}))
"""

MESON = """
import json, sys, time
t0 = time.perf_counter()
import mesonbuild.interpreter  # optinterpreter cannot be imported first (a circular import)
from mesonbuild import optinterpreter, options
t1 = time.perf_counter()
tables = []
for path in sys.argv[1:]:
    oi = optinterpreter.OptionInterpreter(options.OptionStore(False), '')
    oi.process(path)
    tables.append(oi.options)
t2 = time.perf_counter()
def kind(opt):
    name = type(opt).__name__
    return {'UserFeatureOption': 'feature', 'UserBooleanOption': 'boolean', 'UserComboOption': 'combo',
            'UserStringOption': 'string', 'UserStringArrayOption': 'array',
            'UserIntegerOption': 'integer'}[name]
rows = [[[k.name, kind(o), list(o.value) if isinstance(o.value, list) else o.value, o.description,
          list(o.choices or ()) or None if kind(o) in ('combo', 'feature', 'array') else None]
         for k, o in t.items()] for t in tables]  # meson: [] for an array without choices, [True, False] for a boolean
print(json.dumps({"import": t1 - t0, "parse": t2 - t1, "options": rows}))
"""


def option_files() -> list[tuple[str, Path]]:
    qemu = REFERENCE_DIR / "qemu-10.2.50" / "meson_options.txt"
    if not qemu.is_file():
        qemu = REPO / "tests" / "data" / "qemu-options" / "meson_options.txt"
    return [("project", REPO / "meson_options.txt"), ("QEMU", qemu)]


def fresh_process(code: str, files: list[Path]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *map(str, files)], capture_output=True, text=True, env=env,
                          check=True)
    result: dict[str, object] = json.loads(proc.stdout)
    result["process"] = time.perf_counter() - start
    return result


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per parser (median), and warm repeats")
    args = parser.parse_args()
    bootstrap.meson_command()  # the pinned meson, or one error saying how to get it
    files = option_files()
    paths = [p for _, p in files]
    for name, path in files:
        print(f"{name}: {path} ({path.read_text(encoding='utf-8').count('option(')} options)")

    cold: dict[str, list[dict[str, object]]] = {"qemu-config": [], "meson": []}
    for code, key in ((OURS, "qemu-config"), (MESON, "meson")):
        fresh_process(code, paths)  # compile and cache the byte code first, as configure's pycache has it
    for _ in range(args.runs):  # interleaved, so that both see the same machine load
        cold["qemu-config"].append(fresh_process(OURS, paths))
        cold["meson"].append(fresh_process(MESON, paths))
    ours_rows, meson_rows = cold["qemu-config"][0]["options"], cold["meson"][0]["options"]
    if ours_rows != meson_rows:
        print("ERROR: the two parsers load different options", file=sys.stderr)
        return 1

    sys.path.insert(0, str(REPO))
    import mesonbuild.interpreter  # noqa: F401  (import order, as above)
    from mesonbuild import optinterpreter
    from mesonbuild import options as meson_options

    from qemu_config.options import parse_option_file

    def meson_parse() -> None:
        for path in paths:
            optinterpreter.OptionInterpreter(meson_options.OptionStore(False), "").process(str(path))

    warm = {"qemu-config": best(lambda: [parse_option_file(p) for p in paths], args.runs * 3),
            "meson": best(meson_parse, args.runs * 3)}

    def median(key: str, field: str) -> float:
        return statistics.median(float(r[field]) for r in cold[key])  # type: ignore[arg-type]

    print(f"\nmedian of {args.runs} fresh processes, both files (ms)")
    print(f"{'':14}{'import':>10}{'parse':>10}{'import+parse':>14}{'process':>10}")
    for key in cold:
        imp, parse, proc = median(key, "import"), median(key, "parse"), median(key, "process")
        print(f"{key:14}{imp * 1000:10.1f}{parse * 1000:10.1f}{(imp + parse) * 1000:14.1f}{proc * 1000:10.1f}")
    print(f"\nwarm, parse only, best of {args.runs * 3} (ms): qemu-config {warm['qemu-config'] * 1000:.2f}, "
          f"meson {warm['meson'] * 1000:.2f}")
    ours = median("qemu-config", "import") + median("qemu-config", "parse")
    theirs = median("meson", "import") + median("meson", "parse")
    print(f"cold import+parse: meson's optinterpreter costs {(theirs - ours) * 1000:.0f} ms more "
          f"({theirs / ours:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
