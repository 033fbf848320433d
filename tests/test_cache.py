"""cache.py: keys, storage, misses."""

from __future__ import annotations

from pathlib import Path

from qemu_config.cache import ProbeCache, default_cache_dir, make_key


def test_key_is_stable_and_sensitive() -> None:
    assert make_key("a", {"x": 1, "y": 2}) == make_key("a", {"y": 2, "x": 1})
    assert make_key("a", 1) != make_key("a", 2)
    assert len(make_key()) == 64


def test_round_trip_and_clear(tmp_path: Path) -> None:
    cache = ProbeCache(tmp_path / "c")
    key = make_key("probe")
    assert cache.get(key) is None
    cache.put(key, {"ok": True, "value": [1, 2]})
    assert cache.get(key) == {"ok": True, "value": [1, 2]}
    assert cache.clear() == 1
    assert cache.get(key) is None


def test_disabled_cache_stores_nothing(tmp_path: Path) -> None:
    cache = ProbeCache(tmp_path / "c", enabled=False)
    cache.put("k" * 64, {"ok": True})
    assert not (tmp_path / "c").exists()
    assert cache.get("k" * 64) is None


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ProbeCache(tmp_path)
    key = make_key("x")
    cache.put(key, {"ok": True})
    next(tmp_path.rglob("*.json")).write_text("{not json")
    assert cache.get(key) is None


def test_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = ProbeCache(blocker / "sub")   # parent is a file: cannot be created
    cache.put(make_key("x"), {"ok": True})
    assert cache.get(make_key("x")) is None


def test_xdg_cache_home(tmp_path: Path) -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": "/x/c"}) == Path("/x/c/qemu-config/probes")
    home = str(tmp_path)
    assert default_cache_dir({"HOME": home}) == tmp_path / ".cache/qemu-config/probes"
    assert default_cache_dir({"XDG_CACHE_HOME": "rel", "HOME": home}) == tmp_path / ".cache/qemu-config/probes"


def test_an_unusable_home_means_no_cache(tmp_path: Path) -> None:
    """HOME=/nonexistent (a build daemon's user) and no XDG_CACHE_HOME: nothing is cached, nothing is made."""
    assert default_cache_dir({"HOME": "/nonexistent"}) is None
    assert default_cache_dir({"HOME": "/nonexistent", "XDG_CACHE_HOME": "relative"}) is None
    cache = ProbeCache(default_cache_dir({"HOME": "/nonexistent"}))
    assert not cache.enabled and cache.clear() == 0
    cache.put(make_key("x"), {"ok": True})
    assert cache.get(make_key("x")) is None
    assert cache.problems() == ["probe cache: none (XDG_CACHE_HOME is not set and HOME is not a usable directory): "
                                "nothing was read from or kept in a cache"]
    assert not Path("/nonexistent").exists()
