"""Feature resolution: what is on, and why.

Owns the decision for every declaration in :mod:`qemu_config.rules` and the
reason attached to it.  Pure: resolved option values (and, in later stages,
probe results) in; frozen :class:`FeatureDecision` records out.  Does not print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .installdirs import InstallDirs
from .rules import BOOLEAN_OPTIONS


@dataclass(frozen=True)
class FeatureDecision:
    """The resolved state of one feature."""

    name: str              # option name
    requested: str         # what the user asked: 'true'/'false' for booleans, or 'default'
    enabled: bool
    reason: str
    symbols: tuple[str, ...] = ()   # config-host.h symbols this decision defines (or #undefs)


def decide_boolean_options(values: Mapping[str, object], explicit: set[str],
                           dirs: InstallDirs) -> tuple[tuple[FeatureDecision, ...], list[str]]:
    decisions: list[FeatureDecision] = []
    warnings: list[str] = []
    for decl in BOOLEAN_OPTIONS:
        if decl.option not in values:
            continue
        value = bool(values[decl.option])
        spelled = ("--enable-" if value else "--disable-") + decl.option.replace("_", "-")
        if decl.option in explicit:
            requested = "true" if value else "false"
            reason = f"{spelled} was given"
        else:
            requested = "default"
            reason = f"default of option {decl.option} ({'true' if value else 'false'})"
        decisions.append(FeatureDecision(decl.option, requested, value, reason, (decl.symbol,)))
    relocatable = values.get("relocatable")
    if relocatable and not dirs.relocatable_possible():
        warnings += [
            "bindir not included within prefix, the installation will not be relocatable.",
            f"QEMU will have to be installed under {dirs.prefix}.",
            "Use --disable-relocatable to remove this warning.",
        ]
    return tuple(decisions), warnings
