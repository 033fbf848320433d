"""Where the engine keeps its files, and how it writes them.

Owns the per-user cache directory (``$XDG_CACHE_HOME/qemu-config``, or
``~/.cache/qemu-config`` when the variable is unset or not absolute, as the
XDG specification says; none at all when HOME is not a usable directory), the one atomic write every generated or cached
file goes through (a temporary file in the same directory, renamed over the
old one), and how a text file the user wrote is decoded.  Standard library
only: the no-op check and the cache use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence


def usable_home(environ: Mapping[str, str] | None = None) -> Path | None:
    """``$HOME`` when it is a directory this user can keep files in (its ``.cache`` exists, or it is
    writable); None when it is not (``HOME=/nonexistent``, as for a build daemon's user)."""
    env = os.environ if environ is None else environ
    home = env.get("HOME") or str(Path.home())
    if not os.path.isabs(home) or not os.path.isdir(home):
        return None
    if os.path.isdir(os.path.join(home, ".cache")) or os.access(home, os.W_OK):
        return Path(home)
    return None


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """``$XDG_CACHE_HOME/qemu-config``, else ``$HOME/.cache/qemu-config``; None (no cache) when
    XDG_CACHE_HOME is unset or relative and HOME is not usable (:func:`usable_home`)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or ""
    if os.path.isabs(base):
        return Path(base) / "qemu-config"
    home = usable_home(env)
    return None if home is None else home / ".cache" / "qemu-config"


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, named ``.NAME.XXXXXXXX.tmp`` (what a killed run can leave)."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def remove_stale_temporaries(paths: Iterable[Path]) -> None:
    """Delete what earlier, killed runs left of their atomic writes of ``paths`` (:func:`_temporary`'s
    files), so that killed runs leave nothing behind once configure has run again.  Each directory is
    listed once, however many of ``paths`` it holds."""
    names_by_dir: dict[Path, set[str]] = {}
    for path in paths:
        names_by_dir.setdefault(path.parent, set()).add(path.name)
    for directory, names in names_by_dir.items():
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            # ".NAME.XXXXXXXX.tmp": mkstemp's random part holds no dot, so NAME is what precedes it.
            if entry.startswith(".") and entry.endswith(".tmp") and entry[1:-4].rpartition(".")[0] in names:
                try:
                    os.unlink(directory / entry)
                except OSError:
                    pass


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` in one rename: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_all_atomic(files: Sequence[tuple[Path, bytes, int]]) -> None:
    """Write every file or none: each is staged as a temporary file beside its path, and only when all
    are staged are they renamed into place.  On failure (a full disk, say) the temporaries and the
    directories made for them are removed, and the OSError is raised with every file as it was."""
    staged: list[str] = []
    made: list[Path] = []
    try:
        for path, data, mode in files:
            missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
            for directory in reversed(missing):
                directory.mkdir()
                made.append(directory)
            fd, tmp = _temporary(path)
            staged.append(tmp)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, mode)
    except BaseException:
        for tmp in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        for directory in reversed(made):
            try:
                directory.rmdir()
            except OSError:
                pass
        raise
    for (path, _, _), tmp in zip(files, staged):
        os.replace(tmp, path)


class NotUTF8(ValueError):
    """Bytes that are not UTF-8, and where: ``line`` (1-based) and the byte's ``offset`` in the file."""

    def __init__(self, byte: int, line: int, offset: int) -> None:
        super().__init__(f"not valid UTF-8 (byte 0x{byte:02x} on line {line}, at offset {offset})")
        self.line = line
        self.offset = offset


def utf8_text(data: bytes) -> str:
    """``data`` decoded as UTF-8 text; :class:`NotUTF8` names the line of the first byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        raise NotUTF8(data[exc.start], line, exc.start) from None


def killed_run_left_temporaries(build_dir: Path) -> bool:
    """Whether a killed run left :func:`_temporary` files in ``build_dir`` (where configure writes its
    outputs): the next run is then a whole run, which removes them, never the no-op re-run."""
    try:
        return any(build_dir.glob(".*.tmp"))
    except OSError:
        return False
