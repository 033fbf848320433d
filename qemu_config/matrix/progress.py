"""The matrix's progress while its combinations are decided: a redrawn bar on a terminal, plain lines elsewhere.

Owns :class:`Progress`, which the decider tells about each combination as it
finishes (from any thread), and :func:`progress_bar`, the one line a terminal
shows.  Writes only to the stream it is given.
"""

from __future__ import annotations

import shutil
import sys
import threading
from typing import TextIO

from .model import Verdict
from .writers import error_headline

_BAR = 20          # the bar's cells
_MIN_WIDTH = 40    # narrower terminals are drawn as if this wide (and wrap)


def progress_bar(done: int, total: int, failed: int, last: str, width: int = 80) -> str:
    """``[#######-------------]  37/128  3 fail  last-name``, cut to ``width`` columns."""
    filled = _BAR * done // total if total else _BAR
    count = f"{done:>{len(str(total))}}/{total}"
    line = f"[{'#' * filled}{'-' * (_BAR - filled)}] {count}  {failed} fail  {last}"
    width = max(width, _MIN_WIDTH)
    return line if len(line) <= width else line[:width - 1] + "…"


def progress_record(done: int, total: int, verdict: Verdict) -> str:
    """One finished combination as a plain line: ``[ 37/128] ok     name (0.12 s)`` or ``FAILS name: why``."""
    count = f"[{done:>{len(str(total))}}/{total}]"
    name = verdict.combination.name
    if verdict.ok:
        return f"{count} ok     {name} ({verdict.seconds:.2f} s)"
    return f"{count} FAILS  {name}: {error_headline(verdict.error)}"


class Progress:
    """Shows the combinations finishing: on a terminal one line redrawn in place, otherwise a line each.

    ``tty`` defaults to whether ``stream`` is a terminal, ``width`` to the
    terminal's.  :meth:`finished` may be called from several threads;
    :meth:`close` ends the redrawn line.
    """

    def __init__(self, total: int, stream: TextIO | None = None, *, tty: bool | None = None,
                 width: int | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.width = width if width is not None else shutil.get_terminal_size().columns
        self.done = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._drawn = False

    def finished(self, verdict: Verdict) -> None:
        with self._lock:
            self.done += 1
            self.failed += not verdict.ok
            if self.tty:
                bar = progress_bar(self.done, self.total, self.failed, verdict.combination.name, self.width)
                self.stream.write("\r" + bar + "\x1b[K")
                self._drawn = True
            else:
                self.stream.write(progress_record(self.done, self.total, verdict) + "\n")
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self.stream.write("\n")
                self.stream.flush()
                self._drawn = False
