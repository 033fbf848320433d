"""Every option's final typed value, from its default and the command line's assignments.

Owns reading a ``-Dname=value`` string as the option's typed value (meson
1.12.1's rules and wording, ``c_args`` split like a shell line,
``install_umask`` in octal), the order in which assignments override one
another, ``auto_features`` applied to features left at ``auto``, and which
options were set explicitly.  Must not: parse argv (it reads a
:class:`ConfigureRequest`), or apply host defaults (configure does).
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import UsageError
from .arguments import ConfigureRequest
from .meson_builtins import builtin_options, prefix_directory_defaults
from .meson_values import OptionValueError, array_from_string, check_array, check_integer, combo_error
from .model import MesonOption, OptionTable, OptionValue


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
            raise OptionValueError(f'Option "{name}" value {text} is not boolean (true or false).')
        if opt.type in ("feature", "combo"):
            if text not in (opt.choices or ()):
                raise combo_error(name, text, opt.choices or ())
            return text
        if opt.type == "integer":
            if name == "install_umask":
                if text == "preserve":
                    return text
                try:
                    return check_integer(name, int(text, 8), 0, 0o777)
                except ValueError:
                    raise OptionValueError(f'Invalid mode for option "{name}" {text!r}') from None
            try:
                number = int(text)
            except ValueError:
                raise OptionValueError(f'Value string "{text}" for option "{name}" is not convertible to an integer.') \
                    from None
            return check_integer(name, number, opt.min, opt.max)
        if opt.type == "array":
            if opt.section != "user" and name.endswith("_args") and not text.startswith("["):
                try:
                    items: list[object] = list(shlex.split(text))
                except ValueError as exc:
                    raise OptionValueError(f'error in option "{name}": {exc}') from None
            else:
                items = array_from_string(name, text)
            return check_array(name, items, opt.choices)
        return text
    except OptionValueError as exc:
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
    for name, value in prefix_directory_defaults(str(values.get("prefix", ""))).items():
        if name in known and name not in explicit:
            values[name] = value
    auto_features = values.get("auto_features", "auto")
    records = []
    for name, opt in known.items():
        requested = values[name]
        final = auto_features if opt.type == "feature" and requested == "auto" else requested
        records.append(ResolvedOption(opt, final, requested, name in explicit))
    return ResolvedOptions(tuple(records), tuple(passthrough))
