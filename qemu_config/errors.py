"""User-facing errors.

Every mistake a user can make ends in one ``ERROR:`` line plus indented detail
lines on stderr and a non-zero exit; never a traceback.  Stages raise
:class:`UserError` (or a subclass); only the command-line layer prints it.
"""

from __future__ import annotations

import sys
from typing import TextIO


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
        lines = [f"ERROR: {self.message}"]
        lines.extend(f"       {d}" for d in self.details)
        return "\n".join(lines) + "\n"

    def report(self, stream: TextIO | None = None) -> int:
        """Print the error (stderr by default) and return its exit code."""
        (stream or sys.stderr).write(self.render())
        return self.exit_code


class UsageError(UserError):
    """A malformed command line (unknown option, bad value)."""
