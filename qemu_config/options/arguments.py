"""configure's command line: argv -> :class:`ConfigureRequest`, the way QEMU's configure reads it.

Owns the walk over the arguments: configure's own options first, then QEMU's
generated spellings of the option table and of meson's builtins (loaded only
when needed), ``-D`` passthrough, the words QEMU ignores, and the
unknown-option error with its suggestion.  Must not: check values against
their options (that is :mod:`.resolution`), probe anything, or print.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError
from ..limits import non_utf8_byte
from .configure_options import (CONFIGURE_OPTIONS, FEATURE_WORDS, ConfigureOption, Flag, configure_spellings,
                                find_configure_option)
from .meson_builtins import builtin_options
from .model import MesonOption, OptionTable
from .spellings import SpellingIndex

#: configure's own feature words (system, user, ...): not asked, --enable-X, --disable-X.
Tristate = Literal["auto", "enabled", "disabled"]


@dataclass(frozen=True)
class ConfigureRequest:
    """What a configure command line asked for; nothing is checked against the host yet.

    The fields other than ``argv`` and ``assignments`` are set only by
    configure's own options, as :data:`.configure_options.CONFIGURE_OPTIONS`
    says, or keep their defaults.

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
        return {word: getattr(self, field_name) for word, field_name in FEATURE_WORDS.items()}

    def assigned(self, name: str) -> str | None:
        """The last value assigned to ``name`` on the command line, if any."""
        found = None
        for key, value in self.assignments:
            if key == name:
                found = value
        return found


_DEVICE_ARCH_RE = re.compile(r"[a-zA-Z0-9_-]+")
_LIST_SPLIT_RE = re.compile(r"[,\s]+")


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


def _require_utf8(arg: str) -> None:
    """An argument that is not UTF-8 text is refused: its value would reach C headers, scripts and meson
    files, which are UTF-8."""
    byte = non_utf8_byte(arg)
    if byte is not None:
        raise UsageError(f"{arg[:200]}: the argument is not UTF-8 text (byte 0x{byte:02x})",
                         "give every option and value in UTF-8 (check the shell's locale and the quoting)")


class _Reading:
    """What the arguments read so far have asked for; becomes the :class:`ConfigureRequest`."""

    def __init__(self, declared: frozenset[str], argv0: str) -> None:
        self.declared = declared
        self.argv0 = argv0
        self.fields: dict[str, object] = {}
        self.assignments: list[tuple[str, str]] = []
        self.words: dict[str, list[str]] = {}
        self.lists: dict[str, str] = {}
        self.devices: list[tuple[str, str]] = []

    def flag(self, flag: Flag) -> None:
        self.fields.update(flag.sets)
        for implied in flag.implies:
            if not implied.if_declared or implied.option in self.declared:
                self.assignments.append((implied.option, implied.value))

    def argument(self, option: ConfigureOption, arg: str, value: str) -> None:
        argument = option.argument
        assert argument is not None
        if argument.form == "text":
            self.fields.update((name, value) for name in argument.fields)
        elif argument.form == "words":
            for name in argument.fields:
                self.words.setdefault(name, []).extend(value.split())
        elif argument.form == "list":
            if argument.excludes is not None and self.lists.get(argument.excludes):
                other = next(o for o in CONFIGURE_OPTIONS if o.argument is not None
                             and argument.excludes in o.argument.fields)
                raise UsageError(f"Can't mix {option.name} with {other.name}")
            self.lists.update((name, value) for name in argument.fields)
        elif argument.form == "device-set":
            arch, sep, config = value.partition("=")
            if not _DEVICE_ARCH_RE.fullmatch(arch):
                raise UsageError(f"Passed bad {option.prefix}FOO option", f"in {arg}: ARCH may only use [a-zA-Z0-9_-]")
            if not sep or not config:
                raise UsageError(f"{arg}: a device configuration name is needed ({option.prefix}{arch}=NAME)")
            self.devices.append((arch, config))
        elif argument.form == "define":
            name, sep, text = value.partition("=")
            if not sep or not name:
                raise UsageError(f"bad option {arg}: {option.prefix} takes OPTION=VALUE",
                                 f"Try '{self.argv0} --help' for more information")
            self.assignments.append((name, text))

    def request(self, argv: Sequence[str]) -> ConfigureRequest:
        lists = {name: tuple(p for p in _LIST_SPLIT_RE.split(text) if p) for name, text in self.lists.items()}
        words = {name: tuple(found) for name, found in self.words.items()}
        return ConfigureRequest(argv=tuple(argv), assignments=tuple(self.assignments), devices=tuple(self.devices),
                                **lists, **words, **self.fields)  # type: ignore[arg-type]


def parse_configure_args(argv: Sequence[str], table: OptionTable | Iterable[MesonOption],
                         builtins: Sequence[MesonOption] | None = None, *, windows_host: bool = False,
                         argv0: str = "./configure") -> ConfigureRequest:
    """Parse configure's arguments (without the program name) the way QEMU's configure does.

    configure's own options (:data:`.configure_options.CONFIGURE_OPTIONS`) win
    over the generated spellings, and act in command-line order; other words
    than options are ignored.  ``builtins`` (for ``--prefix=``,
    ``--enable-lto``, ...) default to :func:`builtin_options`, loaded only when
    an argument is not one of configure's own or the table's spellings.
    ``windows_host`` splits path lists on ``;`` instead of ``:``.
    """
    options = list(table)
    generated = SpellingIndex(options)
    builtin_index: SpellingIndex | None = None if builtins is None else SpellingIndex(builtins)

    def builtin_lookup() -> SpellingIndex:
        nonlocal builtin_index
        if builtin_index is None:
            builtin_index = SpellingIndex(builtin_options(include_hidden=True))
        return builtin_index

    reading = _Reading(frozenset(o.name for o in options), argv0)
    for arg in argv:
        _require_utf8(arg)
        own = find_configure_option(arg)
        if own is not None:
            option, flag, value = own
            if flag is not None:
                reading.flag(flag)
            else:
                reading.argument(option, arg, str(value))
            if option.stops:
                break
            continue
        if not arg.startswith("--"):
            continue  # QEMU ignores any other word
        found = generated.lookup(arg)
        if found is None:
            found = builtin_lookup().lookup(arg)
        if found is None:
            candidates = [*configure_spellings(), *generated.displays(), *builtin_lookup().displays()]
            hint = _suggest(arg, candidates)
            raise UsageError(f"unknown option {arg}", f"Did you mean {hint}?" if hint else "",
                             f"Try '{argv0} --help' for more information")
        spelling, value = found
        if spelling.path_list:
            value = build_array_literal(value, ";" if windows_host else ":")
        reading.assignments.append((spelling.option, value))
    return reading.request(argv)
