"""Source sets with the semantics of meson's ``import('sourceset')`` (meson 1.12.1).

A :class:`SourceSet` is an ordered list of rules.  Each rule has conditions
(``when``: configuration keys and dependency objects) and what it contributes
when they hold (``if_true``: sources, extra dependencies, or nested source sets
added with :meth:`SourceSet.add_all`) and when they do not (``if_false``).
Evaluating the set against a configuration (:meth:`SourceSet.apply`) or with
every key taken as true (:meth:`SourceSet.all_sources`,
:meth:`SourceSet.all_dependencies`) yields the contributions in rule order,
nested sets expanded in place, each value kept at its first occurrence only.

Behaviour copied from meson, including its traps:

* a rule holds when every ``when`` dependency is found and every ``when`` key is
  enabled; dependencies are checked before keys, and both checks stop at the
  first failure, so a key is looked up only if everything before it passed;
* a key is enabled when its value is true for Python's ``bool()``: ``'n'`` is
  *true*, ``''``, ``0``, ``False`` and ``[]`` are false;
* ``apply(config, strict=True)`` fails on the first *evaluated* key missing
  from ``config``; with ``strict=False`` a missing key is false;
* dependencies inside ``if_true``/``if_false`` are returned whether found or not;
* the first query freezes the set, and adding a set to another freezes it.

Sources are opaque, hashable values returned unchanged (the engine uses
strings).  A dependency is any object with a ``found()`` method; two
dependencies are the same when they compare equal.  Lists and tuples given as
arguments are flattened, as meson flattens its arguments.  Every meson error is
raised as :class:`SourceSetError` carrying meson's message verbatim; wrong
Python types raise :class:`TypeError`.

Beyond meson: a rule may carry an ``origin`` label (where it was declared), and
:meth:`SourceSet.apply_with_reasons` / :meth:`SourceSet.all_sources_with_reasons`
tell, for each source, which rule contributed it first and through which
``add_all`` rules: the answer to "why is this file compiled".  Neither changes
any result.

This module owns source-set evaluation only; it imports nothing but the
standard library (it must run under plain ``python3``), and knows nothing of
where rules are declared or how the results are used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ConfigurationData",
    "Reason",
    "Rule",
    "SourceSet",
    "SourceSetError",
    "SourceSetResult",
]

Source = Any
"""A source: any hashable value, returned unchanged."""

Dependency = Any
"""A dependency: any hashable object with a ``found()`` method."""

Branch = Literal["when", "if_true", "if_false"]


class SourceSetError(Exception):
    """An error meson raises for the same program; ``args[0]`` is meson's message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class ConfigurationData:
    """The part of meson's ``configuration_data()`` that ``apply`` reads.

    Values are ``str``, ``int`` or ``bool``.  Passed to :meth:`SourceSet.apply`,
    it gets meson's configuration_data error message for a missing key; any
    other :class:`~collections.abc.Mapping` gets the dictionary one.
    """

    def __init__(self, initial: Mapping[str, str | int | bool] | None = None) -> None:
        self._values: dict[str, tuple[str | int | bool, str | None]] = {}
        for key, value in (initial or {}).items():
            self.set(key, value)

    def set(self, key: str, value: str | int | bool, description: str | None = None) -> None:
        if not isinstance(value, (str, int, bool)):
            raise TypeError(f"configuration value for {key!r} must be str, int or bool, not {type(value).__name__}")
        self._values[key] = (value, description)

    def set10(self, key: str, value: bool, description: str | None = None) -> None:
        self.set(key, 1 if value else 0, description)

    def get(self, key: str) -> str | int | bool:
        """The value of ``key``; :class:`KeyError` if it is not set."""
        return self._values[key][0]

    def description(self, key: str) -> str | None:
        return self._values[key][1]

    def keys(self) -> list[str]:
        return list(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"ConfigurationData({ {k: v for k, (v, _) in self._values.items()} !r})"


def _is_dependency(value: object) -> bool:
    return not isinstance(value, (str, SourceSet)) and callable(getattr(value, "found", None))


def _flatten(value: object) -> list[Any]:
    """meson's listify: ``None`` is nothing, lists and tuples are flattened."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out: list[Any] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    return [value]


def _dep_label(dep: Dependency) -> str:
    name = getattr(dep, "name", None)
    if callable(name):
        try:
            name = name()
        except TypeError:
            name = None
    return name if isinstance(name, str) and name else repr(dep)


@dataclass(frozen=True, eq=False)
class Rule:
    """One ``add``/``add_all`` call: conditions and contributions, as meson stores them."""

    index: int
    """Position of the rule in its source set (0-based)."""
    when: tuple[Any, ...]
    """The ``when`` conditions in the order given (keys and dependencies)."""
    keys: tuple[str, ...]
    deps: tuple[Dependency, ...]
    sources: tuple[Source, ...]
    extra_deps: tuple[Dependency, ...]
    """Dependencies given in ``if_true``: added when the rule holds, never a condition."""
    sourcesets: tuple["SourceSet", ...]
    if_false: tuple[Source, ...]
    if_false_deps: tuple[Dependency, ...]
    origin: str | None = None
    """Caller's label for where the rule was declared; no effect on evaluation."""

    def describe(self) -> str:
        """``<origin or "rule N">`` plus its conditions, for messages."""
        label = self.origin if self.origin is not None else f"rule {self.index}"
        if not self.when:
            return f"{label} (unconditional)"
        conds = [c if isinstance(c, str) else f"dependency {_dep_label(c)}" for c in self.when]
        return f"{label} (when {' and '.join(conds)})"


@dataclass(frozen=True)
class Reason:
    """Why a value is in a result: the first rule that contributed it."""

    rule: Rule
    branch: Branch
    """``'if_true'`` or ``'if_false'`` for sources; a dependency may also come from ``'when'``."""
    path: tuple[Rule, ...] = ()
    """The ``add_all`` rules leading to ``rule``'s set, outermost first."""

    @property
    def index(self) -> int:
        return self.rule.index

    @property
    def origin(self) -> str | None:
        return self.rule.origin

    @property
    def conditions(self) -> tuple[Any, ...]:
        """Every ``when`` condition on the way: the enclosing add_all rules' and the rule's own."""
        return tuple(c for r in (*self.path, self.rule) for c in r.when)

    def describe(self) -> str:
        text = f"{self.rule.describe()}, {self.branch}"
        for outer in reversed(self.path):
            text += f"; inside add_all {outer.describe()}"
        return text


class SourceSetResult:
    """What meson's ``apply()`` returns (and the all-sources walk): sources and dependencies."""

    def __init__(self, sources: dict[Source, Reason], deps: dict[Dependency, Reason]) -> None:
        self._sources = sources
        self._deps = deps

    def sources(self) -> list[Source]:
        return list(self._sources)

    def dependencies(self) -> list[Dependency]:
        return list(self._deps)

    def source_reasons(self) -> list[tuple[Source, Reason]]:
        return list(self._sources.items())

    def dependency_reasons(self) -> list[tuple[Dependency, Reason]]:
        return list(self._deps.items())

    def reason(self, source: Source) -> Reason | None:
        """The rule that contributed ``source`` first, or ``None`` if it is not in the result."""
        return self._sources.get(source)


class _Walk:
    """One evaluation: meson's ``collect`` with the first contributing rule recorded."""

    def __init__(self, enabled: Callable[[str], bool], all_sources: bool) -> None:
        self.enabled = enabled
        self.all_sources = all_sources
        self.sources: dict[Source, Reason] = {}
        self.deps: dict[Dependency, Reason] = {}
        self.active: list[SourceSet] = []

    def holds(self, rule: Rule) -> bool:
        return all(dep.found() for dep in rule.deps) and all(self.enabled(key) for key in rule.keys)

    @staticmethod
    def _record(into: dict[Any, Reason], values: Iterable[Any], rule: Rule, branch: Branch,
                path: tuple[Rule, ...]) -> None:
        for value in values:
            if value not in into:
                into[value] = Reason(rule, branch, path)

    def visit(self, sset: SourceSet, path: tuple[Rule, ...]) -> None:
        if any(sset is s for s in self.active):
            # meson recurses until Python's stack overflows ("Unhandled python exception")
            raise SourceSetError("source set contains itself through add_all")
        self.active.append(sset)
        for rule in sset._rules:
            if self.holds(rule):
                self._record(self.sources, rule.sources, rule, "if_true", path)
                self._record(self.deps, rule.deps, rule, "when", path)
                self._record(self.deps, rule.extra_deps, rule, "if_true", path)
                for inner in rule.sourcesets:
                    self.visit(inner, (*path, rule))
                if not self.all_sources:
                    continue
            self._record(self.sources, rule.if_false, rule, "if_false", path)
            self._record(self.deps, rule.if_false_deps, rule, "if_false", path)
        self.active.pop()


def _split_conditions(when: list[Any]) -> tuple[list[str], list[Dependency]]:
    keys: list[str] = []
    deps: list[Dependency] = []
    for item in when:
        if isinstance(item, str):
            keys.append(item)
        elif _is_dependency(item):
            deps.append(item)
        else:
            raise TypeError(f"when: expected a configuration key (str) or a dependency, got {type(item).__name__}")
    return keys, deps


def _split_contents(items: list[Any], what: str) -> tuple[list[Source], list[Dependency]]:
    sources: list[Source] = []
    deps: list[Dependency] = []
    for item in items:
        if isinstance(item, SourceSet):
            raise TypeError(f"{what}: a source set is not a source (use add_all)")
        (deps if _is_dependency(item) else sources).append(item)
    return sources, deps


def _check_sets(items: list[Any], what: str) -> list[SourceSet]:
    for item in items:
        if not isinstance(item, SourceSet):
            raise TypeError(f"{what}: expected a SourceSet, got {type(item).__name__}")
    return items


class SourceSet:
    """meson's ``ss.source_set()``: add rules, then query."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._frozen = False

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(self._rules)

    @property
    def frozen(self) -> bool:
        """True once the set was queried or added to another set: no more rules."""
        return self._frozen

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"<SourceSet {len(self._rules)} rules{' frozen' if self._frozen else ''}>"

    # --- building -------------------------------------------------------------------------

    def add(self, *sources: Any, when: Any = None, if_true: Any = None, if_false: Any = None,
            origin: str | None = None) -> None:
        """``ss.add(...)``: positional values alone make an unconditional rule.

        Positional values together with a non-empty ``when``/``if_true``/``if_false``
        are meson's error; empty keyword lists count as absent, as in meson.
        """
        positional = _flatten(sources)
        when_l, true_l, false_l = _flatten(when), _flatten(if_true), _flatten(if_false)
        keys, deps = _split_conditions(when_l)
        _split_contents(positional, "add")
        _split_contents(true_l, "if_true")
        _split_contents(false_l, "if_false")
        if self._frozen:
            raise SourceSetError("Tried to use 'add' after querying the source set")
        if not (when_l or true_l or false_l):
            true_l = positional
        elif positional:
            raise SourceSetError("add called with both positional and keyword arguments")
        true_src, true_deps = _split_contents(true_l, "if_true")
        false_src, false_deps = _split_contents(false_l, "if_false")
        self._rules.append(Rule(len(self._rules), tuple(when_l), tuple(keys), tuple(deps),
                                tuple(true_src), tuple(true_deps), (), tuple(false_src),
                                tuple(false_deps), origin))

    def add_all(self, *sets: SourceSet, when: Any = None, if_true: Any = None,
                origin: str | None = None) -> None:
        """``ss.add_all(...)``: nested sets, evaluated only when ``when`` holds; they become frozen."""
        positional = _check_sets(_flatten(sets), "add_all")
        when_l, true_l = _flatten(when), _check_sets(_flatten(if_true), "if_true")
        keys, deps = _split_conditions(when_l)
        if self._frozen:
            raise SourceSetError("Tried to use 'add_all' after querying the source set")
        if not (when_l or true_l):
            true_l = positional
        elif positional:
            raise SourceSetError("add_all called with both positional and keyword arguments")
        for inner in true_l:
            inner._frozen = True
        self._rules.append(Rule(len(self._rules), tuple(when_l), tuple(keys), tuple(deps),
                                (), (), tuple(true_l), (), (), origin))

    # --- queries --------------------------------------------------------------------------

    def _evaluate(self, enabled: Callable[[str], bool], all_sources: bool) -> SourceSetResult:
        walk = _Walk(enabled, all_sources)
        walk.visit(self, ())
        return SourceSetResult(walk.sources, walk.deps)

    def apply(self, config: Mapping[str, Any] | ConfigurationData, strict: bool = True) -> SourceSetResult:
        """``ss.apply(config, strict: ...)``: the sources and dependencies for ``config``."""
        if isinstance(config, ConfigurationData):
            cfgdata = config

            def enabled(key: str) -> bool:
                if key in cfgdata:
                    return bool(cfgdata.get(key))
                if strict:
                    raise SourceSetError(f'sourceset.apply: key "{key}" not in passed configuration, and strict set.')
                return False
        elif isinstance(config, Mapping):
            mapping = config

            def enabled(key: str) -> bool:
                if key in mapping:
                    return bool(mapping[key])
                if strict:
                    raise SourceSetError(f"Entry {key} not in configuration dictionary.")
                return False
        else:
            raise TypeError(f"apply: expected a Mapping or ConfigurationData, got {type(config).__name__}")
        self._frozen = True
        return self._evaluate(enabled, all_sources=False)

    def collect_all(self) -> SourceSetResult:
        """The walk behind ``all_sources()`` and ``all_dependencies()``, as one result.

        Every key counts as true; dependency conditions are still evaluated, and a
        rule that holds contributes both its ``if_true`` and ``if_false`` parts.
        """
        self._frozen = True
        return self._evaluate(lambda key: True, all_sources=True)

    def all_sources(self) -> list[Source]:
        """``ss.all_sources()``."""
        return self.collect_all().sources()

    def all_dependencies(self) -> list[Dependency]:
        """``ss.all_dependencies()``: ``when`` deps of holding rules plus every listed dependency."""
        return self.collect_all().dependencies()

    def apply_with_reasons(self, config: Mapping[str, Any] | ConfigurationData,
                           strict: bool = True) -> list[tuple[Source, Reason]]:
        """``apply(config, strict).sources()``, each with the rule that contributed it first."""
        return self.apply(config, strict).source_reasons()

    def all_sources_with_reasons(self) -> list[tuple[Source, Reason]]:
        """``all_sources()``, each with the rule that contributed it first."""
        return self.collect_all().source_reasons()
