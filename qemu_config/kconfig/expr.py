"""Boolean expressions over Kconfig symbol names.

Owns the expression model (``Sym``, ``Not``, ``And``, ``Or``), how it is
rendered (exactly as QEMU's minikconf prints it: every binary operator in
parentheses, chains nested to the left) and which symbols it mentions.  It
knows nothing of values: the solver compiles expressions to its own form.

Chains are stored flat (``And(a, b, c)``) so that a long ``a && b && ...``
never makes a deep tree; ``str()`` still renders ``((a && b) && c)``.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple, Union


class Sym(NamedTuple):
    """A reference to a symbol (bare name, no ``CONFIG_`` prefix)."""

    name: str

    def __str__(self) -> str:
        return self.name


class Not(NamedTuple):
    """``!operand``."""

    operand: "Expr"

    def __str__(self) -> str:
        return f"!{self.operand}"


class And(NamedTuple):
    """``operands[0] && operands[1] && ...``, evaluated left to right."""

    operands: tuple["Expr", ...]

    def __str__(self) -> str:
        return _render_chain(self.operands, "&&")


class Or(NamedTuple):
    """``operands[0] || operands[1] || ...``, evaluated left to right."""

    operands: tuple["Expr", ...]

    def __str__(self) -> str:
        return _render_chain(self.operands, "||")


Expr = Union[Sym, Not, And, Or]


def _render_chain(operands: tuple[Expr, ...], op: str) -> str:
    text = str(operands[0])
    for operand in operands[1:]:
        text = f"({text} {op} {operand})"
    return text


def conj(lhs: Expr, rhs: Expr) -> And:
    """``lhs && rhs``; a left-hand ``And`` is extended, not nested."""
    if isinstance(lhs, And):
        return And(lhs.operands + (rhs,))
    return And((lhs, rhs))


def disj(lhs: Expr, rhs: Expr) -> Or:
    """``lhs || rhs``; a left-hand ``Or`` is extended, not nested."""
    if isinstance(lhs, Or):
        return Or(lhs.operands + (rhs,))
    return Or((lhs, rhs))


def iter_symbols(expr: Expr) -> Iterator[str]:
    """The symbol names in ``expr``, left to right (repeats included)."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Sym):
            yield node.name
        elif isinstance(node, Not):
            stack.append(node.operand)
        else:
            stack.extend(reversed(node.operands))


def symbols(expr: Expr | None) -> tuple[str, ...]:
    """The distinct symbol names in ``expr`` in order of first mention."""
    if expr is None:
        return ()
    return tuple(dict.fromkeys(iter_symbols(expr)))
