"""The probe cache: results shared by every build directory of a user.

Owns where results are stored (``$XDG_CACHE_HOME/qemu-config/probes``, else
``~/.cache/...``), how a key is made (a digest of everything that can change a
result) and how entries are read and written (one JSON file per key, written
atomically; a corrupt or unreadable entry is a miss).  It knows nothing of
what a probe is: callers decide what goes into the key and what may be stored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .storage import user_cache_dir, write_atomic

CACHE_FORMAT = 1


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """The probe cache: ``probes`` in the user's cache directory (:func:`storage.user_cache_dir`)."""
    return user_cache_dir(environ) / "probes"


def make_key(*parts: object) -> str:
    """A stable digest of ``parts`` (any JSON-serialisable values)."""
    text = json.dumps([CACHE_FORMAT, *parts], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ProbeCache:
    """A directory of cached results; ``enabled=False`` makes every lookup a miss and stores nothing."""

    directory: Path
    enabled: bool = True

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store ``value``; a cache that cannot be written is silently skipped (it is only a cache)."""
        if not self.enabled:
            return
        try:
            write_atomic(self._path(key), json.dumps(value, sort_keys=True).encode("utf-8"))
        except (OSError, TypeError, ValueError):
            return

    def clear(self) -> int:
        """Remove every entry; return how many there were."""
        if not self.directory.exists():
            return 0
        count = sum(1 for _ in self.directory.rglob("*.json"))
        shutil.rmtree(self.directory, ignore_errors=True)
        return count
