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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError
from .meson_builtins import builtin_options
from .model import MesonOption, OptionTable
from .spellings import SpellingIndex

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
    own = SpellingIndex(options)
    builtin_index: SpellingIndex | None = None if builtins is None else SpellingIndex(builtins)

    def builtin_lookup() -> SpellingIndex:
        nonlocal builtin_index
        if builtin_index is None:
            builtin_index = SpellingIndex(builtin_options(include_hidden=True))
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
