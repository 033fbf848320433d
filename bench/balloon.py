#!/usr/bin/env python3
"""Benchmark: the hv-balloon page range tree against a per-page bitmap (a benchmark, not a test).

Balloons, then unballoons, 200 GiB of 4 KiB pages (52,428,800 pages) in a
512 GiB guest address space with both trackers of the built qemu_core
extension:

* the **range tree** (hv-balloon, GLib GTree) receives (start, count) ranges,
  as the Hyper-V Dynamic Memory protocol sends them, and gives them back as
  ranges;
* the **bitmap** (virtio-balloon style) records and returns the pages one at a
  time, as virtio-balloon handles page frame numbers.

Patterns (reports generated in C before the clock starts; every loop runs in C,
``qemu_core.balloon_bench``):

* ``contiguous``  2 MiB runs, ascending, back to back;
* ``fragmented``  runs of 1-64 pages separated by gaps of 1-64 pages, ascending;
* ``random``      the fragmented runs in random order;
* ``duplicates``  the random pattern plus 10% of its reports sent a second time.

Reported per tracker and pattern: pages per second ballooning (pages
submitted, duplicates included, per second) and unballooning, metadata bytes
after ballooning (range tree: malloc_usable_size of each node's key+value
PageRange plus GLib's GTreeNode cost, tree header excluded; bitmap:
malloc_usable_size of the bit array), and the tree/bitmap speed ratios.  Then
the 1 TiB contiguous range, and a cross-check of the per-node cost with glibc's
mallinfo2() around 200,000 single-node inserts.

    python3 bench/balloon.py [--build-dir DIR] [--repeat N] [--json]

Without --build-dir it configures (--enable-hv-balloon) and builds the core in
a temporary directory first.  Targets: the tree returns 200 GiB in under 1 s,
is >= 100x faster than the bitmap for contiguous runs, and 1 TiB contiguous is
one node under 128 bytes with its key.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from built_core import build_core, extension_path, load_extension

PAGE = 4096
GIB_PAGES = (1 << 30) // PAGE
BALLOON_PAGES = 200 * GIB_PAGES          # 52,428,800
GUEST_PAGES = 512 * GIB_PAGES
TIB_PAGES = 1024 * GIB_PAGES
PATTERNS = ("contiguous", "fragmented", "random", "duplicates")


def best(qc: ModuleType, tracker: str, pattern: str, repeat: int) -> dict[str, Any]:
    runs = [qc.balloon_bench(tracker, pattern, GUEST_PAGES, BALLOON_PAGES, 1) for _ in range(repeat)]
    result = dict(runs[0])
    result["balloon_seconds"] = min(r["balloon_seconds"] for r in runs)
    result["unballoon_seconds"] = min(r["unballoon_seconds"] for r in runs)
    assert result["pages_popped"] == result["pages_stored"] == BALLOON_PAGES, result
    return result


def mallinfo_bytes_per_node(qc: ModuleType, nodes: int = 200_000) -> float | None:
    """Bytes glibc's heap grew by, per node, for single-page ranges two pages apart."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallinfo2 = libc.mallinfo2
    except (OSError, AttributeError):
        return None

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                     "fsmblks", "uordblks", "fordblks", "keepcost")]

    mallinfo2.restype = MallInfo2
    tree = qc.PageRangeTree(4 * nodes)
    starts = list(range(0, 2 * nodes, 2))
    def heap() -> int:       # small chunks + mmapped ones (g_slice's slabs may be either)
        info = mallinfo2()
        return info.uordblks + info.hblkhd

    before = heap()
    for start in starts:
        tree.insert(start, 1)
    after = heap()
    assert tree.nodes == nodes
    return (after - before) / nodes


def fresh_mallinfo(build_dir: Path, env: dict[str, str]) -> float | None:
    proc = subprocess.run([sys.executable, __file__, "--build-dir", str(build_dir), "--mallinfo-only"],
                          env=dict(os.environ, **env), capture_output=True, text=True)
    try:
        return float(proc.stdout)
    except ValueError:
        return None


def fmt_rate(pages: int, seconds: float) -> str:
    if seconds <= 0:
        return "inf"
    rate = pages / seconds
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if rate >= scale:
            return f"{rate / scale:.1f} {unit}"
    return f"{rate:.0f}"


def fmt_bytes(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="a configured and built core (default: build one)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs (default 1)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument("--mallinfo-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.build_dir:
        build_dir = args.build_dir.resolve()
    else:
        build_dir = Path(tempfile.mkdtemp(prefix="qemu-balloon-bench-"))
        build_core(build_dir, "--enable-hv-balloon")
    qc = load_extension(extension_path(build_dir))
    if not qc.hv_balloon_available():
        sys.exit("this build has hv-balloon compiled out: configure with --enable-hv-balloon")
    if args.mallinfo_only:
        print(mallinfo_bytes_per_node(qc))
        return 0

    results: dict[str, dict[str, dict[str, Any]]] = {p: {} for p in PATTERNS}
    for pattern in PATTERNS:
        for tracker in ("tree", "bitmap"):
            results[pattern][tracker] = best(qc, tracker, pattern, args.repeat)

    one_tib = qc.PageRangeTree(TIB_PAGES)
    one_tib.insert(0, TIB_PAGES)
    # Measured in fresh processes: g_slice keeps the GTreeNodes freed by the runs
    # above in its magazines, which would hide them from mallinfo2().  GLib
    # 2.74's g_slice allocates slabs with posix_memalign; G_SLICE=always-malloc
    # makes every node a plain malloc().
    per_node = fresh_mallinfo(build_dir, {})
    per_node_malloc = fresh_mallinfo(build_dir, {"G_SLICE": "always-malloc"})

    if args.json:
        print(json.dumps({"results": results, "one_tib_nodes": one_tib.nodes,
                          "one_tib_metadata_bytes": one_tib.metadata_bytes,
                          "node_overhead": qc.page_range_tree_node_overhead(),
                          "mallinfo_bytes_per_node": per_node,
                          "mallinfo_bytes_per_node_always_malloc": per_node_malloc}, indent=2))
        return 0

    print(f"balloon then unballoon 200 GiB ({BALLOON_PAGES:,} pages of 4 KiB) in a 512 GiB guest; "
          f"pages per second, best of {args.repeat}")
    print()
    header = ("| pattern | tracker | reports | balloon pages/s | unballoon pages/s | unballoon time "
              "| metadata | nodes |")
    print(header)
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for pattern in PATTERNS:
        for tracker in ("tree", "bitmap"):
            r = results[pattern][tracker]
            print(f"| {pattern} | {'range tree' if tracker == 'tree' else 'bitmap'} | {r['reports']:,} "
                  f"| {fmt_rate(r['pages_submitted'], r['balloon_seconds'])} "
                  f"| {fmt_rate(r['pages_popped'], r['unballoon_seconds'])} "
                  f"| {r['unballoon_seconds'] * 1000:.3f} ms "
                  f"| {fmt_bytes(r['metadata_bytes'])} | {r['nodes'] if tracker == 'tree' else '-'} |")
    print()
    print("| pattern | balloon: tree / bitmap | unballoon: tree / bitmap |")
    print("| --- | ---: | ---: |")
    for pattern in PATTERNS:
        t, b = results[pattern]["tree"], results[pattern]["bitmap"]
        ratio_in = b["balloon_seconds"] / t["balloon_seconds"] if t["balloon_seconds"] else float("inf")
        ratio_out = b["unballoon_seconds"] / t["unballoon_seconds"] if t["unballoon_seconds"] else float("inf")
        print(f"| {pattern} | {ratio_in:,.1f}x | {ratio_out:,.1f}x |")
    print()
    print(f"1 TiB contiguous: {one_tib.nodes} node, {one_tib.metadata_bytes} bytes with its key "
          f"(GTreeNode counted as {qc.page_range_tree_node_overhead()} bytes)")
    if per_node is not None:
        print(f"cross-check: glibc mallinfo2() grew by {per_node:.1f} bytes per node "
              f"with G_SLICE={os.environ.get('G_SLICE', 'default')}", end="")
        if per_node_malloc is not None:
            print(f", {per_node_malloc:.1f} with G_SLICE=always-malloc (GTreeNode + PageRange chunks, "
                  f"8-byte chunk headers included)", end="")
        print()

    worst_out = max(results[p]["tree"]["unballoon_seconds"] for p in PATTERNS)
    contiguous = results["contiguous"]
    ratio = contiguous["bitmap"]["balloon_seconds"] / max(contiguous["tree"]["balloon_seconds"], 1e-12)
    print()
    print("targets:")
    print(f"  range tree returns 200 GiB in < 1 s: worst pattern {worst_out:.3f} s "
          f"-> {'met' if worst_out < 1 else 'MISSED'}")
    print(f"  >= 100x the bitmap for contiguous runs (balloon): {ratio:,.0f}x -> "
          f"{'met' if ratio >= 100 else 'MISSED'}")
    print(f"  1 TiB contiguous = one node < 128 bytes: {one_tib.nodes} node, {one_tib.metadata_bytes} bytes -> "
          f"{'met' if one_tib.nodes == 1 and one_tib.metadata_bytes < 128 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
