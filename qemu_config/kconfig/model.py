"""The clause model: what one parsed Kconfig or .mak file says.

Owns the items a file is made of (``Declaration``, ``Assignment``,
``DependsOn``, ``Select``, ``Default``, ``Include``), where each came from
(``Location``) and how each clause is rendered (the wording of QEMU's
minikconf, so messages read the same).  Items are plain frozen data: the
parser makes them, the solver reads them, nothing here evaluates anything.

``imply S [if C]`` inside ``config V`` is kept as a ``Default`` of ``S`` with
``implied_by=V``: it behaves exactly as ``default y if C && V`` on ``S``.
"""

from __future__ import annotations

from typing import NamedTuple, Union

from .expr import Expr, Sym, conj, symbols


class Location(NamedTuple):
    """Where an item came from: ``file`` as shown to the user (empty for the command line)."""

    file: str
    line: int = 0
    col: int = 0

    @property
    def on_command_line(self) -> bool:
        return not self.file

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.file else "the command line"


COMMAND_LINE = Location("")


def yn(value: bool) -> str:
    return "y" if value else "n"


class Declaration(NamedTuple):
    """``config NAME``: declares a symbol (repeats are merged, as in QEMU)."""

    name: str
    loc: Location

    @property
    def refs(self) -> tuple[str, ...]:
        return (self.name,)


class Assignment(NamedTuple):
    """``CONFIG_NAME=y|n`` in a file, or on the command line (``loc`` is ``COMMAND_LINE``)."""

    dest: str
    value: bool
    loc: Location

    @property
    def refs(self) -> tuple[str, ...]:
        return (self.dest,)

    @property
    def condition(self) -> None:
        return None

    def render(self) -> str:
        return f"CONFIG_{self.dest}={yn(self.value)}"


class DependsOn(NamedTuple):
    """``depends on EXPR`` in ``config DEST``: forces DEST to n when EXPR is false."""

    dest: str
    expr: Expr
    loc: Location

    @property
    def refs(self) -> tuple[str, ...]:
        return symbols(self.expr)

    @property
    def condition(self) -> Expr:
        return self.expr

    def render(self) -> str:
        return f"config {self.dest} depends on {self.expr}"


class Select(NamedTuple):
    """``select DEST [if COND]`` in ``config OWNER``: forces DEST to y when COND && OWNER."""

    dest: str
    owner: str
    cond: Expr | None
    loc: Location

    @property
    def refs(self) -> tuple[str, ...]:
        return (self.dest,) + symbols(self.cond)

    @property
    def condition(self) -> Expr:
        return conj(self.cond, Sym(self.owner)) if self.cond is not None else Sym(self.owner)

    def render(self) -> str:
        return f"select {self.dest} if {self.condition}"


class Default(NamedTuple):
    """``default y|n [if COND]`` of DEST, or ``imply DEST [if COND]`` in ``config implied_by``.

    ``value`` is the value written in the file; the solver passes it through
    the mode (allnoconfig, allyesconfig, ...) before using it.
    """

    dest: str
    value: bool
    cond: Expr | None
    loc: Location
    implied_by: str | None = None

    @property
    def refs(self) -> tuple[str, ...]:
        if self.implied_by is not None:
            return (self.dest,) + symbols(self.cond)
        return symbols(self.cond)

    @property
    def condition(self) -> Expr | None:
        if self.implied_by is None:
            return self.cond
        owner = Sym(self.implied_by)
        return conj(self.cond, owner) if self.cond is not None else owner

    def render(self, value: bool | None = None) -> str:
        shown = yn(self.value if value is None else value)
        condition = self.condition
        if condition is None:
            return f"config {self.dest} default {shown}"
        return f"config {self.dest} default {shown} if {condition}"

    def source_text(self) -> str:
        """The property as written (``imply X if C`` or ``default y if C``)."""
        if self.implied_by is not None:
            head = f"imply {self.dest}"
        else:
            head = f"default {yn(self.value)}"
        return head if self.cond is None else f"{head} if {self.cond}"


class Include(NamedTuple):
    """``source FILE`` / ``include FILE``.

    ``target`` is the path QEMU's minikconf opens: the including file's
    directory joined with ``raw``, not normalized (``/d/./x.kc`` stays so).
    """

    target: str
    raw: str
    loc: Location


class ParseFailure(NamedTuple):
    """A syntax error: the file's items stop here."""

    message: str
    loc: Location


Clause = Union[Assignment, DependsOn, Select, Default]
Item = Union[Declaration, Assignment, DependsOn, Select, Default, Include]


class ParsedFile(NamedTuple):
    """One file read and parsed: its items in source order, and the error that ended it, if any.

    ``path`` is absolute and normalized (what the depfile lists); ``display``
    is how messages name the file.
    """

    path: str
    display: str
    items: tuple[Item, ...]
    failure: ParseFailure | None = None
