"""features.py: which probes a request needs, and the decisions and remedies from recorded probe
outcomes (unit level; the decisions against real probes are in test_features_e2e.py)."""

from __future__ import annotations

import pytest

from qemu_config.errors import UserError
from qemu_config.explain import render
from qemu_config.features import FeatureContext, FeatureDecision, decide_feature, probes_needed, requested_state
from qemu_config.host import host_from_macros
from qemu_config.probes import ProbeOutcome
from qemu_config.remedies import InstallContext
from qemu_config.rules import DLLTOOL, FEATURES, PKG_LIBBPF

LINUX = host_from_macros({"__linux__": "1", "__x86_64__": "1"})
WINDOWS = host_from_macros({"_WIN32": "1", "__x86_64__": "1"})
BY_NAME = {f.name: f for f in FEATURES}
DEFAULTS = {"pixman": "auto", "virglrenderer": "auto", "rutabaga_gfx": "auto", "bpf": "auto", "af_xdp": "auto",
            "hv_balloon": "auto", "libkeyutils": "auto", "fdt": "auto", "plugins": False, "tcg": "enabled"}


def ctx(host=LINUX, explicit=(), without_default_features=False, **values: object) -> FeatureContext:
    return FeatureContext(values={**DEFAULTS, **values}, explicit=frozenset(explicit), host=host, static=False,
                          without_default_features=without_default_features)


def test_disabled_features_are_not_probed() -> None:
    wanted, _ = probes_needed(ctx(pixman="disabled"))
    assert not any(getattr(p, "package", "") == "pixman-1" for p in wanted)
    wanted, _ = probes_needed(ctx())
    assert any(getattr(p, "package", "") == "pixman-1" for p in wanted)


def test_dependants_of_a_disabled_requirement_are_not_probed() -> None:
    wanted, _ = probes_needed(ctx(bpf="disabled"))
    assert not any(getattr(p, "package", "") == "libxdp" for p in wanted)
    assert PKG_LIBBPF not in wanted


def test_required_probes_are_those_of_enabled_features() -> None:
    _, required = probes_needed(ctx(pixman="enabled"))
    assert [getattr(p, "package", None) for p in required] == ["pixman-1"]
    _, required = probes_needed(ctx(fdt="system"))
    assert BY_NAME["fdt"].probes[0] in required


def test_plugins_default_is_auto_unless_without_default_features() -> None:
    plugins = BY_NAME["plugins"]
    assert requested_state(plugins, ctx()) == "auto"
    assert requested_state(plugins, ctx(without_default_features=True)) == "disabled"
    assert requested_state(plugins, ctx(explicit={"plugins"}, plugins=True)) == "enabled"


def test_dlltool_is_probed_only_for_windows_hosts() -> None:
    assert DLLTOOL not in probes_needed(ctx())[0]
    assert DLLTOOL in probes_needed(ctx(host=WINDOWS))[0]


def test_objc_only_on_darwin() -> None:
    darwin = host_from_macros({"__APPLE__": "1", "__aarch64__": "1"})
    objc = BY_NAME["objc"].probes[0]
    assert objc not in probes_needed(ctx())[0]
    assert objc in probes_needed(ctx(host=darwin))[1]   # required there


# --- remedies said for the host, from recorded probe outcomes -------------------------------------

ARM = host_from_macros({"__linux__": "1", "__aarch64__": "1"})
AMD64 = "x86_64-linux-gnu"
PIXMAN = BY_NAME["pixman"]
PIXMAN_PC = PIXMAN.probes[0]


def decide(feature, context: FeatureContext, outcomes) -> FeatureDecision:
    return decide_feature(feature, context, {}, outcomes, lambda _: None)


def required_error(feature, context: FeatureContext, outcomes) -> list[str]:
    with pytest.raises(UserError) as exc:
        decide(feature, context, outcomes)
    return exc.value.render().splitlines()


def cross(host, prefix: str, **values: object) -> FeatureContext:
    return FeatureContext(values={**DEFAULTS, **values}, explicit=frozenset(values), host=host, static=False,
                          without_default_features=False,
                          install=InstallContext(host, prefix, AMD64, pkg_config=prefix + "pkg-config"))


def test_native_pixman_missing_names_the_native_package() -> None:
    missing = {PIXMAN_PC: ProbeOutcome(PIXMAN_PC, False, "missing", "Package pixman-1 was not found")}
    lines = required_error(PIXMAN, ctx(explicit={"pixman"}, pixman="enabled"), missing)
    assert lines == [
        "ERROR: Feature pixman cannot be enabled",
        "       probed: pkg-config pixman-1 >=0.21.8 for the x86_64 host",
        "       found: Package pixman-1 was not found",
        "       next: install the development files (Debian: apt-get install libpixman-1-dev)",
        "       next: or, if it is installed somewhere pkg-config does not look, add that directory to PKG_CONFIG_PATH",
        "       next: or build without it: --disable-pixman",
    ]


def test_aarch64_cross_without_its_pkg_config() -> None:
    no_tool = {PIXMAN_PC: ProbeOutcome(PIXMAN_PC, False, "no-pkg-config",
                                       "pkg-config not found (looked for aarch64-linux-gnu-pkg-config)")}
    lines = required_error(PIXMAN, cross(ARM, "aarch64-linux-gnu-", pixman="enabled"), no_tool)
    assert lines[1] == "       probed: pkg-config pixman-1 >=0.21.8 for the aarch64 host"
    assert lines[3] == ("       next: install aarch64-linux-gnu-pkg-config and the arm64 development files "
                        "(Debian multiarch: dpkg --add-architecture arm64 && apt-get update && "
                        "apt-get install pkgconf:arm64 libpixman-1-dev:arm64)")
    assert "PKG_CONFIG_LIBDIR" in lines[4] and "PKG_CONFIG_PATH" not in "\n".join(lines)


def test_auto_feature_not_found_for_a_mingw_host() -> None:
    missing = {PIXMAN_PC: ProbeOutcome(PIXMAN_PC, False, "missing", "Package pixman-1 was not found")}
    decision = decide(PIXMAN, cross(WINDOWS, "x86_64-w64-mingw32-"), missing)
    assert not decision.enabled and decision.cause == "not-found"
    assert decision.reason == "not found for the x86_64 windows host: pkg-config pixman-1 >=0.21.8: " \
                              "Package pixman-1 was not found"
    assert decision.next_steps[0] == ("build pixman-1 for the x86_64 windows host "
                                      "(Debian packages no libraries for windows hosts)")
    assert not any("apt-get" in s for s in decision.next_steps)


def test_explain_says_why_and_what_next() -> None:
    missing = {BY_NAME["fdt"].probes[0]: ProbeOutcome(BY_NAME["fdt"].probes[0], False, "missing",
                                                      "library fdt not found")}
    decision = decide(BY_NAME["fdt"], cross(ARM, "aarch64-linux-gnu-"), missing)
    data = {"requested": decision.requested, "resolved": "disabled", "value": decision.value,
            "reason": decision.reason, "next": list(decision.next_steps), "symbols": list(decision.symbols),
            "host_kconfig": list(decision.host_kconfig),
            "probes": [{"probe": o.probe.describe(), "ok": o.ok, "detail": o.detail} for o in decision.probes]}
    text = render("fdt", data)
    assert text.startswith("fdt: disabled (auto) because not found for the aarch64 host: find_library fdt")
    assert "  next: install the arm64 development files (Debian multiarch: dpkg --add-architecture arm64 && " \
           "apt-get update && apt-get install libfdt-dev:arm64)\n" in text


# --- warnings for auto features --------------------------------------------------------

def _decide_bpf(libbpf: ProbeOutcome, skeleton: ProbeOutcome | None) -> tuple[bool, list[str]]:
    bpf = BY_NAME["bpf"]
    outcomes = {bpf.probes[0]: libbpf}
    if skeleton is not None:
        outcomes[bpf.probes[1]] = skeleton
    warnings: list[str] = []
    decision = decide_feature(bpf, ctx(), {}, outcomes, warnings.append)
    return decision.enabled, warnings


def test_bpf_warns_only_when_libbpf_was_found_and_its_test_failed() -> None:
    pkg, link = BY_NAME["bpf"].probes
    found = ProbeOutcome(pkg, True, "found", "found 1.1.2", "1.1.2")
    missing = ProbeOutcome(pkg, False, "missing", "Package libbpf was not found")
    skipped = ProbeOutcome(link, False, "skipped", "libbpf not available")
    assert _decide_bpf(missing, skipped) == (False, [])      # QEMU says nothing when libbpf is absent
    failed = ProbeOutcome(link, False, "failed", "does not link")
    assert _decide_bpf(found, failed) == (False, ["libbpf skeleton/mmaping test failed, disabling"])
    assert _decide_bpf(found, ProbeOutcome(link, True, "found", "links")) == (True, [])
