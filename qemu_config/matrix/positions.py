"""Where each key and each array element of a TOML document starts: the lines tomllib does not give.

Owns :func:`toml_positions`, which reads a document that tomllib has already
accepted and maps every key path to the line it is written on, in the form
tomllib's data has: table names and keys are strings, entries of arrays (of
tables too, however they are spelled) are indexes.  So ``[[include]]``
entries and ``include = [{...}, {...}]`` entries both have the paths
``("include", 0)``, ``("include", 1)``...  Must not: parse values (tomllib
does) or judge what the document means.  Standard library only.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the bootstrap installs tomli
    import tomli as tomllib  # type: ignore[no-redef]

#: A key path: table names and keys (str) and array indexes (int).
KeyPath = tuple["str | int", ...]

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n")


class _Reader:
    """A cursor over a valid TOML document that records where each path starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.found: dict[KeyPath, int] = {}
        self.table_arrays: dict[KeyPath, int] = {}  # concrete path of an array of tables -> entries so far

    def line(self, index: int) -> int:
        return bisect.bisect_left(self.newlines, index) + 1

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos:self.pos + count]

    def record(self, path: KeyPath, index: int) -> None:
        self.found.setdefault(path, self.line(index))

    def record_header(self, table: KeyPath, index: int) -> None:
        """A header names its table and, where not written before, the tables it lies in."""
        for depth in range(1, len(table) + 1):
            self.record(table[:depth], index)

    def skip_blanks(self, newlines: bool) -> None:
        """Skip spaces and tabs, comments, and (with ``newlines``) line ends."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def string_end(self) -> int:
        """The index just past the string that starts at the cursor."""
        text, pos = self.text, self.pos
        for quotes in ('"""', "'''"):
            if text.startswith(quotes, pos):
                index = pos + 3
                while True:
                    if quotes == '"""' and text[index] == "\\":
                        index += 2
                        continue
                    if text.startswith(quotes, index):
                        end = index + 3
                        while end < len(text) and text[end] == quotes[0] and end - index < 5:
                            end += 1  # up to two quotes may end the content
                        return end
                    index += 1
        quote = text[pos]
        index = pos + 1
        while text[index] != quote:
            index += 2 if quote == '"' and text[index] == "\\" else 1
        return index + 1

    def key(self) -> list[str]:
        """A dotted key at the cursor, each part as tomllib reads it."""
        parts: list[str] = []
        while True:
            self.skip_blanks(newlines=False)
            if self.peek() in ('"', "'"):
                end = self.string_end()
                parts.append(tomllib.loads(f"k = {self.text[self.pos:end]}")["k"])
                self.pos = end
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE_KEY_CHARS:
                    self.pos += 1
                parts.append(self.text[start:self.pos])
            self.skip_blanks(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def value(self, path: KeyPath) -> None:
        """Skip the value at the cursor, recording the paths inside it."""
        ch = self.peek()
        if ch in ('"', "'"):
            self.pos = self.string_end()
        elif ch == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip_blanks(newlines=True)
                if self.peek() == "]":
                    self.pos += 1
                    return
                self.record((*path, index), self.pos)
                self.value((*path, index))
                index += 1
                self.skip_blanks(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        elif ch == "{":
            self.pos += 1
            while True:
                self.skip_blanks(newlines=True)
                if self.peek() == "}":
                    self.pos += 1
                    return
                self.key_value(path)
                self.skip_blanks(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1

    def key_value(self, table: KeyPath) -> None:
        start = self.pos
        parts = self.key()
        for depth in range(1, len(parts) + 1):
            self.record((*table, *parts[:depth]), start)
        self.pos += 1  # the '='
        self.skip_blanks(newlines=False)
        self.value((*table, *parts))

    def concrete(self, parts: list[str]) -> KeyPath:
        """A header's key path with the current entry of each array of tables it passes through."""
        path: KeyPath = ()
        for part in parts:
            path = (*path, part)
            if path in self.table_arrays:
                path = (*path, self.table_arrays[path] - 1)
        return path

    def document(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_blanks(newlines=True)
            if self.pos >= len(self.text):
                return self.found
            start = self.pos
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                parts = self.key()
                self.pos += 2
                array = self.concrete(parts[:-1]) + (parts[-1],)
                entry = self.table_arrays.get(array, 0)
                self.table_arrays[array] = entry + 1
                table = (*array, entry)
                self.record_header(table, start)
            elif self.peek() == "[":
                self.pos += 1
                parts = self.key()
                self.pos += 1
                table = self.concrete(parts)
                self.record_header(table, start)
            else:
                self.key_value(table)


def toml_positions(text: str) -> dict[KeyPath, int]:
    """Every key path of ``text`` (a document tomllib accepts) -> the 1-based line where it is first written.

    A table's path maps to its header, a key's to the line of the key, an
    array entry's to the line where the entry starts.
    """
    return _Reader(text).document()


def line_of(positions: Mapping[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, or of the nearest enclosing path that is written down (1 if none is)."""
    for length in range(len(path), 0, -1):
        found = positions.get(path[:length])
        if found is not None:
            return found
    return 1


def format_path(path: KeyPath) -> str:
    """A key path as TOML readers write it: ``axis.pixman.values[1]``, ``include[0].af-xdp``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if part and set(part) <= _BARE_KEY_CHARS else f'"{part}"'
            text += f".{name}" if text else name
    return text
