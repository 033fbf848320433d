"""Why a symbol has its value, in words.

Owns the text of explanations and of the solver's error details: for a
symbol, the clause(s) that set it (an assignment on the command line or in a
.mak file, a ``select``, a ``default``/``imply``, or the implicit
``default n``), the ``depends on`` that failed or held, and, a few levels
deep, why the symbols those conditions test have their values.  A symbol that
nothing in the files can set is reported as one that had to come from an
assignment (a host, accelerator or target symbol passed by configure).

It reads a :class:`~.solver.Solution` (complete, or partial when an error
stopped the solve) and never changes it.
"""

from __future__ import annotations

from .errors import KconfigContradictionError, KconfigCycleError
from .expr import And, Expr, Not, Or, Sym
from .model import Assignment, Clause, Default, DependsOn, Select, yn
from .solver import IMPLICIT, Solution, clause_linking, cycle_path

MAX_CANDIDATES = 5  # selects/defaults listed for a symbol left at n; the rest are named only

_MODE_FLAGS = {"allnoconfig": "--allnoconfig", "allyesconfig": "--allyesconfig", "randconfig": "--randconfig"}


def _value(solution: Solution, name: str) -> bool | None:
    index = solution.program.index.get(name)
    return None if index is None else solution.values[index]


def witnesses(solution: Solution, expr: Expr | None, want: bool) -> list[str]:
    """Symbols whose values make ``expr`` come out ``want`` (false operands of a false ``&&``, ...)."""
    found: dict[str, None] = {}

    def visit(node: Expr, target: bool) -> None:
        if isinstance(node, Sym):
            if _value(solution, node.name) is target:
                found[node.name] = None
        elif isinstance(node, Not):
            visit(node.operand, not target)
        else:
            # For &&, the operands that decide a false result are the false ones
            # (and all of them for a true one); dually for ||.
            decisive = (not target) if isinstance(node, And) else target
            for operand in node.operands:
                if decisive and _truth(solution, operand) is not target:
                    continue
                visit(operand, target)

    if expr is not None:
        visit(expr, want)
    return list(found)


def _truth(solution: Solution, expr: Expr) -> bool | None:
    """``expr`` under the solution's values; ``None`` when a symbol has no value yet."""
    if isinstance(expr, Sym):
        return _value(solution, expr.name)
    if isinstance(expr, Not):
        inner = _truth(solution, expr.operand)
        return None if inner is None else not inner
    results = [_truth(solution, op) for op in expr.operands]
    if isinstance(expr, And):
        return False if False in results else (None if None in results else True)
    if isinstance(expr, Or):
        return True if True in results else (None if None in results else False)
    return None


def _state(solution: Solution, names: list[str]) -> str:
    return ", ".join(f"{n}={yn(v)}" for n in names if (v := _value(solution, n)) is not None)


def _mode_note(solution: Solution, clause_value: bool, used: bool) -> str:
    if used == clause_value or solution.mode not in _MODE_FLAGS:
        return ""
    return f", turned into {yn(used)} by {_MODE_FLAGS[solution.mode]}"


def _default_text(clause: Default) -> str:
    if clause.implied_by is not None:
        text = f"implied by {clause.implied_by}: imply {clause.dest}"
        return text if clause.cond is None else f"{text} if {clause.cond}"
    text = f"default {yn(clause.value)}"
    return text if clause.cond is None else f"{text} if {clause.cond}"


def _select_text(clause: Select) -> str:
    text = f"select {clause.dest}"
    return text if clause.cond is None else f"{text} if {clause.cond}"


class _Explainer:
    def __init__(self, solution: Solution, depth: int) -> None:
        self.solution = solution
        self.depth = depth
        self.seen: set[int] = set()
        self.lines: list[str] = []

    def say(self, indent: int, text: str) -> None:
        self.lines.append("  " * indent + text)

    def symbol(self, symbol: int, indent: int, depth: int) -> None:
        solution = self.solution
        program = solution.program
        name = program.names[symbol]
        value = solution.values[symbol]
        head = f"{name}={'(no value)' if value is None else yn(value)}"
        if symbol in self.seen:
            self.say(indent, f"{head} (see above)")
            return
        self.seen.add(symbol)
        self.say(indent, head)
        for clause in solution.setters(symbol):
            self.setter(symbol, clause, indent + 1, depth)
        if value:
            for *_, clause in solution.records_for(symbol):
                if isinstance(clause, DependsOn):
                    self.say(indent + 1, f"depends on {clause.expr} ({clause.loc}): holds")

    def below(self, names: list[str], indent: int, depth: int) -> None:
        index = self.solution.program.index
        for name in names:
            if depth > 0:
                self.symbol(index[name], indent, depth - 1)
            else:
                self.say(indent, f"{name}={yn(bool(self.solution.values[index[name]]))}")

    def setter(self, symbol: int, clause: Clause | None, indent: int, depth: int) -> None:
        solution = self.solution
        if clause is IMPLICIT:
            self.implicit(symbol, indent, depth)
        elif isinstance(clause, Assignment):
            if clause.loc.on_command_line:
                self.say(indent, f"set on the command line: {clause.render()}")
            else:
                self.say(indent, f"set by {clause.render()} at {clause.loc}")
        elif isinstance(clause, Select):
            self.say(indent, f"selected by {clause.owner}: {_select_text(clause)} ({clause.loc})")
            self.below(witnesses(solution, clause.condition, True), indent + 1, depth)
        elif isinstance(clause, DependsOn):
            self.say(indent, f"depends on {clause.expr} ({clause.loc}): does not hold")
            self.below(witnesses(solution, clause.expr, False), indent + 1, depth)
        elif isinstance(clause, Default):
            number = self._default_number(symbol, clause)
            used = solution.default_values[number] if number is not None else clause.value
            for earlier in self._defaults_before(symbol, clause):
                self.say(indent, f"({_default_text(earlier)} ({earlier.loc}) does not apply)")
            self.say(indent, f"{_default_text(clause)} ({clause.loc}){_mode_note(solution, clause.value, used)}")
            self.below(witnesses(solution, clause.condition, True), indent + 1, depth)

    def _default_number(self, symbol: int, clause: Default) -> int | None:
        for _, number, candidate in self.solution.program.defaults[symbol]:
            if candidate is clause:
                return number
        return None

    def _defaults_before(self, symbol: int, clause: Default) -> list[Default]:
        earlier = []
        for _, _, candidate in self.solution.program.defaults[symbol]:
            if candidate is clause:
                break
            earlier.append(candidate)
        return earlier

    def implicit(self, symbol: int, indent: int, depth: int) -> None:
        solution = self.solution
        program = solution.program
        used = solution.default_values[program.implicit_base + symbol]
        note = _mode_note(solution, False, used)
        self.say(indent, f"no assignment, select or default set it: implicit default n{note}")
        selects = [clause for *_, clause in solution.records_for(symbol) if isinstance(clause, Select)]
        defaults = [default for _, _, default in program.defaults[symbol]]
        for clause in selects[:MAX_CANDIDATES]:
            assert isinstance(clause, Select)
            self.say(indent, f"not selected by {clause.owner}: {_select_text(clause)} ({clause.loc})")
            self.below(witnesses(solution, clause.condition, False), indent + 1, depth)
        if len(selects) > MAX_CANDIDATES:
            others = ", ".join(c.owner for c in selects[MAX_CANDIDATES:] if isinstance(c, Select))
            self.say(indent, f"not selected by {len(selects) - MAX_CANDIDATES} more either: {others}")
        for default in defaults[:MAX_CANDIDATES]:
            self.say(indent, f"{_default_text(default)} ({default.loc}): does not apply")
            self.below(witnesses(solution, default.condition, False), indent + 1, depth)
        if len(defaults) > MAX_CANDIDATES:
            self.say(indent, f"{len(defaults) - MAX_CANDIDATES} more defaults do not apply either")
        if not selects and not defaults:
            declared = program.declared.get(program.names[symbol], [])
            where = f" (declared at {declared[0]})" if declared else ""
            self.say(indent, f"nothing in the Kconfig files sets it{where}; only an assignment can, and there was"
                             " none (configure passes host, accelerator and target symbols on the command line)")


def explain(solution: Solution, symbol: int, depth: int = 3) -> str:
    """Multi-line explanation of ``symbol``; ``depth`` bounds how far conditions are followed."""
    explainer = _Explainer(solution, depth)
    explainer.symbol(symbol, 0, depth)
    return "\n".join(explainer.lines)


def _set_value(clause: Clause) -> bool:
    if isinstance(clause, DependsOn):
        return False
    if isinstance(clause, Select):
        return True
    return clause.value


def contradiction_error(solution: Solution, symbol: int) -> KconfigContradictionError:
    """The error for two clauses setting ``symbol`` differently, naming each with its origin."""
    name = solution.program.names[symbol]
    details = [f"The following clauses were found for {name}:"]
    why: list[str] = []
    for clause in solution.setters(symbol):
        origin = "the command line" if clause.loc.on_command_line else str(clause.loc)
        note = ""
        if isinstance(clause, DependsOn):
            falsifying = witnesses(solution, clause.expr, False)
            note = f"; {_state(solution, falsifying)}" if falsifying else ""
            why.extend(falsifying)
        elif isinstance(clause, Select):
            note = f"; {_state(solution, witnesses(solution, clause.condition, True))}"
        details.append(f"    {clause.render()}  (sets {name}={yn(_set_value(clause))}, from {origin}{note})")
    if why:
        explainer = _Explainer(solution, 1)
        explainer.seen.add(symbol)
        for other in dict.fromkeys(why):
            explainer.symbol(solution.program.index[other], 2, 1)
        details.append("why the dependencies do not hold:")
        details.extend(explainer.lines)
    return KconfigContradictionError(name, *details)


def cycle_error(solution: Solution, symbol: int, unvalued: int) -> KconfigCycleError:
    """The error for a condition of ``symbol`` reading ``unvalued`` before it had a value."""
    program = solution.program
    path = cycle_path(program, symbol, unvalued)
    members = tuple(program.names[i] for i in dict.fromkeys(path))
    details = [f"these symbols depend on each other: {' -> '.join(members + (members[0],))}"]
    edges = list(zip(path, path[1:])) + [(unvalued, symbol)]
    for source, dest in edges:
        clause = clause_linking(solution, source, dest)
        if clause is not None:
            details.append(f"    {program.names[dest]} needs {program.names[source]}: {clause.render()} ({clause.loc})")
    return KconfigCycleError(program.names[unvalued], members, *details)
