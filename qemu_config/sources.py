"""Sourcesets: which files compile, for the common code and for each target.

Owns the declaration files (``sources.toml`` beside the C files under
``core/``), their evaluation with meson's sourceset semantics
(:mod:`qemu_config.sourceset`), and the lists meson compiles: the util set
(target-agnostic, applied with a strict ``apply({})``), the system set
(compiled once from ``all_sources()``; each target picks its objects with
``apply(config_target)``), the per-target sets (``specific`` and ``hw_arch``),
and the Python extension's selection (the union of the targets'
configurations).  Records, for every file, the rule that put it there.

A declaration file::

    set = "system"                 # util | system | specific | hw_arch
    arch = "i386"                  # hw_arch only: the TARGET_BASE_ARCH it serves

    [[rule]]                       # meson: ss.add(...)
    sources = ["a.c"]              # unconditional
    [[rule]]
    when = ["CONFIG_X", "dep:pixman"]        # config keys, and features as dependencies
    if_true = ["x.c", "dep:hv_balloon"]      # dependencies here are linked, not conditions
    if_false = ["x-stub.c"]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import UserError
from .sourceset import SourceSet, SourceSetError
from .storage import NotUTF8, utf8_text

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the bootstrap installs tomli
    import tomli as tomllib  # type: ignore[no-redef]

DECLARATION = "sources.toml"
SET_KINDS = ("util", "system", "specific", "hw_arch")
TARGET_AGNOSTIC = ("util",)
_RULE_KEYS = frozenset({"sources", "when", "if_true", "if_false"})


@dataclass(frozen=True)
class FeatureDependency:
    """A ``dep:NAME`` of a declaration: the feature NAME, found when configure turned it on."""

    name: str
    is_found: bool

    def found(self) -> bool:
        return self.is_found

    def __str__(self) -> str:
        return f"dep:{self.name}"


@dataclass(frozen=True)
class SourceRule:
    origin: str                    # "core/hw/hyperv/sources.toml rule 3"
    sources: tuple[str, ...]
    when: tuple[str, ...]
    if_true: tuple[str, ...]
    if_false: tuple[str, ...]


@dataclass(frozen=True)
class SourceDeclaration:
    path: str                      # relative to the source dir
    set_kind: str
    arch: str | None
    rules: tuple[SourceRule, ...]


@dataclass(frozen=True)
class SourceList:
    """Files (relative to the source dir) with the rule that put each there, and the features they link."""

    files: tuple[str, ...]
    dependencies: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TargetSources:
    target: str
    common: SourceList     # objects of the system set this target links
    specific: SourceList   # compiled for this target: specific + hw_arch[TARGET_BASE_ARCH]


@dataclass(frozen=True)
class SourcePlan:
    util: SourceList
    system: SourceList     # all_sources(): compiled once
    targets: tuple[TargetSources, ...]
    extension: SourceList  # the system objects of the Python extension
    hw_arches: tuple[str, ...]


def _entries(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{where}: '{key}' must be a list of strings",
                        'e.g. when = ["CONFIG_X"], if_true = ["x.c", "dep:pixman"]')
    return tuple(value)


def load_declarations(source_dir: Path) -> tuple[SourceDeclaration, ...]:
    """Every core/**/sources.toml, in path order."""
    found: list[SourceDeclaration] = []
    for path in sorted((source_dir / "core").rglob(DECLARATION)):
        rel = path.relative_to(source_dir).as_posix()
        try:
            data = tomllib.loads(utf8_text(path.read_bytes()))
        except NotUTF8 as exc:
            raise UserError(f"{rel}:{exc.line}: {exc}", "save the declaration file as UTF-8") from None
        except OSError as exc:
            raise UserError(f"{rel}: cannot read it: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"{rel}: {exc}", "fix the declaration file (TOML)") from None
        kind = data.get("set")
        if kind not in SET_KINDS:
            raise UserError(f"{rel}: set = {kind!r} is not one of {', '.join(SET_KINDS)}")
        arch = data.get("arch")
        if (kind == "hw_arch") != isinstance(arch, str):
            raise UserError(f"{rel}: 'arch' names the TARGET_BASE_ARCH of an hw_arch set, and only there")
        unknown = set(data) - {"set", "arch", "rule"}
        if unknown:
            raise UserError(f"{rel}: unknown key(s) {', '.join(sorted(unknown))}")
        base = path.parent.relative_to(source_dir)
        rules = []
        raw_rules = data.get("rule", [])
        if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
            raise UserError(f"{rel}: 'rule' must be an array of tables",
                            "write each rule as a [[rule]] table (see core/*/sources.toml)")
        for index, raw in enumerate(raw_rules, start=1):
            where = f"{rel} rule {index}"
            bad = set(raw) - _RULE_KEYS
            if bad:
                raise UserError(f"{where}: unknown key(s) {', '.join(sorted(bad))}",
                                "a rule has sources, or when / if_true / if_false")
            if "sources" in raw and any(k in raw for k in ("when", "if_true", "if_false")):
                raise UserError(f"{where}: add called with both positional and keyword arguments",
                                "use 'sources' for an unconditional rule, or when/if_true/if_false")

            def local(items: tuple[str, ...]) -> tuple[str, ...]:
                return tuple(i if i.startswith("dep:") else os.path.normpath(base / i) for i in items)

            rules.append(SourceRule(
                origin=where,
                sources=local(_entries(raw.get("sources"), where, "sources")),
                when=_entries(raw.get("when"), where, "when"),
                if_true=local(_entries(raw.get("if_true"), where, "if_true")),
                if_false=local(_entries(raw.get("if_false"), where, "if_false")),
            ))
        found.append(SourceDeclaration(rel, kind, arch, tuple(rules)))
    return tuple(found)


def _objects(items: Sequence[str], deps: Mapping[str, FeatureDependency], where: str) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item.startswith("dep:"):
            name = item[4:]
            if name not in deps:
                raise UserError(f"{where}: {item} names no feature",
                                "features: " + ", ".join(sorted(deps)))
            out.append(deps[name])
        else:
            out.append(item)
    return out


def build_set(declarations: Sequence[SourceDeclaration], deps: Mapping[str, FeatureDependency]) -> SourceSet:
    """One source set from declarations: each file's rules in a set of its own, added with add_all."""
    top = SourceSet()
    for decl in declarations:
        inner = SourceSet()
        for rule in decl.rules:
            if rule.sources:
                inner.add(*_objects(rule.sources, deps, rule.origin), origin=rule.origin)
            else:
                inner.add(when=_objects(rule.when, deps, rule.origin),
                          if_true=_objects(rule.if_true, deps, rule.origin),
                          if_false=_objects(rule.if_false, deps, rule.origin), origin=rule.origin)
        top.add_all(inner, origin=decl.path)
    return top


def _listing(pairs: Sequence[tuple[Any, Any]], dep_pairs: Sequence[tuple[Any, Any]]) -> SourceList:
    files = tuple(str(src) for src, _ in pairs)
    reasons = tuple((str(src), reason.describe()) for src, reason in pairs)
    dependencies = tuple(dict.fromkeys(d.name for d, _ in dep_pairs if isinstance(d, FeatureDependency)))
    return SourceList(files, dependencies, reasons)


_MISSING_KEY = re.compile(r"Entry (\S+) not in configuration dictionary")


def _strict_agnostic(sset: SourceSet, declarations: Sequence[SourceDeclaration], kind: str) -> SourceList:
    try:
        result = sset.apply({}, strict=True)
    except SourceSetError as exc:
        match = _MISSING_KEY.search(str(exc))
        key = match.group(1) if match else "?"
        culprit = next((r for d in declarations for r in d.rules if key in r.when), None)
        where = culprit.origin if culprit else f"a {kind} declaration"
        raise UserError(f"{where}: when = [\"{key}\"] tests a config symbol in the target-agnostic {kind} set",
                        f"meson: {exc}",
                        f"{kind} is applied with a strict apply({{}}): its rules may depend on features "
                        "(dep:NAME) but never on CONFIG_ symbols; move the file to a per-target set") from None
    return _listing(result.source_reasons(), result.dependency_reasons())


def plan_sources(source_dir: Path, features: Mapping[str, bool],
                 target_configs: Sequence[tuple[str, str, Mapping[str, str]]]) -> SourcePlan:
    """Evaluate the declarations.  ``target_configs``: (target, TARGET_BASE_ARCH, config) per target,
    the config being QEMU's config_target plus the target's devices."""
    declarations = load_declarations(source_dir)
    deps = {name: FeatureDependency(name, on) for name, on in features.items()}
    by_kind = {kind: [d for d in declarations if d.set_kind == kind] for kind in SET_KINDS}
    util = _strict_agnostic(build_set(by_kind["util"], deps), by_kind["util"], "util")
    system_set = build_set(by_kind["system"], deps)
    specific_set = build_set(by_kind["specific"], deps)
    hw_arch = {arch: build_set([d for d in by_kind["hw_arch"] if d.arch == arch], deps)
               for arch in sorted({d.arch for d in by_kind["hw_arch"] if d.arch})}
    everything = system_set.collect_all()
    system = _listing(everything.source_reasons(), everything.dependency_reasons())
    targets: list[TargetSources] = []
    union: dict[str, str] = {}
    for name, base_arch, config in target_configs:
        union.update(config)
        common = system_set.apply(config, strict=False)
        spec = specific_set.apply(config, strict=False)
        pairs = list(spec.source_reasons())
        dep_pairs = list(spec.dependency_reasons())
        if base_arch in hw_arch:
            arch_result = hw_arch[base_arch].apply(config, strict=False)
            pairs += arch_result.source_reasons()
            dep_pairs += arch_result.dependency_reasons()
        targets.append(TargetSources(name, _listing(common.source_reasons(), common.dependency_reasons()),
                                     _listing(pairs, dep_pairs)))
    ext = system_set.apply(union, strict=False)
    return SourcePlan(util=util, system=system, targets=tuple(targets),
                      extension=_listing(ext.source_reasons(), ext.dependency_reasons()),
                      hw_arches=tuple(hw_arch))
