"""Reading a set of inputs into one program, and solving it.

Owns three steps, kept apart so that a tree is parsed once and solved often:

* ``flatten``: follows ``source``/``include`` from a sequence of top-level
  inputs (files and command-line assignments) into one list of items in
  source order, with the rules of QEMU 10.2's minikconf (see ``_walk``): an
  included path is relative to the including file; it is skipped when that
  exact spelling names a file already read, so a file reached under another
  spelling (``./x.kc``) is read again, clauses and depfile line included; a
  file named on the command line is always read; including a file that is
  still being read is an ``Inclusion loop``.  Each file is parsed once (a
  cache) however often it is read.
* ``Program``: the items compiled for solving: symbol numbering, the
  dependency graph (every symbol in a condition points to the clause's
  destination) and a topological order of it (depth-first post-order, as the
  original), and per symbol its clauses: assignments, ``depends on`` and
  ``select`` in source order, then its defaults in source order, then the
  implicit ``default n``.
* ``solve``: one pass over that order.  For each symbol the first group is
  applied (a second, different value is a contradiction), then, if it still
  has no value, the first default whose condition holds (its value passed
  through the mode).  A condition that reads a symbol with no value yet is a
  cycle.

It never prints; errors are raised as :mod:`.errors` types with every clause
and location needed to fix them.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Callable, Iterable, Mapping, Sequence, Union

from .errors import KconfigContradictionError, KconfigCycleError, KconfigParseError, KconfigUndefinedError
from .expr import And, Expr, Not, Sym, iter_symbols, symbols
from .model import Assignment, Clause, Declaration, Default, DependsOn, Include, Location, ParsedFile, Select
from .parser import parse_text, read_text

ProgramItem = Union[Declaration, Assignment, DependsOn, Select, Default]
"""What a flattened input is made of: every item but ``Include``."""

TopInput = Union[str, Assignment]
"""A top-level input: a file path (as the user wrote it) or a command-line assignment."""

Compiled = Union[int, tuple]  # a symbol number, or (0, operand) / (1, operands) / (2, operands)

IMPLICIT = None  # the setter recorded for "the implicit default n"


# -- files -------------------------------------------------------------------


class FileCache:
    """Parsed files by (path opened, display name); ``parent`` is consulted first and never written."""

    def __init__(self, parent: "FileCache | None" = None) -> None:
        self.parent = parent
        self.files: dict[tuple[str, str], ParsedFile] = {}

    def get(self, opened: str, display: str) -> ParsedFile | None:
        key = (opened, display)
        found = self.files.get(key)
        if found is None and self.parent is not None:
            found = self.parent.get(opened, display)
        return found

    def load(self, opened: str, display: str) -> ParsedFile:
        """The file at ``opened`` (absolute, as spelled), parsed; raises ``OSError`` when it cannot be read."""
        found = self.get(opened, display)
        if found is None:
            parsed = parse_text(read_text(opened), os.path.abspath(opened), display)
            found = self.files[(opened, display)] = parsed
        return found


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _position(loc: Location) -> str:
    return f"{loc.file}:{loc.line}:{loc.col}"


class Flattened:
    """Items of all inputs in source order (includes resolved), and every file read, in order (the depfile)."""

    __slots__ = ("items", "files")

    def __init__(self) -> None:
        self.items: list[ProgramItem] = []
        self.files: list[str] = []


def flatten(inputs: Iterable[TopInput], cache: FileCache) -> Flattened:
    """Follow includes from ``inputs``; raise :class:`KconfigParseError` on the first problem met."""
    out = Flattened()
    recorded: set[str] = set()
    for top in inputs:
        if isinstance(top, Assignment):
            out.items.append(top)
            continue
        # Opened as named, relative to the working directory: the path keeps its spelling.
        opened = os.path.join(os.getcwd(), top)
        try:
            parsed = cache.load(opened, top)
        except (OSError, ValueError) as exc:
            reason = _strerror(exc) if isinstance(exc, OSError) else str(exc)
            raise KconfigParseError(f"{reason}: {top}") from None
        out.files.append(parsed.path)
        recorded.add(parsed.path)
        _walk(parsed, cache, recorded, out)
    return out


Frame = tuple[ParsedFile, int, Union[Location, None]]
"""A file being read: the file, the index of its next item, and the ``source`` line that included it."""


def _included_from(stack: list[Frame]) -> list[str]:
    return [f"In file included from {via.file}:{via.line}:" for _, _, via in stack[1:] if via is not None]


def _inclusion_loop(stack: list[Frame], item: Include) -> KconfigParseError:
    chain = " -> ".join([entry[0].display for entry in stack] + [item.raw])
    return KconfigParseError(f"Inclusion loop for {item.raw}", *_included_from(stack), f"inclusion chain: {chain}",
                             f"{item.raw} is {os.path.abspath(item.target)}, a file still being read:"
                             " remove one of the source lines in this chain",
                             position=_position(item.loc))


def _open_failure(stack: list[Frame], item: Include, exc: Exception) -> KconfigParseError:
    reason = _strerror(exc) if isinstance(exc, OSError) else str(exc)
    hint = ""
    normalized = os.path.abspath(item.target)
    if item.raw != item.raw.rstrip() or "#" in item.raw:
        hint = (f"the file name is the rest of the line, {item.raw!r}:"
                " trailing blanks and comments are part of it")
    elif os.path.isfile(normalized):
        spelling = os.path.relpath(normalized, os.path.dirname(stack[-1][0].path))
        hint = (f"the name is opened as spelled, {item.target}, not normalized:"
                f" write {spelling} to read {normalized}")
    return KconfigParseError(f"{reason}: {item.raw}", *_included_from(stack), hint, position=_position(item.loc))


def _walk(top: ParsedFile, cache: FileCache, recorded: set[str], out: Flattened) -> None:
    """Read ``top`` and what it includes, as QEMU 10.2's minikconf does.

    ``recorded`` holds the normalized paths read so far.  For ``source RAW``
    the path opened is the including file's directory joined with RAW, not
    normalized.  In order: it is an ``Inclusion loop`` when it equals the
    path of a file whose ``source`` line led here; it is skipped when it
    equals a path already read (so ``x.kc`` twice reads x.kc once, but
    ``./x.kc`` after ``x.kc`` reads it again and the depfile lists it twice);
    else the file is read and its items all count again.  A file reached
    again, under another spelling, while it is still being read is reported
    as an ``Inclusion loop`` too: QEMU would read it again and again until
    its own loop check fired or it crashed (too deep, too many open files).
    """
    stack: list[Frame] = [(top, 0, None)]
    while stack:
        parsed, index, via = stack[-1]
        if index == len(parsed.items):
            if parsed.failure is not None:
                failure = parsed.failure
                raise KconfigParseError(failure.message, *_included_from(stack), position=_position(failure.loc))
            stack.pop()
            continue
        item = parsed.items[index]
        stack[-1] = (parsed, index + 1, via)
        if not isinstance(item, Include):
            out.items.append(item)
            continue
        target = item.target
        if any(entry[0].path == target for entry in stack[:-1]):
            raise _inclusion_loop(stack, item)
        if target in recorded:
            continue
        normalized = os.path.abspath(target)
        if any(entry[0].path == normalized for entry in stack):
            raise _inclusion_loop(stack, item)
        try:
            child = cache.load(target, normalized)
        except (OSError, ValueError) as exc:
            raise _open_failure(stack, item, exc) from None
        out.files.append(child.path)
        recorded.add(child.path)
        stack.append((child, 0, item.loc))


# -- the compiled program ----------------------------------------------------


def _names_into(expr: Expr | None, out: list[str]) -> None:
    """Append the symbol names of ``expr``, left to right."""
    if expr is None:
        return
    if expr.__class__ is Sym:
        out.append(expr.name)  # type: ignore[union-attr]
        return
    out.extend(iter_symbols(expr))


def _item_names(item: ProgramItem) -> list[str]:
    """The names an item mentions, in token order (what QEMU's referenced-symbol order follows)."""
    cls = item.__class__
    if cls is Declaration:
        return [item.name]  # type: ignore[union-attr]
    if cls is Assignment:
        return [item.dest]  # type: ignore[union-attr]
    out: list[str] = []
    if cls is DependsOn:
        _names_into(item.expr, out)  # type: ignore[union-attr]
        return out
    if cls is Select or item.implied_by is not None:  # type: ignore[union-attr]
        out.append(item.dest)  # type: ignore[union-attr]
    _names_into(item.cond, out)  # type: ignore[union-attr]
    return out


def _compile(expr: Expr, index: Mapping[str, int], mentioned: dict[int, None]) -> Compiled:
    """``expr`` in the solver's form; adds the symbol numbers it reads to ``mentioned``."""
    cls = expr.__class__
    if cls is Sym:
        number = index[expr.name]  # type: ignore[union-attr]
        mentioned[number] = None
        return number
    if cls is Not:
        return (0, _compile(expr.operand, index, mentioned))  # type: ignore[union-attr]
    return (1 if cls is And else 2,
            tuple([_compile(op, index, mentioned) for op in expr.operands]))  # type: ignore[union-attr]


Record = tuple
"""(compiled condition or None, condition value that fires it, value it sets, clause):
an assignment always fires, ``depends on`` fires on false and sets n, ``select`` fires on true and sets y."""
DefaultRecord = tuple  # (compiled condition or None, default number, clause)


def make_record(clause: Clause, compiled: Compiled | None = None) -> Record:
    if isinstance(clause, Assignment):
        return (None, True, clause.value, clause)
    if isinstance(clause, DependsOn):
        return (compiled, False, False, clause)
    return (compiled, True, True, clause)


class Program:
    """A flattened input compiled for solving; immutable once built, shared by every solve."""

    def __init__(self, items: Sequence[ProgramItem], files: Sequence[str]) -> None:
        self.items: tuple[ProgramItem, ...] = tuple(items)
        self.files: tuple[str, ...] = tuple(files)
        names: list[str] = []
        index: dict[str, int] = {}
        declared: dict[str, list[Location]] = {}
        externals: dict[str, None] = {}
        clauses: list[Clause] = []
        for item in self.items:
            for name in _item_names(item):
                if name not in index:
                    index[name] = len(names)
                    names.append(name)
            if item.__class__ is Declaration:
                declared.setdefault(item.name, []).append(item.loc)  # type: ignore[union-attr]
            else:
                clauses.append(item)  # type: ignore[arg-type]
                if item.__class__ is Assignment and item.loc.on_command_line:  # type: ignore[union-attr]
                    externals[item.dest] = None  # type: ignore[union-attr]
        self.names = names
        self.index = index
        self.declared = declared
        self.externals = frozenset(externals)
        self.undefined: tuple[str, ...] = tuple(name for name in names if name not in declared)
        size = len(names)
        self.adjacency: list[dict[int, None]] = [{} for _ in range(size)]
        self.records: list[list[Record]] = [[] for _ in range(size)]
        self.defaults: list[list[DefaultRecord]] = [[] for _ in range(size)]
        self.order: list[int] = []
        self.plan: list[tuple[int, list[Record], list[DefaultRecord]]] = []
        declared_values: list[bool] = []
        if self.undefined:
            # Not solvable; the symbol table is enough to report the error.
            self.declared_values: tuple[bool, ...] = ()
            self.implicit_base = 0
            return
        adjacency = self.adjacency
        for clause in clauses:
            dest = index[clause.dest]
            condition = clause.condition
            compiled = None
            if condition is not None:
                mentioned: dict[int, None] = {}
                compiled = _compile(condition, index, mentioned)
                for number in mentioned:
                    adjacency[number][dest] = None
            if clause.__class__ is Default:
                self.defaults[dest].append((compiled, len(declared_values), clause))
                declared_values.append(clause.value)  # type: ignore[union-attr]
            else:
                self.records[dest].append(make_record(clause, compiled))
        self.implicit_base = len(declared_values)
        declared_values.extend([False] * size)
        self.declared_values = tuple(declared_values)
        self.order = self._topological_order()
        # The solve walks the plan front to back.  Fresh copies of the records, made in
        # that order, sit close together in memory: 20-25% faster solves on large trees.
        self.plan = [(symbol, [(r[0], r[1], r[2], r[3]) for r in self.records[symbol]],
                      [(d[0], d[1], d[2]) for d in self.defaults[symbol]]) for symbol in self.order]

    @property
    def n_defaults(self) -> int:
        return len(self.declared_values)

    def _topological_order(self) -> list[int]:
        """Reverse depth-first post-order, roots in reference order (cycles give *an* order)."""
        adjacency = self.adjacency
        visited = bytearray(len(self.names))
        post: list[int] = []
        for root in range(len(self.names)):
            if visited[root]:
                continue
            visited[root] = 1
            stack = [(root, iter(adjacency[root]))]
            while stack:
                node, successors = stack[-1]
                for succ in successors:
                    if not visited[succ]:
                        visited[succ] = 1
                        stack.append((succ, iter(adjacency[succ])))
                        break
                else:
                    stack.pop()
                    post.append(node)
        post.reverse()
        return post

    def reference_locations(self, name: str) -> list[Location]:
        """Where ``name`` is mentioned (one location per item)."""
        return [item.loc for item in self.items if name in _item_names(item)]


# -- solving -----------------------------------------------------------------


class _Unvalued(Exception):
    def __init__(self, symbol: int) -> None:
        super().__init__(symbol)
        self.symbol = symbol


def _evaluate(expr: Compiled, values: list) -> bool:
    if isinstance(expr, int):
        value = values[expr]
        if value is None:
            raise _Unvalued(expr)
        return value
    tag, arg = expr
    if tag == 0:
        return not _evaluate(arg, values)
    if tag == 1:
        for operand in arg:
            if not _evaluate(operand, values):
                return False
        return True
    for operand in arg:
        if _evaluate(operand, values):
            return True
    return False


Overlay = Mapping[int, Sequence[Record]]


class Solution:
    """The values of one solve and, per symbol, the clauses that set it (``None``: implicit default).

    Filled in by :func:`solve`; read-only afterwards.
    """

    __slots__ = ("program", "mode", "default_values", "values", "first_setter", "more_setters", "before", "after")

    def __init__(self, program: Program, mode: str, default_values: Sequence[bool], values: list,
                 first_setter: list, more_setters: dict, before: Overlay, after: Overlay) -> None:
        self.program = program
        self.mode = mode
        self.default_values = default_values
        self.values = values  # per symbol: True, False, or None while unsolved
        self.first_setter = first_setter  # per symbol: the first clause that set it (None: implicit default)
        self.more_setters = more_setters  # symbol -> every setter, when more than one clause set it
        self.before = before
        self.after = after

    def records_for(self, symbol: int) -> list[Record]:
        """The assignment/depends/select records of ``symbol`` in the order they are applied."""
        return [*self.before.get(symbol, ()), *self.program.records[symbol], *self.after.get(symbol, ())]

    def setters(self, symbol: int) -> list:
        """The clauses that set ``symbol``, in order (``IMPLICIT`` for the implicit default); [] if none yet."""
        more = self.more_setters.get(symbol)
        if more is not None:
            return list(more)
        first = self.first_setter[symbol]
        if first is None and self.values[symbol] is None:
            return []
        return [first]


def solve(program: Program, mode: str, default_values: Sequence[bool],
          before: Overlay, after: Overlay,
          contradiction: Callable[[Solution, int], KconfigContradictionError],
          cycle: Callable[[Solution, int, int], KconfigCycleError]) -> Solution:
    """Solve ``program``; ``before``/``after`` add assignments around each symbol's own clauses."""
    size = len(program.names)
    values: list = [None] * size
    first_setter: list = [None] * size
    more_setters: dict[int, list] = {}
    solution = Solution(program, mode, default_values, values, first_setter, more_setters, before, after)
    implicit_base = program.implicit_base
    evaluate = _evaluate
    overlaid = set(before) | set(after)
    symbol = -1
    try:
        for symbol, group, defaults in program.plan:
            if overlaid and symbol in overlaid:
                group = [*before.get(symbol, ()), *group, *after.get(symbol, ())]
            value = None
            for condition, fires_on, new, clause in group:
                if condition is not None:
                    if condition.__class__ is int:
                        truth = values[condition]
                        if truth is None:
                            raise _Unvalued(condition)
                    else:
                        truth = evaluate(condition, values)
                    if truth != fires_on:
                        continue
                if value is None:
                    value = values[symbol] = new
                    first_setter[symbol] = clause
                    continue
                more = more_setters.get(symbol)
                if more is None:
                    more = more_setters[symbol] = [first_setter[symbol]]
                more.append(clause)
                if value != new:
                    raise contradiction(solution, symbol)
            if value is None:
                for condition, number, clause in defaults:
                    if condition is None or evaluate(condition, values):
                        values[symbol] = default_values[number]
                        first_setter[symbol] = clause
                        break
                else:
                    values[symbol] = default_values[implicit_base + symbol]
    except _Unvalued as exc:
        raise cycle(solution, symbol, exc.symbol) from None
    return solution


def undefined_error(program: Program, names: Sequence[str],
                    extra_refs: Callable[[str], list[Location]] | None = None) -> KconfigUndefinedError:
    """The error listing every undefined symbol with where it was referenced."""
    details = []
    for name in names:
        locs = program.reference_locations(name) if name in program.index else []
        if extra_refs is not None:
            locs = extra_refs(name) + locs
        shown = ", ".join(str(loc) for loc in locs[:3])
        more = f" and {len(locs) - 3} more" if len(locs) > 3 else ""
        shown_name = name or '""'
        details.append(f"undefined symbol {shown_name}" + (f", referenced at {shown}{more}" if locs else ""))
    details.append("every symbol must be declared with 'config NAME' in a Kconfig file,"
                   " also those given on the command line")
    return KconfigUndefinedError(tuple(names), *details)


def cycle_path(program: Program, start: int, goal: int) -> list[int]:
    """Symbols on a shortest path ``start -> ... -> goal`` in the dependency graph."""
    if start == goal:
        return [start]
    previous: dict[int, int] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in program.adjacency[node]:
            if succ in previous:
                continue
            previous[succ] = node
            if succ == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                path.reverse()
                return path
            queue.append(succ)
    return [start, goal]


def clause_linking(solution: Solution, source: int, dest: int) -> Clause | None:
    """A clause of ``dest`` whose condition mentions ``source`` (why ``dest`` needs ``source``)."""
    name = solution.program.names[source]
    for _, _, _, clause in solution.records_for(dest):
        if clause.condition is not None and name in symbols(clause.condition):
            return clause
    for _, _, clause in solution.program.defaults[dest]:
        if clause.condition is not None and name in symbols(clause.condition):
            return clause
    return None
