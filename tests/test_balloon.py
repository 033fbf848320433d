"""The hv-balloon page range tree and the per-page bitmap baseline, against the built core.

End to end: configure and build the core into a temporary directory (once per
module), then load the qemu_core extension that build produced.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from e2e import load_extension

pytestmark = pytest.mark.slow

TIB_PAGES = (1 << 40) // 4096          # 1 TiB of 4 KiB pages
RUN_2M = 512


@pytest.fixture(scope="module")
def qc(core_on: Path) -> ModuleType:
    """The extension of a build with hv-balloon enabled."""
    return load_extension(core_on)


def runs(pages: set[int]) -> list[tuple[int, int]]:
    """The maximal runs of consecutive pages in a set, as (start, count)."""
    result: list[tuple[int, int]] = []
    for p in sorted(pages):
        if result and result[-1][0] + result[-1][1] == p:
            result[-1] = (result[-1][0], result[-1][1] + 1)
        else:
            result.append((p, 1))
    return result


def test_range_tree_is_compiled_in(qc: ModuleType) -> None:
    assert qc.hv_balloon_available() is True
    assert qc.hv_balloon().startswith("hv-balloon:")


def test_overlapping_and_adjacent_ranges_merge_and_report_duplicates(qc: ModuleType) -> None:
    t = qc.PageRangeTree(1000)
    assert t.insert(10, 5) == 0            # [10, 15)
    assert t.insert(15, 5) == 0            # adjacent on the right: [10, 20)
    assert (len(t), t.nodes) == (10, 1)
    assert t.insert(5, 5) == 0             # adjacent on the left: [5, 20)
    assert (len(t), t.nodes) == (15, 1)
    assert t.insert(12, 10) == 8           # overlaps 12..19: [5, 22)
    assert (len(t), t.nodes) == (17, 1)
    assert t.insert(30, 5) == 0            # a gap: two nodes
    assert t.insert(40, 5) == 0
    assert (len(t), t.nodes) == (27, 3)
    assert t.insert(0, 100) == 27          # swallows everything
    assert (len(t), t.nodes) == (100, 1)
    assert t.insert(0, 100) == 100         # the same report twice: all duplicates
    assert len(t) == 100
    assert t.pop(1000) == [(0, 100)]


def test_gap_of_one_page_does_not_merge(qc: ModuleType) -> None:
    t = qc.PageRangeTree(100)
    t.insert(0, 10)
    t.insert(11, 10)
    assert t.nodes == 2
    assert t.insert(10, 1) == 0            # fills the gap: one node
    assert (t.nodes, len(t)) == (1, 21)


def test_matches_a_set_model(qc: ModuleType) -> None:
    rng = random.Random(6)
    guest = 5000
    t = qc.PageRangeTree(guest)
    model: set[int] = set()
    for _ in range(2000):
        start = rng.randrange(guest)
        count = rng.randint(1, min(64, guest - start))
        pages = set(range(start, start + count))
        assert t.contains(start, count) == bool(pages & model)
        assert t.insert(start, count) == len(pages & model)
        model |= pages
        assert len(t) == len(model)
        assert t.nodes == len(runs(model))


def test_range_beyond_the_address_space_is_refused(qc: ModuleType) -> None:
    t = qc.PageRangeTree(1000)
    t.insert(100, 10)
    before = (len(t), t.nodes, t.metadata_bytes)
    for start, count in [(995, 10), (1000, 1), (999, 2), (2**63, 1), (2**64 - 1, 1), (1, 2**64 - 1), (5, 0)]:
        with pytest.raises(ValueError):
            t.insert(start, count)
        with pytest.raises(ValueError):
            t.contains(start, count)
    assert (len(t), t.nodes, t.metadata_bytes) == before
    assert t.insert(990, 10) == 0          # the last pages are inside
    with pytest.raises(ValueError, match="address space"):
        t.insert(0, 1001)
    with pytest.raises(ValueError):
        qc.PageRangeTree(0)


def test_pop_returns_every_page_exactly_once(qc: ModuleType) -> None:
    rng = random.Random(1)
    guest = 1 << 20
    t = qc.PageRangeTree(guest)
    model: set[int] = set()
    for _ in range(3000):
        start = rng.randrange(guest - 200)
        count = rng.randint(1, 200)
        t.insert(start, count)
        model.update(range(start, start + count))
    seen: list[int] = []
    while len(t):
        n = rng.randint(1, 5000)
        popped = t.pop(n)
        assert popped and sum(c for _, c in popped) == min(n, len(model) - len(seen))
        for start, count in popped:
            assert count > 0
            assert not t.contains(start, count)
            seen.extend(range(start, start + count))
    assert len(seen) == len(set(seen)) == len(model)
    assert set(seen) == model
    assert (t.nodes, t.pop(10)) == (0, [])
    assert t.metadata_bytes == 0


def test_contains(qc: ModuleType) -> None:
    t = qc.PageRangeTree(1000)
    t.insert(100, 10)                      # [100, 110)
    assert t.contains(100, 1) and t.contains(109, 1) and t.contains(50, 51) and t.contains(105, 500)
    assert not t.contains(99, 1) and not t.contains(110, 1) and not t.contains(0, 100)
    assert not t.contains(110, 890)
    t.insert(200, 1)
    assert t.contains(150, 51) and not t.contains(150, 50) and not t.contains(201, 10)


def test_one_tib_contiguous_is_one_small_node(qc: ModuleType) -> None:
    t = qc.PageRangeTree(2 * TIB_PAGES)
    assert t.insert(0, TIB_PAGES) == 0
    assert (len(t), t.nodes) == (TIB_PAGES, 1)
    assert 0 < t.metadata_bytes < 128
    # The same 1 TiB reported as 2 MiB runs, out of order, is still one node.
    u = qc.PageRangeTree(TIB_PAGES)
    order = list(range(0, TIB_PAGES, RUN_2M))
    random.Random(2).shuffle(order)
    for start in order[: len(order) // 2]:
        u.insert(start, RUN_2M)
    for start in sorted(order[len(order) // 2:]):
        u.insert(start, RUN_2M)
    assert (len(u), u.nodes, u.metadata_bytes) == (TIB_PAGES, 1, t.metadata_bytes)


def test_metadata_grows_per_node(qc: ModuleType) -> None:
    node = qc.page_range_tree_node_overhead()
    assert node >= 40                      # GLib's GTreeNode: 4 pointers and 3 flag bytes
    t = qc.PageRangeTree(10_000)
    t.insert(0, 10)
    # A GTreeNode plus the malloc'ed 16-byte PageRange (key and value), whose
    # usable size malloc decides (24 for a fresh chunk, more for a reused one).
    assert node + 16 <= t.metadata_bytes <= node + 64
    for i in range(1, 100):
        t.insert(i * 20, 10)
    assert t.nodes == 100
    assert 100 * (node + 16) <= t.metadata_bytes <= 100 * (node + 64)
    t.insert(0, 10_000)
    assert node + 16 <= t.metadata_bytes <= node + 64


def test_bitmap_counts(qc: ModuleType) -> None:
    b = qc.PageBitmap(1000)
    assert b.add(5) == 0 and b.add(5) == 1
    assert b.add_range(0, 10) == 1
    assert (len(b), b.duplicates) == (10, 2)
    assert b.add_range(8, 4) == 2
    assert (len(b), b.duplicates) == (12, 4)
    assert b.contains(11) and not b.contains(12)
    with pytest.raises(ValueError):
        b.add(1000)
    with pytest.raises(ValueError):
        b.add_range(995, 6)
    assert len(b) == 12
    assert b.metadata_bytes >= 1000 // 8
    assert b.pop(5) == [0, 1, 2, 3, 4]
    assert b.add(2) == 0                   # popped pages can come back
    assert b.pop(100) == [2, 5, 6, 7, 8, 9, 10, 11]
    assert (len(b), b.pop(1)) == (0, [])


def test_bitmap_pop_returns_every_page_exactly_once(qc: ModuleType) -> None:
    rng = random.Random(3)
    b = qc.PageBitmap(100_000)
    model = {rng.randrange(100_000) for _ in range(20_000)}
    for p in rng.sample(sorted(model), len(model)):
        b.add(p)
    popped = b.pop(10**6)
    assert popped == sorted(model)


def test_bench_entry_points_agree(qc: ModuleType) -> None:
    for pattern in ("contiguous", "fragmented", "random", "duplicates"):
        tree = qc.balloon_bench("tree", pattern, 1 << 20, 200_000)
        bitmap = qc.balloon_bench("bitmap", pattern, 1 << 20, 200_000)
        for r in (tree, bitmap):
            assert r["pages_stored"] == r["pages_popped"] == 200_000
        assert tree["duplicates"] == bitmap["duplicates"]
        assert tree["pages_submitted"] == bitmap["pages_submitted"] == 200_000 + tree["duplicates"]
        assert (tree["duplicates"] > 0) == (pattern == "duplicates")
    assert qc.balloon_bench("tree", "contiguous", 1 << 20, 200_000)["nodes"] == 1
    with pytest.raises(ValueError):
        qc.balloon_bench("tree", "bogus", 1 << 20, 1000)
    with pytest.raises(ValueError):
        qc.balloon_bench("tree", "fragmented", 1000, 1000)  # gaps need more address space


def test_disabled_hv_balloon_says_it_is_compiled_out(core_off: Path) -> None:
    build_dir = core_off
    code = """
import sys
sys.path.insert(0, sys.argv[1])
import qemu_core
assert qemu_core.hv_balloon_available() is False
try:
    qemu_core.PageRangeTree(1000)
except RuntimeError as e:
    print("RuntimeError:", e)
b = qemu_core.PageBitmap(100)
print("bitmap", b.add_range(0, 10), len(b))
"""
    out = subprocess.run([sys.executable, "-c", code, str(build_dir)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("RuntimeError:")
    assert lines[0].startswith("RuntimeError: hv-balloon was compiled out: CONFIG_HV_BALLOON is off in this build; "
                               "hv_balloon is off: --disable-hv-balloon was given; it needs link test "
                               '"GTree node API" against glib-2.0')
    assert lines[0].endswith("next: drop --disable-hv-balloon")
    assert lines[1] == "bitmap 0 10"
