"""The minikconf language: scanner and recursive-descent parser.

Owns reading one file into a :class:`~.model.ParsedFile`: the tokens (as in
QEMU's scripts/minikconf.py: identifiers start with a character for which
``str.isalnum()`` holds and go on with ``isalnum()`` or ``_``; whitespace is
``str.isspace()``; ``#`` comments; ``source``/``include`` take the rest of the
line), the grammar (``||`` binds tighter than ``&&``) and the error messages
with ``file:line:col`` (tabs expand to 8-column stops).  It does not follow
includes (the solver does, so that a file is parsed once however often it is
read) and does not decide whether symbols exist.

A syntax error does not raise here: the file's items stop at the error and
``ParsedFile.failure`` records it, so that includes seen before the error are
still processed first, as the original does.
"""

from __future__ import annotations

import os
import re

from ..limits import MAX_KCONFIG_BYTES, read_regular_file
from .expr import Expr, Not, Sym, conj, disj
from .model import (Assignment, Declaration, Default, DependsOn, Include, Item, Location, ParsedFile,
                    ParseFailure, Select)

(T_LPAREN, T_RPAREN, T_EQUAL, T_AND, T_OR, T_NOT, T_DEPENDS, T_ON, T_SELECT, T_IMPLY, T_CONFIG,
 T_DEFAULT, T_Y, T_N, T_SOURCE, T_BOOL, T_IF, T_ID, T_EOF) = range(19)

TOKEN_NAMES: dict[int, str] = {
    T_LPAREN: '"("', T_RPAREN: '")"', T_EQUAL: '"="', T_AND: '"&&"', T_OR: '"||"', T_NOT: '"!"',
    T_DEPENDS: '"depends"', T_ON: '"on"', T_SELECT: '"select"', T_IMPLY: '"imply"',
    T_CONFIG: '"config"', T_DEFAULT: '"default"', T_Y: '"y"', T_N: '"n"', T_SOURCE: '"source"',
    T_BOOL: '"bool"', T_IF: '"if"', T_ID: "identifier", T_EOF: "end of file",
}

KEYWORDS: dict[str, int] = {
    "depends": T_DEPENDS, "on": T_ON, "select": T_SELECT, "imply": T_IMPLY, "config": T_CONFIG,
    "default": T_DEFAULT, "y": T_Y, "n": T_N, "bool": T_BOOL, "if": T_IF,
    "source": T_SOURCE, "include": T_SOURCE,
}

_PUNCTUATION: dict[str, int] = {"=": T_EQUAL, "(": T_LPAREN, ")": T_RPAREN, "!": T_NOT}
_PROPERTY_TOKENS = frozenset((T_DEFAULT, T_DEPENDS, T_SELECT, T_BOOL, T_IMPLY))
_CLAUSE_START_TOKENS = frozenset((T_SOURCE, T_CONFIG, T_ID, T_EOF))

# re's \w (Unicode) is exactly str.isalnum() or "_", and \s is str.isspace().
# A word starts with an alphanumeric character (not "_").
_WORD = re.compile(r"[^\W_]\w*")
# Blanks (whitespace other than newline), comments up to the newline, and newlines.
_SKIP = re.compile(r"(?:[^\S\n]+|#[^\n]*|\n)*")

MAX_NESTING = 200


def column(src: str, line_start: int, pos: int) -> int:
    """1-based column of ``pos``, tabs expanding to the next multiple of 8."""
    col = 1
    for ch in src[line_start:pos]:
        col = col + 8 - ((col - 1) % 8) if ch == "\t" else col + 1
    return col


class _Failure(Exception):
    def __init__(self, failure: ParseFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class _Parser:
    def __init__(self, path: str, display: str, src: str) -> None:
        if not src.endswith("\n"):
            src += "\n"
        self.path = path
        self.display = display
        self.src = src
        self.cursor = 0
        self.line = 1
        self.line_start = 0
        self.depth = 0
        self.items: list[Item] = []
        # The current token: kind, value, and where it starts (offset, line, offset of that line).
        self.kind = T_EOF
        self.value = ""
        self.pos = 0
        self.tok_line = 1
        self.tok_line_start = 0

    # -- locations and errors ------------------------------------------------

    def _loc(self, pos: int, line: int, line_start: int) -> Location:
        return Location(self.display, line, column(self.src, line_start, pos))

    def here(self) -> Location:
        """The current token's position, with its column (for errors and includes)."""
        return self._loc(self.pos, self.tok_line, self.tok_line_start)

    def line_here(self) -> Location:
        """The current token's file and line (what clauses record)."""
        return Location(self.display, self.tok_line)

    def fail(self, message: str, before: bool = True) -> _Failure:
        if before:
            message = f"{message} before {TOKEN_NAMES[self.kind]}"
        return _Failure(ParseFailure(message, self.here()))

    # -- scanner -------------------------------------------------------------

    def advance(self) -> None:
        """Scan the next token into ``kind``/``value``/``pos``/``tok_line``/``tok_line_start``."""
        src = self.src
        cursor = self.cursor
        skipped = _SKIP.match(src, cursor).end()  # type: ignore[union-attr]
        if skipped != cursor:
            newlines = src.count("\n", cursor, skipped)
            if skipped == len(src):
                # The final newline ends the file: EOF sits on it, on its line.
                self.line += newlines - 1
                if newlines > 1:
                    self.line_start = src.rfind("\n", 0, skipped - 1) + 1
                self.cursor = skipped
                self.kind, self.value, self.pos = T_EOF, "", skipped - 1
                self.tok_line, self.tok_line_start = self.line, self.line_start
                return
            if newlines:
                self.line += newlines
                self.line_start = src.rfind("\n", cursor, skipped) + 1
            cursor = skipped
        self.pos = cursor
        self.tok_line, self.tok_line_start = self.line, self.line_start
        ch = src[cursor]
        kind = _PUNCTUATION.get(ch)
        if kind is not None:
            self.cursor = cursor + 1
            self.kind, self.value = kind, ch
            return
        if (ch == "&" or ch == "|") and src[cursor + 1] == ch:
            self.cursor = cursor + 2
            self.kind, self.value = (T_AND if ch == "&" else T_OR), ch + ch
            return
        word = _WORD.match(src, cursor)
        if word is None:
            raise _Failure(ParseFailure(f'invalid input before "{ch}"', self._loc(cursor, self.line, self.line_start)))
        text = word.group()
        self.cursor = word.end()
        self.kind = kind = KEYWORDS.get(text, T_ID)
        self.value = text
        if kind == T_SOURCE:
            self.value = self._rest_of_line()

    def _rest_of_line(self) -> str:
        """The file name after ``source``: leading whitespace (newlines too) skipped, then up to the newline."""
        src = self.src
        cursor = self.cursor
        while cursor < len(src) and src[cursor].isspace():
            if src[cursor] == "\n":
                self.line += 1
                self.line_start = cursor + 1
            cursor += 1
        if cursor >= len(src):
            raise _Failure(ParseFailure(f'Expected file name after "{self.value}" before end of file', self.here()))
        end = src.find("\n", cursor)
        self.cursor = end
        return src[cursor:end]

    # -- grammar -------------------------------------------------------------

    def parse(self) -> ParsedFile:
        failure: ParseFailure | None = None
        try:
            self.advance()
            while self.kind != T_EOF:
                self.clause()
        except _Failure as exc:
            failure = exc.failure
        return ParsedFile(self.path, self.display, tuple(self.items), failure)

    def clause(self) -> None:
        kind = self.kind
        if kind == T_SOURCE:
            raw, loc = self.value, self.here()
            self.advance()
            # As QEMU's minikconf: joined to the including file's directory, not normalized.
            self.items.append(Include(os.path.join(os.path.dirname(self.path), raw), raw, loc))
        elif kind == T_CONFIG:
            loc = self.line_here()
            self.advance()
            name = self.var()
            self.items.append(Declaration(name, loc))
            self.properties(name)
        elif kind == T_ID:
            self.assignment()
        else:
            raise self.fail('expected "source", "config" or identifier')

    def assignment(self) -> None:
        name, loc = self.value, self.line_here()
        if not name.startswith("CONFIG_"):
            raise self.fail('Expected identifier starting with "CONFIG_"', before=False)
        self.advance()
        if self.kind != T_EQUAL:
            raise self.fail('Expected "="')
        self.advance()
        self.items.append(Assignment(name[len("CONFIG_"):], self.y_or_n(), loc))

    def properties(self, owner: str) -> None:
        while self.kind in _PROPERTY_TOKENS:
            self.property(owner)
        if self.kind not in _CLAUSE_START_TOKENS:
            raise self.fail('expected "source", "config", identifier, "default", "depends on", "imply" or "select"')

    def property(self, owner: str) -> None:
        kind, loc = self.kind, self.line_here()
        self.advance()
        if kind == T_DEFAULT:
            value = self.y_or_n()
            self.items.append(Default(owner, value, self.condition(), loc))
        elif kind == T_DEPENDS:
            if self.kind != T_ON:
                raise self.fail('Expected "on"')
            self.advance()
            self.items.append(DependsOn(owner, self.expr(), loc))
        elif kind == T_SELECT:
            target = self.var()
            self.items.append(Select(target, owner, self.condition(), loc))
        elif kind == T_IMPLY:
            target = self.var()
            self.items.append(Default(target, True, self.condition(), loc, implied_by=owner))
        # T_BOOL: nothing to record

    def y_or_n(self) -> bool:
        if self.kind == T_Y:
            self.advance()
            return True
        if self.kind == T_N:
            self.advance()
            return False
        raise self.fail('Expected "y" or "n"')

    def var(self) -> str:
        if self.kind != T_ID:
            raise self.fail("Expected identifier")
        name = self.value
        self.advance()
        return name

    def condition(self) -> Expr | None:
        if self.kind != T_IF:
            return None
        self.advance()
        return self.expr()

    def expr(self) -> Expr:
        lhs: Expr = self.disjunction()
        while self.kind == T_AND:
            self.advance()
            lhs = conj(lhs, self.disjunction())
        return lhs

    def disjunction(self) -> Expr:
        lhs: Expr = self.primary()
        while self.kind == T_OR:
            self.advance()
            lhs = disj(lhs, self.primary())
        return lhs

    def primary(self) -> Expr:
        kind = self.kind
        if kind == T_ID:
            return Sym(self.var())
        if kind != T_NOT and kind != T_LPAREN:
            raise self.fail('Expected "!" or "(" or identifier')
        if self.depth >= MAX_NESTING:
            raise self.fail(f"expression nested more than {MAX_NESTING} levels deep")
        self.depth += 1
        self.advance()
        if kind == T_NOT:
            result: Expr = Not(self.primary())
        else:
            result = self.expr()
            if self.kind != T_RPAREN:
                raise self.fail('Expected ")"')
            self.advance()
        self.depth -= 1
        return result


def parse_text(text: str, path: str, display: str | None = None) -> ParsedFile:
    """Parse ``text`` as the contents of the file at ``path`` (absolute, normalized; shown as ``display``)."""
    return _Parser(path, path if display is None else display, text).parse()


def read_text(path: str) -> str:
    """A file's text as QEMU's minikconf sees it: UTF-8, universal newlines.

    Raises ``OSError`` also for what no Kconfig file is: not a regular file (a device such as
    /dev/zero, a FIFO, a directory), larger than :data:`~qemu_config.limits.MAX_KCONFIG_BYTES`, or
    not UTF-8.
    """
    try:
        data = read_regular_file(path, MAX_KCONFIG_BYTES)
    except OSError as exc:
        if exc.errno is not None:           # the system's own error (no such file, ...): as it is
            raise
        raise OSError(f"{exc}; source and include only Kconfig and .mak files, regular files of at most "
                      f"{MAX_KCONFIG_BYTES // (1024 * 1024)} MiB") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise OSError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
