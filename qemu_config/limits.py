"""Bounds on hostile input: how deep, how big, and what text the engine accepts.

Owns the limits every reader applies to what a user (or a damaged machine)
hands it, as data in one place, the one test of text that arrived as bytes
that are not UTF-8, and the one reader of a file that must be a bounded
regular file.  The time limits of the programs the engine runs
live beside the runner, in :mod:`qemu_config.processes`.  Standard library
only; it imports nothing of the engine.
"""

from __future__ import annotations

import os
import re
import stat

# meson_options.txt: how deeply lists ([...]) and parentheses may nest.  QEMU's own file nests 2 deep.
MAX_OPTION_NESTING = 32

# Kconfig and .mak files (and whatever they ``source`` / ``include``): the largest file read.
# QEMU's biggest Kconfig file is a few KiB; a bigger one is not a Kconfig file.
MAX_KCONFIG_BYTES = 4 * 1024 * 1024

# Characters a source or build directory's path may not hold (besides control characters): they break
# the venv scripts' #! line, PATH and PYTHONPATH lists, and make.  ./configure refuses the same ones
# before it writes anything (its check_path); the engine checks again when it is run by other means.
UNSAFE_PATH_CHARACTERS = " \t\n\r\v\f:$`\"'\\#%;&|<>()*?[]"

# A lone surrogate: how Python holds a byte of a command-line word or path that is not UTF-8.
_SURROGATE = re.compile("[\udc80-\udcff]")


def non_utf8_byte(text: str) -> int | None:
    """The first byte of ``text`` that was not UTF-8 where it came from (argv, environ, a path), or None."""
    found = _SURROGATE.search(text)
    return None if found is None else ord(found.group()) - 0xdc00


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of ``path``; OSError when it is not a regular file (a device, a FIFO, a directory: opened
    without blocking, so a FIFO with no writer does not wait) or holds more than ``max_bytes``."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"not a regular file (mode {stat.filemode(mode)})")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(f"larger than {max_bytes} bytes")
    return data


def unsafe_path_character(path: str) -> str | None:
    """The first character of ``path`` that :data:`UNSAFE_PATH_CHARACTERS` (or a control character, or a
    byte that is not UTF-8) rules out, or None."""
    for char in path:
        if char in UNSAFE_PATH_CHARACTERS or ord(char) < 0x20 or char == "\x7f" or "\udc80" <= char <= "\udcff":
            return char
    return None
