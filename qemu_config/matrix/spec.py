"""The matrix spec (``matrix.toml``): its grammar, its checks, and its expansion into combinations.

Owns reading a spec against the project's option table: the axes and how
each value is spelled on configure's command line (every argument checked by
configure's own parser and value rules, so that a spec cannot ask for an
argument configure would refuse), ``include`` and ``exclude`` with GitHub
Actions' matrix rules, job names, and the errors, which name the file, the
line and the key.  The README's "Feature matrix" section is the grammar's
reference.  Must not: decide a combination, probe the host, or print.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import UsageError, UserError
from ..options import (CONFIGURE_OPTIONS, FEATURE_WORDS, HELP_BUILTINS, ConfigureOption, MesonOption, OptionTable,
                       SpellingIndex, builtin_options, find_configure_option, generated_spellings,
                       parse_configure_args, parse_value, resolve_values)
from .model import Combination, ExportSettings
from .positions import KeyPath, format_path, line_of, toml_positions, tomllib
from ..storage import NotUTF8, utf8_text

#: What an axis varies, by the key that names it in ``[axis.NAME]``.
AxisKind = Literal["feature", "option", "define", "word", "switch", "argument"]
AXIS_KINDS: tuple[AxisKind, ...] = ("feature", "option", "define", "word", "switch", "argument")

#: An axis name: it is a key of include/exclude entries, a placeholder of the name template and part of job names.
AXIS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
#: A job name: GitHub's rule for job ids (GitLab takes these too).
JOB_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
JOB_NAME_MAX = 255  # GitLab refuses longer job names
#: Words GitLab CI reads as keywords, not jobs, at the top of a pipeline file.
GITLAB_RESERVED = frozenset({"image", "services", "stages", "types", "before_script", "after_script", "variables",
                             "cache", "include", "default", "workflow", "pages", "true", "false", "nil"})
#: The job name of a combination in which every axis adds nothing.
DEFAULTS_NAME = "defaults"

_TOP_KEYS = ("name", "axis", "include", "exclude", "export")
_AXIS_KEYS = (*AXIS_KINDS, "values", "cross", "absent")
_SWITCH_VALUES = ("true", "false")
_EXAMPLES = {"feature": "pixman", "option": "plugins", "define": "optimization", "word": "pie",
             "switch": "--static", "argument": "--target-list"}
_ARGUMENT_FORMS = ("text", "words", "list", "device-set")
# Flags a switch axis may not vary: they print instead of configuring, or only touch the probe cache.
_NOT_SWITCHES = frozenset({"show_help", "show_version", "no_cache", "clear_cache"})


@dataclass(frozen=True)
class AxisValue:
    """One value of an axis: its label (the value as the spec wrote it, as text) and what it adds to configure."""

    label: str
    args: tuple[str, ...]  # none (configure's default) or one argument


@dataclass(frozen=True)
class Axis:
    """One axis: what it varies (``kind`` and ``subject``), its values, whether it is crossed with the others."""

    name: str
    kind: AxisKind
    subject: str               # the option (meson name), configure word, flag or argument it varies
    values: tuple[AxisValue, ...]
    crossed: bool = True       # False: only include entries give it a value (GitHub's added keys)

    def find(self, label: str) -> AxisValue | None:
        return next((v for v in self.values if v.label == label), None)


@dataclass(frozen=True)
class MatrixEntry:
    """One include or exclude entry: (axis, value) pairs, in the order written."""

    pairs: tuple[tuple[str, AxisValue], ...]
    key: KeyPath               # ("include", 2): where it is written, for errors


@dataclass(frozen=True)
class SpecLocator:
    """Where the keys of one spec file are, to make errors that name the file, line and key."""

    path: str
    positions: Mapping[KeyPath, int] = field(compare=False, hash=False, repr=False)

    def error(self, key: KeyPath, message: str, *details: str) -> UserError:
        where = f"{self.path}:{line_of(self.positions, key)}"
        return UserError(f"{where}: {format_path(key)}: {message}" if key else f"{where}: {message}", *details)


class ArgumentChecker:
    """configure's own parser and value rules over a list of arguments, meson's builtins loaded once if needed."""

    def __init__(self, table: OptionTable, builtins: Sequence[MesonOption] | None = None) -> None:
        self.table = table
        self._builtins: tuple[MesonOption, ...] | None = None if builtins is None else tuple(builtins)

    def builtins(self) -> tuple[MesonOption, ...]:
        if self._builtins is None:
            self._builtins = builtin_options(include_hidden=True)
        return self._builtins

    def builtin(self, name: str) -> MesonOption | None:
        return next((o for o in self.builtins() if o.name == name), None)

    def problem(self, args: Sequence[str]) -> UsageError | None:
        """Why configure would refuse ``args`` as a command line, or None when it takes them."""
        try:
            try:
                request = parse_configure_args(args, self.table, self._builtins or ())
            except UsageError:
                if self._builtins is not None:
                    raise
                request = parse_configure_args(args, self.table, self.builtins())
            known = {o.name for o in self.table} | {o.name for o in self._builtins or ()}
            if any(name not in known and ":" not in name and not name.startswith("build.")
                   for name, _ in request.assignments):
                self.builtins()
            resolve_values(self.table, self._builtins or (), request)
        except UsageError as err:
            return err
        return None


@dataclass(frozen=True)
class MatrixSpec:
    """A spec as read against one option table: axes, include and exclude entries, job names, export settings."""

    path: str
    axes: tuple[Axis, ...]
    include: tuple[MatrixEntry, ...] = ()
    exclude: tuple[MatrixEntry, ...] = ()
    name_template: str | None = None
    export: ExportSettings = ExportSettings()
    where: SpecLocator | None = field(default=None, compare=False)
    checker: ArgumentChecker | None = field(default=None, compare=False, repr=False)

    def locate(self) -> SpecLocator:
        return self.where or SpecLocator(self.path, {})


class _BadValue(Exception):
    """A value an axis cannot take, with the lines that say which it can; placed by the caller."""

    def __init__(self, *details: str) -> None:
        super().__init__(*details)
        self.details = details


def _label(raw: object) -> str | None:
    """A TOML value as an axis value's label: text, booleans as true/false, integers in decimal."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, str)):
        return str(raw)
    return None


def _nearest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def _is_feature(opt: MesonOption) -> bool:
    """A feature option, or a combo that can be enabled and disabled (fdt)."""
    return opt.type == "feature" or (opt.type == "combo" and {"enabled", "disabled"} <= set(opt.choices or ()))


def _own_spellings(opt: MesonOption) -> dict[str, str]:
    """configure's own flags that stand for ``opt``, by the value they give it (--without-default-devices)."""
    found: dict[str, str] = {}
    for own in CONFIGURE_OPTIONS:
        if own.stands_for == opt.name:
            for flag in own.flags:
                for implied in flag.implies:
                    if implied.option == opt.name:
                        found.setdefault(implied.value, flag.text)
    return found


def spell_option(opt: MesonOption, label: str) -> tuple[str, ...]:
    """``opt`` set to ``label`` on configure's command line, in configure's spelling.

    The flag that gives the value (``--enable-X``, ``--disable-X``,
    ``--without-default-devices``), else ``--X=VALUE`` where configure has it,
    else ``-DNAME=VALUE``; ``auto`` for a feature whose default is ``auto`` adds
    nothing.  The value is checked with meson's rules first.
    """
    try:
        typed = parse_value(opt, label)
    except UsageError as err:
        raise _BadValue(*(_choices_hint(opt) or (err.message,))) from None
    if _is_feature(opt) and label == "auto" and opt.value == "auto":
        return ()
    value = ("true" if typed else "false") if isinstance(typed, bool) else label
    spellings = generated_spellings(opt)
    for spelling in spellings:
        if spelling.value == value:
            return (spelling.text,)
    own = _own_spellings(opt)
    if value in own:
        return (own[value],)
    for spelling in spellings:
        if spelling.text.endswith("="):
            return (spelling.text + label,)
    return (f"-D{opt.name}={label}",)


def _choices_hint(opt: MesonOption) -> tuple[str, ...]:
    if opt.type == "boolean":
        return (f"{opt.name} is a boolean: its values are true and false",)
    if opt.choices:
        return (f"{opt.name} takes {', '.join(opt.choices)}",)
    return ()


def _sanitize(text: str) -> str:
    """Text made usable in a job name: other characters become '-', runs of '-' one, none at the ends."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9_-]+", "-", text)).strip("-")


def _fragment(axis: Axis, value: AxisValue) -> str:
    """What a value contributes to a default job name."""
    if not value.args:
        return ""
    if value.label in ("enabled", "true"):
        return axis.name
    if value.label in ("disabled", "false"):
        return f"no-{axis.name}"
    return f"{axis.name}-{value.label}"


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _template_axes(template: str) -> list[str | None]:
    """The axis names a template's placeholders name; None for a lone brace."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(0) not in ("{{", "}}")]


def _render_template(template: str, labels: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        return labels.get(match.group(1) or "", "")
    return _PLACEHOLDER.sub(substitute, template)


class _Reader:
    """Reads one spec's data (from tomllib) into a :class:`MatrixSpec`, failing at the first mistake."""

    def __init__(self, where: SpecLocator, checker: ArgumentChecker) -> None:
        self.where = where
        self.checker = checker
        self.table = checker.table
        self.spellers: dict[str, Callable[[str], tuple[str, ...]]] = {}  # axis name -> how its values are spelled

    def fail(self, key: KeyPath, message: str, *details: str) -> UserError:
        return self.where.error(key, message, *details)

    def unknown_keys(self, key: KeyPath, data: Mapping[str, object], allowed: Sequence[str], what: str) -> None:
        for name in data:
            if name not in allowed:
                raise self.fail((*key, name), f"unknown key {name!r} in {what}",
                                _nearest(name, allowed), f"next: {what} takes {', '.join(allowed)}")

    def read(self, data: Mapping[str, object]) -> MatrixSpec:
        self.unknown_keys((), data, _TOP_KEYS, "a matrix spec")
        axes_data = data.get("axis", {})
        if not isinstance(axes_data, dict) or not axes_data:
            raise self.fail(("axis",), "the spec declares no axis",
                            "next: declare one, e.g. [axis.pixman] with feature = \"pixman\" and "
                            "values = [\"enabled\", \"disabled\"]")
        axes: list[Axis] = []
        varied: dict[tuple[str, str], str] = {}
        for name, axis_data in axes_data.items():
            axis, subject_key = self.axis(name, axis_data)
            if subject_key in varied:
                raise self.fail(("axis", name), f"axes {varied[subject_key]!r} and {name!r} both vary {axis.subject}",
                                "next: vary it in one axis, with all the values it should take")
            varied[subject_key] = name
            axes.append(axis)
        by_name = {a.name: a for a in axes}
        template = data.get("name")
        if template is not None:
            self.check_template(template, by_name)
        exclude = self.entries("exclude", data.get("exclude", []), by_name)
        include = self.entries("include", data.get("include", []), by_name)
        return MatrixSpec(path=self.where.path, axes=tuple(axes), include=include, exclude=exclude,
                          name_template=template, export=self.export(data.get("export", {})),
                          where=self.where, checker=self.checker)

    # -- axes --------------------------------------------------------------------------------------

    def axis(self, name: str, data: object) -> tuple[Axis, tuple[str, str]]:
        key: KeyPath = ("axis", name)
        if not AXIS_NAME.fullmatch(name):
            raise self.fail(key, f"{name!r} cannot name an axis",
                            "next: start it with a letter, and use only letters, digits, '-' and '_'")
        if not isinstance(data, dict):
            raise self.fail(key, "an axis is a table",
                            f"next: write [axis.{name}] with what it varies ({', '.join(AXIS_KINDS)}) and its values")
        self.unknown_keys(key, data, _AXIS_KEYS, "an axis")
        kinds = [k for k in AXIS_KINDS if k in data]
        if len(kinds) != 1:
            said = f"names {' and '.join(kinds)}" if kinds else "does not say what it varies"
            raise self.fail(key, f"the axis {said}",
                            f"next: give exactly one of {', '.join(f'{k} = ...' for k in AXIS_KINDS)}")
        kind = kinds[0]
        subject = data[kind]
        if not isinstance(subject, str) or not subject:
            raise self.fail((*key, kind), f"{kind} names what the axis varies: a non-empty string",
                            f"next: e.g. {kind} = \"{_EXAMPLES[kind]}\"")
        crossed = data.get("cross", True)
        if not isinstance(crossed, bool):
            raise self.fail((*key, "cross"), "cross is true or false",
                            "next: cross = false for an axis that only include entries set")
        raw_values = data.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            raise self.fail((*key, "values") if "values" in data else key, "an axis needs a non-empty list of values",
                            "next: values = [...], the values the axis takes")
        subject, subject_key, spell = self.speller(key, kind, subject, data)
        self.spellers[name] = spell
        values: list[AxisValue] = []
        for index, raw in enumerate(raw_values):
            value = self.value((*key, "values", index), kind, subject, raw, spell)
            if any(v.label == value.label for v in values):
                raise self.fail((*key, "values", index), f"the value {value.label!r} is listed twice",
                                "next: list each value once")
            values.append(value)
        if "absent" in data and not any(v.label == data["absent"] for v in values):
            raise self.fail((*key, "absent"), f"absent = {data['absent']!r} is not one of the axis's values",
                            "next: name the value that stands for configure's default (no argument)")
        return Axis(name, kind, subject, tuple(values), crossed), subject_key

    def value(self, key: KeyPath, kind: str, subject: str, raw: object,
              spell: Callable[[str], tuple[str, ...]]) -> AxisValue:
        """One value of an axis, spelled and checked by configure's parser."""
        label = _label(raw)
        if label is None:
            raise self.fail(key, f"{raw!r} is not a value: values are strings, booleans or integers",
                            "next: write it as a string")
        try:
            args = spell(label)
        except _BadValue as bad:
            raise self.fail(key, f"{label!r} is not a value of {kind} {subject}", *bad.details,
                            "next: correct the value") from None
        problem = self.checker.problem(args)
        if problem is not None:
            raise self.fail(key, f"configure refuses {' '.join(args)}: {problem.message}",
                            *(d for d in problem.details if not d.startswith("Try ")),
                            "next: correct the value (see ./configure --help)")
        return AxisValue(label, args)

    def speller(self, key: KeyPath, kind: str, subject: str,
                data: Mapping[str, object]) -> tuple[str, tuple[str, str], Callable[[str], tuple[str, ...]]]:
        """The subject as its kind names it, a key that says what it varies, and how its values are spelled."""
        if "absent" in data and kind != "argument":
            raise self.fail((*key, "absent"), "absent belongs to argument axes",
                            f"next: a {kind} axis adds nothing for configure's default value by itself")
        if kind in ("feature", "option"):
            opt = self.option(key, kind, subject)
            return opt.name, ("option", opt.name), lambda label: spell_option(opt, label)
        if kind == "define":
            name = subject.removeprefix("-D")
            if ":" not in name and name not in self.table and self.checker.builtin(name) is None:
                raise self.fail((*key, kind), f"unknown meson option {name!r}",
                                _nearest(name, [*self.table.names(), *(o.name for o in self.checker.builtins())]),
                                "next: define takes an option of meson_options.txt or one of meson's builtins")
            return name, ("option", name), lambda label: (f"-D{name}={label}",)
        if kind == "word":
            if subject not in FEATURE_WORDS:
                raise self.fail((*key, kind), f"{subject!r} is not one of configure's own words",
                                _nearest(subject, FEATURE_WORDS), f"next: the words are {', '.join(FEATURE_WORDS)}")
            return subject, ("word", subject), lambda label: self.spell_word(subject, label)
        if kind == "switch":
            option = self.switch(key, subject)
            return subject, ("switch", option.name), lambda label: self.spell_switch(label, subject)
        name, option = self.argument(key, subject)
        absent = data.get("absent")
        if absent is not None and not isinstance(absent, str):
            raise self.fail((*key, "absent"), "absent names one of the axis's values (a string)",
                            "next: e.g. absent = \"native\", the value that adds no argument")
        return name, ("argument", name if option.argument and option.argument.form == "device-set" else option.name), \
            lambda label: () if label == absent else (f"{name}={label}",)

    def option(self, key: KeyPath, kind: str, subject: str) -> MesonOption:
        name = subject.replace("-", "_")
        opt = self.table.get(name) or self.table.get(subject)
        if opt is None and kind == "option" and name in HELP_BUILTINS:
            opt = self.checker.builtin(name)
        if kind == "feature":
            features = [o.name for o in self.table if _is_feature(o)]
            if opt is None or not _is_feature(opt):
                what = f"{opt.name} is a {opt.type} option" if opt is not None else f"unknown feature {subject!r}"
                raise self.fail((*key, kind), what, _nearest(name, features),
                                "next: option = \"...\" varies the other options" if opt is not None
                                else f"next: the features of meson_options.txt are {', '.join(features)}")
            return opt
        if opt is None:
            raise self.fail((*key, kind), f"unknown option {subject!r}",
                            _nearest(name, [*self.table.names(), *HELP_BUILTINS]),
                            "next: option takes an option of meson_options.txt or a builtin configure spells "
                            "(prefix, libdir, ...); define = \"...\" gives any meson option as -Dname=value")
        if _is_feature(opt):
            raise self.fail((*key, kind), f"{opt.name} is a feature", f"next: write feature = \"{opt.name}\"")
        return opt

    @staticmethod
    def spell_word(word: str, label: str) -> tuple[str, ...]:
        flags = {"enabled": (f"--enable-{word}",), "disabled": (f"--disable-{word}",), "auto": ()}
        if label not in flags:
            raise _BadValue(f"{word} takes {', '.join(flags)}")
        return flags[label]

    @staticmethod
    def spell_switch(label: str, flag: str) -> tuple[str, ...]:
        if label not in _SWITCH_VALUES:
            raise _BadValue("a switch is true (given) or false (not given)")
        return (flag,) if label == "true" else ()

    def switch(self, key: KeyPath, flag: str) -> ConfigureOption:
        switches = {f.text: o for o in CONFIGURE_OPTIONS if o.section != "features" and not o.ignored
                    and not o.stops for f in o.flags if not any(name in _NOT_SWITCHES for name, _ in f.sets)}
        if flag in switches:
            return switches[flag]
        own = find_configure_option(flag)
        nearest = ""
        if own is not None and own[0].section == "features":
            hint = f"next: write word = \"{own[0].word}\" with values among enabled, disabled, auto"
        elif own is not None:
            hint = f"next: {flag} takes no part in what configure decides, or takes an argument (argument = ...)"
        else:
            found = SpellingIndex(self.table).lookup(flag)
            hint = (f"next: {flag} sets the option {found[0].option}: write option = or feature = "
                    f"\"{found[0].option}\"" if found else f"next: the switches are {', '.join(sorted(switches))}")
            nearest = "" if found else _nearest(flag, switches)
        raise self.fail((*key, "switch"), f"{flag!r} is not one of configure's own switches", nearest, hint)

    def argument(self, key: KeyPath, subject: str) -> tuple[str, ConfigureOption]:
        name = subject.removesuffix("=")
        own = find_configure_option(name + "=") if name.startswith("--") else None
        if own is not None and own[0].argument is not None and own[0].argument.form in _ARGUMENT_FORMS:
            # the name is the option's own, or for --with-devices-ARCH the option and an ARCH
            if (len(name) > len(own[0].prefix)) == (own[0].argument.form == "device-set"):
                return name, own[0]
        generated = SpellingIndex(self.table).lookup(name + "=x")
        if name.startswith("-D"):
            hint = f"next: write define = \"{name[2:]}\""
        elif generated is not None:
            hint = f"next: {name}= sets the meson option {generated[0].option}: write option = \"{generated[0].option}\""
        else:
            hint = "next: argument takes one of configure's own options that take a value (--target-list, " \
                   "--cross-prefix, --cpu, --extra-cflags, --with-devices-ARCH, ...)"
        choices = [o.name for o in CONFIGURE_OPTIONS if o.argument is not None and o.argument.form in _ARGUMENT_FORMS]
        raise self.fail((*key, "argument"), f"{subject!r} is not one of configure's own options that take a value",
                        _nearest(name, choices), hint)

    # -- names, entries, export ---------------------------------------------------------------------

    def check_template(self, template: object, axes: Mapping[str, Axis]) -> None:
        if not isinstance(template, str) or not template.strip():
            raise self.fail(("name",), "name is a template string such as \"{pixman}-{static}\"",
                            "next: write a template, or leave name out for names made of the values")
        for placeholder in _template_axes(template):
            if placeholder is None:
                raise self.fail(("name",), "a lone brace in the name template",
                                "next: write {{ or }} for a brace, {AXIS} for an axis's value")
            if placeholder not in axes:
                raise self.fail(("name",), f"the name template names {{{placeholder}}}, which is not an axis",
                                _nearest(placeholder, axes), f"next: the axes are {', '.join(axes)}")

    def entries(self, section: str, data: object, axes: Mapping[str, Axis]) -> tuple[MatrixEntry, ...]:
        if not isinstance(data, list):
            raise self.fail((section,), f"{section} is a list of entries",
                            f"next: write each entry as a [[{section}]] table of axis = value")
        entries: list[MatrixEntry] = []
        for index, entry in enumerate(data):
            key: KeyPath = (section, index)
            if not isinstance(entry, dict) or not entry:
                raise self.fail(key, f"an {section} entry is a table of axis = value, with at least one axis",
                                "next: e.g. pixman = \"enabled\"")
            pairs: list[tuple[str, AxisValue]] = []
            for name, raw in entry.items():
                pairs.append((name, self.entry_value((*key, name), section, axes, name, raw)))
            entries.append(MatrixEntry(tuple(pairs), key))
        return tuple(entries)

    def entry_value(self, key: KeyPath, section: str, axes: Mapping[str, Axis], name: str, raw: object) -> AxisValue:
        axis = axes.get(name)
        if axis is None:
            raise self.fail(key, f"{section} names the axis {name!r}, which the spec does not declare",
                            _nearest(name, axes),
                            f"next: declare it ([axis.{name}], with cross = false if only include entries set it) "
                            f"or use one of {', '.join(axes)}")
        label = _label(raw)
        if label is None:
            raise self.fail(key, f"{raw!r} is not a value: values are strings, booleans or integers",
                            "next: write it as a string")
        known = axis.find(label)
        if section == "exclude":
            if not axis.crossed:
                raise self.fail(key, f"exclude names {name!r}, an axis that is not crossed (cross = false)",
                                "include entries are applied after exclude, so only crossed axes can be matched",
                                "next: exclude by the crossed axes' values")
            if known is None:
                raise self.fail(key, f"unknown value {label!r} of the axis {name!r}",
                                f"the axis's values are {', '.join(v.label for v in axis.values)}",
                                "next: exclude one of them, or add the value to the axis")
            return known
        if known is not None:
            return known
        return self.value(key, axis.kind, axis.subject, raw, self.spellers[name])

    def export(self, data: object) -> ExportSettings:
        key: KeyPath = ("export",)
        if not isinstance(data, dict):
            raise self.fail(key, "export is a table", "next: write an [export] table")
        self.unknown_keys(key, data, ("build", "github", "gitlab"), "[export]")
        settings: dict[str, object] = {}
        if "build" in data:
            settings["build"] = self.commands((*key, "build"), data["build"])
        for ci, place, field_name in (("github", "runs-on", "github_runs_on"), ("gitlab", "image", "gitlab_image")):
            section = data.get(ci, {})
            if not isinstance(section, dict):
                raise self.fail((*key, ci), f"export.{ci} is a table", f"next: write an [export.{ci}] table")
            self.unknown_keys((*key, ci), section, (place, "setup"), f"[export.{ci}]")
            if place in section:
                if not isinstance(section[place], str) or not section[place]:
                    raise self.fail((*key, ci, place), f"{place} is a non-empty string",
                                    f"next: e.g. {place} = \"{getattr(ExportSettings(), field_name)}\"")
                settings[field_name] = section[place]
            if "setup" in section:
                settings[f"{ci}_setup"] = self.commands((*key, ci, "setup"), section["setup"])
        return ExportSettings(**settings)  # type: ignore[arg-type]

    def commands(self, key: KeyPath, data: object) -> tuple[str, ...]:
        if not isinstance(data, list) or not all(isinstance(c, str) and c.strip() for c in data):
            raise self.fail(key, "a list of shell commands, as strings", "next: e.g. [\"make\", \"make check\"]")
        return tuple(data)


def load_spec(path: str | os.PathLike[str], table: OptionTable,
              builtins: Sequence[MesonOption] | None = None) -> MatrixSpec:
    """Read and check the matrix spec at ``path`` against the project's option table.

    ``builtins`` are meson's builtin options (default: every builtin, asked of
    the pinned meson the first time an argument needs them).  Every mistake is
    one :class:`UserError` that names the file, the line and the key.
    """
    shown = os.fspath(path)
    try:
        text = utf8_text(Path(path).read_bytes())
    except NotUTF8 as exc:
        raise UserError(f"{shown}:{exc.line}: {exc}", "next: save the matrix spec as UTF-8") from None
    except OSError as exc:
        raise UserError(f"cannot read the matrix spec {shown}: {exc.strerror}",
                        "next: name a matrix.toml (its grammar: README, \"Feature matrix\")") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = found.group(1) if found else text.count("\n") + 1  # tomllib says "at end of document"
        raise UserError(f"{shown}:{line}: not valid TOML: {exc}",
                        "next: fix the syntax (https://toml.io)") from None
    where = SpecLocator(shown, toml_positions(text))
    return _Reader(where, ArgumentChecker(table, builtins)).read(data)


def _names(spec: MatrixSpec, chosen: Sequence[dict[str, AxisValue]], originals: int) -> list[str]:
    """Each combination's job name: the template's, or one made of its values.

    A made name joins what each value contributes (:func:`_fragment`): the
    crossed axes' values for a combination of the cross product (what include
    entries add to it is in its arguments), every value for one an include
    entry made.
    """
    names = []
    for index, values in enumerate(chosen):
        if spec.name_template is not None:
            name = _sanitize(_render_template(spec.name_template, {k: v.label for k, v in values.items()}))
        else:
            named = [a for a in spec.axes if a.name in values and (a.crossed or index >= originals)]
            name = _sanitize("-".join(f for a in named for f in (_fragment(a, values[a.name]),) if f)) or DEFAULTS_NAME
        names.append(name)
    return names


@dataclass
class _Chosen:
    """A combination being expanded: each axis's value and where the spec gave it (for errors)."""

    values: dict[str, AxisValue]
    origins: dict[str, KeyPath]

    def add(self, entry: MatrixEntry, names: Iterable[str]) -> None:
        for name, value in entry.pairs:
            if name in names:
                self.values[name] = value
                self.origins[name] = (*entry.key, name)


def expand(spec: MatrixSpec) -> tuple[Combination, ...]:
    """The combinations of a spec, in order: the cross product, less ``exclude``, with ``include`` applied.

    GitHub Actions' rules: an exclude entry removes every combination of the
    cross product that has all of its values (a partial match); then each
    include entry, in order, is added to every remaining combination of the
    cross product whose crossed values it does not contradict (it may replace
    values an earlier include entry added, never a crossed one); an include
    entry that fits no such combination becomes a combination of its own, which
    later entries do not extend.  Each combination's arguments follow the
    order of the axes.  Job names must be unique and valid CI job ids, and
    configure must take every combination's arguments together.
    """
    crossed = [a for a in spec.axes if a.crossed]
    crossed_names = {a.name for a in crossed}
    product = [{a.name: (value, a.values.index(value)) for a, value in zip(crossed, values)}
               for values in itertools.product(*(a.values for a in crossed))] if crossed else []
    kept = [c for c in product
            if not any(all(c[name][0].label == value.label for name, value in entry.pairs) for entry in spec.exclude)]
    chosen = [_Chosen({name: value for name, (value, _) in c.items()},
                      {name: ("axis", name, "values", index) for name, (_, index) in c.items()}) for c in kept]
    originals = len(chosen)
    for entry in spec.include:
        entry_names = [name for name, _ in entry.pairs]
        fits = [c for c in chosen[:originals] if all(c.values[name].label == value.label
                                                     for name, value in entry.pairs if name in crossed_names)]
        for combination in fits:
            combination.add(entry, [n for n in entry_names if n not in crossed_names])
        if not fits:
            new = _Chosen({}, {})
            new.add(entry, entry_names)
            chosen.append(new)
    if not chosen:
        raise spec.locate().error(("exclude",), "the matrix is empty: exclude removes every combination of the axes",
                                  "next: exclude fewer combinations, or add some with include entries")
    names = _names(spec, [c.values for c in chosen], originals)
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen:
            raise _duplicate(spec, chosen, seen[name], index, name)
        seen[name] = index
        _check_job_name(spec, name, chosen[index])
    combinations = []
    for name, combination in zip(names, chosen):
        present = [a for a in spec.axes if a.name in combination.values]
        made = Combination(name=name, args=tuple(arg for a in present for arg in combination.values[a.name].args),
                           axes=tuple((a.name, combination.values[a.name].label) for a in present))
        _check_together(spec, made, present, combination)
        combinations.append(made)
    return tuple(combinations)


def _describe(chosen: _Chosen) -> str:
    return ", ".join(f"{name} = {value.label}" for name, value in chosen.values.items()) or "no axis"


def _duplicate(spec: MatrixSpec, chosen: Sequence[_Chosen], first: int, second: int, name: str) -> UserError:
    a, b = chosen[first], chosen[second]
    if spec.name_template is not None:
        key: KeyPath = ("name",)
        remedy = "next: add placeholders to the template that tell them apart"
    else:
        differing = [axis.name for axis in spec.axes if a.values.get(axis.name) != b.values.get(axis.name)]
        key = b.origins.get(differing[0], ("axis", differing[0])) if differing \
            else next(iter(b.origins.values()), ("axis",))
        remedy = "next: give the values that collide labels that differ in letters or digits, or write a name " \
                 "template (name = \"...\")"
    return spec.locate().error(key, f"two combinations are both named {name!r}",
                               f"combination {first + 1}: {_describe(a)}", f"combination {second + 1}: {_describe(b)}",
                               remedy)


def _check_job_name(spec: MatrixSpec, name: str, chosen: _Chosen) -> None:
    problem = None
    if not JOB_NAME.fullmatch(name):
        problem = "a job name starts with a letter or '_' (GitHub's rule for job ids)"
    elif len(name) > JOB_NAME_MAX:
        problem = f"a job name has at most {JOB_NAME_MAX} characters (GitLab's limit)"
    elif name in GITLAB_RESERVED:
        problem = "GitLab CI reads it as a keyword, not a job"
    if problem is not None:
        key: KeyPath = ("name",) if spec.name_template is not None else next(iter(chosen.origins.values()), ("axis",))
        raise spec.locate().error(key, f"the job name {name!r} cannot be used: {problem}",
                                  f"the combination: {_describe(chosen)}",
                                  "next: write a name template (name = \"...\") that gives it another name")


def _check_together(spec: MatrixSpec, combination: Combination, present: Sequence[Axis], chosen: _Chosen) -> None:
    """configure takes the combination's arguments together; else an error at the value that makes it refuse."""
    checker = spec.checker
    if checker is None or checker.problem(combination.args) is None:
        return
    args: list[str] = []
    for axis in present:
        args.extend(chosen.values[axis.name].args)
        problem = checker.problem(args)
        if problem is not None:
            raise spec.locate().error(chosen.origins[axis.name],
                                      f"configure refuses the combination {combination.name}: {problem.message}",
                                      f"arguments: {' '.join(combination.args)}",
                                      "next: exclude it ([[exclude]] with these values), or change the axes")
