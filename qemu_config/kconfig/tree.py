"""The library API: parse a Kconfig tree once, solve it for many targets.

Owns :func:`parse_kconfig`, :class:`KconfigTree` and :class:`KconfigResult`,
the modes, and how a target's own inputs (its device ``.mak`` files and the
command-line assignments configure passes) are laid over the shared tree.

A solve with extra files behaves as QEMU's command line
``minikconf.py MODE OUT DEP <target .mak files> <tree files> CONFIG_X=y ...``:
the .mak files come first, then the tree, then the assignments.  When the
.mak files hold only assignments and share no file with the tree (the normal
case), the tree's compiled program is reused as is and the assignments are
laid over it, so a target costs one solve, not a parse and compile.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping, Sequence, Union

from .errors import KconfigContradictionError, KconfigCycleError, KconfigUsageError
from .model import COMMAND_LINE, Assignment, Location
from .solver import FileCache, Program, Record, Solution, flatten, make_record, solve, undefined_error

if TYPE_CHECKING:
    from pathlib import Path

# pathlib and .explain are imported when first needed: the drop-in CLI starts faster.


def _contradiction(solution: Solution, symbol: int) -> KconfigContradictionError:
    from .explain import contradiction_error

    return contradiction_error(solution, symbol)


def _cycle(solution: Solution, symbol: int, unvalued: int) -> KconfigCycleError:
    from .explain import cycle_error

    return cycle_error(solution, symbol, unvalued)

MODES: tuple[str, ...] = ("defconfig", "allnoconfig", "allyesconfig", "randconfig")

_ASSIGNMENT_ARG = re.compile(r"(CONFIG_[A-Z0-9_]+)=([yn]?)$")


@dataclass(frozen=True)
class ExternalAssignment:
    """A command-line ``CONFIG_NAME=y|n`` (``name`` keeps the ``CONFIG_`` prefix)."""

    name: str
    value: bool

    @classmethod
    def from_arg(cls, arg: str) -> "ExternalAssignment | None":
        """The assignment an argument spells, as minikconf matches it (``CONFIG_X=`` means n); else None."""
        match = _ASSIGNMENT_ARG.match(arg)
        if match is None:
            return None
        return cls(match.group(1), match.group(2) == "y")

    def to_clause(self) -> Assignment:
        if not self.name.startswith("CONFIG_"):
            raise KconfigUsageError(f"assigned variable should start with CONFIG_: {self.name}")
        return Assignment(self.name[len("CONFIG_"):], bool(self.value), COMMAND_LINE)


Input = Union[str, "os.PathLike[str]", ExternalAssignment]


def check_mode(mode: str) -> str:
    """``mode`` without a leading ``--``; raises :class:`KconfigUsageError` for an unknown one."""
    bare = mode[2:] if mode.startswith("--") else mode
    if bare not in MODES:
        raise KconfigUsageError(f"unknown Kconfig mode {mode!r}", f"valid modes: {', '.join(MODES)}")
    return bare


def _default_values(program: Program, mode: str, seed: int | None) -> tuple[Sequence[bool], int | None]:
    count = program.n_defaults
    if mode == "defconfig":
        return program.declared_values, None
    if mode == "allnoconfig":
        return [False] * count, None
    if mode == "allyesconfig":
        return [True] * count, None
    import random

    if seed is None:
        seed = random.SystemRandom().getrandbits(32)
    bits = random.Random(seed).getrandbits(count) if count else 0
    digits = format(bits, f"0{max(count, 1)}b")[::-1]
    return [digit == "1" for digit in digits[:count]], seed


def _overlay(assignments: Sequence[Assignment], program: Program) -> dict[int, list[Record]]:
    grouped: dict[int, list[Record]] = {}
    for clause in assignments:
        grouped.setdefault(program.index[clause.dest], []).append(make_record(clause))
    return grouped


@dataclass(frozen=True)
class KconfigResult:
    """One solved configuration.

    ``values`` holds every symbol the inputs mention; ``enabled`` the true ones
    that were not given on the command line, sorted: exactly the lines QEMU's
    minikconf prints.  ``files`` (``files_read`` as paths) is the depfile's
    list: the normalized absolute path of each file read, in the order read
    (a file read twice, as QEMU 10.2 does for ``./x.kc`` after ``x.kc``, is
    listed twice).
    """

    mode: str
    values: Mapping[str, bool]
    enabled: tuple[str, ...]
    externals: frozenset[str]
    files: tuple[str, ...]
    seed: int | None = None
    _solution: Solution = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    @property
    def files_read(self) -> tuple[Path, ...]:
        """The files read (absolute), in the order read: the depfile's list."""
        from pathlib import Path

        return tuple(Path(path) for path in self.files)

    def config_text(self) -> str:
        """What minikconf prints on stdout: ``CONFIG_X=y`` per enabled symbol."""
        return "".join(f"CONFIG_{name}=y\n" for name in self.enabled)

    def depfile_text(self, output: str) -> str:
        """The depfile: ``<output>: <file>`` per file read."""
        return "".join(f"{output}: {path}\n" for path in self.files)

    def explain(self, symbol: str, depth: int = 3) -> str:
        """Why ``symbol`` (bare or ``CONFIG_``-prefixed) has its value: the clauses and conditions behind it."""
        index = self._solution.program.index
        name = symbol
        if name not in index and name.startswith("CONFIG_") and name[7:] in index:
            name = name[7:]
        if name not in index:
            import difflib

            close = difflib.get_close_matches(name, list(index), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else ""
            raise KconfigUsageError(f"unknown Kconfig symbol {symbol}", hint)
        from .explain import explain

        return explain(self._solution, index[name], depth)


class KconfigTree:
    """Kconfig inputs read and compiled once; :meth:`solve` is cheap and can be called per target."""

    def __init__(self, inputs: Sequence[Input]) -> None:
        self._inputs: tuple[str | Assignment, ...] = tuple(
            item.to_clause() if isinstance(item, ExternalAssignment) else os.fspath(item) for item in inputs)
        self._cache = FileCache()
        flat = flatten(self._inputs, self._cache)
        self._program = Program(flat.items, flat.files)
        self._all_files = frozenset(flat.files)

    @property
    def files(self) -> tuple[Path, ...]:
        """The files read, in the order read (a file read twice is listed twice)."""
        from pathlib import Path

        return tuple(Path(p) for p in self._program.files)

    @property
    def symbols(self) -> tuple[str, ...]:
        """The declared symbols, sorted."""
        return tuple(sorted(self._program.declared))

    def declaration(self, symbol: str) -> tuple[Location, ...]:
        """Where ``symbol`` is declared (``config`` stanzas; repeats are merged)."""
        return tuple(self._program.declared.get(symbol, ()))

    def solve(self, mode: str = "defconfig", assignments: Mapping[str, bool] | None = None,
              extra_files: Sequence[Union[str, "os.PathLike[str]"]] = (), *,
              seed: int | None = None) -> KconfigResult:
        """Solve for one target.

        ``assignments`` are the command-line ones (``{"CONFIG_TCG": True}``): they
        are not printed.  ``extra_files`` (the target's .mak files) are read
        before the tree.  ``seed`` makes ``randconfig`` reproducible (a random
        one is chosen and recorded in the result when it is None).
        """
        mode = check_mode(mode)
        late = [ExternalAssignment(name, value).to_clause() for name, value in (assignments or {}).items()]
        extra = [os.fspath(path) for path in extra_files]
        program = self._program
        early: list[Assignment] = []
        files = program.files
        if extra:
            cache = FileCache(self._cache)
            flat = flatten(extra, cache)
            # The .mak files can change how the tree is read only by having read a file the tree
            # includes (an include of a path already read is skipped): if they share none, the
            # tree reads exactly as it did alone.
            if self._all_files.isdisjoint(flat.files) and all(isinstance(i, Assignment) for i in flat.items):
                early = [item for item in flat.items if isinstance(item, Assignment)]
                files = tuple(flat.files) + files
            else:
                full = flatten([*extra, *self._inputs, *late], cache)
                program = Program(full.items, full.files)
                files = program.files
                late = []
        undefined = self._undefined(program, early, late)
        if undefined:
            overlay_refs: dict[str, list[Location]] = {}
            for clause in early + late:
                overlay_refs.setdefault(clause.dest, []).append(clause.loc)
            raise undefined_error(program, undefined, lambda name: overlay_refs.get(name, []))
        default_values, used_seed = _default_values(program, mode, seed)
        solution = solve(program, mode, default_values, _overlay(early, program), _overlay(late, program),
                         _contradiction, _cycle)
        names = program.names
        values = solution.values
        externals = program.externals | {clause.dest for clause in late}
        enabled = tuple(sorted(names[i] for i in range(len(names)) if values[i] and names[i] not in externals))
        return KconfigResult(
            mode=mode,
            values=MappingProxyType(dict(zip(names, values))),
            enabled=enabled,
            externals=frozenset(externals),
            files=tuple(files),
            seed=used_seed,
            _solution=solution,
        )

    @staticmethod
    def _undefined(program: Program, early: Sequence[Assignment], late: Sequence[Assignment]) -> list[str]:
        declared = program.declared
        names: dict[str, None] = {}
        for clause in early:
            if clause.dest not in declared:
                names[clause.dest] = None
        for name in program.undefined:
            names[name] = None
        for clause in late:
            if clause.dest not in declared:
                names[clause.dest] = None
        return list(names)


def parse_kconfig(inputs: Sequence[Input]) -> KconfigTree:
    """Read and compile ``inputs`` (files, in order; command-line assignments may be mixed in).

    Raises :class:`~.errors.KconfigParseError` for syntax errors, unreadable
    files and inclusion loops.  Undefined symbols, contradictions and cycles
    are found by :meth:`KconfigTree.solve`.
    """
    return KconfigTree(inputs)
