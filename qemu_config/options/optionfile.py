"""meson's option files: ``option()`` calls evaluated into an :class:`OptionTable`.

Owns what meson 1.12.1's option interpreter does with the parsed statements:
which expressions may be arguments, the keywords of each option type, their
defaults and checks, reserved names, redefinitions, and finding and reading
the option file of a source directory (``meson.options`` or
``meson_options.txt``).  Errors are one :class:`UsageError` naming
``file:line``.  Must not: import meson (configure loads the option table
before it makes sure meson is installed), know configure's spellings, or
resolve command-line values (that is :mod:`.resolution`).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Union, cast

from ..errors import UsageError
from .meson_values import OptionValueError, array_from_string, check_array, check_integer, combo_error
from .model import FEATURE_CHOICES, OPTION_TYPES, Deprecation, MesonOption, OptionTable, OptionType, OptionValue
from .syntax import (ArithNode, ArrayNode, CallNode, DictNode, LiteralNode, Node, OptionSyntaxError, ParenNode,
                     StringNode, UnaryNode, parse_statements)


#: What an argument of ``option()`` evaluates to.
_Value = Union[str, int, bool, "list[_Value]", "dict[str, _Value]"]


def _reduce(node: Node) -> _Value:
    if isinstance(node, ParenNode):
        return _reduce(node.inner)
    if isinstance(node, LiteralNode):
        return node.value
    if isinstance(node, ArrayNode):
        # keyword arguments inside [...] parse, but meson ignores them unevaluated
        return [_reduce(item) for item in node.args.positional]
    if isinstance(node, DictNode):
        result: dict[str, _Value] = {}
        for key, value in node.pairs:
            if not isinstance(key, StringNode):
                raise OptionValueError("Dictionary keys must be a string literal")
            result[str(key.value)] = _reduce(value)
        return result
    if isinstance(node, UnaryNode) and node.op == "-":
        operand = _reduce(node.operand)
        if not isinstance(operand, int):  # bool is an int here, as in meson
            raise OptionValueError('Token after "-" is not a number')
        return -operand
    if isinstance(node, UnaryNode):
        operand = _reduce(node.operand)
        if not isinstance(operand, bool):
            raise OptionValueError('Token after "not" is not a a boolean')
        return not operand
    if isinstance(node, ArithNode):
        left = _reduce(node.left)
        right = _reduce(node.right)
        if not (node.op == "+" and isinstance(left, str) and isinstance(right, str)):
            raise OptionValueError('Only string concatenation with the "+" operator is allowed')
        return left + right
    raise OptionValueError("Arguments may only be string, int, bool, or array of those.")


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
    raise OptionValueError(f"{func} keyword argument {name!r} was of type {_meson_type_name(value)} "
                     f"but should have been {should}")


def _reject_unknown(func: str, kwargs: Mapping[str, object], known: frozenset[str]) -> None:
    unknown = sorted(set(kwargs) - known)
    if not unknown:
        return
    described = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known))
        described.append(f'"{name}" (did you mean "{close[0]}"?)' if close else f'"{name}"')
    raise OptionValueError(f"{func} got unknown keyword arguments {', '.join(described)}")


def _keyword(func: str, kwargs: Mapping[str, object], name: str, types: tuple[_TypeSpec, ...],
             default: object = _MISSING, required: bool = False) -> object:
    value = kwargs.get(name, _MISSING)
    if value is _MISSING:
        if required:
            raise OptionValueError(f'{func} is missing required keyword argument "{name}"')
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
        raise OptionValueError(f'option keyword argument "type" must be one of {", ".join(OPTION_TYPES)}, '
                         f"not {opt_type}")
    description = _keyword("option", kwargs, "description", (str,), default="")
    deprecated = _keyword("option", kwargs, "deprecated",
                          (bool, str, _ListOf(dict, str), _ListOf(list, str)), default=False)
    yield_ = _keyword("option", kwargs, "yield", (bool,), default=False)
    if len(positional) != 1:
        raise OptionValueError(f"option takes exactly 1 arguments, but got {len(positional)}.")
    name = positional[0]
    if not isinstance(name, str):
        raise OptionValueError(f'option argument 1 was of type "{type(name).__name__}" but should have been "str"')
    if _NAME_RE.search(name) is not None:
        raise OptionValueError("Option names can only contain letters, numbers or dashes.")
    if not name:
        raise OptionValueError("Option name must not be empty.")
    if is_reserved_name(name):
        raise OptionValueError(f"Option name {name} is reserved.")
    assert isinstance(opt_type, str) and isinstance(description, str) and isinstance(yield_, bool)
    rest = {k: v for k, v in kwargs.items() if k not in _OPTION_KEYWORDS}

    def make(value: OptionValue, choices: tuple[str, ...] | None = None,
             low: int | None = None, high: int | None = None) -> MesonOption:
        assert isinstance(opt_type, str) and isinstance(description, str) and isinstance(yield_, bool)
        return MesonOption(name=name, type=cast(OptionType, opt_type), description=description or name, value=value,
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
            raise OptionValueError('boolean option keyword argument "value" boolean options must have boolean values')
        return make(value if isinstance(value, bool) else value == "true")

    if opt_type == "combo":
        _reject_unknown("combo option", rest, frozenset({"value", "choices"}))
        value = _keyword("combo option", rest, "value", (str, type(None)), default=None)
        choices = _keyword("combo option", rest, "choices", (_ListOf(list, str, allow_empty=False),), required=True)
        assert isinstance(choices, list)
        if value is None:
            value = choices[0]
        if value not in choices:
            raise combo_error(name, value, choices)
        return make(str(value), tuple(choices))

    if opt_type == "integer":
        _reject_unknown("integer option", rest, frozenset({"value", "min", "max"}))
        raw = _keyword("integer option", rest, "value", (int, str), default=True)
        assert isinstance(raw, (int, str))
        try:
            number = int(raw)  # meson's convertor: int('  7 ') == 7, int(true) == 1
        except ValueError as exc:
            raise OptionValueError(str(exc)) from None
        low_raw = _keyword("integer option", rest, "min", (int, type(None)), default=None)
        high_raw = _keyword("integer option", rest, "max", (int, type(None)), default=None)
        assert (low_raw is None or isinstance(low_raw, int)) and (high_raw is None or isinstance(high_raw, int))
        low = None if low_raw is None else int(low_raw)  # int(): a bound written as true is 1
        high = None if high_raw is None else int(high_raw)
        return make(check_integer(name, number, low, high), None, low, high)

    if opt_type == "array":
        _reject_unknown("string array option", rest, frozenset({"value", "choices"}))
        value = _keyword("string array option", rest, "value", (_ListOf(list, str), str, type(None)), default=None)
        choices = _keyword("string array option", rest, "choices", (_ListOf(list, str),), default=[])
        assert isinstance(choices, list)
        if value is None:
            value = list(choices)
        if isinstance(value, str):
            if not value.startswith("["):
                raise OptionValueError("Value does not define an array: " + value)
            value = array_from_string(name, value)
        assert isinstance(value, list)
        items = check_array(name, value, choices)
        return make(items, tuple(choices) or None)

    # feature
    _reject_unknown("feature option", rest, frozenset({"value"}))
    value = _keyword("feature option", rest, "value", (str,), default="auto")
    if value not in ("auto", "enabled", "disabled"):
        raise OptionValueError(f'feature option keyword argument "value" must be one of auto, disabled, enabled, '
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
        statements = parse_statements(text)
    except OptionSyntaxError as exc:
        src = _source_line(text, exc.line)
        raise UsageError(f"{filename}:{exc.line}: {exc.message}", src, " " * exc.col + "^") from None
    options: dict[str, MesonOption] = {}
    for node in statements:
        try:
            if not isinstance(node, CallNode):
                raise OptionValueError("Option file may only contain option definitions")
            if node.name != "option":
                raise OptionValueError("Only calls to option() are allowed in option files.")
            if node.args.order_error:
                raise OptionValueError("All keyword arguments must be after positional arguments.")
            positional = [_reduce(arg) for arg in node.args.positional]
            kwargs: dict[str, _Value] = {}
            for key, value in node.args.keywords:
                kwargs[key] = _reduce(value)  # a repeated keyword: the last one wins
            option = _define_option(positional, kwargs, node.line)
        except OptionValueError as exc:
            raise UsageError(f"{filename}:{node.line}: {exc}", _source_line(text, node.line)) from None
        except RecursionError:       # a chain of thousands of operators
            raise UsageError(f"{filename}:{node.line}: expression nested too deeply: write the value plainly",
                             _source_line(text, node.line)[:200]) from None
        options[option.name] = option  # a redefinition replaces the first, in its place
    return OptionTable(tuple(options.values()))


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
        data = p.read_bytes()
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        raise UsageError(f"{p}:{line}: malformed option file, not UTF-8: {exc.reason} "
                         f"(byte 0x{data[exc.start]:02x}, column {column + 1})",
                         "save the file as UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{p}: cannot read option file: {exc.strerror or exc}") from None
    return parse_option_text(text, str(p))


def load_option_table(path: str | os.PathLike[str]) -> OptionTable:
    """The option table of a source directory or of an option file."""
    return parse_option_file(find_option_file(path))
