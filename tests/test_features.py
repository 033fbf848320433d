"""features.py: which probes a request needs, and the decisions and remedies from recorded probe
outcomes, one feature at a time (whole configurations: test_decide.py; against real probes:
test_features_real.py)."""

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


# --- decide_feature: each state against each kind of probe answer ---------------------------------

def outcome(probe, status: str, detail: str, version: str | None = None) -> ProbeOutcome:
    return ProbeOutcome(probe, status == "found", status, detail, version)


PIXMAN_ANSWERS = {
    "found": outcome(PIXMAN_PC, "found", "found 0.42.2", "0.42.2"),
    "missing": outcome(PIXMAN_PC, "missing", "Package pixman-1 was not found"),
    "too-old": outcome(PIXMAN_PC, "too-old", "pixman-1 found 0.20.0 but >= 0.21.8 is needed", "0.20.0"),
    "no-pkg-config": outcome(PIXMAN_PC, "no-pkg-config", "pkg-config not found (looked for pkg-config)"),
}


@pytest.mark.parametrize("answer, enabled, cause, reason", [
    ("found", True, "", "pkg-config pixman-1 >=0.21.8: found 0.42.2"),
    ("missing", False, "not-found", "not found for the x86_64 host: pkg-config pixman-1 >=0.21.8: "
                                    "Package pixman-1 was not found"),
    ("too-old", False, "unusable", "not usable on the x86_64 host: pkg-config pixman-1 >=0.21.8: "
                                   "pixman-1 found 0.20.0 but >= 0.21.8 is needed"),
    ("no-pkg-config", False, "not-found", "not found for the x86_64 host: pkg-config pixman-1 >=0.21.8: "
                                          "pkg-config not found (looked for pkg-config)"),
])
def test_auto_follows_the_probe(answer: str, enabled: bool, cause: str, reason: str) -> None:
    decision = decide(PIXMAN, ctx(), {PIXMAN_PC: PIXMAN_ANSWERS[answer]})
    assert (decision.enabled, decision.requested, decision.cause, decision.reason) == (enabled, "auto", cause, reason)
    assert decision.symbols == ("CONFIG_PIXMAN",) and decision.host_kconfig == ("CONFIG_PIXMAN",)
    assert decision.version == ("0.42.2" if enabled else None)
    assert decision.probes == (PIXMAN_ANSWERS[answer],)
    assert bool(decision.next_steps) is not enabled        # what would turn it on, when it is off


@pytest.mark.parametrize("answer", ["missing", "too-old", "no-pkg-config"])
def test_enabled_and_not_usable_is_an_error(answer: str) -> None:
    lines = required_error(PIXMAN, ctx(explicit={"pixman"}, pixman="enabled"), {PIXMAN_PC: PIXMAN_ANSWERS[answer]})
    assert lines[0] == "ERROR: Feature pixman cannot be enabled"
    assert lines[2] == f"       found: {PIXMAN_ANSWERS[answer].detail}"
    assert lines[-1] == "       next: or build without it: --disable-pixman"


def test_enabled_and_found() -> None:
    decision = decide(PIXMAN, ctx(explicit={"pixman"}, pixman="enabled"), {PIXMAN_PC: PIXMAN_ANSWERS["found"]})
    assert decision.enabled and decision.requested == "enabled" and decision.version == "0.42.2"


@pytest.mark.parametrize("context, cause, reason, next_step", [
    (ctx(explicit={"pixman"}, pixman="disabled"), "given", "--disable-pixman was given", "drop --disable-pixman"),
    (ctx(pixman="disabled"), "default", "option pixman defaults to disabled", "add --enable-pixman"),
    (ctx(without_default_features=True, pixman="disabled"), "no-default-features",
     "--without-default-features turns auto into disabled", "add --enable-pixman"),
])
def test_disabled_says_why(context: FeatureContext, cause: str, reason: str, next_step: str) -> None:
    decision = decide(PIXMAN, context, {})       # a disabled feature is never probed: no outcome to read
    assert not decision.enabled and decision.requested == "disabled"
    assert (decision.cause, decision.reason, decision.next_steps) == (cause, reason, (next_step,))


def test_a_feature_of_another_host() -> None:
    kvm = BY_NAME["kvm"]
    decision = decide(kvm, ctx(host=WINDOWS, kvm="auto"), {})
    assert not decision.enabled and decision.cause == "other-host"
    assert decision.reason == "only needed on linux hosts; this host is windows"
    lines = required_error(kvm, ctx(host=WINDOWS, explicit={"kvm"}, kvm="enabled"), {})
    assert lines == ["ERROR: KVM not available on this platform",
                     "       this host is windows; it is available on linux hosts", "       next: --disable-kvm"]
    assert decide(kvm, ctx(kvm="auto"), {}).reason == "available on linux hosts"


def test_requirements_turn_auto_off_and_refuse_enabled() -> None:
    bpf_off = FeatureDecision("bpf", "auto", False, "not found for the x86_64 host: pkg-config libbpf >=1.1.0: gone")
    af_xdp = BY_NAME["af_xdp"]
    libxdp = af_xdp.probes[0]
    found_xdp = {libxdp: outcome(libxdp, "found", "found 1.3.1", "1.3.1")}
    decision = decide_feature(af_xdp, ctx(), {"bpf": bpf_off}, found_xdp, lambda _: None)
    assert not decision.enabled and decision.cause == "requirement"
    assert decision.reason == ("libxdp requested, but libbpf is not available: bpf is off "
                               "(not found for the x86_64 host: pkg-config libbpf >=1.1.0: gone)")
    with pytest.raises(UserError) as info:
        decide_feature(af_xdp, ctx(explicit={"af_xdp"}, af_xdp="enabled"), {"bpf": bpf_off}, found_xdp,
                       lambda _: None)
    assert info.value.message == "libxdp requested, but libbpf is not available"
    bpf_on = FeatureDecision("bpf", "auto", True, "found")
    assert decide_feature(af_xdp, ctx(), {"bpf": bpf_on}, found_xdp, lambda _: None).enabled


def test_a_requirement_on_an_option_and_on_the_build() -> None:
    plugins = BY_NAME["plugins"]
    assert decide(plugins, ctx(), {}).enabled
    assert decide(plugins, ctx(), {}).reason == "nothing rules it out"
    off = decide(plugins, ctx(tcg="disabled"), {})
    assert not off.enabled and off.reason == "Can't enable plugins on non-TCG builds: option tcg is disabled"
    static = FeatureContext(values=DEFAULTS, explicit=frozenset(), host=LINUX, static=True,
                            without_default_features=False)
    assert decide(plugins, static, {}).reason == "static and plugins are mutually incompatible: the build is static"
    assert decide(plugins, ctx(explicit={"plugins"}, plugins=True), {}).reason == "--enable-plugins was given"


def test_auto_warning_only_when_the_feature_s_own_test_failed() -> None:
    hv = BY_NAME["hv_balloon"]
    link = hv.probes[0]
    glib = link.uses[0]
    warned: list[str] = []
    failed = {glib: outcome(glib, "found", "found 2.66.0", "2.66.0"), link: outcome(link, "failed", "does not link")}
    decision = decide_feature(hv, ctx(), {}, failed, warned.append)
    assert warned == ["could not find glib support for hv-balloon, disabling"] and decision.cause == "unusable"
    warned.clear()
    no_glib = {glib: outcome(glib, "missing", "Package glib-2.0 was not found"),
               link: outcome(link, "skipped", "glib-2.0 not available: Package glib-2.0 was not found")}
    decision = decide_feature(hv, ctx(), {}, no_glib, warned.append)
    assert warned == [] and decision.cause == "not-found"
    assert decision.reason == ('not found for the x86_64 host: link test "GTree node API" not run: '
                               "Package glib-2.0 was not found")


def test_combo_option_resolves_to_its_value_and_refuses_internal() -> None:
    fdt = BY_NAME["fdt"]
    library = fdt.probes[0]
    found_lib = {library: ProbeOutcome(library, True, "found", "library fdt found", libs=("-lfdt",))}
    for value in ("auto", "system", "enabled"):
        decision = decide(fdt, ctx(explicit={"fdt"}, fdt=value), found_lib)
        assert decision.enabled and decision.value == "system" and decision.requested == value
    assert decide(fdt, ctx(explicit={"fdt"}, fdt="disabled"), {}).value == "disabled"
    lines = required_error(fdt, ctx(explicit={"fdt"}, fdt="internal"), {})
    assert lines[0].startswith("ERROR: fdt=internal cannot be used: it builds libfdt from the dtc subproject")
    assert lines[1] == "       next: use --enable-fdt=system"
    too_old = {library: ProbeOutcome(library, False, "too-old", 'library fdt found, but link test '
                                     '"fdt_find_max_phandle" failed')}
    assert required_error(fdt, ctx(explicit={"fdt"}, fdt="system"), too_old)[0] == \
        "ERROR: system libfdt is too old (1.5.1 or newer required)"


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
