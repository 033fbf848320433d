"""meson's option-file grammar: text -> statements.

Owns the lexer (the token set of meson 1.12.1's ``mparser.Lexer``, tried in
meson's order) and a recursive-descent parser over meson's precedence levels,
down to the node kinds the option interpreter can evaluate; anything else
(method calls, ternaries, comparisons, ...) parses to an :class:`OpaqueNode`
that evaluation refuses, as meson does.  Must not: evaluate ``option()``
calls, know option types, or read files (that is :mod:`.optionfile`).
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..limits import MAX_OPTION_NESTING


class OptionSyntaxError(Exception):
    """A lexer or parser error at ``line`` (1-based) and ``col`` (0-based), in meson's words."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True)
class Token:
    """One token: its kind (meson's token names), decoded value and position."""

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
                raise OptionSyntaxError(f"bad escape sequence {seq}: illegal Unicode character", line, col)
            return chr(code)
        if kind == "N":
            try:
                return codecs.decode(seq.encode(), "unicode_escape")
            except UnicodeDecodeError as exc:
                raise OptionSyntaxError(f"bad escape sequence {seq}: {exc.reason}", line, col) from None
        return chr(int(seq[1:], 8))
    return _ESCAPE_RE.sub(one, raw)


def _lex(text: str) -> Iterator[Token]:
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
                raise OptionSyntaxError(f"lexer: unrecognized token {raw!r}", line, col)
            pos += 1
            if kind == "dblquote":
                raise OptionSyntaxError("Double quotes are not supported. Use single quotes.", line, col)
            for name in depth:
                if kind == "l" + name:
                    depth[name] += 1
                elif kind == "r" + name:
                    depth[name] -= 1
            if sum(depth.values()) > MAX_OPTION_NESTING:
                raise OptionSyntaxError(f"brackets nested more than {MAX_OPTION_NESTING} deep: an option's "
                                        "value needs a few levels at most", line, col)
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
        yield Token(kind, value, start_line, col)


# ---------------------------------------------------------------------------
# Parser (meson's grammar and precedence, to the node kinds
# the option interpreter can evaluate; everything else is an opaque node)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A parsed expression or statement and where it starts."""

    line: int
    col: int


@dataclass(frozen=True)
class EmptyNode(Node):
    pass


@dataclass(frozen=True)
class LiteralNode(Node):
    value: str | int | bool


@dataclass(frozen=True)
class StringNode(LiteralNode):
    pass


@dataclass(frozen=True)
class IdNode(Node):
    name: str


@dataclass(frozen=True)
class Arguments:
    positional: tuple[Node, ...]
    keywords: tuple[tuple[str, Node], ...]
    order_error: bool


@dataclass(frozen=True)
class ArrayNode(Node):
    args: Arguments


@dataclass(frozen=True)
class DictNode(Node):
    pairs: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class UnaryNode(Node):
    op: str  # 'not' or '-'
    operand: Node


@dataclass(frozen=True)
class ArithNode(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class ParenNode(Node):
    inner: Node


@dataclass(frozen=True)
class CallNode(Node):
    name: str
    args: Arguments


@dataclass(frozen=True)
class OpaqueNode(Node):
    """A construct the option interpreter never evaluates successfully (method call, ternary, ...)."""


_COMPARISONS = frozenset({"equal", "nequal", "lt", "le", "gt", "ge", "in"})
_ADDSUB = {"plus": "+", "dash": "-"}
_MULDIV = {"percent": "%", "star": "*", "fslash": "/"}


class Parser:
    """Recursive descent over meson's precedence levels (assignment ... plain token)."""

    def __init__(self, text: str) -> None:
        self._tokens = _lex(text)
        self.current = Token("eof", None, 1, 0)
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
        self.current = Token("eof", None, last.line, last.col)

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
            raise OptionSyntaxError(f"Expecting {kind} got {self.current.kind}.", self.current.line, self.current.col)

    # statements ---------------------------------------------------------

    def parse(self) -> list[Node]:
        lines: list[Node] = []
        while True:
            node = self._line()
            if not isinstance(node, EmptyNode):
                lines.append(node)
            if not self._accept("eol"):
                break
        self._expect("eof")
        return lines

    def _line(self) -> Node:
        tok = self.current
        if tok.kind == "eol":
            return EmptyNode(tok.line, tok.col)
        if tok.kind in ("if", "foreach", "continue", "break"):
            raise OptionSyntaxError("Option file may only contain option definitions", tok.line, tok.col)
        return self._statement()

    def _statement(self) -> Node:
        return self._e1()

    # expressions ----------------------------------------------------------

    def _e1(self) -> Node:
        left = self._e2()
        for kind, what in (("plusassign", "Plusassignment"), ("assign", "Assignment")):
            if self._accept(kind):
                self._e1()
                if not isinstance(left, IdNode):
                    raise OptionSyntaxError(f"{what} target must be an id.", left.line, left.col)
                return OpaqueNode(left.line, left.col)
        if self._accept("questionmark"):
            if self._in_ternary:
                raise OptionSyntaxError("Nested ternary operators are not allowed.", left.line, left.col)
            self._in_ternary = True
            self._e1()
            self._expect("colon")
            self._e1()
            self._in_ternary = False
            return OpaqueNode(left.line, left.col)
        return left

    def _e2(self) -> Node:
        left = self._e3()
        while self._accept("or"):
            if isinstance(left, EmptyNode):
                raise OptionSyntaxError("Invalid or clause.", left.line, left.col)
            self._e3()
            left = OpaqueNode(left.line, left.col)
        return left

    def _e3(self) -> Node:
        left = self._e4()
        while self._accept("and"):
            if isinstance(left, EmptyNode):
                raise OptionSyntaxError("Invalid and clause.", left.line, left.col)
            self._e4()
            left = OpaqueNode(left.line, left.col)
        return left

    def _e4(self) -> Node:
        left = self._e5()
        if self._accept_any(_COMPARISONS):
            self._e5()
            return OpaqueNode(left.line, left.col)
        if self._accept("not") and self._accept("in"):
            self._e5()
            return OpaqueNode(left.line, left.col)
        return left

    def _e5(self) -> Node:
        left = self._e6()
        while True:
            op = self._accept_any(_ADDSUB)
            if not op:
                return left
            left = ArithNode(left.line, left.col, _ADDSUB[op], left, self._e6())

    def _e6(self) -> Node:
        left = self._e7()
        while True:
            op = self._accept_any(_MULDIV)
            if not op:
                return left
            left = ArithNode(left.line, left.col, _MULDIV[op], left, self._e7())

    def _e7(self) -> Node:
        tok = self.current
        if self._accept("not"):
            return UnaryNode(tok.line, tok.col, "not", self._e8())
        if self._accept("dash"):
            return UnaryNode(tok.line, tok.col, "-", self._e8())
        return self._e8()

    def _e8(self) -> Node:
        left = self._e9()
        if self._accept("lparen"):
            args = self._args()
            self._expect("rparen")
            if not isinstance(left, IdNode):
                raise OptionSyntaxError("Function call must be applied to plain id", left.line, left.col)
            left = CallNode(left.line, left.col, left.name, args)
        while True:
            if self._accept("dot"):
                left = self._method_call(left)
            elif self._accept("lbracket"):
                self._statement()
                self._expect("rbracket")
                left = OpaqueNode(left.line, left.col)
            else:
                return left

    def _method_call(self, source: Node) -> Node:
        name = self._e10()
        if not isinstance(name, IdNode):
            if isinstance(source, LiteralNode) and type(source.value) is int and isinstance(name, LiteralNode) \
                    and type(name.value) is int:
                raise OptionSyntaxError("meson does not support float numbers", source.line, source.col)
            raise OptionSyntaxError("Method name must be plain id", self.current.line, self.current.col)
        self._expect("lparen")
        self._args()
        self._expect("rparen")
        node = OpaqueNode(source.line, source.col)
        if self._accept("dot"):
            return self._method_call(node)
        return node

    def _e9(self) -> Node:
        tok = self.current
        if self._accept("lparen"):
            inner = self._statement()
            self._expect("rparen")
            return ParenNode(tok.line, tok.col, inner)
        if self._accept("lbracket"):
            args = self._args()
            self._expect("rbracket")
            return ArrayNode(tok.line, tok.col, args)
        if self._accept("lcurl"):
            pairs = self._key_values()
            self._expect("rcurl")
            return DictNode(tok.line, tok.col, pairs)
        return self._e10()

    def _e10(self) -> Node:
        tok = self.current
        if self._accept("true") or self._accept("false"):
            return LiteralNode(tok.line, tok.col, tok.kind == "true")
        if self._accept("id"):
            return IdNode(tok.line, tok.col, str(tok.value))
        if self._accept("number"):
            assert isinstance(tok.value, int)
            return LiteralNode(tok.line, tok.col, tok.value)
        if self._accept_any(_STRING_KINDS):
            return StringNode(tok.line, tok.col, str(tok.value))
        return EmptyNode(tok.line, tok.col)

    def _key_values(self) -> tuple[tuple[Node, Node], ...]:
        pairs: list[tuple[Node, Node]] = []
        key = self._statement()
        while not isinstance(key, EmptyNode):
            if not self._accept("colon"):
                raise OptionSyntaxError("Only key:value pairs are valid in dict construction.", key.line, key.col)
            pairs.append((key, self._statement()))
            if not self._accept("comma"):
                break
            key = self._statement()
        return tuple(pairs)

    def _args(self) -> Arguments:
        positional: list[Node] = []
        keywords: list[tuple[str, Node]] = []
        order_error = False
        node = self._statement()
        while not isinstance(node, EmptyNode):
            if self._accept("comma"):
                order_error = order_error or bool(keywords)
                positional.append(node)
            elif self._accept("colon"):
                if not isinstance(node, IdNode):
                    raise OptionSyntaxError("Dictionary key must be a plain identifier.", node.line, node.col)
                keywords.append((node.name, self._statement()))
                if not self._accept("comma"):
                    break
            else:
                order_error = order_error or bool(keywords)
                positional.append(node)
                break
            node = self._statement()
        return Arguments(tuple(positional), tuple(keywords), order_error)



def parse_statements(text: str) -> list[Node]:
    """The statements of an option file's text; raises :class:`OptionSyntaxError`.

    Brackets nest at most :data:`~qemu_config.limits.MAX_OPTION_NESTING` deep; an expression nested
    deeper in another way (a long chain of unary operators) is refused where the parser stood."""
    parser = Parser(text)
    try:
        return parser.parse()
    except RecursionError:
        raise OptionSyntaxError("expression nested too deeply: write the value plainly", parser.current.line,
                                parser.current.col) from None
