"""Feature resolution: what is on, and why.

Owns the tri-state decision (meson's semantics: enabled / disabled / auto, with
``--without-default-features`` turning auto into disabled) for every
declaration in :mod:`qemu_config.rules`, and the reason attached to each.
Pure over its inputs: resolved option values, the host, and the probe
outcomes (the probes themselves run in :mod:`qemu_config.probes`).  A disabled
feature is never probed.  Does not print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from .errors import UserError
from .host import HostMachine
from .installdirs import InstallDirs
from .probes import LibraryProbe, LinkProbe, PkgConfigProbe, Probe, ProbeOutcome
from .remedies import InstallContext, absence, host_label, library_steps
from .rules import (BOOLEAN_OPTIONS, FEATURES, Condition, Feature, FeatureOn, NotStatic, OnHostOs, OptionIsNot,
                    ProbeOk)


@dataclass(frozen=True)
class FeatureDecision:
    """The resolved state of one feature."""

    name: str                       # the declaration's name (usually the option's)
    requested: str                  # enabled | disabled | auto | true | false | default | <combo value> | always
    enabled: bool
    reason: str
    symbols: tuple[str, ...] = ()   # config-host.h symbols it defines (or #undefs)
    host_kconfig: tuple[str, ...] = ()
    version: str | None = None      # version of what was found, if any
    probes: tuple[ProbeOutcome, ...] = field(default=(), compare=False)
    value: str | None = None        # combo features: the resolved value (fdt: 'system' or 'disabled')
    cause: str = ""                 # why it is off: given | default | no-default-features | not-found |
                                    # unusable | other-host | requirement ('' when on)
    next_steps: tuple[str, ...] = ()  # what would turn it on (the install steps when not found)


@dataclass(frozen=True)
class FeatureContext:
    """What a decision may look at."""

    values: Mapping[str, object]        # resolved option values (auto_features already applied)
    explicit: frozenset[str]            # options the user set
    host: HostMachine
    static: bool
    without_default_features: bool
    words: Mapping[str, str] = field(default_factory=dict)  # configure's own words: pie -> auto|enabled|disabled
    install: InstallContext | None = None   # how the build reaches the host; None: a native build

    @property
    def installing(self) -> InstallContext:
        return self.install if self.install is not None else InstallContext.native(self.host)


def _spell(option: str, on: bool) -> str:
    return ("--enable-" if on else "--disable-") + option.replace("_", "-")


def requested_state(feature: Feature, ctx: FeatureContext) -> str:
    """What was asked, as a tri-state (or the combo value): enabled | disabled | auto | ..."""
    if feature.option is None:
        return "always" if "always" in feature.required_values else "auto"
    if feature.configure_word:
        return ctx.words.get(feature.option, "auto")
    value = ctx.values.get(feature.option)
    if isinstance(value, bool):
        if feature.auto_by_default and feature.option not in ctx.explicit:
            return "disabled" if ctx.without_default_features else "auto"
        return "enabled" if value else "disabled"
    return str(value)


def given(feature: Feature, ctx: FeatureContext) -> bool:
    """Whether the user set the feature's option (or configure word) on the command line."""
    if feature.option is None:
        return False
    if feature.configure_word:
        return ctx.words.get(feature.option, "auto") != "auto"
    return feature.option in ctx.explicit


def feature_probes(feature: Feature, ctx: FeatureContext) -> tuple[Probe, ...]:
    """The probes that prove ``feature`` on this build: its static ones in a static build, if it has them."""
    if ctx.static and feature.static_probes is not None:
        return feature.static_probes
    return feature.probes


def probes_needed(ctx: FeatureContext, features: Sequence[Feature] = FEATURES) -> tuple[list[Probe], list[Probe]]:
    """The probes worth running, and those whose failure would be an error (never served a cached miss).

    A feature that is disabled, refused, or impossible on this host is not probed, nor is one whose
    required features are disabled by option.
    """
    wanted: list[Probe] = []
    required: list[Probe] = []
    states = {f.name: requested_state(f, ctx) for f in features}
    for feature in features:
        state = states[feature.name]
        if state == "disabled" or dict(feature.refused_values).get(state):
            continue
        if feature.only_on is not None and ctx.host.os not in feature.only_on:
            continue
        if any(isinstance(r.condition, FeatureOn) and states.get(r.condition.feature) == "disabled"
               for r in feature.requires):
            continue
        probes = list(feature_probes(feature, ctx)) + [_probe_of(r.condition, ctx.host) for r in feature.requires]
        probes = [p for p in probes if p is not None]
        wanted += probes
        if state in feature.required_values:
            required += probes
    return wanted, required


def _probe_of(cond: Condition, host: HostMachine) -> Probe | None:
    if isinstance(cond, ProbeOk):
        return cond.probe
    if isinstance(cond, OnHostOs):
        return _probe_of(cond.condition, host) if host.os in cond.oses else None
    return None


def _condition_holds(cond: Condition, ctx: FeatureContext, decided: Mapping[str, FeatureDecision],
                     outcomes: Mapping[Probe, ProbeOutcome]) -> tuple[bool, str]:
    if isinstance(cond, FeatureOn):
        dec = decided.get(cond.feature)
        if dec is None:
            return False, f"{cond.feature} is not declared before this feature"
        return dec.enabled, f"{cond.feature} is {'on' if dec.enabled else 'off'} ({dec.reason})"
    if isinstance(cond, OptionIsNot):
        value = ctx.values.get(cond.option)
        return value != cond.value, f"option {cond.option} is {value}"
    if isinstance(cond, NotStatic):
        return not ctx.static, "the build is static" if ctx.static else "the build is not static"
    if isinstance(cond, OnHostOs):
        if ctx.host.os not in cond.oses:
            return True, f"not needed on {ctx.host.os}"
        return _condition_holds(cond.condition, ctx, decided, outcomes)
    if isinstance(cond, ProbeOk):
        out = outcomes.get(cond.probe)
        if out is None:
            return False, f"{cond.probe.describe()} was not run"
        return out.ok, f"{cond.probe.describe()}: {out.detail}"
    raise TypeError(cond)


def _failure_reason(outcome: ProbeOutcome, outcomes: Mapping[Probe, ProbeOutcome]) -> str:
    probe = outcome.probe
    if isinstance(probe, LinkProbe):
        against = []
        for used in probe.uses:
            dep = outcomes.get(used)
            if dep is not None and dep.ok:
                against.append(f"{used.package} {dep.version}" if dep.version else used.package)
            elif dep is not None:
                return f'{probe.label()} not run: {dep.detail}'
        text = f'{probe.label()} failed'
        if against:
            text += " against " + ", ".join(against)
        if probe.needs:
            text += f" (needs {probe.needs})"
        return text
    return f"{probe.describe()}: {outcome.detail}"


def _success_reason(outcome: ProbeOutcome, outcomes: Mapping[Probe, ProbeOutcome], *, where: bool = False) -> str:
    """Why a probe counts as found; ``where`` (cross builds) adds the .pc file, the host's own."""
    probe = outcome.probe
    if isinstance(probe, LinkProbe):
        against = [f"{u.package} {outcomes[u].version}" if u in outcomes and outcomes[u].version else u.package
                   for u in probe.uses]
        return f'{probe.label()} links' + (" against " + ", ".join(against) if against else "")
    if isinstance(probe, PkgConfigProbe):
        pc_file = f" ({outcome.value})" if where and isinstance(outcome.value, str) else ""
        return f"{probe.describe()}: found {outcome.version}{pc_file}"
    return f"{probe.describe()}: {outcome.detail}"


def _libraries(feature: Feature, ctx: FeatureContext) -> tuple[list[str], str]:
    """The upstream names of what a feature's probes look for, and how they find it."""
    names: list[str] = []
    located_by = ""
    for probe in feature_probes(feature, ctx):
        if isinstance(probe, PkgConfigProbe):
            names.append(probe.package)
            located_by = "pkg-config"
        elif isinstance(probe, LinkProbe) and probe.uses:
            names += [u.package for u in probe.uses]
            located_by = "pkg-config"
        elif isinstance(probe, LibraryProbe):
            names.append("lib" + probe.library)
            located_by = located_by or "compiler"
    return list(dict.fromkeys(names)), located_by


def _install_steps(feature: Feature, ctx: FeatureContext, seen: Sequence[ProbeOutcome]) -> list[str]:
    """What would make the feature's probes succeed on this host (without "build without it")."""
    if any(o.status == "no-static" for o in seen):
        # installed, but only as shared objects: packages and search paths are not what is missing
        steps = ["provide its libraries as static archives (lib*.a) where the compiler finds them"]
    else:
        names, located_by = _libraries(feature, ctx)
        steps = library_steps(ctx.installing, feature.debian_packages, names, located_by=located_by,
                              pkg_config_missing=any(o.status == "no-pkg-config" for o in seen),
                              remedy=feature.remedy)
    if ctx.static and seen and not all(o.ok for o in seen):
        steps.append("or link dynamically: leave out --static (a static build needs every library as a "
                     "static archive)")
    return steps


def decide_feature(feature: Feature, ctx: FeatureContext, decided: Mapping[str, FeatureDecision],
                   outcomes: Mapping[Probe, ProbeOutcome], warn: Callable[[str], None]) -> FeatureDecision:
    state = requested_state(feature, ctx)
    required = state in feature.required_values
    explicit = given(feature, ctx)
    own = tuple(outcomes[p] for p in feature_probes(feature, ctx) if p in outcomes)
    with_uses = tuple(outcomes[u] for p in feature_probes(feature, ctx) for u in p.depends_on()
                      if u in outcomes) + own

    def off(reason: str, cause: str, next_steps: Sequence[str] = ()) -> FeatureDecision:
        return FeatureDecision(feature.name, state, False, reason, feature.config_host, feature.host_kconfig,
                               probes=with_uses, value="disabled" if feature.resolved_value_on else None,
                               cause=cause, next_steps=tuple(next_steps))

    def fail(message: str, probed: str, found: str) -> UserError:
        steps = _install_steps(feature, ctx, with_uses)
        if feature.option:
            steps.append(f"or build without it: {_spell(feature.option, False)}")
        return UserError(message, f"probed: {probed} for the {host_label(ctx.host)} host", f"found: {found}",
                         *(f"next: {s}" for s in steps))

    if state == "disabled":
        spelled = feature.option or feature.name
        if explicit:
            return off(f"{_spell(spelled, False)} was given", "given", [f"drop {_spell(spelled, False)}"])
        if ctx.without_default_features:
            return off("--without-default-features turns auto into disabled", "no-default-features",
                       [f"add {_spell(spelled, True)}"])
        return off(f"option {feature.option} defaults to disabled", "default", [f"add {_spell(spelled, True)}"])
    refused = dict(feature.refused_values).get(state)
    if refused:
        use = [f"use {_spell(feature.option or feature.name, True)}={feature.resolved_value_on}"] \
            if feature.resolved_value_on else []
        raise UserError(f"{feature.option}={state} cannot be used: {refused}",
                        *(f"next: {s}" for s in use + _install_steps(feature, ctx, ())))
    if feature.only_on is not None and ctx.host.os not in feature.only_on:
        where = ", ".join(sorted(feature.only_on))
        if required and feature.option:
            raise UserError(feature.unavailable
                            or f"Feature {feature.name} cannot be enabled: it is only available on {where} hosts",
                            f"this host is {ctx.host.os}; it is available on {where} hosts",
                            f"next: {_spell(feature.option, False)}")
        return off(f"only needed on {where} hosts; this host is {ctx.host.os}", "other-host")
    for req in feature.requires:
        ok, why = _condition_holds(req.condition, ctx, decided, outcomes)
        if not ok:
            if required:
                raise UserError(req.message, f"because {why}",
                                *( [f"next: {_spell(feature.option, False)}"] if feature.option else []))
            return off(f"{req.message.rstrip('.')}: {why}", "requirement")
    failed = [o for o in own if not o.ok]
    if failed:
        first = failed[0]
        reason = _failure_reason(first, outcomes)
        if required:
            message = dict(feature.failure_by_status).get(first.status) or feature.failure \
                or f"Feature {feature.name} cannot be enabled"
            if message == feature.failure and first.probe.__class__ is LinkProbe:
                versions = [f"{u.package} {outcomes[u].version}" for u in first.probe.uses  # type: ignore[union-attr]
                            if u in outcomes and outcomes[u].version]
                if versions:
                    message += " (found " + ", ".join(versions) + ")"
            found = reason if isinstance(first.probe, LinkProbe) else first.detail
            raise fail(message, first.probe.describe(), found)
        if feature.auto_warning and first.status == "failed":
            # as QEMU: a test that ran and failed is worth a warning; what it needs being absent is not
            warn(feature.auto_warning)
        cause = "unusable" if first.status in ("too-old", "wrong-version", "failed") else "not-found"
        return off(f"{absence(cause, ctx.host)}: {reason}", cause, _install_steps(feature, ctx, with_uses))
    version = next((o.version for o in own if o.version), None)
    if own:
        cross = ctx.installing.cross
        reason = "; ".join(_success_reason(o, outcomes, where=cross) for o in own)
        if cross:
            reason += f", for the {host_label(ctx.host)} host"
    elif explicit:
        reason = f"{_spell(feature.option or feature.name, True)} was given"
    elif feature.only_on is not None:
        reason = f"available on {ctx.host.os} hosts"
    else:
        reason = "nothing rules it out" if state == "auto" else f"{state}"
    return FeatureDecision(feature.name, state, True, reason, feature.config_host, feature.host_kconfig,
                           version=version, probes=with_uses, value=feature.resolved_value_on)


def decide_features(ctx: FeatureContext, outcomes: Mapping[Probe, ProbeOutcome],
                    features: Sequence[Feature] = FEATURES) -> tuple[tuple[FeatureDecision, ...], list[str]]:
    """Decide every feature in declaration order (requirements name earlier features)."""
    decided: dict[str, FeatureDecision] = {}
    warnings: list[str] = []
    for feature in features:
        decided[feature.name] = decide_feature(feature, ctx, decided, outcomes, warnings.append)
    return tuple(decided.values()), warnings


def decide_boolean_options(values: Mapping[str, object], explicit: set[str] | frozenset[str],
                           dirs: InstallDirs) -> tuple[tuple[FeatureDecision, ...], list[str]]:
    """Booleans that map straight to a config-host.h symbol, and relocatability's warning."""
    decisions: list[FeatureDecision] = []
    warnings: list[str] = []
    for decl in BOOLEAN_OPTIONS:
        if decl.option not in values:
            continue
        value = bool(values[decl.option])
        spelled = _spell(decl.option, value)
        if decl.option in explicit:
            requested = "true" if value else "false"
            reason = f"{spelled} was given"
        else:
            requested = "default"
            reason = f"default of option {decl.option} ({'true' if value else 'false'})"
        symbols = (decl.symbol,) if decl.symbol is not None else ()
        decisions.append(FeatureDecision(decl.option, requested, value, reason, symbols))
    if values.get("relocatable") and not dirs.relocatable_possible():
        warnings += [
            "bindir not included within prefix, the installation will not be relocatable.",
            f"QEMU will have to be installed under {dirs.prefix}.",
            "Use --disable-relocatable to remove this warning.",
        ]
    return tuple(decisions), warnings


def host_kconfig(decisions: Sequence[FeatureDecision], host: HostMachine) -> tuple[str, ...]:
    """The host symbols the device Kconfig sees (CONFIG_X=y), in declaration order."""
    symbols: list[str] = []
    for decision in decisions:
        if decision.enabled:
            symbols += [s for s in decision.host_kconfig if s not in symbols]
    if host.os == "linux":
        symbols.append("CONFIG_LINUX")
    return tuple(symbols)
