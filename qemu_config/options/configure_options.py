"""configure's own options: one table, read by the argv parser, ``--help`` and the unknown-option suggestions.

Owns :data:`CONFIGURE_OPTIONS`: for each of configure's own options, its
spellings, whether it takes an argument and how that argument is read, its
``--help`` line (text, metavar, section, the default shown in brackets), and
what it does: the :class:`~.arguments.ConfigureRequest` fields it sets, the
meson assignments it implies, whether parsing stops after it.  The autoconf
and RPM words QEMU accepts and ignores are entries too, without a help line.
Must not: parse argv or lay out help (:mod:`.arguments` and :mod:`.helptext`
walk this table), or know QEMU's generated spellings of meson options.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, Union

#: The value a flag gives a ConfigureRequest field.
FieldValue = Union[bool, str]

#: How an option's argument is read:
#: ``text``: the field is the argument as given;
#: ``words``: the argument split on blanks, appended to each field;
#: ``list``: a list of names, split on commas and blanks when parsing ends
#: (the last one given counts);
#: ``device-set``: ``ARCH=NAME`` appended to the field as the pair (ARCH, NAME);
#: ``define``: ``NAME=VALUE``, a meson assignment passed on as is;
#: ``ignored``: accepted and dropped.
ArgumentForm = Literal["text", "words", "list", "device-set", "define", "ignored"]

#: Where an option's line goes in ``--help``: the standard or advanced
#: options, or the list of features (``system``, ``pie``, ...), by its word.
HelpSection = Literal["standard", "advanced", "features"]


@dataclass(frozen=True)
class Implied:
    """A meson assignment an option implies, ``-Doption=value``.

    With ``if_declared`` it is made only when the option table declares
    ``option`` (QEMU's ``--enable-debug`` sets the debug options it has).
    """

    option: str
    value: str
    if_declared: bool = False


@dataclass(frozen=True)
class Flag:
    """One spelling that takes no argument, and what it does.

    ``in_help`` marks the spelling ``--help`` shows for its option
    (``--disable-download``, not ``--enable-download``).
    """

    text: str
    sets: tuple[tuple[str, FieldValue], ...] = ()
    implies: tuple[Implied, ...] = ()
    in_help: bool = False


@dataclass(frozen=True)
class Argument:
    """How an option that takes an argument reads it.

    ``fields`` are the ConfigureRequest fields it fills; ``excludes`` is the
    field of another ``list`` option that must not have been given a
    non-empty value before this one (QEMU's "Can't mix" rule).
    """

    metavar: str
    form: ArgumentForm
    fields: tuple[str, ...] = ()
    excludes: str | None = None


@dataclass(frozen=True)
class ConfigureOption:
    """One of configure's own options.

    An option takes no argument (``flags``: its spellings, each with its
    effect) or one (``prefix`` is the spelling, matched as the start of the
    word, and ``argument`` says how the rest is read).  ``help`` is its line
    in ``--help`` (none: the option is accepted but not listed);
    ``shows_default`` appends ``[value]``, the value configure will use for
    the option's field; ``lists_targets`` follows the line with the
    available targets; ``shown_with`` lists it only when the option table
    declares that meson option.  ``stands_for`` is the meson option this one
    is configure's spelling of (its generated help line is then left out).
    ``stops`` ends the parse after it.
    """

    flags: tuple[Flag, ...] = ()
    prefix: str = ""
    argument: Argument | None = None
    help: str = ""
    section: HelpSection = "advanced"
    word: str = ""
    shows_default: bool = False
    lists_targets: bool = False
    shown_with: str | None = None
    stands_for: str | None = None
    stops: bool = False

    def __post_init__(self) -> None:
        if bool(self.flags) == (self.argument is not None) or bool(self.prefix) != (self.argument is not None):
            raise ValueError(f"{self.prefix or self.flags}: an option has either flags or a prefix and an argument")
        if self.section == "features" and not self.word:
            raise ValueError(f"{self.flags}: a line among the features needs its word")
        if self.help and self.section != "features" and self.flags and sum(f.in_help for f in self.flags) != 1:
            raise ValueError(f"{self.flags}: --help shows one of its flags, marked in_help")

    @property
    def name(self) -> str:
        """The option as messages name it: ``--target-list``, ``--static``."""
        return self.prefix.rstrip("=") if self.argument is not None else self.flags[0].text

    @property
    def help_label(self) -> str:
        """The left column of its ``--help`` line."""
        if self.section == "features":
            return self.word
        if self.argument is not None:
            return self.prefix + self.argument.metavar
        return next(f.text for f in self.flags if f.in_help)

    @property
    def field(self) -> str | None:
        """The ConfigureRequest field its ``[default]`` shows: the first it sets."""
        if self.argument is not None:
            return self.argument.fields[0] if self.argument.fields else None
        for flag in self.flags:
            for name, _ in flag.sets:
                return name
        return None

    @property
    def ignored(self) -> bool:
        """Accepted and dropped, as QEMU drops the autoconf words."""
        if self.argument is not None:
            return self.argument.form == "ignored"
        return all(not f.sets and not f.implies for f in self.flags)

    def fields(self) -> Iterator[str]:
        """Every ConfigureRequest field this option may set."""
        if self.argument is not None:
            yield from self.argument.fields
        for flag in self.flags:
            for name, _ in flag.sets:
                yield name

    def spellings(self) -> tuple[str, ...]:
        """Its spellings as the user sees them: each flag, or ``PREFIX`` + metavar."""
        if self.argument is not None:
            return (self.prefix + self.argument.metavar,)
        return tuple(f.text for f in self.flags)


def _switch(text: str, field: str, help_text: str, *implies: Implied, value: FieldValue = True,
            shows_default: bool = False) -> ConfigureOption:
    """An option with one flag, which sets ``field`` to ``value``."""
    return ConfigureOption(flags=(Flag(text, ((field, value),), implies, in_help=True),), help=help_text,
                           shows_default=shows_default)


def _valued(prefix: str, metavar: str, field: str, help_text: str, *, shows_default: bool = False,
            stands_for: str | None = None) -> ConfigureOption:
    """An option whose argument is the value of ``field``."""
    return ConfigureOption(prefix=prefix, argument=Argument(metavar, "text", (field,)), help=help_text,
                           shows_default=shows_default, stands_for=stands_for)


def _extra_flags(language: str, metavar: str, fields: tuple[str, ...], help_text: str) -> ConfigureOption:
    return ConfigureOption(prefix=f"--extra-{language}=", argument=Argument(metavar, "words", fields),
                           help=help_text)


def _feature_word(word: str, help_text: str, also_disables: tuple[str, ...] = ()) -> ConfigureOption:
    """``--enable-WORD`` / ``--disable-WORD``: one of configure's own features (auto unless given)."""
    field = word.replace("-", "_")
    disabled = tuple((name, "disabled") for name in (field, *also_disables))
    return ConfigureOption(flags=(Flag(f"--enable-{word}", ((field, "enabled"),)),
                                  Flag(f"--disable-{word}", disabled)),
                           help=help_text, section="features", word=word)


#: autoconf/RPM compatibility: accepted and ignored, as QEMU does.
IGNORED_VALUE_OPTIONS: tuple[str, ...] = (
    "--host=", "--build=", "--sbindir=", "--sharedstatedir=", "--oldincludedir=", "--datarootdir=",
    "--infodir=", "--htmldir=", "--dvidir=", "--pdfdir=", "--psdir=", "--make=", "--install=",
)
IGNORED_FLAGS: tuple[str, ...] = ("--disable-dependency-tracking",)

#: Every option configure itself reads, in the order of its ``--help`` lines.
CONFIGURE_OPTIONS: tuple[ConfigureOption, ...] = (
    ConfigureOption(flags=(Flag("--help", (("show_help", True),), in_help=True),
                           Flag("-h", (("show_help", True),))),
                    help="show this help and exit", section="standard"),
    ConfigureOption(flags=(Flag("--version", (("show_version", True),), in_help=True),
                           Flag("-V", (("show_version", True),))),
                    help="print the version of the source tree and exit", section="standard",
                    stops=True),  # QEMU prints the version as soon as it sees the option
    ConfigureOption(prefix="--target-list=",
                    argument=Argument("LIST", "list", ("target_list",), excludes="target_list_exclude"),
                    help="build only these targets, comma separated (default: all available)",
                    section="standard", lists_targets=True),
    ConfigureOption(prefix="--target-list-exclude=",
                    argument=Argument("LIST", "list", ("target_list_exclude",), excludes="target_list"),
                    help="leave these targets out of the default target list", section="standard"),
    ConfigureOption(prefix="-D", argument=Argument("mesonoptname=val", "define", ("assignments",)),
                    help="set a meson option (project or builtin) as is"),
    _valued("--cross-prefix=", "PREFIX", "cross_prefix", "prefix of the cross tools, may be empty",
            shows_default=True),
    _valued("--cc=", "CC", "cc", "C compiler for the emulator", shows_default=True),
    _valued("--host-cc=", "CC", "host_cc", "C compiler for programs run during the build, when cross compiling",
            shows_default=True),
    _valued("--cxx=", "CXX", "cxx", "C++ compiler, for meson's machine file (the core is C)"),
    _valued("--objcc=", "OBJCC", "objcc", "Objective-C compiler (required on Darwin hosts)"),
    # QEMU: --extra-cflags also goes to the C++ and Objective-C flags
    _extra_flags("cflags", "CFLAGS", ("extra_cflags", "extra_cxxflags", "extra_objcflags"),
                 "more C compiler flags (also used for C++ and Objective-C)"),
    _extra_flags("cxxflags", "CXXFLAGS", ("extra_cxxflags",), "more C++ compiler flags"),
    _extra_flags("objcflags", "OBJCFLAGS", ("extra_objcflags",), "more Objective-C compiler flags"),
    _extra_flags("ldflags", "LDFLAGS", ("extra_ldflags",), "more linker flags"),
    _valued("--python=", "PYTHON", "python", "Python interpreter for the build"),
    _valued("--ninja=", "NINJA", "ninja", "ninja to run the build with"),
    _switch("--static", "static", "link statically", Implied("prefer_static", "true"), shows_default=True),
    _switch("--without-default-features", "default_features", 'make every feature that is "auto" default to disabled',
            Implied("auto_features", "disabled"), value=False),
    ConfigureOption(flags=(Flag("--with-default-devices", (("default_devices", True),),
                                (Implied("default_devices", "true", if_declared=True),)),
                           Flag("--without-default-devices", (("default_devices", False),),
                                (Implied("default_devices", "false", if_declared=True),), in_help=True)),
                    help="leave out every device that is not needed to start a machine; "
                         "name the wanted ones in configs/devices/",
                    shown_with="default_devices", stands_for="default_devices"),
    ConfigureOption(prefix="--with-devices-", argument=Argument("ARCH=NAME", "device-set", ("devices",)),
                    help="use configs/devices/ARCH-softmmu/NAME.mak as the device selection"),
    _switch("--enable-debug", "debug", "debugging build: no optimization, extra runtime checks",
            Implied("debug_tcg", "true", if_declared=True), Implied("debug_graph_lock", "true", if_declared=True),
            Implied("debug_mutex", "true", if_declared=True), Implied("optimization", "0")),
    _valued("--cpu=", "CPU", "cpu", "host CPU to build for", shows_default=True),
    # QEMU checks the gdb before it passes -Dgdb: configure's own option, not the generated --gdb=
    _valued("--gdb=", "GDB-PATH", "gdb", "gdb for the gdbstub tests", stands_for="gdb"),
    ConfigureOption(flags=(Flag("--enable-download", (("download", True),)),
                           Flag("--disable-download", (("download", False),), (Implied("wrap_mode", "nodownload"),),
                                in_help=True)),
                    help="never download subprojects"),
    _switch("--no-cache", "no_cache", "do not read or write the probe cache"),
    _switch("--clear-cache", "clear_cache", "empty the probe cache before configuring"),
    _feature_word("system", "system emulation targets"),
    _feature_word("user", "user-mode emulation targets", also_disables=("linux_user", "bsd_user")),
    _feature_word("linux-user", "Linux user-mode emulation targets"),
    _feature_word("bsd-user", "BSD user-mode emulation targets"),
    _feature_word("pie", "position independent executables"),
    *(ConfigureOption(prefix=prefix, argument=Argument("VALUE", "ignored")) for prefix in IGNORED_VALUE_OPTIONS),
    *(ConfigureOption(flags=(Flag(text),)) for text in IGNORED_FLAGS),
)

#: configure's own features, word -> ConfigureRequest field (``linux-user`` -> ``linux_user``).
FEATURE_WORDS: Mapping[str, str] = {
    o.word: str(o.field) for o in CONFIGURE_OPTIONS if o.section == "features" and o.field is not None
}


def spellings_of(option: str) -> tuple[str, ...]:
    """configure's own spellings of the meson option ``option`` (``--without-default-devices``)."""
    return tuple(s for o in CONFIGURE_OPTIONS if o.stands_for == option for s in o.spellings())


_BY_FLAG: Mapping[str, tuple[ConfigureOption, Flag]] = {
    flag.text: (option, flag) for option in CONFIGURE_OPTIONS for flag in option.flags
}
# Longest first, so that a prefix is never taken for a longer one it begins.
_BY_PREFIX: tuple[ConfigureOption, ...] = tuple(
    sorted((o for o in CONFIGURE_OPTIONS if o.argument is not None), key=lambda o: -len(o.prefix)))


def find_configure_option(arg: str) -> tuple[ConfigureOption, Flag | None, str | None] | None:
    """The option ``arg`` is a spelling of: (option, the flag, None) or (option, None, its argument)."""
    found = _BY_FLAG.get(arg)
    if found is not None:
        return found[0], found[1], None
    for option in _BY_PREFIX:
        if arg.startswith(option.prefix):
            return option, None, arg[len(option.prefix):]
    return None


def configure_spellings() -> list[str]:
    """The spellings an unknown option may be a mistyping of: every one that is not ignored, nor ``-D``."""
    return [s for o in CONFIGURE_OPTIONS
            if not o.ignored and (o.argument is None or o.argument.form != "define") for s in o.spellings()]
