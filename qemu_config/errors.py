"""User-facing errors.

Every mistake a user can make ends in one ``ERROR:`` line plus indented detail
lines on stderr and a non-zero exit; never a traceback.  Stages raise
:class:`UserError` (or a subclass); only the command-line layer prints it.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO


# Characters shown escaped in an error: a user's value quoted in it must not break the one-line form.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\u2028\u2029\udc80-\udcff]")


def _escape(char: str) -> str:
    if "\udc80" <= char <= "\udcff":           # a byte that was not UTF-8
        return f"\\x{ord(char) - 0xdc00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def _one_line(text: str) -> str:
    """``text`` with line breaks, control characters and bytes that were not UTF-8 shown as escapes."""
    return _CONTROL.sub(lambda found: _escape(found.group()), text)


class UserError(Exception):
    """An error caused by input the user can fix.

    ``message`` is the one-line summary, ``details`` are extra lines printed
    indented below it (what was probed, what was found, what to do next).
    """

    exit_code: int = 1

    def __init__(self, message: str, *details: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: tuple[str, ...] = tuple(d for d in details if d)
        if exit_code is not None:
            self.exit_code = exit_code

    def render(self) -> str:
        """One ``ERROR:`` line and one indented line per detail, whatever the text they quote holds."""
        lines = [f"ERROR: {_one_line(self.message)}"]
        lines.extend(f"       {_one_line(d)}" for d in self.details)
        return "\n".join(lines) + "\n"

    def report(self, stream: TextIO | None = None) -> int:
        """Print the error (stderr by default) and return its exit code."""
        (stream or sys.stderr).write(self.render())
        return self.exit_code


class UsageError(UserError):
    """A malformed command line (unknown option, bad value)."""
