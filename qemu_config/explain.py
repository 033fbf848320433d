"""``qemu-config explain``: why a feature is on or off, from the last configure.

Reads ``qemu-config-report.json`` of a build directory (never re-probes) and
renders one decision with its reason chain.  Accepts the option spelling with
hyphens or underscores, or a CONFIG_ symbol the feature emits.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Mapping

from .errors import UserError

REPORT = "qemu-config-report.json"


def load_report(build_dir: Path) -> dict[str, Any]:
    path = build_dir / REPORT
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{build_dir} has no {REPORT}",
                        "run explain in a configured build directory, or name one with -C DIR") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {path}: {exc}", "re-run ./configure in that build directory") from None


def find_feature(report: Mapping[str, Any], query: str) -> tuple[str, Mapping[str, Any]]:
    features: Mapping[str, Any] = report.get("features", {})
    name = query.strip().replace("-", "_")
    if name in features:
        return name, features[name]
    symbol = query.strip()
    for fname, data in features.items():
        if symbol in data.get("symbols", ()) or symbol in data.get("host_kconfig", ()):
            return fname, data
    spellings = [n.replace("_", "-") for n in features] + [s for d in features.values() for s in d.get("symbols", ())]
    close = difflib.get_close_matches(query, spellings, n=1)
    raise UserError(f"no feature or symbol named {query!r} in the last configure",
                    *( [f"Did you mean {close[0]}?"] if close else []),
                    "known features: " + ", ".join(n.replace("_", "-") for n in sorted(features)))


def render(name: str, data: Mapping[str, Any]) -> str:
    resolved = data.get("resolved", "?")
    if data.get("value") and data["value"] not in ("enabled", "disabled"):
        resolved += f" ({data['value']})" if data.get("value") != data.get("requested") else ""
    lines = [f"{name}: {resolved} ({data.get('requested')}) because {data.get('reason')}"]
    for probe in data.get("probes", ()):
        answer = "YES" if probe.get("ok") else "NO"
        lines.append(f"  probe {probe.get('probe')}: {answer}, {probe.get('detail')}")
    on = resolved.startswith("enabled")
    for symbol in data.get("symbols", ()):
        lines.append(f"  config-host.h: {'#define' if on else '#undef'} {symbol}")
    for symbol in data.get("host_kconfig", ()):
        lines.append(f"  host Kconfig: {symbol}=y" if on else f"  host Kconfig: {symbol} not set")
    if not on:
        lines += [f"  next: {step}" for step in data.get("next", ())]
    return "\n".join(lines) + "\n"


def explain(build_dir: Path, query: str) -> str:
    report = load_report(build_dir)
    name, data = find_feature(report, query)
    return render(name, data)


def explain_device_symbol(build_dir: Path, symbol: str, target: str) -> str:
    """A device Kconfig symbol of one target: its value, the clauses that decided it, and, for the
    host symbols it depends on, the feature decision behind each (from the last configure)."""
    from .kconfig import parse_kconfig

    report = load_report(build_dir)
    targets: Mapping[str, Any] = report.get("targets", {})
    if target not in targets:
        dropped = report.get("dropped_targets", {})
        if target in dropped:
            raise UserError(f"{target} was not configured: {dropped[target]}")
        raise UserError(f"{target} is not a configured target of {build_dir}",
                        "configured targets: " + (" ".join(targets) or "none"))
    data = targets[target]
    tree = parse_kconfig([Path(report["source_dir"]) / "Kconfig"])
    result = tree.solve(data["mode"], {k: bool(v) for k, v in data["externals"]},
                        extra_files=[data["device_file"]])
    name = symbol.strip().removeprefix("CONFIG_")
    if name not in tree.symbols:
        close = difflib.get_close_matches(name, tree.symbols, n=1)
        raise UserError(f"CONFIG_{name} is not a symbol of the device Kconfig",
                        *([f"Did you mean CONFIG_{close[0]}?"] if close else []))
    lines = [f"CONFIG_{line.strip()}" if i == 0 else line
             for i, line in enumerate(result.explain(name).rstrip("\n").splitlines())]
    lines[0] += f"  ({target}, {data['mode']})"
    notes = []
    for fname, feature in report.get("features", {}).items():
        for host_symbol in feature.get("host_kconfig", ()):
            bare = host_symbol.removeprefix("CONFIG_")
            if any(bare in line for line in lines[1:]):
                notes.append(f"  host symbol {host_symbol}: feature {fname} is {feature.get('resolved')} "
                             f"because {feature.get('reason')}")
    accels = data.get("accelerators", [])
    from .rules import ACCELERATORS

    if any(a.symbol.removeprefix("CONFIG_") in line for a in ACCELERATORS for line in lines[1:]):
        notes.append(f"  accelerators of {target}: {' '.join(accels) or 'none'}")
    return "\n".join(lines + notes) + "\n"


def list_sources(build_dir: Path, target: str | None, why: str | None) -> str:
    """``qemu-config sources``: the files that compile (for one target, or all lists), or why one does."""
    report = load_report(build_dir)
    lists: Mapping[str, Mapping[str, str]] = report.get("sources", {})
    if target is not None and target not in lists:
        raise UserError(f"{target} is not a configured target of {build_dir}",
                        "configured targets: " + " ".join(k for k in lists if k.endswith("-softmmu")))
    chosen = {target: lists[target]} if target else dict(lists)
    if why is not None:
        wanted = why.strip().lstrip("./")
        for name, files in chosen.items():
            for path, reason in files.items():
                if path == wanted or path.endswith("/" + wanted):
                    return f"{path} ({name}): {reason}\n"
        every = sorted({p for files in chosen.values() for p in files})
        close = difflib.get_close_matches(wanted, every, n=1)
        raise UserError(f"{why} does not compile" + (f" for {target}" if target else ""),
                        *([f"Did you mean {close[0]}?"] if close else []),
                        "list what does: qemu-config sources" + (f" --target {target}" if target else " --all"))
    out = []
    for name, files in chosen.items():
        if not target:
            out.append(f"{name}:")
        out += [("  " if not target else "") + path for path in files]
    return "\n".join(out) + "\n"
