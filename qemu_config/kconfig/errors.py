"""Errors of the Kconfig engine.

Owns the exception types; each carries the data a caller may want (the
symbol, the clauses, the file position) and renders as one ``ERROR:`` line
plus indented detail lines (:class:`qemu_config.errors.UserError`).  The text
keeps the wording of QEMU's minikconf (``contradiction between clauses when
setting X``, ``cycle found including X``, ``there were undefined symbols``,
``file:line:col: Expected ...``) so that searches for the old messages still
find the new ones.
"""

from __future__ import annotations

from qemu_config.errors import UserError


class KconfigError(UserError):
    """Any error found while reading or solving a Kconfig tree."""


class KconfigUsageError(KconfigError):
    """A bad call: unknown mode, assignment without ``CONFIG_``, bad seed, bad command line."""


class KconfigParseError(KconfigError):
    """A syntax error, an unreadable file or an inclusion loop, at ``file:line:col``."""

    def __init__(self, message: str, *details: str, position: str = "") -> None:
        super().__init__(f"{position}: {message}" if position else message, *details)
        self.position = position
        self.reason = message


class KconfigUndefinedError(KconfigError):
    """Symbols referenced but never declared with ``config``."""

    def __init__(self, symbols: tuple[str, ...], *details: str) -> None:
        super().__init__("there were undefined symbols: " + ", ".join(name or '""' for name in symbols), *details)
        self.symbols = symbols


class KconfigContradictionError(KconfigError):
    """Two clauses set one symbol to different values."""

    def __init__(self, symbol: str, *details: str) -> None:
        super().__init__(f"contradiction between clauses when setting {symbol}", *details)
        self.symbol = symbol


class KconfigCycleError(KconfigError):
    """A symbol was needed before it had a value: the dependency graph has a cycle."""

    def __init__(self, symbol: str, members: tuple[str, ...], *details: str) -> None:
        super().__init__(f"cycle found including {symbol}", *details)
        self.symbol = symbol
        self.members = members
