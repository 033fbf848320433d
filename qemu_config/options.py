"""The "options" stage: what the user asked for.

Owns
  * meson's option-file language (``meson.options`` / ``meson_options.txt``): a
    lexer, parser and evaluator that accept exactly what meson 1.12.1's option
    interpreter accepts, with meson's defaults and validation, giving an
    :class:`OptionTable` of :class:`MesonOption`;
  * meson's builtin options (prefix, libdir, b_lto, ...), read from the pinned
    meson with ``meson introspect --buildoptions`` and cached per meson version;
  * QEMU's configure spellings of every option (``--enable-X``, ``--X=VALUE``,
    the rename table of scripts/meson-buildoptions.py) and the help text that
    script generates, byte for byte;
  * configure's argv -> :class:`ConfigureRequest`, and the final typed value of
    every option (:func:`resolve_values`).

Must not: probe the host or run compilers, print anything (the CLI prints), or
import meson (meson is only run, as a subprocess, to list its builtin options).
Standard library only.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

from .errors import UsageError, UserError
from .storage import user_cache_dir, write_atomic

# ---------------------------------------------------------------------------
# The data model
# ---------------------------------------------------------------------------

OptionType = Literal["feature", "boolean", "combo", "string", "array", "integer"]
OptionValue = Union[bool, int, str, "tuple[str, ...]"]
#: ``deprecated:`` as written: a bool, a new name (str), deprecated values
#: (tuple of str) or value replacements (tuple of (old, new) pairs).  An empty
#: list or dict (meson: nothing deprecated) is ().
Deprecation = Union[bool, str, "tuple[str, ...]", "tuple[tuple[str, str], ...]"]

OPTION_TYPES: tuple[str, ...] = ("array", "boolean", "combo", "feature", "integer", "string")
FEATURE_CHOICES: tuple[str, ...] = ("enabled", "disabled", "auto")


@dataclass(frozen=True)
class MesonOption:
    """One option: declared in an option file (``section == 'user'``) or a meson builtin.

    ``value`` is the default, typed: bool (boolean), int (integer), str (feature,
    combo, string) or tuple[str, ...] (array).  ``choices`` is None unless the
    option has choices; features carry meson's ``('enabled', 'disabled', 'auto')``.
    ``line`` is where the ``option(`` call starts (0 for builtins).
    """

    name: str
    type: str
    description: str
    value: OptionValue
    choices: tuple[str, ...] | None = None
    min: int | None = None
    max: int | None = None
    deprecated: Deprecation = False
    yield_: bool = False
    line: int = 0
    section: str = "user"

    @property
    def default(self) -> OptionValue:
        return self.value

    @property
    def introspect_type(self) -> str:
        """The type ``meson introspect --buildoptions`` reports (features are combos)."""
        return "combo" if self.type == "feature" else self.type

    def introspect_entry(self) -> dict[str, object]:
        """This option as one entry of ``meson introspect --buildoptions`` (without ``machine``)."""
        entry: dict[str, object] = {
            "name": self.name,
            "section": self.section,
            "type": self.introspect_type,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "description": self.description,
        }
        if self.choices is not None:
            entry["choices"] = list(self.choices)
        return entry


@dataclass(frozen=True)
class OptionTable:
    """The options of one option file, in file order, looked up by name."""

    options: tuple[MesonOption, ...]
    source: str = ""
    _index: Mapping[str, MesonOption] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {opt.name: opt for opt in self.options})

    def __iter__(self) -> Iterator[MesonOption]:
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __getitem__(self, name: str) -> MesonOption:
        return self._index[name]

    def get(self, name: str) -> MesonOption | None:
        return self._index.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(opt.name for opt in self.options)


# ---------------------------------------------------------------------------
# Option files: lexer (the token set of meson's mparser.Lexer)
# ---------------------------------------------------------------------------


class _SyntaxError(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True)
class _Token:
    kind: str
    value: object
    line: int
    col: int


# Tried in this order at each position (the first match wins), as meson does.
_TOKEN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("whitespace", re.compile(r"[ \t]+")),
    ("multiline_fstring", re.compile(r"f'''.*?'''", re.S)),
    ("fstring", re.compile(r"f'(?:[^'\\]|\\.)*'")),
    ("id", re.compile(r"[_a-zA-Z][_0-9a-zA-Z]*")),
    ("number", re.compile(r"0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0|[1-9]\d*")),
    ("eol_cont", re.compile(r"\\[ \t]*(?:#.*)?\n")),
    ("multiline_string", re.compile(r"'''.*?'''", re.S)),
    ("comment", re.compile(r"#.*")),
    ("string", re.compile(r"'(?:[^'\\]|\\.)*'")),
    ("plusassign", re.compile(r"\+=")),
    ("equal", re.compile(r"==")),
    ("nequal", re.compile(r"!=")),
    ("le", re.compile(r"<=")),
    ("ge", re.compile(r">=")),
)

_SINGLE_CHAR_TOKENS: Mapping[str, str] = {
    "\n": "eol", "(": "lparen", ")": "rparen", "[": "lbracket", "]": "rbracket",
    "{": "lcurl", "}": "rcurl", '"': "dblquote", ",": "comma", ".": "dot", "+": "plus",
    "-": "dash", "*": "star", "%": "percent", "/": "fslash", ":": "colon", "=": "assign",
    "<": "lt", ">": "gt", "?": "questionmark",
}

_KEYWORDS = frozenset({
    "true", "false", "if", "else", "elif", "endif", "and", "or", "not",
    "foreach", "endforeach", "in", "continue", "break",
})

_STRING_KINDS = frozenset({"string", "fstring", "multiline_string", "multiline_fstring"})

# Escape sequences meson decodes in single-quoted strings (not in ''' strings).
_ESCAPE_RE = re.compile(
    r"\\U[A-Fa-f0-9]{8}|\\u[A-Fa-f0-9]{4}|\\x[A-Fa-f0-9]{2}|\\[0-7]{1,3}"
    r"|\\N\{[^}]+\}|\\[\\'abfnrtv]"
)


_SIMPLE_ESCAPES: Mapping[str, str] = {
    "\\": "\\", "'": "'", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
}


def _decode_escapes(raw: str, line: int, col: int) -> str:
    def one(match: re.Match[str]) -> str:
        seq = match.group(0)
        kind = seq[1]
        if kind in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[kind]
        if kind in "xuU":
            code = int(seq[2:], 16)
            if code > sys.maxunicode:
                raise _SyntaxError(f"bad escape sequence {seq}: illegal Unicode character", line, col)
            return chr(code)
        if kind == "N":
            try:
                return codecs.decode(seq.encode(), "unicode_escape")
            except UnicodeDecodeError as exc:
                raise _SyntaxError(f"bad escape sequence {seq}: {exc.reason}", line, col) from None
        return chr(int(seq[1:], 8))
    return _ESCAPE_RE.sub(one, raw)


def _lex(text: str) -> Iterator[_Token]:
    """Tokens of an option file; newlines inside (), [] and {} are whitespace."""
    pos = 0
    line = 1
    line_start = 0
    depth = {"paren": 0, "bracket": 0, "curl": 0}
    while pos < len(text):
        col = pos - line_start
        start_line = line
        for kind, rule in _TOKEN_RULES:
            match = rule.match(text, pos)
            if match:
                raw = match.group(0)
                pos = match.end()
                break
        else:
            raw = text[pos]
            kind = _SINGLE_CHAR_TOKENS.get(raw, "")
            if not kind:
                raise _SyntaxError(f"lexer: unrecognized token {raw!r}", line, col)
            pos += 1
            if kind == "dblquote":
                raise _SyntaxError("Double quotes are not supported. Use single quotes.", line, col)
            for name in depth:
                if kind == "l" + name:
                    depth[name] += 1
                elif kind == "r" + name:
                    depth[name] -= 1
        newlines = raw.count("\n")
        if newlines:
            line += newlines
            line_start = pos - (len(raw) - raw.rindex("\n") - 1)
        value: object = raw
        if kind == "eol":
            if any(d > 0 for d in depth.values()):
                kind = "whitespace"
        elif kind == "eol_cont":
            kind = "whitespace"
        elif kind == "id":
            if raw in _KEYWORDS:
                kind = raw
        elif kind in ("string", "fstring"):
            value = _decode_escapes(raw[2 if kind == "fstring" else 1:-1], start_line, col)
        elif kind in ("multiline_string", "multiline_fstring"):
            value = raw[4 if kind == "multiline_fstring" else 3:-3]
        elif kind == "number":
            value = int(raw, 0)
        yield _Token(kind, value, start_line, col)


# ---------------------------------------------------------------------------
# Option files: parser (meson's grammar and precedence, to the node kinds
# the option interpreter can evaluate; everything else is an opaque node)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    line: int
    col: int


@dataclass(frozen=True)
class _Empty(_Node):
    pass


@dataclass(frozen=True)
class _Literal(_Node):
    value: str | int | bool


@dataclass(frozen=True)
class _StringLiteral(_Literal):
    pass


@dataclass(frozen=True)
class _Id(_Node):
    name: str


@dataclass(frozen=True)
class _Args:
    positional: tuple[_Node, ...]
    keywords: tuple[tuple[str, _Node], ...]
    order_error: bool


@dataclass(frozen=True)
class _Array(_Node):
    args: _Args


@dataclass(frozen=True)
class _Dict(_Node):
    pairs: tuple[tuple[_Node, _Node], ...]


@dataclass(frozen=True)
class _Unary(_Node):
    op: str  # 'not' or '-'
    operand: _Node


@dataclass(frozen=True)
class _Arith(_Node):
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Paren(_Node):
    inner: _Node


@dataclass(frozen=True)
class _Call(_Node):
    name: str
    args: _Args


@dataclass(frozen=True)
class _Opaque(_Node):
    """A construct the option interpreter never evaluates successfully (method call, ternary, ...)."""

    kind: str


_COMPARISONS = frozenset({"equal", "nequal", "lt", "le", "gt", "ge", "in"})
_ADDSUB = {"plus": "+", "dash": "-"}
_MULDIV = {"percent": "%", "star": "*", "fslash": "/"}


class _Parser:
    """Recursive descent over meson's precedence levels (assignment ... plain token)."""

    def __init__(self, text: str) -> None:
        self._tokens = _lex(text)
        self.current = _Token("eof", None, 1, 0)
        self.previous = self.current
        self._in_ternary = False
        self._advance()

    def _advance(self) -> None:
        self.previous = self.current
        for tok in self._tokens:
            if tok.kind not in ("whitespace", "comment"):
                self.current = tok
                return
        last = self.current
        self.current = _Token("eof", None, last.line, last.col)

    def _accept(self, kind: str) -> bool:
        if self.current.kind == kind:
            self._advance()
            return True
        return False

    def _accept_any(self, kinds: Mapping[str, str] | frozenset[str]) -> str:
        kind = self.current.kind
        if kind in kinds:
            self._advance()
            return kind
        return ""

    def _expect(self, kind: str) -> None:
        if not self._accept(kind):
            raise _SyntaxError(f"Expecting {kind} got {self.current.kind}.", self.current.line, self.current.col)

    # statements ---------------------------------------------------------

    def parse(self) -> list[_Node]:
        lines: list[_Node] = []
        while True:
            node = self._line()
            if not isinstance(node, _Empty):
                lines.append(node)
            if not self._accept("eol"):
                break
        self._expect("eof")
        return lines

    def _line(self) -> _Node:
        tok = self.current
        if tok.kind == "eol":
            return _Empty(tok.line, tok.col)
        if tok.kind in ("if", "foreach", "continue", "break"):
            raise _SyntaxError("Option file may only contain option definitions", tok.line, tok.col)
        return self._statement()

    def _statement(self) -> _Node:
        return self._e1()

    # expressions ----------------------------------------------------------

    def _e1(self) -> _Node:
        left = self._e2()
        for kind, what in (("plusassign", "Plusassignment"), ("assign", "Assignment")):
            if self._accept(kind):
                self._e1()
                if not isinstance(left, _Id):
                    raise _SyntaxError(f"{what} target must be an id.", left.line, left.col)
                return _Opaque(left.line, left.col, "assignment")
        if self._accept("questionmark"):
            if self._in_ternary:
                raise _SyntaxError("Nested ternary operators are not allowed.", left.line, left.col)
            self._in_ternary = True
            self._e1()
            self._expect("colon")
            self._e1()
            self._in_ternary = False
            return _Opaque(left.line, left.col, "ternary")
        return left

    def _e2(self) -> _Node:
        left = self._e3()
        while self._accept("or"):
            if isinstance(left, _Empty):
                raise _SyntaxError("Invalid or clause.", left.line, left.col)
            self._e3()
            left = _Opaque(left.line, left.col, "or")
        return left

    def _e3(self) -> _Node:
        left = self._e4()
        while self._accept("and"):
            if isinstance(left, _Empty):
                raise _SyntaxError("Invalid and clause.", left.line, left.col)
            self._e4()
            left = _Opaque(left.line, left.col, "and")
        return left

    def _e4(self) -> _Node:
        left = self._e5()
        if self._accept_any(_COMPARISONS):
            self._e5()
            return _Opaque(left.line, left.col, "comparison")
        if self._accept("not") and self._accept("in"):
            self._e5()
            return _Opaque(left.line, left.col, "comparison")
        return left

    def _e5(self) -> _Node:
        left = self._e6()
        while True:
            op = self._accept_any(_ADDSUB)
            if not op:
                return left
            left = _Arith(left.line, left.col, _ADDSUB[op], left, self._e6())

    def _e6(self) -> _Node:
        left = self._e7()
        while True:
            op = self._accept_any(_MULDIV)
            if not op:
                return left
            left = _Arith(left.line, left.col, _MULDIV[op], left, self._e7())

    def _e7(self) -> _Node:
        tok = self.current
        if self._accept("not"):
            return _Unary(tok.line, tok.col, "not", self._e8())
        if self._accept("dash"):
            return _Unary(tok.line, tok.col, "-", self._e8())
        return self._e8()

    def _e8(self) -> _Node:
        left = self._e9()
        if self._accept("lparen"):
            args = self._args()
            self._expect("rparen")
            if not isinstance(left, _Id):
                raise _SyntaxError("Function call must be applied to plain id", left.line, left.col)
            left = _Call(left.line, left.col, left.name, args)
        while True:
            if self._accept("dot"):
                left = self._method_call(left)
            elif self._accept("lbracket"):
                self._statement()
                self._expect("rbracket")
                left = _Opaque(left.line, left.col, "index")
            else:
                return left

    def _method_call(self, source: _Node) -> _Node:
        name = self._e10()
        if not isinstance(name, _Id):
            if isinstance(source, _Literal) and type(source.value) is int and isinstance(name, _Literal) \
                    and type(name.value) is int:
                raise _SyntaxError("meson does not support float numbers", source.line, source.col)
            raise _SyntaxError("Method name must be plain id", self.current.line, self.current.col)
        self._expect("lparen")
        self._args()
        self._expect("rparen")
        node = _Opaque(source.line, source.col, "method call")
        if self._accept("dot"):
            return self._method_call(node)
        return node

    def _e9(self) -> _Node:
        tok = self.current
        if self._accept("lparen"):
            inner = self._statement()
            self._expect("rparen")
            return _Paren(tok.line, tok.col, inner)
        if self._accept("lbracket"):
            args = self._args()
            self._expect("rbracket")
            return _Array(tok.line, tok.col, args)
        if self._accept("lcurl"):
            pairs = self._key_values()
            self._expect("rcurl")
            return _Dict(tok.line, tok.col, pairs)
        return self._e10()

    def _e10(self) -> _Node:
        tok = self.current
        if self._accept("true") or self._accept("false"):
            return _Literal(tok.line, tok.col, tok.kind == "true")
        if self._accept("id"):
            return _Id(tok.line, tok.col, str(tok.value))
        if self._accept("number"):
            assert isinstance(tok.value, int)
            return _Literal(tok.line, tok.col, tok.value)
        if self._accept_any(_STRING_KINDS):
            return _StringLiteral(tok.line, tok.col, str(tok.value))
        return _Empty(tok.line, tok.col)

    def _key_values(self) -> tuple[tuple[_Node, _Node], ...]:
        pairs: list[tuple[_Node, _Node]] = []
        key = self._statement()
        while not isinstance(key, _Empty):
            if not self._accept("colon"):
                raise _SyntaxError("Only key:value pairs are valid in dict construction.", key.line, key.col)
            pairs.append((key, self._statement()))
            if not self._accept("comma"):
                break
            key = self._statement()
        return tuple(pairs)

    def _args(self) -> _Args:
        positional: list[_Node] = []
        keywords: list[tuple[str, _Node]] = []
        order_error = False
        node = self._statement()
        while not isinstance(node, _Empty):
            if self._accept("comma"):
                order_error = order_error or bool(keywords)
                positional.append(node)
            elif self._accept("colon"):
                if not isinstance(node, _Id):
                    raise _SyntaxError("Dictionary key must be a plain identifier.", node.line, node.col)
                keywords.append((node.name, self._statement()))
                if not self._accept("comma"):
                    break
            else:
                order_error = order_error or bool(keywords)
                positional.append(node)
                break
            node = self._statement()
        return _Args(tuple(positional), tuple(keywords), order_error)


# ---------------------------------------------------------------------------
# Option files: evaluation (meson's optinterpreter + option classes)
# ---------------------------------------------------------------------------


class _EvalError(Exception):
    pass


#: What an argument of ``option()`` evaluates to.
_Value = Union[str, int, bool, "list[_Value]", "dict[str, _Value]"]


def _reduce(node: _Node) -> _Value:
    if isinstance(node, _Paren):
        return _reduce(node.inner)
    if isinstance(node, _Literal):
        return node.value
    if isinstance(node, _Array):
        # keyword arguments inside [...] parse, but meson ignores them unevaluated
        return [_reduce(item) for item in node.args.positional]
    if isinstance(node, _Dict):
        result: dict[str, _Value] = {}
        for key, value in node.pairs:
            if not isinstance(key, _StringLiteral):
                raise _EvalError("Dictionary keys must be a string literal")
            result[str(key.value)] = _reduce(value)
        return result
    if isinstance(node, _Unary) and node.op == "-":
        operand = _reduce(node.operand)
        if not isinstance(operand, int):  # bool is an int here, as in meson
            raise _EvalError('Token after "-" is not a number')
        return -operand
    if isinstance(node, _Unary):
        operand = _reduce(node.operand)
        if not isinstance(operand, bool):
            raise _EvalError('Token after "not" is not a a boolean')
        return not operand
    if isinstance(node, _Arith):
        left = _reduce(node.left)
        right = _reduce(node.right)
        if not (node.op == "+" and isinstance(left, str) and isinstance(right, str)):
            raise _EvalError('Only string concatenation with the "+" operator is allowed')
        return left + right
    raise _EvalError("Arguments may only be string, int, bool, or array of those.")


@dataclass(frozen=True)
class _ListOf:
    """A typed container in a keyword check: array[str], dict[str], ..."""

    container: type
    contains: type
    allow_empty: bool = True

    def check(self, value: object) -> bool:
        if not isinstance(value, self.container):
            return False
        items: Iterable[object] = value.values() if isinstance(value, dict) else value  # type: ignore[assignment]
        if any(not isinstance(item, self.contains) for item in items):
            return False
        return bool(value) or self.allow_empty

    def describe(self) -> str:
        kind = "dict" if self.container is dict else "array"
        text = f"{kind}[{self.contains.__name__}]"
        return text if self.allow_empty else text + " that cannot be empty"


_TypeSpec = Union[type, _ListOf]
_MISSING = object()


def _meson_type_name(value: object) -> str:
    if isinstance(value, (list, dict)):
        items = list(value.values()) if isinstance(value, dict) else value
        kind = "dict" if isinstance(value, dict) else "array"
        if not items:
            return f"{kind}[]"
        return f"{kind}[{' | '.join(sorted({type(i).__name__ for i in items}))}]"
    return type(value).__name__


def _check_keyword(func: str, name: str, value: object, types: tuple[_TypeSpec, ...]) -> None:
    for spec in types:
        if isinstance(spec, _ListOf):
            if spec.check(value):
                return
        elif isinstance(value, spec):
            return
    names = [s.describe() if isinstance(s, _ListOf) else s.__name__ for s in types]
    should = ("one of: " if len(names) > 1 else "") + ", ".join(names)
    raise _EvalError(f"{func} keyword argument {name!r} was of type {_meson_type_name(value)} "
                     f"but should have been {should}")


def _reject_unknown(func: str, kwargs: Mapping[str, object], known: frozenset[str]) -> None:
    unknown = sorted(set(kwargs) - known)
    if not unknown:
        return
    described = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known))
        described.append(f'"{name}" (did you mean "{close[0]}"?)' if close else f'"{name}"')
    raise _EvalError(f"{func} got unknown keyword arguments {', '.join(described)}")


def _keyword(func: str, kwargs: Mapping[str, object], name: str, types: tuple[_TypeSpec, ...],
             default: object = _MISSING, required: bool = False) -> object:
    value = kwargs.get(name, _MISSING)
    if value is _MISSING:
        if required:
            raise _EvalError(f'{func} is missing required keyword argument "{name}"')
        return default
    _check_keyword(func, name, value, types)
    return value


# Names meson keeps for itself (OptionStore.is_reserved_name in meson 1.12.1).
_MESON_RESERVED_NAMES = frozenset({
    "prefix", "bindir", "datadir", "includedir", "infodir", "libdir", "licensedir", "libexecdir",
    "localedir", "localstatedir", "mandir", "sbindir", "sharedstatedir", "sysconfdir", "auto_features",
    "backend", "buildtype", "debug", "default_library", "default_both_libraries", "errorlogs", "genvslite",
    "install_umask", "layout", "optimization", "prefer_static", "stdsplit", "strip", "unity", "unity_size",
    "warning_level", "werror", "wrap_mode", "force_fallback_for", "pkg_config_path", "cmake_prefix_path",
    "vsenv", "os2_emxomf",
})
_MESON_RESERVED_PREFIXES = frozenset({
    "b", "backend", "c", "cpp", "cs", "cuda", "cython", "d", "fortran", "java", "linearasm", "masm",
    "nasm", "objc", "objcpp", "rust", "swift", "vala",
})
_NAME_RE = re.compile(r"[^a-zA-Z0-9_-]")


def is_reserved_name(name: str) -> bool:
    """True if meson refuses ``name`` as a project option (a builtin, or b_/backend_/<language>_ prefixed)."""
    if name in _MESON_RESERVED_NAMES:
        return True
    return "_" in name and name.split("_")[0] in _MESON_RESERVED_PREFIXES


def _array_from_string(name: str, text: str) -> list[object]:
    """meson's reading of a string given for an array option ('[...]' is a Python literal)."""
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except ValueError:
            raise _EvalError(f'error in option "{name}": malformed value {text}') from None
        except (SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise _EvalError(f'error in option "{name}": {exc}') from None
        if not isinstance(parsed, list):
            raise _EvalError(f'error in option "{name}": malformed value {text}')
        return parsed
    if text == "":
        return []
    return [part.strip() for part in text.split(",")]


def _check_array(name: str, items: Sequence[object], choices: Sequence[str] | None) -> tuple[str, ...]:
    for item in items:
        if not isinstance(item, str):
            raise _EvalError(f'String array element "{list(items)!s}" for option "{name}" is not a string.')
    if choices:
        bad = [str(x) for x in items if x not in choices]
        if bad:
            plural = len(bad) != 1
            raise _EvalError(
                f'Value{"s" if plural else ""} "{", ".join(bad)}" for option "{name}" '
                f'{"are" if plural else "is"} not in allowed choices: "{", ".join(choices)}"')
    return tuple(str(x) for x in items)


def _combo_error(name: str, value: object, choices: Sequence[str]) -> _EvalError:
    kind = "boolean" if isinstance(value, bool) else "number" if isinstance(value, (int, float)) else "string"
    listed = ", ".join(f'"{c}"' for c in choices)
    return _EvalError(f'Value "{value}" (of type "{kind}") for option "{name}" is not one of the choices. '
                      f"Possible choices are (as string): {listed}.")


def _check_integer(name: str, value: int, low: int | None, high: int | None) -> int:
    if low is not None and value < low:
        raise _EvalError(f'Value {value} for option "{name}" is less than minimum value {low}.')
    if high is not None and value > high:
        raise _EvalError(f'Value {value} for option "{name}" is more than maximum value {high}.')
    return value


def _freeze_deprecated(value: object) -> Deprecation:
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    assert isinstance(value, (bool, str))
    return value


_OPTION_KEYWORDS = frozenset({"type", "description", "deprecated", "yield"})


def _define_option(positional: list[_Value], kwargs: dict[str, _Value], line: int) -> MesonOption:
    """One ``option()`` call, checked in the order meson checks it."""
    opt_type = _keyword("option", kwargs, "type", (str,), required=True)
    if opt_type not in OPTION_TYPES:
        raise _EvalError(f'option keyword argument "type" must be one of {", ".join(OPTION_TYPES)}, '
                         f"not {opt_type}")
    description = _keyword("option", kwargs, "description", (str,), default="")
    deprecated = _keyword("option", kwargs, "deprecated",
                          (bool, str, _ListOf(dict, str), _ListOf(list, str)), default=False)
    yield_ = _keyword("option", kwargs, "yield", (bool,), default=False)
    if len(positional) != 1:
        raise _EvalError(f"option takes exactly 1 arguments, but got {len(positional)}.")
    name = positional[0]
    if not isinstance(name, str):
        raise _EvalError(f'option argument 1 was of type "{type(name).__name__}" but should have been "str"')
    if _NAME_RE.search(name) is not None:
        raise _EvalError("Option names can only contain letters, numbers or dashes.")
    if not name:
        raise _EvalError("Option name must not be empty.")
    if is_reserved_name(name):
        raise _EvalError(f"Option name {name} is reserved.")
    assert isinstance(opt_type, str) and isinstance(description, str) and isinstance(yield_, bool)
    rest = {k: v for k, v in kwargs.items() if k not in _OPTION_KEYWORDS}

    def make(value: OptionValue, choices: tuple[str, ...] | None = None,
             low: int | None = None, high: int | None = None) -> MesonOption:
        assert isinstance(opt_type, str) and isinstance(description, str) and isinstance(yield_, bool)
        return MesonOption(name=name, type=opt_type, description=description or name, value=value,
                           choices=choices, min=low, max=high, deprecated=_freeze_deprecated(deprecated),
                           yield_=yield_, line=line)

    if opt_type == "string":
        _reject_unknown("string option", rest, frozenset({"value"}))
        value = _keyword("string option", rest, "value", (str,), default="")
        assert isinstance(value, str)
        return make(value)

    if opt_type == "boolean":
        _reject_unknown("boolean option", rest, frozenset({"value"}))
        value = _keyword("boolean option", rest, "value", (bool, str), default=True)
        if not isinstance(value, bool) and value not in ("true", "false"):
            raise _EvalError('boolean option keyword argument "value" boolean options must have boolean values')
        return make(value if isinstance(value, bool) else value == "true")

    if opt_type == "combo":
        _reject_unknown("combo option", rest, frozenset({"value", "choices"}))
        value = _keyword("combo option", rest, "value", (str, type(None)), default=None)
        choices = _keyword("combo option", rest, "choices", (_ListOf(list, str, allow_empty=False),), required=True)
        assert isinstance(choices, list)
        if value is None:
            value = choices[0]
        if value not in choices:
            raise _combo_error(name, value, choices)
        return make(str(value), tuple(choices))

    if opt_type == "integer":
        _reject_unknown("integer option", rest, frozenset({"value", "min", "max"}))
        raw = _keyword("integer option", rest, "value", (int, str), default=True)
        assert isinstance(raw, (int, str))
        try:
            number = int(raw)  # meson's convertor: int('  7 ') == 7, int(true) == 1
        except ValueError as exc:
            raise _EvalError(str(exc)) from None
        low_raw = _keyword("integer option", rest, "min", (int, type(None)), default=None)
        high_raw = _keyword("integer option", rest, "max", (int, type(None)), default=None)
        assert (low_raw is None or isinstance(low_raw, int)) and (high_raw is None or isinstance(high_raw, int))
        low = None if low_raw is None else int(low_raw)  # int(): a bound written as true is 1
        high = None if high_raw is None else int(high_raw)
        return make(_check_integer(name, number, low, high), None, low, high)

    if opt_type == "array":
        _reject_unknown("string array option", rest, frozenset({"value", "choices"}))
        value = _keyword("string array option", rest, "value", (_ListOf(list, str), str, type(None)), default=None)
        choices = _keyword("string array option", rest, "choices", (_ListOf(list, str),), default=[])
        assert isinstance(choices, list)
        if value is None:
            value = list(choices)
        if isinstance(value, str):
            if not value.startswith("["):
                raise _EvalError("Value does not define an array: " + value)
            value = _array_from_string(name, value)
        assert isinstance(value, list)
        items = _check_array(name, value, choices)
        return make(items, tuple(choices) or None)

    # feature
    _reject_unknown("feature option", rest, frozenset({"value"}))
    value = _keyword("feature option", rest, "value", (str,), default="auto")
    if value not in ("auto", "enabled", "disabled"):
        raise _EvalError(f'feature option keyword argument "value" must be one of auto, disabled, enabled, '
                         f"not {value}")
    return make(str(value), FEATURE_CHOICES)


def _source_line(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def parse_option_text(text: str, filename: str = "meson_options.txt") -> OptionTable:
    """Parse the text of an option file; errors are :class:`UsageError` naming ``filename:line``."""
    if text.startswith("\ufeff"):
        raise UsageError(f"{filename}:1: Builder file must be encoded in UTF-8 (with no BOM)")
    try:
        statements = _Parser(text).parse()
    except _SyntaxError as exc:
        src = _source_line(text, exc.line)
        raise UsageError(f"{filename}:{exc.line}: {exc.message}", src, " " * exc.col + "^") from None
    options: dict[str, MesonOption] = {}
    for node in statements:
        try:
            if not isinstance(node, _Call):
                raise _EvalError("Option file may only contain option definitions")
            if node.name != "option":
                raise _EvalError("Only calls to option() are allowed in option files.")
            if node.args.order_error:
                raise _EvalError("All keyword arguments must be after positional arguments.")
            positional = [_reduce(arg) for arg in node.args.positional]
            kwargs: dict[str, _Value] = {}
            for key, value in node.args.keywords:
                kwargs[key] = _reduce(value)  # a repeated keyword: the last one wins
            option = _define_option(positional, kwargs, node.line)
        except _EvalError as exc:
            raise UsageError(f"{filename}:{node.line}: {exc}", _source_line(text, node.line)) from None
        options[option.name] = option  # a redefinition replaces the first, in its place
    return OptionTable(tuple(options.values()), filename)


def find_option_file(path: str | os.PathLike[str]) -> Path:
    """The option file ``path`` names: the file itself, or the one in a source directory.

    In a directory, ``meson.options`` is used if present (meson >= 1.1), else
    ``meson_options.txt``; both present and different is an error, as in meson.
    """
    p = Path(path)
    if p.is_dir():
        new, old = p / "meson.options", p / "meson_options.txt"
        if new.is_file():
            if old.is_file() and not os.path.samefile(new, old):
                raise UsageError(f"{p}: meson.options and meson_options.txt both exist, but are not the same file.",
                                 "keep one of them (meson >= 1.1 reads meson.options)")
            return new
        if old.is_file():
            return old
        raise UsageError(f"{p}: no meson.options or meson_options.txt in this directory")
    if p.is_file():
        return p
    raise UsageError(f"{p}: no such option file or source directory")


def parse_option_file(path: str | os.PathLike[str]) -> OptionTable:
    """Parse one option file (read as UTF-8, universal newlines, like meson)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{p}: malformed option file, not UTF-8: {exc.reason} at byte {exc.start}") from None
    except OSError as exc:
        raise UsageError(f"{p}: cannot read option file: {exc.strerror or exc}") from None
    return parse_option_text(text, str(p))


def load_option_table(path: str | os.PathLike[str]) -> OptionTable:
    """The option table of a source directory or of an option file."""
    return parse_option_file(find_option_file(path))


# ---------------------------------------------------------------------------
# Meson's builtin options, from the pinned meson, cached per meson version
# ---------------------------------------------------------------------------

#: The builtins QEMU's configure exposes (scripts/meson-buildoptions.py BUILTIN_OPTIONS).
HELP_BUILTINS: frozenset[str] = frozenset({
    "b_coverage", "b_lto", "bindir", "datadir", "debug", "includedir", "libdir", "libexecdir",
    "localedir", "localstatedir", "mandir", "prefix", "strip", "sysconfdir", "werror",
})

_CACHE_FORMAT = 1


def cache_dir() -> Path:
    """Where meson's builtin options are cached: the user's cache directory (:func:`storage.user_cache_dir`)."""
    return user_cache_dir()


def _builtins_cache_path(directory: Path, meson_version: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", meson_version)
    return directory / f"meson-builtins-{safe}-{sys.platform}.json"


def _option_from_introspect(entry: Mapping[str, object]) -> MesonOption:
    value = entry.get("value")
    if isinstance(value, list):
        value = tuple(str(v) for v in value)
    choices = entry.get("choices")
    return MesonOption(
        name=str(entry["name"]),
        type=str(entry["type"]),
        description=str(entry.get("description", "")),
        value=value,  # type: ignore[arg-type]
        choices=tuple(str(c) for c in choices) if isinstance(choices, list) else None,
        section=str(entry.get("section", "core")),
    )


def introspect_buildoptions(meson_cmd: Sequence[str], option_text: str | None = None,
                            timeout: float = 120) -> list[dict[str, object]]:
    """Run ``meson introspect --buildoptions`` on a throw-away ``project('x', 'c')``.

    ``option_text`` becomes its ``meson_options.txt``.  Returns meson's JSON list.
    """
    with tempfile.TemporaryDirectory(prefix="qemu-config-introspect-") as tmp:
        (Path(tmp) / "meson.build").write_text("project('x', 'c')\n", encoding="utf-8")
        if option_text is not None:
            (Path(tmp) / "meson_options.txt").write_text(option_text, encoding="utf-8")
        cmd = [*meson_cmd, "introspect", "--buildoptions", str(Path(tmp) / "meson.build")]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=tmp)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UserError("could not run meson to list its builtin options", f"{' '.join(cmd)}: {exc}") from None
    if proc.returncode != 0:
        tail = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()][-3:]
        raise UserError("meson introspect --buildoptions failed", *tail)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise UserError("meson introspect --buildoptions printed no JSON", proc.stdout[:200]) from None
    if not isinstance(data, list):
        raise UserError("meson introspect --buildoptions printed unexpected JSON")
    return data


def _meson_version_of(meson_cmd: Sequence[str]) -> str:
    try:
        proc = subprocess.run([*meson_cmd, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError("could not run meson", f"{' '.join(meson_cmd)} --version: {exc}") from None
    if proc.returncode != 0 or not proc.stdout.strip():
        raise UserError("could not run meson", f"{' '.join(meson_cmd)} --version exited {proc.returncode}")
    return proc.stdout.strip().splitlines()[0]


def _read_builtins_cache(path: Path, meson_version: str) -> tuple[MesonOption, ...] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _CACHE_FORMAT or data.get("meson_version") != meson_version:
            return None
        return tuple(_option_from_introspect(e) for e in data["options"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_builtins_cache(path: Path, meson_version: str, entries: list[dict[str, object]]) -> None:
    """Atomic write; a cache that cannot be written is simply not written."""
    payload = json.dumps({"format": _CACHE_FORMAT, "meson_version": meson_version, "options": entries},
                         indent=1, sort_keys=True)
    try:
        write_atomic(path, payload.encode("utf-8"))
    except OSError:
        pass


def builtin_options(meson_cmd: Sequence[str] | None = None, *, include_hidden: bool = False,
                    cache: str | os.PathLike[str] | None | Literal[False] = None) -> tuple[MesonOption, ...]:
    """Meson's builtin options, as the pinned meson describes them.

    By default only the ones QEMU's configure shows (:data:`HELP_BUILTINS`);
    ``include_hidden=True`` gives every builtin a project can set with -D
    (optimization, auto_features, wrap_mode, c_args, ...).  Sorted by name.

    The list comes from ``meson introspect --buildoptions`` and is cached in
    ``cache`` (default :func:`cache_dir`; ``False`` disables the cache) under a
    file keyed by meson version (the pinned one when ``meson_cmd`` is None; else
    what ``meson_cmd --version`` says).  A missing, stale or corrupt cache is
    rebuilt; one that cannot be written is skipped.  A result that lacks some of
    QEMU's builtins (no C compiler, so no b_* options) is returned but not cached.
    """
    from . import bootstrap

    version = bootstrap.MESON_VERSION if meson_cmd is None else _meson_version_of(meson_cmd)
    directory = None if cache is False else Path(cache) if cache is not None else cache_dir()
    path = _builtins_cache_path(directory, version) if directory is not None else None
    found = _read_builtins_cache(path, version) if path is not None else None
    if found is None:
        command = list(meson_cmd) if meson_cmd is not None else bootstrap.meson_command()
        entries = [e for e in introspect_buildoptions(command)
                   if e.get("section") != "user" and ":" not in str(e.get("name", ""))
                   and e.get("machine", "any") in ("any", "host")]
        unique: dict[str, dict[str, object]] = {}
        for entry in entries:
            unique.setdefault(str(entry["name"]), entry)
        found = tuple(_option_from_introspect(e) for e in unique.values())
        if path is not None and HELP_BUILTINS <= {o.name for o in found}:
            _write_builtins_cache(path, version, list(unique.values()))
    chosen = found if include_hidden else tuple(o for o in found if o.name in HELP_BUILTINS)
    return tuple(sorted(chosen, key=lambda o: o.name))


# ---------------------------------------------------------------------------
# QEMU's configure spellings (scripts/meson-buildoptions.py rules)
# ---------------------------------------------------------------------------

#: Options without a generated spelling (nonstandard names or OS-dependent defaults).
SKIP_OPTIONS: frozenset[str] = frozenset({"default_devices", "fuzzing_engine"})
#: Options whose configure name is not ``name.replace('_', '-')``.
OPTION_NAMES: Mapping[str, str] = {
    "b_coverage": "gcov",
    "b_lto": "lto",
    "coroutine_backend": "with-coroutine",
    "debug": "debug-info",
    "malloc": "enable-malloc",
    "pkgversion": "with-pkgversion",
    "qemu_firmwarepath": "firmwarepath",
    "qemu_suffix": "with-suffix",
    "trace_backends": "enable-trace-backends",
    "trace_file": "with-trace-file",
}
#: Booleans configure autodetects: listed among the features in --help.
AUTO_OPTIONS: frozenset[str] = frozenset({"plugins", "werror"})
#: Options configure prints its own --help line for.
CONFIGURE_HELP: frozenset[str] = frozenset({"gdb"})


def _combo_like(opt: MesonOption) -> bool:
    return opt.type in ("combo", "feature")


def requires_argument(opt: MesonOption) -> bool:
    """Only ``--NAME=VALUE`` makes sense (strings, arrays, integers, combos without enabled/disabled)."""
    if opt.type == "boolean":
        return False
    if not _combo_like(opt):
        return True
    return not ({"enabled", "disabled"} & set(opt.choices or ()))


def allows_argument(opt: MesonOption) -> bool:
    """A value may be given (combos only if they have choices beyond auto/enabled/disabled)."""
    if opt.type == "boolean":
        return False
    if not _combo_like(opt):
        return True
    return not set(opt.choices or ()) <= {"auto", "disabled", "enabled"}


def cli_name(opt: MesonOption) -> str:
    return OPTION_NAMES.get(opt.name, opt.name.replace("_", "-"))


def metavar(opt: MesonOption) -> str:
    if opt.type == "string":
        return "VALUE"
    if opt.type == "array":
        return "CHOICES" if opt.choices else "VALUES"
    return "CHOICE"


@dataclass(frozen=True)
class Spelling:
    """One way to set an option on configure's command line.

    ``text`` is matched exactly (``--enable-kvm``) or, when it ends in ``=``, as a
    prefix whose remainder is the value (``--prefix=``).  ``value`` is the fixed
    value a flag sets; ``path_list`` marks arrays without choices, whose value is
    split on ``:`` (``;`` for Windows hosts).
    """

    text: str
    option: str
    value: str | None = None
    metavar: str | None = None
    path_list: bool = False

    @property
    def display(self) -> str:
        return self.text + self.metavar if self.metavar else self.text


def generated_spellings(opt: MesonOption) -> tuple[Spelling, ...]:
    """The spellings QEMU's generated ``_meson_option_parse`` accepts for one option."""
    if opt.section == "user" and (opt.name in SKIP_OPTIONS or ":" in opt.name):
        return ()
    if opt.section != "user" and opt.name not in HELP_BUILTINS:
        return ()
    key = cli_name(opt)
    if requires_argument(opt):
        return (Spelling(f"--{key}=", opt.name, metavar=metavar(opt),
                         path_list=opt.type == "array" and not opt.choices),)
    if opt.type == "boolean":
        return (Spelling(f"--enable-{key}", opt.name, "true"), Spelling(f"--disable-{key}", opt.name, "false"))
    result: list[Spelling] = []
    if "enabled" in (opt.choices or ()):
        result.append(Spelling(f"--enable-{key}", opt.name, "enabled"))
    if "disabled" in (opt.choices or ()):
        result.append(Spelling(f"--disable-{key}", opt.name, "disabled"))
    if allows_argument(opt):
        result.append(Spelling(f"--enable-{key}=", opt.name, metavar="CHOICE"))
    return tuple(result)


def spellings(opt: MesonOption) -> tuple[str, ...]:
    """Every configure spelling that sets ``opt``, as shown to users; ``-Dname=VALUE`` last."""
    shown = [s.display for s in generated_spellings(opt)]
    if opt.name == "default_devices" and opt.section == "user":
        shown += ["--with-default-devices", "--without-default-devices"]
    shown.append(f"-D{opt.name}=VALUE")
    return tuple(shown)


# ---------------------------------------------------------------------------
# The generated help (scripts/meson-buildoptions.py print_help), byte for byte
# ---------------------------------------------------------------------------

HELP_WIDTH = 76


def _help_default(opt: MesonOption) -> str:
    if opt.name == "libdir":
        return "system default"
    if isinstance(opt.value, tuple):
        return ",".join(opt.value)
    if isinstance(opt.value, bool):
        return "enabled" if opt.value else "disabled"
    return str(opt.value)


def _wrap_row(left: str, text: str, indent: int, *, split_words: bool = True) -> list[str]:
    """One help row: ``left`` padded to ``indent`` (or alone on its line if too long), text wrapped at 76.

    ``split_words`` is textwrap's behaviour that QEMU's generated help has
    (long words broken, breaks after hyphens); configure's own rows keep words
    such as ``[aarch64-linux-gnu-gcc]`` whole.
    """
    pad = " " * indent
    lines: list[str] = []
    if len(left) >= indent:
        lines.append(left)
        left = pad
    else:
        left = (left + pad)[:indent]
    lines.extend(textwrap.wrap(text, width=HELP_WIDTH, initial_indent=left, subsequent_indent=pad,
                               break_long_words=split_words, break_on_hyphens=split_words))
    return lines


def _help_rows(left: str, opt: MesonOption, indent: int, long: bool) -> list[str]:
    text = opt.description
    if long:
        default = _help_default(opt)
        if default not in ("", "auto"):
            text += f" [{default}]"
        if opt.choices is not None:
            text += f" (choices: {'/'.join(sorted(opt.choices))})"
    return _wrap_row("  " + left, text, indent)


def _help_key(opt: MesonOption) -> str:
    key = cli_name(opt)
    if requires_argument(opt):
        return key
    if opt.type == "boolean" and opt.value:
        return f"disable-{key}"
    return f"enable-{key}"


def _configurable(table: Iterable[MesonOption], builtins: Iterable[MesonOption]) -> list[MesonOption]:
    chosen = [o for o in table if o.name not in SKIP_OPTIONS and ":" not in o.name]
    names = {o.name for o in chosen}
    chosen += [o for o in builtins if o.name in HELP_BUILTINS and o.name not in names]
    return sorted(chosen, key=lambda o: o.name)


def render_options_help(table: Iterable[MesonOption], builtins: Iterable[MesonOption] = ()) -> str:
    """What QEMU's generated ``meson_options_help`` prints for these options."""
    out: list[str] = []
    features: list[MesonOption] = []
    for opt in sorted(_configurable(table, builtins), key=_help_key):
        key = _help_key(opt)
        if opt.name in CONFIGURE_HELP:
            continue
        if requires_argument(opt):
            out += _help_rows(f"--{key}={metavar(opt)}", opt, 27, True)
        elif opt.type == "boolean" and opt.name not in AUTO_OPTIONS:
            out += _help_rows(f"--{key}", opt, 27, False)
        elif allows_argument(opt):
            suffix = "[=CHOICE]" if "enabled" in (opt.choices or ()) else "=CHOICE"
            out += _help_rows(f"--{key}{suffix}", opt, 27, True)
        else:
            features.append(opt)
    out += [
        "",
        "Optional features, enabled with --enable-FEATURE and",
        "disabled with --disable-FEATURE, default is enabled if available",
        "(unless built with --without-default-features):",
        "",
    ]
    for opt in sorted(features, key=cli_name):
        out += _help_rows(cli_name(opt), opt, 18, False)
    return "\n".join(out) + "\n"


def options_json(table: Iterable[MesonOption], builtins: Iterable[MesonOption] = ()) -> list[dict[str, object]]:
    """Per option: name, type, section, default, choices, min, max, description, spellings (sorted by name).

    Lists every option of the table (those configure only takes as -D too) and
    the builtins QEMU's configure shows.
    """
    table = list(table)
    rows: list[dict[str, object]] = []
    options = {o.name: o for o in _configurable(table, builtins)}
    for opt in table:
        options.setdefault(opt.name, opt)  # skipped options are listed too, with their -D spelling
    for name in sorted(options):
        opt = options[name]
        rows.append({
            "name": opt.name,
            "type": opt.type,
            "section": opt.section,
            "default": list(opt.value) if isinstance(opt.value, tuple) else opt.value,
            "choices": list(opt.choices) if opt.choices is not None else None,
            "min": opt.min,
            "max": opt.max,
            "description": opt.description,
            "spellings": list(spellings(opt)),
        })
    return rows


# ---------------------------------------------------------------------------
# ./configure --help
# ---------------------------------------------------------------------------


def fold_words(text: str, width: int) -> list[str]:
    """``fold -s -w WIDTH`` of one line: break after the last blank that fits, keep the blank."""
    lines: list[str] = []
    buf = ""
    for ch in text:
        if len(buf) + 1 > width:
            cut = buf.rfind(" ")
            if cut >= 0:
                lines.append(buf[:cut + 1])
                buf = buf[cut + 1:]
            else:
                lines.append(buf)
                buf = ""
            if len(buf) + 1 > width:
                lines.append(buf)
                buf = ""
        buf += ch
    if buf:
        lines.append(buf)
    return lines


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def render_configure_help(table: OptionTable | Iterable[MesonOption], builtins: Iterable[MesonOption], *,
                          available_targets: Sequence[str], cross_prefix: str, cc: str, host_cc: str,
                          static: bool, cpu: str) -> str:
    """The whole ``./configure --help`` text, in QEMU's layout."""
    options = list(table)
    names = {o.name for o in options}
    out = ["", "Usage: configure [options]", "Options: [defaults in brackets after descriptions]", "",
           "Standard options:"]

    def row(left: str, text: str) -> None:
        out.extend(_wrap_row("  " + left, text, 27, split_words=False))

    row("--help", "show this help and exit")
    row("--version", "print the version of the source tree and exit")
    row("--target-list=LIST", "build only these targets, comma separated (default: all available)")
    targets = fold_words("Available targets: " + " ".join(available_targets) if available_targets
                         else "Available targets:", 53)
    out.extend(" " * 27 + line for line in targets)
    row("--target-list-exclude=LIST", "leave these targets out of the default target list")
    out += ["", "Advanced options (experts only):"]
    row("-Dmesonoptname=val", "set a meson option (project or builtin) as is")
    row("--cross-prefix=PREFIX", f"prefix of the cross tools, may be empty [{cross_prefix}]")
    row("--cc=CC", f"C compiler for the emulator [{cc}]")
    row("--host-cc=CC", f"C compiler for programs run during the build, when cross compiling [{host_cc}]")
    row("--cxx=CXX", "C++ compiler, for meson's machine file (the core is C)")
    row("--objcc=OBJCC", "Objective-C compiler (required on Darwin hosts)")
    row("--extra-cflags=CFLAGS", "more C compiler flags (also used for C++ and Objective-C)")
    row("--extra-cxxflags=CXXFLAGS", "more C++ compiler flags")
    row("--extra-objcflags=OBJCFLAGS", "more Objective-C compiler flags")
    row("--extra-ldflags=LDFLAGS", "more linker flags")
    row("--python=PYTHON", "Python interpreter for the build")
    row("--ninja=NINJA", "ninja to run the build with")
    row("--static", f"link statically [{_yes_no(static)}]")
    row("--without-default-features", 'make every feature that is "auto" default to disabled')
    if "default_devices" in names:
        row("--without-default-devices", "leave out every device that is not needed to start a machine; "
            "name the wanted ones in configs/devices/")
    row("--with-devices-ARCH=NAME", "use configs/devices/ARCH-softmmu/NAME.mak as the device selection")
    row("--enable-debug", "debugging build: no optimization, extra runtime checks")
    row("--cpu=CPU", f"host CPU to build for [{cpu}]")
    row("--gdb=GDB-PATH", "gdb for the gdbstub tests")
    row("--disable-download", "never download subprojects")
    row("--no-cache", "do not read or write the probe cache")
    row("--clear-cache", "empty the probe cache before configuring")
    for opt in options:
        if opt.name in SKIP_OPTIONS and opt.name != "default_devices" and ":" not in opt.name:
            row(f"-D{opt.name}={metavar(opt)}", opt.description)
    out.extend(render_options_help(options, builtins).rstrip("\n").split("\n"))
    for word, text in (("system", "system emulation targets"), ("user", "user-mode emulation targets"),
                       ("linux-user", "Linux user-mode emulation targets"),
                       ("bsd-user", "BSD user-mode emulation targets"),
                       ("pie", "position independent executables")):
        out.extend(_wrap_row("  " + word, text, 18, split_words=False))
    out += ["", "NOTE: object files are built in the directory configure runs in", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# configure's argv
# ---------------------------------------------------------------------------

#: configure's own feature words (system, user, ...): not asked, --enable-X, --disable-X.
Tristate = Literal["auto", "enabled", "disabled"]


@dataclass(frozen=True)
class ConfigureRequest:
    """What a configure command line asked for; nothing is checked against the host yet.

    ``assignments`` are (meson option, value string) in command-line order: from
    the option spellings, ``-D`` and what configure's own options imply.  An
    array without choices given as ``--NAME=a:b`` becomes the meson list literal
    QEMU passes (each element in triple double quotes, see :func:`build_array_literal`).
    """

    argv: tuple[str, ...] = ()
    show_help: bool = False
    show_version: bool = False
    assignments: tuple[tuple[str, str], ...] = ()
    cross_prefix: str | None = None
    cc: str | None = None
    cxx: str | None = None
    objcc: str | None = None
    host_cc: str | None = None
    extra_cflags: tuple[str, ...] = ()
    extra_cxxflags: tuple[str, ...] = ()
    extra_objcflags: tuple[str, ...] = ()
    extra_ldflags: tuple[str, ...] = ()
    cpu: str | None = None
    target_list: tuple[str, ...] | None = None
    target_list_exclude: tuple[str, ...] = ()
    default_features: bool = True
    default_devices: bool = True
    devices: tuple[tuple[str, str], ...] = ()
    download: bool = True
    debug: bool = False
    static: bool = False
    gdb: str | None = None
    python: str | None = None
    ninja: str | None = None
    system: Tristate = "auto"
    user: Tristate = "auto"
    linux_user: Tristate = "auto"
    bsd_user: Tristate = "auto"
    pie: Tristate = "auto"
    no_cache: bool = False
    clear_cache: bool = False

    def configure_words(self) -> dict[str, str]:
        """configure's own feature words (system, user, linux-user, bsd-user, pie) -> auto | enabled | disabled."""
        return {word: getattr(self, field_name) for word, field_name in _FLAG_WORDS.items()}

    def assigned(self, name: str) -> str | None:
        """The last value assigned to ``name`` on the command line, if any."""
        found = None
        for key, value in self.assignments:
            if key == name:
                found = value
        return found


#: autoconf/RPM compatibility: accepted and ignored, as QEMU does.
IGNORED_VALUE_OPTIONS: tuple[str, ...] = (
    "--host=", "--build=", "--sbindir=", "--sharedstatedir=", "--oldincludedir=", "--datarootdir=",
    "--infodir=", "--htmldir=", "--dvidir=", "--pdfdir=", "--psdir=", "--make=", "--install=",
)
IGNORED_FLAGS: tuple[str, ...] = ("--disable-dependency-tracking",)

_VALUE_FIELDS: Mapping[str, str] = {
    "--cross-prefix=": "cross_prefix", "--cc=": "cc", "--cxx=": "cxx", "--objcc=": "objcc",
    "--host-cc=": "host_cc", "--cpu=": "cpu", "--python=": "python", "--ninja=": "ninja", "--gdb=": "gdb",
}
_FLAG_WORDS: Mapping[str, str] = {
    "system": "system", "user": "user", "linux-user": "linux_user", "bsd-user": "bsd_user", "pie": "pie",
}
_CONFIGURE_FLAGS: tuple[str, ...] = (
    "--help", "-h", "--version", "-V", "--static", "--enable-debug", "--without-default-features",
    "--with-default-devices", "--without-default-devices", "--enable-download", "--disable-download",
    "--no-cache", "--clear-cache",
    *(f"--{verb}-{word}" for word in _FLAG_WORDS for verb in ("enable", "disable")),
)
_EXTRA_FLAG_OPTIONS: tuple[str, ...] = ("--extra-cflags=", "--extra-cxxflags=", "--extra-objcflags=",
                                         "--extra-ldflags=")
_CONFIGURE_VALUE_OPTIONS: tuple[str, ...] = (*_VALUE_FIELDS, *_EXTRA_FLAG_OPTIONS, "--target-list=",
                                             "--target-list-exclude=")
_FLAG_WORD_RE = re.compile(r"--(enable|disable)-(system|user|linux-user|bsd-user|pie)")
_DEVICE_ARCH_RE = re.compile(r"[a-zA-Z0-9_-]+")
_LIST_SPLIT_RE = re.compile(r"[,\s]+")
_DEBUG_OPTIONS = ("debug_tcg", "debug_graph_lock", "debug_mutex")


def build_array_literal(value: str, separator: str = ":") -> str:
    """QEMU's ``meson_option_build_array``: ``/a:/b`` -> a list literal of triple-quoted strings.

    The value is split like the shell's field splitting with IFS=separator (a
    trailing separator ends the last element, it does not add an empty one);
    backslashes and double quotes are escaped.  Unlike QEMU's shell function, a
    space inside an element is kept.
    """
    parts = value.split(separator) if value else []
    if parts and parts[-1] == "":
        parts.pop()
    quoted = "".join('"""' + p.replace("\\", "\\\\").replace('"', '\\"') + '""",' for p in parts)
    return f"[{quoted}]"


class _SpellingIndex:
    """Spelling lookup over a table and builtins, first definition (in name order) winning."""

    def __init__(self, options: Iterable[MesonOption]) -> None:
        self.exact: dict[str, Spelling] = {}
        self.prefix: dict[str, Spelling] = {}
        for opt in sorted(options, key=lambda o: o.name):
            for sp in generated_spellings(opt):
                target = self.prefix if sp.text.endswith("=") else self.exact
                target.setdefault(sp.text, sp)

    def lookup(self, arg: str) -> tuple[Spelling, str] | None:
        if arg in self.exact:
            sp = self.exact[arg]
            assert sp.value is not None
            return sp, sp.value
        if "=" in arg:
            head, value = arg.split("=", 1)
            found = self.prefix.get(head + "=")
            if found is not None:
                return found, value
        return None

    def displays(self) -> list[str]:
        return [sp.display for sp in (*self.exact.values(), *self.prefix.values())]


def _suggest(arg: str, candidates: Sequence[str]) -> str | None:
    """The nearest spelling to ``arg`` (compared up to any ``=``), or None if nothing is close.

    A value the user gave is carried over (``--prefx=/usr`` -> ``--prefix=/usr``).
    """
    head, sep, value = arg.partition("=")
    flags: dict[str, str] = {}
    valued: dict[str, str] = {}
    for cand in candidates:
        c_head, c_sep, _ = cand.partition("=")
        (valued if c_sep else flags).setdefault(c_head, cand)
    close = difflib.get_close_matches(head, sorted({*flags, *valued}), n=1, cutoff=0.75)
    if not close:
        return None
    name = close[0]
    if name in valued and (sep or name not in flags):
        return f"{name}={value}" if sep else valued[name]
    return flags[name]


def parse_configure_args(argv: Sequence[str], table: OptionTable | Iterable[MesonOption],
                         builtins: Sequence[MesonOption] | None = None, *, windows_host: bool = False,
                         argv0: str = "./configure") -> ConfigureRequest:
    """Parse configure's arguments (without the program name) the way QEMU's configure does.

    Configure's own options win over the generated spellings; ``-D...`` is kept
    as an assignment; other words are ignored.  ``builtins`` (for ``--prefix=``,
    ``--enable-lto``, ...) default to :func:`builtin_options`, loaded only when an
    argument is not one of configure's own or the table's spellings.
    ``windows_host`` splits path lists on ``;`` instead of ``:``.
    """
    options = list(table)
    names = {o.name for o in options}
    own = _SpellingIndex(options)
    builtin_index: _SpellingIndex | None = None if builtins is None else _SpellingIndex(builtins)

    def builtin_lookup() -> _SpellingIndex:
        nonlocal builtin_index
        if builtin_index is None:
            builtin_index = _SpellingIndex(builtin_options(include_hidden=True))
        return builtin_index

    fields: dict[str, object] = {}
    assignments: list[tuple[str, str]] = []
    extra: dict[str, list[str]] = {"cflags": [], "cxxflags": [], "objcflags": [], "ldflags": []}
    devices: list[tuple[str, str]] = []
    target_list: str | None = None
    target_exclude: str | None = None

    def assign(name: str, value: str, *, only_if_known: bool = False) -> None:
        if not only_if_known or name in names:
            assignments.append((name, value))

    for arg in argv:
        if arg in ("--help", "-h"):
            fields["show_help"] = True
        elif arg in ("--version", "-V"):
            fields["show_version"] = True
            break  # QEMU prints the version as soon as it sees the option
        elif arg in IGNORED_FLAGS or arg.startswith(IGNORED_VALUE_OPTIONS):
            continue
        elif arg.startswith("-D"):
            name, sep, value = arg[2:].partition("=")
            if not sep or not name:
                raise UsageError(f"bad option {arg}: -D takes OPTION=VALUE",
                                 f"Try '{argv0} --help' for more information")
            assign(name, value)
        elif not arg.startswith("--"):
            continue  # QEMU ignores any other word
        elif arg.startswith(tuple(_VALUE_FIELDS)):
            key = arg[:arg.index("=") + 1]
            fields[_VALUE_FIELDS[key]] = arg[len(key):]
        elif arg.startswith(_EXTRA_FLAG_OPTIONS):
            kind, value = arg[len("--extra-"):].split("=", 1)
            words = value.split()
            # QEMU: --extra-cflags also goes to the C++ and Objective-C flags
            for k in (("cflags", "cxxflags", "objcflags") if kind == "cflags" else (kind,)):
                extra[k] += words
        elif arg.startswith("--target-list="):
            if target_exclude:
                raise UsageError("Can't mix --target-list with --target-list-exclude")
            target_list = arg[len("--target-list="):]
        elif arg.startswith("--target-list-exclude="):
            if target_list:
                raise UsageError("Can't mix --target-list-exclude with --target-list")
            target_exclude = arg[len("--target-list-exclude="):]
        elif arg.startswith("--with-devices-"):
            arch, sep, config = arg[len("--with-devices-"):].partition("=")
            if not _DEVICE_ARCH_RE.fullmatch(arch):
                raise UsageError("Passed bad --with-devices-FOO option", f"in {arg}: ARCH may only use [a-zA-Z0-9_-]")
            if not sep or not config:
                raise UsageError(f"{arg}: a device configuration name is needed (--with-devices-{arch}=NAME)")
            devices.append((arch, config))
        elif arg == "--static":
            fields["static"] = True
            assign("prefer_static", "true")
        elif arg == "--enable-debug":
            fields["debug"] = True
            for debug_option in _DEBUG_OPTIONS:
                assign(debug_option, "true", only_if_known=True)
            assign("optimization", "0")
        elif arg == "--without-default-features":
            fields["default_features"] = False
            assign("auto_features", "disabled")
        elif arg in ("--with-default-devices", "--without-default-devices"):
            fields["default_devices"] = arg == "--with-default-devices"
            assign("default_devices", "true" if arg == "--with-default-devices" else "false", only_if_known=True)
        elif arg in ("--enable-download", "--disable-download"):
            fields["download"] = arg == "--enable-download"
            if arg == "--disable-download":
                assign("wrap_mode", "nodownload")
        elif arg == "--no-cache":
            fields["no_cache"] = True
        elif arg == "--clear-cache":
            fields["clear_cache"] = True
        elif (word_match := _FLAG_WORD_RE.fullmatch(arg)) is not None:
            verb, word = word_match.groups()
            fields[_FLAG_WORDS[word]] = verb + "d"
            if word == "user" and verb == "disable":
                fields["linux_user"] = fields["bsd_user"] = "disabled"
        else:
            found = own.lookup(arg)
            if found is None:
                found = builtin_lookup().lookup(arg)
            if found is None:
                candidates = [*_CONFIGURE_FLAGS, *(p + "VALUE" for p in _CONFIGURE_VALUE_OPTIONS),
                              "--with-devices-ARCH=NAME", *own.displays(), *builtin_lookup().displays()]
                hint = _suggest(arg, candidates)
                raise UsageError(f"unknown option {arg}", f"Did you mean {hint}?" if hint else "",
                                 f"Try '{argv0} --help' for more information")
            spelling, value = found
            if spelling.path_list:
                value = build_array_literal(value, ";" if windows_host else ":")
            assign(spelling.option, value)

    def split_list(text: str | None) -> tuple[str, ...]:
        return tuple(p for p in _LIST_SPLIT_RE.split(text or "") if p)

    return ConfigureRequest(
        argv=tuple(argv),
        assignments=tuple(assignments),
        extra_cflags=tuple(extra["cflags"]),
        extra_cxxflags=tuple(extra["cxxflags"]),
        extra_objcflags=tuple(extra["objcflags"]),
        extra_ldflags=tuple(extra["ldflags"]),
        target_list=None if target_list is None else split_list(target_list),
        target_list_exclude=split_list(target_exclude),
        devices=tuple(devices),
        **fields,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------
# Final values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedOption:
    """One option's outcome: ``requested`` is what the defaults and the command line
    give, ``value`` what the build sees (a feature left at ``auto`` takes the
    value of ``auto_features``)."""

    option: MesonOption
    value: OptionValue
    requested: OptionValue
    explicit: bool

    @property
    def name(self) -> str:
        return self.option.name


@dataclass(frozen=True)
class ResolvedOptions(Mapping[str, OptionValue]):
    """name -> final typed value for every option of the table and the builtins given."""

    records: tuple[ResolvedOption, ...]
    passthrough: tuple[tuple[str, str], ...] = ()  # subproject / build-machine -D options, not checked
    _index: Mapping[str, ResolvedOption] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {r.name: r for r in self.records})

    def __getitem__(self, name: str) -> OptionValue:
        return self._index[name].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def record(self, name: str) -> ResolvedOption:
        return self._index[name]

    @property
    def requested(self) -> Mapping[str, OptionValue]:
        """The values before ``auto_features`` is applied."""
        return {r.name: r.requested for r in self.records}

    @property
    def explicit(self) -> frozenset[str]:
        return frozenset(r.name for r in self.records if r.explicit)


def parse_value(opt: MesonOption, text: str) -> OptionValue:
    """A ``-Dname=text`` string as ``opt``'s typed value, refused with meson 1.12.1's wording."""
    name = opt.name
    try:
        if opt.type == "boolean":
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            raise _EvalError(f'Option "{name}" value {text} is not boolean (true or false).')
        if opt.type in ("feature", "combo"):
            if text not in (opt.choices or ()):
                raise _combo_error(name, text, opt.choices or ())
            return text
        if opt.type == "integer":
            if name == "install_umask":
                if text == "preserve":
                    return text
                try:
                    return _check_integer(name, int(text, 8), 0, 0o777)
                except ValueError:
                    raise _EvalError(f'Invalid mode for option "{name}" {text!r}') from None
            try:
                number = int(text)
            except ValueError:
                raise _EvalError(f'Value string "{text}" for option "{name}" is not convertible to an integer.') \
                    from None
            return _check_integer(name, number, opt.min, opt.max)
        if opt.type == "array":
            if opt.section != "user" and name.endswith("_args") and not text.startswith("["):
                try:
                    items: list[object] = list(shlex.split(text))
                except ValueError as exc:
                    raise _EvalError(f'error in option "{name}": {exc}') from None
            else:
                items = _array_from_string(name, text)
            return _check_array(name, items, opt.choices)
        return text
    except _EvalError as exc:
        raise UsageError(str(exc)) from None


def resolve_values(table: OptionTable | Iterable[MesonOption], builtins: Iterable[MesonOption],
                   request: ConfigureRequest) -> ResolvedOptions:
    """Every option's final typed value: the default, overridden by the assignments in order.

    Names of neither the table nor ``builtins`` are looked up among all of
    meson's builtins (:func:`builtin_options` with ``include_hidden``) before they
    are refused, so the shown builtins are enough to pass here.  Subproject
    (``sub:opt``) and ``build.`` options pass through unchecked.
    """
    known: dict[str, MesonOption] = {}
    for opt in table:
        known[opt.name] = opt
    for opt in builtins:
        known.setdefault(opt.name, opt)
    values: dict[str, OptionValue] = {name: opt.value for name, opt in known.items()}
    explicit: set[str] = set()
    passthrough: list[tuple[str, str]] = []
    everything: dict[str, MesonOption] | None = None
    for name, text in request.assignments:
        if ":" in name or name.startswith("build."):
            passthrough.append((name, text))
            continue
        if name not in known:
            if everything is None:
                everything = {o.name: o for o in builtin_options(include_hidden=True)}
            if name not in everything:
                close = difflib.get_close_matches(name, sorted({*known, *everything}), n=1)
                raise UsageError(f'Unknown option: "{name}".', f'Did you mean "{close[0]}"?' if close else "",
                                 "Try './configure --help' for more information")
            known[name] = everything[name]
        values[name] = parse_value(known[name], text)
        explicit.add(name)
    auto_features = values.get("auto_features", "auto")
    records = []
    for name, opt in known.items():
        requested = values[name]
        final = auto_features if opt.type == "feature" and requested == "auto" else requested
        records.append(ResolvedOption(opt, final, requested, name in explicit))
    return ResolvedOptions(tuple(records), tuple(passthrough))
