"""The probe cache: results shared by every build directory of a user.

Owns where results are stored (``$XDG_CACHE_HOME/qemu-config/probes``, else
``~/.cache/...``), how a key is made (a digest of everything that can change a
result) and how entries are read and written (one JSON file per key, written
atomically).  A bad entry (truncated, not JSON, not a regular file, unreadable,
or refused by its reader's schema) is a miss that the run's answer replaces; a
cache that cannot be written is skipped.  Either is noted once for config.log
(:meth:`ProbeCache.problems`).  It knows nothing of what a probe is: callers
decide what goes into the key and what may be stored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Union

from .limits import read_regular_file
from .storage import user_cache_dir, write_atomic

CACHE_FORMAT = 1


def default_cache_dir(environ: Mapping[str, str]) -> Path | None:
    """The probe cache: ``probes`` in the user's cache directory (:func:`storage.user_cache_dir`); None
    when the user has none (no XDG_CACHE_HOME and an unusable HOME): then nothing is cached."""
    base = user_cache_dir(environ)
    return None if base is None else base / "probes"


def make_key(*parts: object) -> str:
    """A stable digest of ``parts`` (any JSON-serialisable values)."""
    text = json.dumps([CACHE_FORMAT, *parts], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# What a field of an entry may hold: a Python type (bool is not an int here), None for null, or
# ("list", T) / ("dict", T) for a list of T / an object whose values are T.  A tuple of kinds is "any of".
FieldKind = Union[type, None, tuple]
# An entry's schema: (field, kinds) pairs; every field is required, others are ignored.
Schema = tuple[tuple[str, FieldKind], ...]


def _matches(value: object, kind: FieldKind) -> bool:
    if kind is None:
        return value is None
    if isinstance(kind, type):
        return type(value) is kind       # exact: True is not an int, 1 is not a bool
    if len(kind) == 2 and kind[0] == "list":
        return isinstance(value, list) and all(_matches(v, kind[1]) for v in value)
    if len(kind) == 2 and kind[0] == "dict":
        return isinstance(value, dict) and all(_matches(v, kind[1]) for v in value.values())
    return any(_matches(value, k) for k in kind)


def schema_problem(data: Mapping[str, Any], schema: Schema) -> str | None:
    """Why ``data`` does not follow ``schema`` (a field missing or of another kind), or None."""
    for name, kind in schema:
        if name not in data:
            return f"field {name!r} missing"
        if not _matches(data[name], kind):
            return f"field {name!r} is a JSON {type(data[name]).__name__} of the wrong kind"
    return None


# The largest entry read: entries are a few hundred bytes, a bigger file is not one of ours.
MAX_ENTRY_BYTES = 1024 * 1024


class CacheProblems:
    """What went wrong with the cache during one run (shared by the threads that probe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.bad_entries: dict[str, str] = {}     # entry path -> why it was not used
        self.write_error: str | None = None      # the first write that failed

    def bad(self, path: Path, why: str) -> None:
        with self._lock:
            self.bad_entries.setdefault(str(path), why)

    def unwritable(self, path: Path, exc: OSError) -> None:
        with self._lock:
            if self.write_error is None:
                self.write_error = f"{path}: {exc.strerror or exc}"


@dataclass(frozen=True)
class ProbeCache:
    """A directory of cached results; ``enabled=False`` (or no directory: the user has no cache
    directory) makes every lookup a miss and stores nothing."""

    directory: Path | None
    enabled: bool = True
    noted: CacheProblems = field(default_factory=CacheProblems, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.directory is None:
            object.__setattr__(self, "enabled", False)

    def _path(self, key: str) -> Path:
        assert self.directory is not None      # only asked when enabled
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, schema: Schema = ()) -> dict[str, Any] | None:
        """The entry of ``key``, or None: none stored, or a bad one (noted, and replaced by the next put).

        An entry that does not follow ``schema`` (:func:`schema_problem`) is a bad one."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            text = _read_entry(path)
        except (FileNotFoundError, NotADirectoryError):    # no such entry (or no cache directory at all)
            return None
        except OSError as exc:
            self.noted.bad(path, exc.strerror or str(exc))
            return None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):    # RecursionError: JSON nested too deep
            self.noted.bad(path, "not JSON (truncated or overwritten)")
            return None
        if not isinstance(data, dict):
            self.noted.bad(path, f"a JSON {type(data).__name__}, not an object")
            return None
        problem = schema_problem(data, schema)
        if problem is not None:
            self.refuse(key, problem)
            return None
        return data

    def refuse(self, key: str, why: str) -> None:
        """Note that the entry of ``key`` was read but is not one its reader accepts (its schema)."""
        self.noted.bad(self._path(key), why)

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store ``value``; a cache that cannot be written is skipped (it is only a cache), and noted."""
        if not self.enabled:
            return
        path = self._path(key)
        try:
            data = json.dumps(value, sort_keys=True).encode("utf-8")
        except (TypeError, ValueError):
            return
        try:
            if path.is_dir() and not path.is_symlink():     # a directory where the entry goes: ours to remove
                shutil.rmtree(path)
            write_atomic(path, data)
        except OSError as exc:
            self.noted.unwritable(path, exc)

    def problems(self) -> list[str]:
        """What config.log says of the cache, once per run: bad entries replaced, writes that failed."""
        lines = []
        if self.directory is None:
            lines.append("probe cache: none (XDG_CACHE_HOME is not set and HOME is not a usable directory): "
                         "nothing was read from or kept in a cache")
        bad = self.noted.bad_entries
        if bad:
            first = next(iter(sorted(bad.items())))
            lines.append(f"probe cache: {len(bad)} bad entr{'y' if len(bad) == 1 else 'ies'} not used and probed "
                         f"again (first: {first[0]}: {first[1]})")
        if self.noted.write_error is not None:
            lines.append(f"probe cache: cannot be written, this run's answers are not kept "
                         f"(first failure: {self.noted.write_error})")
        return lines

    def clear(self) -> int:
        """Remove every entry; return how many there were."""
        if self.directory is None or not self.directory.exists():
            return 0
        count = sum(1 for _ in self.directory.rglob("*.json"))
        shutil.rmtree(self.directory, ignore_errors=True)
        return count


def _read_entry(path: Path) -> str:
    """An entry file's text; OSError when it cannot be one.

    It must be a regular file of at most :data:`MAX_ENTRY_BYTES` (:func:`limits.read_regular_file`), in UTF-8.
    """
    data = read_regular_file(path, MAX_ENTRY_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise OSError("not UTF-8 text") from None
