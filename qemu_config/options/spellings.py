"""QEMU's configure spellings of meson options (the rules of QEMU's scripts/meson-buildoptions.py).

Owns how a meson option is spelled on configure's command line
(``--enable-X``, ``--disable-X``, ``--X=VALUE``, the renames of
:data:`OPTION_NAMES`, the options left without a spelling), which options
configure lists, the lookup of an argument among those spellings, and the
JSON listing of every option with its spellings.  Must not: know
configure's own options beyond what :mod:`.configure_options` says of them,
or lay out help text (that is :mod:`.helptext`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .configure_options import CONFIGURE_OPTIONS, spellings_of
from .meson_builtins import HELP_BUILTINS
from .model import MesonOption


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
#: Options configure prints its own --help line for: those one of its own options stands for.
CONFIGURE_HELP: frozenset[str] = frozenset(
    o.stands_for for o in CONFIGURE_OPTIONS if o.stands_for is not None and o.help)


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
    """Every configure spelling that sets ``opt``, as shown to users; ``-Dname=VALUE`` last.

    After the generated spellings come configure's own spellings of the
    option (``--with-default-devices``), those that do not repeat one.
    """
    shown = [s.display for s in generated_spellings(opt)]
    if opt.section == "user":
        heads = {s.partition("=")[0] for s in shown}
        shown += [s for s in spellings_of(opt.name) if s.partition("=")[0] not in heads]
    shown.append(f"-D{opt.name}=VALUE")
    return tuple(shown)


def configurable_options(table: Iterable[MesonOption], builtins: Iterable[MesonOption]) -> list[MesonOption]:
    """The options configure has spellings for: the table's, less the skipped ones, and the shown builtins."""
    chosen = [o for o in table if o.name not in SKIP_OPTIONS and ":" not in o.name]
    names = {o.name for o in chosen}
    chosen += [o for o in builtins if o.name in HELP_BUILTINS and o.name not in names]
    return sorted(chosen, key=lambda o: o.name)


def options_json(table: Iterable[MesonOption], builtins: Iterable[MesonOption] = ()) -> list[dict[str, object]]:
    """Per option: name, type, section, default, choices, min, max, description, spellings (sorted by name).

    Lists every option of the table (those configure only takes as -D too) and
    the builtins QEMU's configure shows.
    """
    table = list(table)
    rows: list[dict[str, object]] = []
    options = {o.name: o for o in configurable_options(table, builtins)}
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


class SpellingIndex:
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
