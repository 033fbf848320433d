"""qemu_config.sourceset: meson's sourceset semantics, proven against meson 1.12.1.

Two halves:

* unit tests of each rule of the reference (qemu-build-behaviour.md §5.1 and §10
  items 61-65) and of what we add (``origin`` labels, reasons), on our module alone;
* a differential test.  A *program* is a list of statements (create a set, add,
  add_all, define a dict or configuration_data, apply/all_sources/all_dependencies).
  Each program is rendered as meson code (``import('sourceset')``, found dependencies
  from ``declare_dependency(variables: {'id': ...})``, not-found ones from
  ``dependency('nosuch-xyz-nK', required: false)``, every query printed by
  ``message('OUT|<tag>|...')``) and also interpreted with our SourceSet; the printed
  lines and the error (meson's ``ERROR:`` message, or none) must be equal.
  Many error-free programs share one meson run (one meson.build, names prefixed per
  program); a program that fails can only be checked alone, since meson stops at the
  first error.  Which program fails is predicted with our module, but that only
  chooses the grouping: both sides always run the same meson.build in full, so a
  wrong prediction shows up as a difference.  Random programs whose error would
  exceed the per-run budget have the failing statements dropped (repeatedly) and
  join a batch.  Meson runs go in parallel.

  Fast (unmarked, ~12 s on two cores): 33 hand-written edge cases (the 15 error-free
  ones in one meson run, 18 failing ones one run each) and 80 random programs (one
  batch plus 4 failing runs).  Slow (``-m slow``, ~20 s): 1200 random programs (4
  batches of 300 plus 30 failing runs, chosen round-robin over the distinct error
  messages).  Errors are compared by message; output lines in full, in order.
"""

from __future__ import annotations

import ast
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pytest

from e2e import tool_env
from qemu_config.sourceset import ConfigurationData, Reason, SourceSet, SourceSetError

REPO = Path(__file__).resolve().parent.parent
MESON_VERSION = "1.12.1"


# ---------------------------------------------------------------------------
# helpers for the unit tests
# ---------------------------------------------------------------------------

class FakeDep:
    """A dependency object: ``found()`` plus a label (what meson's tests print)."""

    def __init__(self, label: str, found: bool, log: list[str] | None = None) -> None:
        self.label = label
        self._found = found
        self._log = log

    def found(self) -> bool:
        if self._log is not None:
            self._log.append(f"found:{self.label}")
        return self._found

    def name(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<dep {self.label} {'found' if self._found else 'not found'}>"


class LoggingConfig(Mapping[str, Any]):
    """A Mapping that records every key looked up."""

    def __init__(self, values: dict[str, Any], log: list[str]) -> None:
        self._values = values
        self._log = log

    def __contains__(self, key: object) -> bool:
        self._log.append(f"key:{key}")
        return key in self._values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def error_of(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(SourceSetError) as info:
        fn(*args, **kwargs)
    assert len(info.value.args) == 1
    return info.value.message


def labels(deps: list[Any]) -> list[str]:
    return [d.label for d in deps]


@pytest.fixture
def dep() -> FakeDep:
    return FakeDep("found", True)


@pytest.fixture
def notfound() -> FakeDep:
    return FakeDep("notfound", False)


def reference_set(notfound: FakeDep) -> SourceSet:
    """The set of §5.1 "Verified with meson 1.10.0"."""
    ss = SourceSet()
    ss.add("a")
    ss.add(when="CONFIG_B", if_true="b", if_false="c")
    ss.add(when=notfound, if_true="d", if_false="e")
    ss.add(when=["CONFIG_B", "CONFIG_F"], if_true="f")
    inner = SourceSet()
    inner.add(when="CONFIG_G", if_true="g")
    ss.add_all(when="CONFIG_B", if_true=inner)
    return ss


# ---------------------------------------------------------------------------
# §5.1 and §10 items 61-65
# ---------------------------------------------------------------------------

def test_reference_example(notfound: FakeDep) -> None:
    assert reference_set(notfound).apply({"CONFIG_B": "n", "CONFIG_F": False, "CONFIG_G": True},
                                         strict=False).sources() == ["a", "b", "e", "g"]
    assert reference_set(notfound).apply({}, strict=False).sources() == ["a", "c", "e"]
    assert reference_set(notfound).all_sources() == ["a", "b", "c", "e", "f", "g"]
    cfg = ConfigurationData({"CONFIG_B": 0, "CONFIG_F": 1, "CONFIG_G": True})
    assert reference_set(notfound).apply(cfg).sources() == ["a", "c", "e"]
    assert error_of(reference_set(notfound).apply, {"CONFIG_B": True}) == \
        "Entry CONFIG_F not in configuration dictionary."


def test_item61_string_n_is_true() -> None:
    ss = SourceSet()
    ss.add(when="CONFIG_B", if_true="b", if_false="c")
    assert ss.apply({"CONFIG_B": "n"}, strict=False).sources() == ["b"]


def test_item62_strict_default_fails_on_key_only(dep: FakeDep, notfound: FakeDep) -> None:
    ss = SourceSet()
    ss.add(when="CONFIG_F", if_true="f")
    assert error_of(ss.apply, {}) == "Entry CONFIG_F not in configuration dictionary."
    only_deps = SourceSet()
    only_deps.add(when=dep, if_true="x")
    only_deps.add(when=notfound, if_true="y", if_false="z")
    assert only_deps.apply({}).sources() == ["x", "z"]


def test_item63_notfound_when_dep(notfound: FakeDep) -> None:
    ss = SourceSet()
    ss.add(when=notfound, if_true="d", if_false="e")
    assert ss.all_sources() == ["e"]
    ss2 = SourceSet()
    ss2.add(when=notfound, if_true="d", if_false="e")
    assert ss2.apply({}).sources() == ["e"]


def test_item64_add_all_false_skips_inner_entirely() -> None:
    inner = SourceSet()
    inner.add("always")
    inner.add(when="CONFIG_X", if_true="x", if_false="not_x")
    ss = SourceSet()
    ss.add_all(when="CONFIG_B", if_true=inner)
    assert ss.apply({"CONFIG_B": False}, strict=False).sources() == []
    # with CONFIG_B true the inner set is evaluated in full
    ss2 = SourceSet()
    ss2.add_all(when="CONFIG_B", if_true=inner)
    assert ss2.apply({"CONFIG_B": True}, strict=False).sources() == ["always", "not_x"]


@pytest.mark.parametrize("query", ["apply", "all_sources", "all_dependencies", "collect_all",
                                   "apply_with_reasons", "all_sources_with_reasons"])
@pytest.mark.parametrize("method", ["add", "add_all"])
def test_item65_add_after_query(query: str, method: str) -> None:
    ss = SourceSet()
    ss.add("a")
    getattr(ss, query)(*([{}] if "apply" in query else []))
    assert ss.frozen
    arg = "b" if method == "add" else SourceSet()
    assert error_of(getattr(ss, method), arg) == f"Tried to use '{method}' after querying the source set"


# ---------------------------------------------------------------------------
# conditions
# ---------------------------------------------------------------------------

DICT_TRUTH = [("y", True), ("n", True), ("", False), (True, True), (False, False), (0, False),
              (1, True), ("0", True), ([], False), (["x"], True), ({}, False)]
CFGDATA_TRUTH = [("y", True), ("n", True), ("", False), (True, True), (False, False), (0, False),
                 (1, True), (2, True)]


@pytest.mark.parametrize(("value", "truth"), DICT_TRUTH)
def test_dict_values_use_python_truthiness(value: Any, truth: bool) -> None:
    ss = SourceSet()
    ss.add(when="K", if_true="t", if_false="f")
    assert ss.apply({"K": value}).sources() == (["t"] if truth else ["f"])


@pytest.mark.parametrize(("value", "truth"), CFGDATA_TRUTH)
def test_configuration_data_values_use_python_truthiness(value: Any, truth: bool) -> None:
    ss = SourceSet()
    ss.add(when="K", if_true="t", if_false="f")
    cfg = ConfigurationData()
    cfg.set("K", value)
    assert ss.apply(cfg).sources() == (["t"] if truth else ["f"])


def test_missing_key_messages_and_non_strict() -> None:
    def fresh() -> SourceSet:
        ss = SourceSet()
        ss.add(when="CONFIG_M", if_true="m", if_false="not_m")
        return ss
    assert error_of(fresh().apply, {}, strict=True) == "Entry CONFIG_M not in configuration dictionary."
    assert error_of(fresh().apply, ConfigurationData()) == \
        'sourceset.apply: key "CONFIG_M" not in passed configuration, and strict set.'
    assert fresh().apply({}, strict=False).sources() == ["not_m"]
    assert fresh().apply(ConfigurationData(), strict=False).sources() == ["not_m"]


def test_dependencies_checked_before_keys_and_both_short_circuit() -> None:
    log: list[str] = []
    d_ok, d_no = FakeDep("ok", True, log), FakeDep("no", False, log)
    ss = SourceSet()
    # keys listed first, dependencies still evaluated first; not-found dep stops everything
    ss.add(when=["CONFIG_MISSING", d_no, d_ok], if_true="x")
    # false key stops the keys after it
    ss.add(when=[d_ok, "CONFIG_FALSE", "CONFIG_MISSING2"], if_true="y")
    result = ss.apply(LoggingConfig({"CONFIG_FALSE": False}, log))
    assert result.sources() == []
    assert log == ["found:no", "found:ok", "key:CONFIG_FALSE"]


def test_keys_in_unevaluated_nested_sets_are_not_looked_up(notfound: FakeDep) -> None:
    inner = SourceSet()
    inner.add(when="CONFIG_NOWHERE", if_true="x")
    ss = SourceSet()
    ss.add_all(when="CONFIG_OFF", if_true=inner)
    ss.add_all(when=notfound, if_true=inner)
    assert ss.apply({"CONFIG_OFF": ""}).sources() == []


def test_strict_error_is_the_first_key_evaluated() -> None:
    ss = SourceSet()
    ss.add(when="CONFIG_A", if_true="a")
    ss.add(when=["CONFIG_B", "CONFIG_C"], if_true="bc")
    assert error_of(ss.apply, {"CONFIG_A": 1}) == "Entry CONFIG_B not in configuration dictionary."


def test_all_sources_treats_keys_true_but_evaluates_dependencies(dep: FakeDep, notfound: FakeDep) -> None:
    inner = SourceSet()
    inner.add(when="CONFIG_I", if_true="i", if_false="not_i")
    ss = SourceSet()
    ss.add(when=["CONFIG_X"], if_true="x", if_false="not_x")
    ss.add(when=[dep, "CONFIG_Y"], if_true="y", if_false="not_y")
    ss.add(when=notfound, if_true="nf", if_false="not_nf")
    ss.add_all(when=notfound, if_true=inner)
    ss.add_all(when="CONFIG_Z", if_true=inner)
    ss.add("tail")
    assert ss.all_sources() == ["x", "not_x", "y", "not_y", "not_nf", "i", "not_i", "tail"]


# ---------------------------------------------------------------------------
# contributions: dependencies, order, duplicates, nesting
# ---------------------------------------------------------------------------

def test_if_true_dependencies_are_not_conditions(notfound: FakeDep) -> None:
    ss = SourceSet()
    ss.add(when="CONFIG_A", if_true=["a", notfound])
    result = ss.apply({"CONFIG_A": True})
    assert result.sources() == ["a"]
    assert result.dependencies() == [notfound]


def test_dependency_order_and_duplicates() -> None:
    w, x, y, z = (FakeDep(n, True) for n in "wxyz")
    nf = FakeDep("nf", False)
    ss = SourceSet()
    ss.add(when=[w, "CONFIG_A"], if_true=["a", x, nf])
    ss.add(when="CONFIG_OFF", if_true=[y], if_false=["off", z, w])
    ss.add(y, x, "p")  # positional dependencies: unconditional extra deps
    result = ss.apply({"CONFIG_A": "y", "CONFIG_OFF": 0})
    assert result.sources() == ["a", "off", "p"]
    assert labels(result.dependencies()) == ["w", "x", "nf", "z", "y"]


def test_all_dependencies(dep: FakeDep) -> None:
    nf_when, nf_true, nf_false, nf_nested = (FakeDep(f"nf{i}", False) for i in range(4))
    inner = SourceSet()
    inner.add(when="CONFIG_I", if_true=nf_nested)
    ss = SourceSet()
    ss.add(when=nf_when, if_true=["a", dep], if_false=nf_false)   # when-dep not found: if_false only
    ss.add(when=[dep, "CONFIG_K"], if_true=nf_true)
    ss.add_all(when=dep, if_true=inner)
    assert labels(ss.all_dependencies()) == ["nf2", "found", "nf1", "nf3"]


def test_first_occurrence_wins_and_nested_sets_expand_in_place() -> None:
    deep = SourceSet()
    deep.add("deep", "b")
    middle = SourceSet()
    middle.add("m1")
    middle.add_all(deep)
    middle.add("m2", "a")
    ss = SourceSet()
    ss.add("a", "b")
    ss.add_all(when="CONFIG_X", if_true=[middle])
    ss.add("c", "deep")
    ss.add_all(middle)  # the same set twice: nothing new
    assert ss.apply({"CONFIG_X": 1}).sources() == ["a", "b", "m1", "deep", "m2", "c"]


def test_all_sources_orders_if_true_nested_then_if_false() -> None:
    inner = SourceSet()
    inner.add("inner")
    ss = SourceSet()
    ss.add(when="K", if_true="t", if_false="f")
    ss.add_all(when="K", if_true=inner)
    assert ss.all_sources() == ["t", "f", "inner"]


def test_duplicate_within_if_true_and_if_false_of_one_rule() -> None:
    ss = SourceSet()
    ss.add(when="K", if_true=["x", "x", "y"], if_false=["y", "z"])
    assert ss.all_sources() == ["x", "y", "z"]


# ---------------------------------------------------------------------------
# add / add_all arguments, freezing
# ---------------------------------------------------------------------------

def test_positional_and_keyword_mixing() -> None:
    ss = SourceSet()
    assert error_of(ss.add, "a", when="K") == "add called with both positional and keyword arguments"
    assert error_of(ss.add, "a", if_false=["b"]) == "add called with both positional and keyword arguments"
    inner = SourceSet()
    assert error_of(ss.add_all, inner, when="K") == "add_all called with both positional and keyword arguments"
    assert error_of(ss.add_all, inner, if_true=SourceSet()) == \
        "add_all called with both positional and keyword arguments"
    assert not inner.frozen  # meson freezes only when the rule is accepted
    assert ss.rules == ()


def test_empty_keyword_lists_mean_positional_mode() -> None:
    ss = SourceSet()
    ss.add("a", when=[], if_true=[], if_false=[])
    inner = SourceSet()
    inner.add("i")
    ss.add_all(inner, when=[], if_true=[])
    assert ss.apply({}).sources() == ["a", "i"]


def test_empty_calls_and_nested_lists() -> None:
    ss = SourceSet()
    ss.add()
    ss.add_all()
    ss.add(["a", ["b", ("c",)]])
    ss.add(when=[["K"]], if_true=("d", ["e"]))
    assert ss.apply({"K": True}).sources() == ["a", "b", "c", "d", "e"]
    assert len(ss) == 4


def test_add_all_freezes_the_nested_set() -> None:
    inner = SourceSet()
    ss = SourceSet()
    ss.add_all(when="K", if_true=inner)
    assert inner.frozen and not ss.frozen
    assert error_of(inner.add, "x") == "Tried to use 'add' after querying the source set"
    assert error_of(inner.add_all, SourceSet()) == "Tried to use 'add_all' after querying the source set"


def test_failed_apply_still_freezes() -> None:
    ss = SourceSet()
    ss.add(when="K", if_true="k")
    error_of(ss.apply, {})
    assert error_of(ss.add, "x") == "Tried to use 'add' after querying the source set"


def test_frozen_check_comes_before_mixing_check() -> None:
    ss = SourceSet()
    ss.all_sources()
    assert error_of(ss.add, "a", when="K") == "Tried to use 'add' after querying the source set"


def test_wrong_python_types() -> None:
    ss = SourceSet()
    with pytest.raises(TypeError):
        ss.add(when=[3], if_true="x")
    with pytest.raises(TypeError):
        ss.add(SourceSet())
    with pytest.raises(TypeError):
        ss.add_all("not a set")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ss.apply(["K"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ConfigurationData().set("K", ["list"])  # type: ignore[arg-type]


def test_self_nesting_fails_only_when_evaluated() -> None:
    # meson accepts add_all(ss) into ss (which freezes ss) and overflows the stack on
    # evaluation; we raise a SourceSetError instead.
    ss = SourceSet()
    ss.add("a")
    ss.add_all(when="K", if_true=ss)
    assert ss.apply({"K": False}).sources() == ["a"]
    with pytest.raises(SourceSetError, match="contains itself"):
        ss.apply({"K": True})


def test_results_are_fresh_lists() -> None:
    ss = SourceSet()
    ss.add("a")
    result = ss.apply({})
    result.sources().append("b")
    assert result.sources() == ["a"]
    ss.all_sources().append("c")
    assert ss.all_sources() == ["a"]


def test_sources_are_opaque() -> None:
    class Src:
        pass
    obj = Src()
    ss = SourceSet()
    ss.add(when="K", if_true=[obj, 7, b"x"])
    assert ss.apply({"K": 1}).sources() == [obj, 7, b"x"]


# ---------------------------------------------------------------------------
# reasons and origins
# ---------------------------------------------------------------------------

def test_reasons_name_first_rule_branch_and_path(notfound: FakeDep) -> None:
    deep = SourceSet()
    deep.add(when="CONFIG_D", if_true=["d.c", "shared.c"], origin="hw/deep/sources.toml rule 0")
    middle = SourceSet()
    middle.add_all(when="CONFIG_M", if_true=deep, origin="hw/middle/sources.toml rule 0")
    ss = SourceSet()
    ss.add(when="CONFIG_X", if_true="x.c", if_false="stub.c", origin="hw/top/sources.toml rule 0")
    ss.add_all(when=["CONFIG_T"], if_true=middle, origin="hw/top/sources.toml rule 1")
    ss.add("shared.c")
    ss.add(when=notfound, if_true="nf.c", if_false="nf-stub.c")
    reasons = dict(ss.apply_with_reasons({"CONFIG_X": "", "CONFIG_T": "y", "CONFIG_M": 1, "CONFIG_D": True}))
    assert list(reasons) == ["stub.c", "d.c", "shared.c", "nf-stub.c"]
    stub = reasons["stub.c"]
    assert (stub.index, stub.branch, stub.path, stub.origin) == (0, "if_false", (), "hw/top/sources.toml rule 0")
    shared = reasons["shared.c"]
    assert shared.origin == "hw/deep/sources.toml rule 0" and shared.branch == "if_true"
    assert [r.origin for r in shared.path] == ["hw/top/sources.toml rule 1", "hw/middle/sources.toml rule 0"]
    assert shared.conditions == ("CONFIG_T", "CONFIG_M", "CONFIG_D")
    assert shared.describe() == ("hw/deep/sources.toml rule 0 (when CONFIG_D), if_true; "
                                 "inside add_all hw/middle/sources.toml rule 0 (when CONFIG_M); "
                                 "inside add_all hw/top/sources.toml rule 1 (when CONFIG_T)")
    nf = reasons["nf-stub.c"]
    assert (nf.index, nf.origin, nf.rule.deps) == (3, None, (notfound,))
    assert nf.describe() == "rule 3 (when dependency notfound), if_false"


def test_all_sources_with_reasons() -> None:
    ss = SourceSet()
    ss.add(when="K", if_true="a", if_false="b", origin="o")
    ss.add("a")
    got = [(src, r.index, r.branch) for src, r in ss.all_sources_with_reasons()]
    assert got == [("a", 0, "if_true"), ("b", 0, "if_false")]


def test_dependency_reasons(dep: FakeDep) -> None:
    extra = FakeDep("extra", True)
    ss = SourceSet()
    ss.add(when=dep, if_true=["a", extra])
    result = ss.apply({})
    assert [(d.label, r.branch) for d, r in result.dependency_reasons()] == [("found", "when"), ("extra", "if_true")]
    assert result.reason("a") == Reason(ss.rules[0], "if_true", ())
    assert result.reason("zzz") is None


# ---------------------------------------------------------------------------
# module hygiene
# ---------------------------------------------------------------------------

def test_standard_library_only_and_plain_python3() -> None:
    path = REPO / "qemu_config" / "sourceset.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names | {"__future__"}, name
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(REPO)
    code = ("import sys, qemu_config.sourceset as m; "
            "print(sorted(k for k in sys.modules if k.startswith('qemu_config')))")
    out = subprocess.run(["python3", "-S", "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['qemu_config', 'qemu_config.sourceset']"


# ===========================================================================
# differential test against meson
# ===========================================================================

@dataclass(frozen=True)
class Dep:
    """Reference to one of the run's dependencies: ``dN`` found, ``nN`` not found."""

    name: str


Item = Union[str, Dep]
Arg = Union[None, Item, list[Item]]          # None: keyword not given


@dataclass(frozen=True)
class NewSet:
    name: str


@dataclass(frozen=True)
class Add:
    target: str
    pos: tuple[Item, ...] = ()
    when: Arg = None
    if_true: Arg = None
    if_false: Arg = None


@dataclass(frozen=True)
class AddAll:
    target: str
    pos: tuple[str, ...] = ()
    when: Arg = None
    if_true: Union[None, str, list[str]] = None


@dataclass(frozen=True)
class Config:
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    cfgdata: bool = False


@dataclass(frozen=True)
class Apply:
    target: str
    config: str
    strict: bool | None = None


@dataclass(frozen=True)
class AllSources:
    target: str


@dataclass(frozen=True)
class AllDeps:
    target: str


Stmt = Union[NewSet, Add, AddAll, Config, Apply, AllSources, AllDeps]
Program = list[Stmt]

FOUND_DEPS = [f"d{i}" for i in range(5)]
NOTFOUND_DEPS = [f"n{i}" for i in range(3)]


def dep_label(name: str) -> str:
    """What the meson side prints for a dependency: its id variable, or a not-found one's name."""
    return name if name.startswith("d") else f"nosuch-xyz-{name}"


@dataclass
class Outcome:
    lines: list[str]
    error: str | None
    where: tuple[int, int] | None = None     # (program, statement) of our error


# --- our side ---------------------------------------------------------------

def _items(arg: Arg, deps: dict[str, FakeDep]) -> Any:
    def one(item: Item) -> Any:
        return deps[item.name] if isinstance(item, Dep) else item
    if arg is None:
        return None
    return [one(i) for i in arg] if isinstance(arg, list) else one(arg)


def run_ours(programs: list[Program], origins: bool = False) -> Outcome:
    """Interpret the programs with our SourceSet, as meson runs their concatenation."""
    deps = {n: FakeDep(dep_label(n), n.startswith("d")) for n in FOUND_DEPS + NOTFOUND_DEPS}
    lines: list[str] = []
    for p, prog in enumerate(programs):
        sets: dict[str, SourceSet] = {}
        configs: dict[str, Any] = {}
        for s, st in enumerate(prog):
            tag = f"OUT|p{p}.{s}|"
            origin = {"origin": f"p{p} stmt {s}"} if origins else {}
            try:
                if isinstance(st, NewSet):
                    sets[st.name] = SourceSet()
                elif isinstance(st, Add):
                    sets[st.target].add(*_items(list(st.pos), deps), when=_items(st.when, deps),
                                        if_true=_items(st.if_true, deps), if_false=_items(st.if_false, deps),
                                        **origin)
                elif isinstance(st, AddAll):
                    inner = None if st.if_true is None else (
                        [sets[n] for n in st.if_true] if isinstance(st.if_true, list) else sets[st.if_true])
                    sets[st.target].add_all(*(sets[n] for n in st.pos), when=_items(st.when, deps),
                                            if_true=inner, **origin)
                elif isinstance(st, Config):
                    configs[st.name] = ConfigurationData(st.values) if st.cfgdata else dict(st.values)
                elif isinstance(st, Apply):
                    kw = {} if st.strict is None else {"strict": st.strict}
                    result = sets[st.target].apply(configs[st.config], **kw)
                    lines.append(tag + ",".join(result.sources()) + "|"
                                 + ",".join(labels(result.dependencies())))
                elif isinstance(st, AllSources):
                    lines.append(tag + ",".join(sets[st.target].all_sources()))
                elif isinstance(st, AllDeps):
                    lines.append(tag + ",".join(labels(sets[st.target].all_dependencies())))
            except SourceSetError as exc:
                return Outcome(lines, exc.message, (p, s))
    return Outcome(lines, None)


# --- meson side -------------------------------------------------------------

def _q(text: str) -> str:
    assert re.fullmatch(r"[A-Za-z0-9_./-]*", text), text
    return f"'{text}'"


def _m_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _q(value)
    if isinstance(value, list):
        return "[" + ", ".join(_m_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_q(k)}: {_m_value(v)}" for k, v in value.items()) + "}"
    raise AssertionError(value)


def _m_item(item: Item) -> str:
    return item.name if isinstance(item, Dep) else _q(item)


def _m_arg(arg: Any, one: Any) -> str:
    return "[" + ", ".join(one(i) for i in arg) + "]" if isinstance(arg, list) else one(arg)


def _m_deps_loop(expr: str) -> list[str]:
    return ["ids_ = []", f"foreach d_ : {expr}",
            "  ids_ += d_.found() ? d_.get_variable('id') : d_.name()", "endforeach"]


def render_meson(programs: list[Program]) -> str:
    out = ["project('sourceset-differential', [], meson_version: '>=1.11.0')", "ss = import('sourceset')"]
    out += [f"{n} = declare_dependency(variables: {{'id': '{n}'}})" for n in FOUND_DEPS]
    out += [f"{n} = dependency('{dep_label(n)}', required: false, method: 'pkg-config')" for n in NOTFOUND_DEPS]
    for p, prog in enumerate(programs):
        pre = f"p{p}_"

        def setname(n: str) -> str:
            return pre + n
        for s, st in enumerate(prog):
            tag = f"OUT|p{p}.{s}|"
            if isinstance(st, NewSet):
                out.append(f"{pre}{st.name} = ss.source_set()")
            elif isinstance(st, Add):
                args = [_m_item(i) for i in st.pos]
                args += [f"{k}: {_m_arg(v, _m_item)}" for k, v in
                         (("when", st.when), ("if_true", st.if_true), ("if_false", st.if_false)) if v is not None]
                out.append(f"{pre}{st.target}.add({', '.join(args)})")
            elif isinstance(st, AddAll):
                args = [setname(n) for n in st.pos]
                if st.when is not None:
                    args.append(f"when: {_m_arg(st.when, _m_item)}")
                if st.if_true is not None:
                    args.append(f"if_true: {_m_arg(st.if_true, setname)}")
                out.append(f"{pre}{st.target}.add_all({', '.join(args)})")
            elif isinstance(st, Config):
                if st.cfgdata:
                    out.append(f"{pre}{st.name} = configuration_data()")
                    out += [f"{pre}{st.name}.set({_q(k)}, {_m_value(v)})" for k, v in st.values.items()]
                else:
                    out.append(f"{pre}{st.name} = {_m_value(st.values)}")
            elif isinstance(st, Apply):
                strict = "" if st.strict is None else f", strict: {_m_value(st.strict)}"
                out.append(f"r_ = {pre}{st.target}.apply({pre}{st.config}{strict})")
                out += _m_deps_loop("r_.dependencies()")
                out.append(f"message('{tag}' + ','.join(r_.sources()) + '|' + ','.join(ids_))")
            elif isinstance(st, AllSources):
                out.append(f"message('{tag}' + ','.join({pre}{st.target}.all_sources()))")
            elif isinstance(st, AllDeps):
                out += _m_deps_loop(f"{pre}{st.target}.all_dependencies()")
                out.append(f"message('{tag}' + ','.join(ids_))")
    return "\n".join(out) + "\n"


def meson_command() -> list[str]:
    try:
        from mesonbuild import coredata
    except ImportError:  # pragma: no cover - depends on the environment
        pytest.skip("meson is not importable by this interpreter")
    if coredata.version != MESON_VERSION:  # pragma: no cover
        pytest.skip(f"meson {MESON_VERSION} required, found {coredata.version}")
    return [sys.executable, "-m", "mesonbuild.mesonmain"]


_ERROR_RE = re.compile(r"^(?:\S+:\d+:\d+: )?ERROR: (.*)$", re.M)


def run_meson(programs: list[Program], workdir: Path) -> Outcome:
    src = workdir / "src"
    src.mkdir(parents=True)
    (src / "meson.build").write_text(render_meson(programs), encoding="utf-8")
    proc = subprocess.run([*meson_command(), "setup", str(workdir / "build"), str(src)],
                          capture_output=True, text=True, timeout=600, cwd=workdir, env=tool_env())
    lines = [line[len("Message: "):] for line in proc.stdout.splitlines() if line.startswith("Message: OUT|")]
    errors = _ERROR_RE.findall(proc.stdout + "\n" + proc.stderr)
    if proc.returncode == 0:
        assert not errors, proc.stdout
        return Outcome(lines, None)
    return Outcome(lines, errors[0] if errors else f"meson failed without ERROR line:\n{proc.stdout}{proc.stderr}")


# --- programs ---------------------------------------------------------------

N0, N1, N2 = Dep("n0"), Dep("n1"), Dep("n2")
D0, D1, D2, D3 = Dep("d0"), Dep("d1"), Dep("d2"), Dep("d3")

ADD_AFTER = "Tried to use 'add' after querying the source set"
ADD_ALL_AFTER = "Tried to use 'add_all' after querying the source set"

# (name, program, expected error or None): the expectation checks our side (what the
# edge case is meant to show); meson must agree with our side in full.
EDGE_CASES: list[tuple[str, Program, str | None]] = [
    ("reference-example", [
        NewSet("s"), NewSet("g"), Add("s", ("a",)), Add("s", when="CONFIG_B", if_true="b", if_false="c"),
        Add("s", when=N0, if_true="d", if_false="e"), Add("s", when=["CONFIG_B", "CONFIG_F"], if_true="f"),
        Add("g", when="CONFIG_G", if_true="g"), AddAll("s", when="CONFIG_B", if_true="g"),
        Config("c1", {"CONFIG_B": "n", "CONFIG_F": False, "CONFIG_G": True}), Apply("s", "c1", False),
        Config("c2", {}), Apply("s", "c2", False), AllSources("s"), AllDeps("s"),
        Config("c3", {"CONFIG_B": 0, "CONFIG_F": 1, "CONFIG_G": True}, cfgdata=True), Apply("s", "c3"),
    ], None),
    ("reference-example-strict-error", [
        NewSet("s"), Add("s", ("a",)), Add("s", when="CONFIG_B", if_true="b", if_false="c"),
        Add("s", when=["CONFIG_B", "CONFIG_F"], if_true="f"), Config("c", {"CONFIG_B": True}), Apply("s", "c"),
    ], "Entry CONFIG_F not in configuration dictionary."),
    ("strict-missing-cfgdata", [
        NewSet("s"), Add("s", when="CONFIG_B", if_true="b"), Config("c", {"CONFIG_A": 1}, cfgdata=True),
        Apply("s", "c", True),
    ], 'sourceset.apply: key "CONFIG_B" not in passed configuration, and strict set.'),
    ("n-is-true", [
        NewSet("s"), Add("s", when="CONFIG_B", if_true="b", if_false="c"),
        Config("c", {"CONFIG_B": "n"}), Apply("s", "c", False),
        Config("cd", {"CONFIG_B": "n"}, cfgdata=True), Apply("s", "cd", False),
    ], None),
    ("truthiness", [
        NewSet("s"),
        *[Add("s", when=f"K{i}", if_true=f"t{i}", if_false=f"f{i}") for i in range(10)],
        Config("c", {"K0": "y", "K1": "n", "K2": "", "K3": True, "K4": False, "K5": 0, "K6": 1,
                     "K7": [], "K8": ["x"], "K9": "0"}), Apply("s", "c"),
        Config("cd", {"K0": "y", "K1": "n", "K2": "", "K3": True, "K4": False, "K5": 0, "K6": 1,
                      "K7": 2, "K8": -1, "K9": "0"}, cfgdata=True), Apply("s", "cd"),
    ], None),
    ("strict-only-deps-no-error", [
        NewSet("s"), Add("s", when=D0, if_true="x"), Add("s", when=N0, if_true="y", if_false="z"),
        Config("c", {}), Apply("s", "c"),
    ], None),
    ("key-after-false-dependency-not-looked-up", [
        NewSet("s"), Add("s", when=["CONFIG_MISSING", N1, D1], if_true="x", if_false="nx"),
        Add("s", when=[D0, "CONFIG_OFF", "CONFIG_MISSING2"], if_true="y", if_false="ny"),
        Config("c", {"CONFIG_OFF": False}), Apply("s", "c"),
        Config("cd", {"CONFIG_OFF": False}, cfgdata=True), Apply("s", "cd"),
    ], None),
    ("key-after-found-dependency-is-looked-up", [
        NewSet("s"), Add("s", when=["CONFIG_MISSING", D1], if_true="x"), Config("c", {}), Apply("s", "c"),
    ], "Entry CONFIG_MISSING not in configuration dictionary."),
    ("notfound-when-dep", [
        NewSet("s"), Add("s", when=N0, if_true="d", if_false="e"), AllSources("s"), AllDeps("s"),
        Config("c", {}), Apply("s", "c"),
    ], None),
    ("notfound-deps-in-if-true-and-if-false", [
        NewSet("s"), Add("s", when="CONFIG_A", if_true=["a", N0, D0], if_false=["na", N1, D1]),
        Add("s", when=N2, if_true=D2, if_false=[D3, "n2-off"]),
        Config("on", {"CONFIG_A": True}), Apply("s", "on"), Config("off", {"CONFIG_A": ""}), Apply("s", "off"),
        AllDeps("s"), AllSources("s"),
    ], None),
    ("positional-deps", [
        NewSet("s"), Add("s", (D0, "a", N0)), Add("s", (D1,)), Config("c", {}), Apply("s", "c"), AllDeps("s"),
    ], None),
    ("duplicates-across-rules", [
        NewSet("s"), NewSet("i"), Add("i", ("x", "a")), Add("s", ("a", "b")),
        Add("s", when="CONFIG_A", if_true=["b", "c", D0], if_false=["a", "d"]),
        AddAll("s", ("i",)), Add("s", when=D0, if_true=["c", "e", D0, D1]), AddAll("s", when=D1, if_true="i"),
        Config("c", {"CONFIG_A": 1}), Apply("s", "c"), AllSources("s"), AllDeps("s"),
    ], None),
    ("add-all-false-outer", [
        NewSet("s"), NewSet("i"), Add("i", ("always",)), Add("i", when="CONFIG_X", if_true="x", if_false="nx"),
        AddAll("s", when="CONFIG_B", if_true="i"), Config("off", {"CONFIG_B": False}), Apply("s", "off"),
        Config("on", {"CONFIG_B": True}), Apply("s", "on", False),
    ], None),
    ("add-all-deep-nesting", [
        NewSet("s0"), NewSet("s1"), NewSet("s2"), NewSet("s3"), NewSet("s4"),
        Add("s4", when="K4", if_true=["k4", D3], if_false="nk4"), Add("s4", ("a",)),
        AddAll("s3", when=["K3", D2], if_true="s4"), Add("s3", when="K3b", if_true="k3b", if_false="a"),
        AddAll("s2", ("s3",)), Add("s2", ("s2src",)),
        AddAll("s1", when=N0, if_true="s2"), AddAll("s1", when="K1", if_true=["s2", "s3"]),
        Add("s0", ("top",)), AddAll("s0", when="K0", if_true="s1"), Add("s0", ("bottom", "a")),
        Config("all", {f"K{i}": True for i in range(5)} | {"K3b": 1}), Apply("s0", "all"),
        Config("some", {"K0": "y", "K1": "n", "K3": "", "K4": 1}, cfgdata=True), Apply("s0", "some", False),
        Config("none", {}), Apply("s0", "none", False), AllSources("s0"), AllDeps("s0"), AllSources("s3"),
    ], None),
    ("nested-strict-missing-key-deep", [
        NewSet("s0"), NewSet("s1"), NewSet("s2"), Add("s2", when="CONFIG_DEEP", if_true="deep"),
        AddAll("s1", when="CONFIG_MID", if_true="s2"), AddAll("s0", when="CONFIG_TOP", if_true="s1"),
        Config("c", {"CONFIG_TOP": True, "CONFIG_MID": "n"}), Apply("s0", "c"),
    ], "Entry CONFIG_DEEP not in configuration dictionary."),
    ("nested-unevaluated-missing-key", [
        NewSet("s0"), NewSet("s1"), Add("s1", when="CONFIG_NOWHERE", if_true="x"),
        AddAll("s0", when="CONFIG_TOP", if_true="s1"), AddAll("s0", when=N0, if_true="s1"),
        Config("c", {"CONFIG_TOP": []}), Apply("s0", "c"),
    ], None),
    ("add-after-apply", [
        NewSet("s"), Add("s", ("a",)), Config("c", {}), Apply("s", "c"), Add("s", ("b",)),
    ], ADD_AFTER),
    ("add-after-all-sources", [NewSet("s"), Add("s", ("a",)), AllSources("s"), Add("s", when="K", if_true="b")],
     ADD_AFTER),
    ("add-after-all-dependencies", [NewSet("s"), AllDeps("s"), Add("s", ("b",))], ADD_AFTER),
    ("add-all-after-query", [NewSet("s"), NewSet("t"), AllSources("s"), AddAll("s", ("t",))], ADD_ALL_AFTER),
    ("add-to-nested-set", [NewSet("s"), NewSet("t"), AddAll("s", ("t",)), Add("t", ("x",))], ADD_AFTER),
    ("add-all-to-nested-set", [NewSet("s"), NewSet("t"), NewSet("u"), AddAll("s", when="K", if_true=["t"]),
                               AddAll("t", ("u",))], ADD_ALL_AFTER),
    ("self-add-all-freezes", [NewSet("s"), AddAll("s", ("s",)), Add("s", ("x",))], ADD_AFTER),
    ("frozen-before-mixing", [NewSet("s"), AllSources("s"), Add("s", ("a",), when="K")], ADD_AFTER),
    ("strict-error-after-non-strict-apply", [
        NewSet("s"), Add("s", when="K", if_true="k"), Config("c", {"J": 1}), Apply("s", "c", False),
        Apply("s", "c"),
    ], "Entry K not in configuration dictionary."),
    ("mixing-add-when", [NewSet("s"), Add("s", ("a",), when="K")],
     "add called with both positional and keyword arguments"),
    ("mixing-add-if-false", [NewSet("s"), Add("s", ("a",), if_false=["b"])],
     "add called with both positional and keyword arguments"),
    ("mixing-add-dep", [NewSet("s"), Add("s", (D0,), if_true=D1)],
     "add called with both positional and keyword arguments"),
    ("mixing-add-all", [NewSet("s"), NewSet("t"), NewSet("u"), AddAll("s", ("t",), if_true="u")],
     "add_all called with both positional and keyword arguments"),
    ("mixing-add-all-when", [NewSet("s"), NewSet("t"), AddAll("s", ("t",), when=D0)],
     "add_all called with both positional and keyword arguments"),
    ("empty-keywords-are-positional", [
        NewSet("s"), NewSet("t"), Add("t", ("t1",)), Add("s", ("a", D0), when=[], if_true=[], if_false=[]),
        Add("s", ("b",), if_true=[]), AddAll("s", ("t",), when=[], if_true=[]), Add("s"), AddAll("s"),
        Add("s", when=[], if_true=[], if_false=[]), Add("s", when="K", if_true=[]),
        Config("c", {"K": 1}), Apply("s", "c"), AllSources("s"),
    ], None),
    ("same-source-both-branches", [
        NewSet("s"), Add("s", when="K", if_true=["x", "y", "x"], if_false=["y", "z", "x"]),
        AllSources("s"), Config("c", {"K": False}), Apply("s", "c"),
    ], None),
    ("query-inner-set", [
        NewSet("s"), NewSet("t"), Add("t", when="K", if_true="k", if_false="nk"), AddAll("s", ("t",)),
        AddAll("s", when="J", if_true="t"), Config("c", {"K": 1, "J": 0}), Apply("t", "c"), Apply("s", "c"),
        AllSources("t"),
    ], None),
]


KEYS = [f"CONFIG_{c}" for c in "ABCDEFG"]
SOURCES = [f"{c}.c" for c in "abcdefghijkl"] + ["hw/x.c", "stubs/x-stub.c"]
DICT_VALUES: list[Any] = ["y", "n", "", True, False, 0, 1, [], ["x"], "no"]
CFGDATA_VALUES: list[Any] = ["y", "n", "", True, False, 0, 1]


def _gen_dep(rng: random.Random) -> Dep:
    return Dep(rng.choice(FOUND_DEPS) if rng.random() < 0.6 else rng.choice(NOTFOUND_DEPS))


def _gen_when(rng: random.Random) -> list[Item]:
    return [rng.choice(KEYS) if rng.random() < 0.75 else _gen_dep(rng) for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3]))]


def _gen_contents(rng: random.Random, most: int, p_dep: float) -> list[Item]:
    items: list[Item] = rng.sample(SOURCES, rng.randint(0, most))
    while rng.random() < p_dep:
        items.insert(rng.randint(0, len(items)), _gen_dep(rng))
    return items


def _shape(rng: random.Random, items: list[Any]) -> Any:
    """How a keyword value is written: omitted, [], a bare item or a list."""
    if not items:
        return [] if rng.random() < 0.2 else None
    if len(items) == 1 and rng.random() < 0.5:
        return items[0]
    return items


def gen_program(rng: random.Random) -> Program:
    nsets = rng.randint(1, 4)
    names = [f"s{i}" for i in range(nsets)]
    prog: Program = [NewSet(n) for n in names]
    frozen: set[str] = set()

    def target() -> str:
        unfrozen = [n for n in names if n not in frozen]
        return rng.choice(names if not unfrozen or rng.random() < 0.03 else unfrozen)

    for _ in range(rng.randint(1, 10)):
        r = rng.random()
        if r < 0.68 or nsets == 1:
            t, mode = target(), rng.random()
            if mode < 0.15:
                prog.append(Add(t, tuple(_gen_contents(rng, 3, 0.2))))
            elif mode < 0.2:
                prog.append(Add(t, tuple(_gen_contents(rng, 2, 0.1)), when=[] if rng.random() < 0.5 else None,
                                if_true=rng.choice([[], None]), if_false=rng.choice([[], None])))
            elif mode < 0.23:
                prog.append(Add(t, tuple(_gen_contents(rng, 2, 0.1)) or ("a.c",), when=_gen_when(rng) or "K"))
            else:
                if_false = _gen_contents(rng, 2, 0.15) if rng.random() < 0.5 else []
                prog.append(Add(t, when=_shape(rng, _gen_when(rng)), if_true=_shape(rng, _gen_contents(rng, 3, 0.2)),
                                if_false=_shape(rng, if_false)))
        elif r < 0.92:
            t = target()
            later = names[names.index(t) + 1:]
            if not later:
                continue
            inner = rng.sample(later, rng.randint(1, min(2, len(later))))
            mode = rng.random()
            if mode < 0.3:
                prog.append(AddAll(t, tuple(inner)))
            elif mode < 0.33:
                prog.append(AddAll(t, tuple(inner), when=_gen_when(rng) or [D0]))
            else:
                prog.append(AddAll(t, when=_shape(rng, _gen_when(rng)), if_true=_shape(rng, inner)))
            frozen.update(inner)
        else:  # a query in the middle: freezes the set
            q = rng.choice(names)
            prog.append(AllSources(q) if rng.random() < 0.5 else AllDeps(q))
            frozen.add(q)
    for c in range(rng.randint(1, 3)):
        cfgdata = rng.random() < 0.4
        pool = CFGDATA_VALUES if cfgdata else DICT_VALUES
        strict = rng.choices([None, True, False], [0.2, 0.15, 0.65])[0]
        keys = KEYS if strict is not False and rng.random() < 0.6 else rng.sample(KEYS, rng.randint(0, len(KEYS)))
        prog.append(Config(f"c{c}", {k: rng.choice(pool) for k in keys}, cfgdata))
        for _ in range(rng.randint(1, 2)):
            prog.append(Apply(rng.choice(names) if rng.random() < 0.3 else "s0", f"c{c}", strict))
    for _ in range(rng.randint(0, 2)):
        q = names[0] if rng.random() < 0.6 else rng.choice(names)
        prog.append(AllSources(q) if rng.random() < 0.5 else AllDeps(q))
    return prog


def plan(programs: list[Program], batch_size: int, max_error_runs: int) -> tuple[list[list[Program]], int]:
    """Group programs into meson runs: error-free ones in batches, failing ones alone.

    Failing programs over ``max_error_runs`` lose their failing statements until they
    pass and join the batches.  Returns (runs, number of single failing-program runs).
    """
    by_error: dict[str, list[Program]] = {}
    passing: list[Program] = []
    for prog in programs:
        error = run_ours([prog]).error
        if error is None:
            passing.append(prog)
        else:
            by_error.setdefault(error, []).append(prog)
    failing: list[Program] = []
    queues = list(by_error.values())
    while len(failing) < max_error_runs and any(queues):  # round robin: as many messages as possible
        for queue in queues:
            if queue and len(failing) < max_error_runs:
                failing.append(queue.pop(0))
    clean = passing
    for prog in (p for queue in queues for p in queue):
        outcome = run_ours([prog])
        while outcome.error is not None:
            assert outcome.where is not None
            prog = prog[:outcome.where[1]] + prog[outcome.where[1] + 1:]
            outcome = run_ours([prog])
        clean.append(prog)
    runs = [clean[i:i + batch_size] for i in range(0, len(clean), batch_size)]
    return runs + [[p] for p in failing], len(failing)


def compare_with_meson(runs: list[list[Program]], tmp_path: Path) -> None:
    meson_command()
    workers = max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(workers) as pool:
        theirs = list(pool.map(lambda ir: run_meson(ir[1], tmp_path / f"run{ir[0]}"), enumerate(runs)))
    for i, (progs, meson) in enumerate(zip(runs, theirs)):
        ours = run_ours(progs)
        where = f"run {i}: {tmp_path / f'run{i}' / 'src' / 'meson.build'}"
        assert ours.error == meson.error, where
        assert ours.lines == meson.lines, where


def test_edge_case_expectations() -> None:
    for name, prog, expected in EDGE_CASES:
        assert run_ours([prog]).error == expected, name


def test_differential_edge_cases(tmp_path: Path) -> None:
    clean = [prog for _, prog, expected in EDGE_CASES if expected is None]
    failing = [[prog] for _, prog, expected in EDGE_CASES if expected is not None]
    compare_with_meson([clean, *failing], tmp_path)


def test_differential_random_fast(tmp_path: Path) -> None:
    rng = random.Random(20240611)
    runs, n_failing = plan([gen_program(rng) for _ in range(80)], batch_size=80, max_error_runs=4)
    assert n_failing == 4
    compare_with_meson(runs, tmp_path)


@pytest.mark.slow
def test_differential_random_many(tmp_path: Path) -> None:
    rng = random.Random(7)
    runs, n_failing = plan([gen_program(rng) for _ in range(1200)], batch_size=300, max_error_runs=30)
    assert n_failing == 30
    compare_with_meson(runs, tmp_path)


def test_origin_changes_nothing() -> None:
    rng = random.Random(99)
    programs = [gen_program(rng) for _ in range(300)]
    for prog in programs:
        plain, labelled = run_ours([prog]), run_ours([prog], origins=True)
        assert (plain.lines, plain.error) == (labelled.lines, labelled.error)


def test_reasons_agree_with_results() -> None:
    """On random sets: reasons list exactly the result, each naming a rule holding that source."""
    rng = random.Random(5)
    deps = {n: FakeDep(dep_label(n), n.startswith("d")) for n in FOUND_DEPS + NOTFOUND_DEPS}
    checked = 0
    for _ in range(200):
        sets: dict[str, SourceSet] = {}
        for st in gen_program(rng):
            try:
                if isinstance(st, NewSet):
                    sets[st.name] = SourceSet()
                elif isinstance(st, Add):
                    sets[st.target].add(*_items(list(st.pos), deps), when=_items(st.when, deps),
                                        if_true=_items(st.if_true, deps), if_false=_items(st.if_false, deps))
                elif isinstance(st, AddAll):
                    inner = None if st.if_true is None else (
                        [sets[n] for n in st.if_true] if isinstance(st.if_true, list) else sets[st.if_true])
                    sets[st.target].add_all(*(sets[n] for n in st.pos), when=_items(st.when, deps), if_true=inner)
            except SourceSetError:
                pass
        config = {k: rng.choice(DICT_VALUES) for k in KEYS}
        for sset in sets.values():
            for pairs, plain in ((sset.apply_with_reasons(config), sset.apply(config).sources()),
                                 (sset.all_sources_with_reasons(), sset.all_sources())):
                assert [src for src, _ in pairs] == plain
                for src, reason in pairs:
                    branch = reason.rule.sources if reason.branch == "if_true" else reason.rule.if_false
                    assert src in branch
                    checked += 1
    assert checked > 500
