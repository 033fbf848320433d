"""configure.decide() in this process, from recorded answers of the machine (tests/recorded.py).

Whole configurations are decided as configure() decides them and the files it would write are
computed, without a subprocess: features (auto, enabled, disabled) against found, missing, too-old
and no-pkg-config answers, requirements, --without-default-features, fdt and the targets it drops or
refuses, accelerators per host, cross hosts, and what the generated files say.  The probes
themselves, and what only a real configure shows, are tested against the machine elsewhere
(test_features_real.py and the *_e2e.py modules).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Mapping

import pytest

from e2e import REPO, copy_source_tree, parse_header_text
from qemu_config import options
from qemu_config.configure import meson_setup_args
from qemu_config.errors import UserError
from qemu_config.explain import find_feature, render
from qemu_config.features import FeatureDecision
from qemu_config.model import Configuration
from recorded import (AARCH64_CROSS, AARCH64_MULTIARCH, BPF_LINK, DARWIN, DARWIN_X86_64, DLLTOOL, FDT, GDB, GDB_X86, GLIB,
                      GTREE_LINK, HVF_LINK, KEYUTILS, LIBBPF, LIBXDP, LINUX_AARCH64, LINUX_X86_64, MINGW, NATIVE,
                      NETBSD, NETBSD_X86_64, NVMM, OBJC, PIXMAN, RUTABAGA, VIRGL, WINDOWS_X86_64, Answer,
                      ENVIRON, Decider, RecordedProber, does_not_link, found, gdb, missing, no_pkg_config, not_found, package,
                      too_old)
from test_targets import AARCH64_CROSS_FDT_ERROR

MINGW_PREFIX = "--cross-prefix=x86_64-w64-mingw32-"
AARCH64_PREFIX = "--cross-prefix=aarch64-linux-gnu-"


def native(changes: Mapping[str, Answer] | None = None) -> RecordedProber:
    """This Debian 12 x86_64 machine's answers, changed where a test says."""
    return RecordedProber(LINUX_X86_64, {**NATIVE, **(changes or {})})


def feature(config: Configuration, name: str) -> FeatureDecision:
    return next(d for d in config.features if d.name == name)


def refusal(decider: Decider, argv: list[str], prober: RecordedProber) -> list[str]:
    """The lines configure prints for the error deciding ``argv`` ends in."""
    with pytest.raises(UserError) as info:
        decider.decide(argv, prober)
    return info.value.render().splitlines()


def header(files: Mapping[str, str], name: str = "config-host.h") -> dict[str, object]:
    return parse_header_text(files[name])


def report(files: Mapping[str, str]) -> dict:
    return json.loads(files["qemu-config-report.json"])


def explained(files: Mapping[str, str], name: str) -> str:
    """What `qemu-config explain NAME` prints in that build directory."""
    return render(*find_feature(report(files), name))


def build_mak(files: Mapping[str, str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in files["qemu-config-build.mak"].splitlines()
                if "=" in line and not line.startswith("#"))


def section(summary: str, title: str) -> str:
    return summary.split(f"  {title}\n", 1)[1].split("\n\n", 1)[0]


# --- the default native configuration ---------------------------------------------------------


def test_default_native_configuration(decider: Decider) -> None:
    files = decider.files([], native())
    host = header(files)
    for symbol in ("CONFIG_LINUX", "CONFIG_POSIX", "CONFIG_PIXMAN", "CONFIG_EBPF", "CONFIG_AF_XDP", "CONFIG_KEYUTILS",
                   "CONFIG_GETLOADAVG", "CONFIG_PLUGIN", "CONFIG_FDT", "CONFIG_VHOST_USER", "CONFIG_RELOCATABLE",
                   "CONFIG_COROUTINE_POOL", "CONFIG_TCG"):
        assert host[symbol] is not False, symbol
    for symbol in ("CONFIG_WIN32", "CONFIG_BSD", "CONFIG_DARWIN"):
        assert host[symbol] is False, symbol
    assert host["HOST_X86_64"] == "1" and host["VIRGL_VERSION_MAJOR"] == "0"
    assert host["CONFIG_VIRGL_VERSION"] == '"0.10.4"'
    assert files["host-kconfig.mak"].splitlines() == [
        "CONFIG_VHOST_USER=y", "CONFIG_PIXMAN=y", "CONFIG_HV_BALLOON_POSSIBLE=y", "CONFIG_FDT=y", "CONFIG_LINUX=y"]
    rows = build_mak(files)
    assert rows["QEMU_WARNING_FLAGS"].split() == list(NATIVE["supported compiler flags (28 tested)"].value)  # type: ignore[arg-type]
    assert rows["DEP_AF_XDP_LIBS"] == "-lxdp" and rows["DEP_PIXMAN_CFLAGS"] == "-I/usr/include/pixman-1"
    assert rows["DEP_HV_BALLOON_LIBS"] == "-lglib-2.0" and rows["DEP_FDT_LIBS"] == "-lfdt"
    assert rows["DEP_RUTABAGA_GFX_LIBS"] == ""                          # off: no flags
    assert rows["EXECUTABLE_CFLAGS"] == "-fPIE" and rows["EXECUTABLE_LDFLAGS"] == "-pie"
    assert rows["PYTHON_EXTENSION"] == "y"
    assert "GDB=/usr/bin/gdb\n" in files["config-host.mak"]
    assert set(report(files)["targets"]) == {"x86_64-softmmu", "i386-softmmu", "aarch64-softmmu", "arm-softmmu",
                                             "riscv64-softmmu", "s390x-softmmu", "ppc64-softmmu"}


def test_config_host_keys_list_every_key_of_config_host_h(decider: Decider) -> None:
    files = decider.files([], native())
    keys = [line.split()[1] for line in files["config-host.h"].splitlines() if line.startswith(("#define", "#undef"))]
    assert keys == sorted(keys)
    listed = [line.split("(")[1].split(")")[0] for line in files["config-host-keys.h"].splitlines()
              if "QEMU_CONFIG_HOST_KEY(" in line]
    assert listed == keys


def test_report_fields(decider: Decider) -> None:
    data = report(decider.files([], native()))
    assert data["schema_version"] == 1
    assert data["host"] == {"os": "linux", "cpu": "x86_64", "cpu_family": "x86_64", "endian": "little",
                            "cross": False}
    for name, decision in data["features"].items():
        assert set(decision) >= {"requested", "resolved", "reason", "probes", "cause", "next", "symbols"}, name
    assert data["features"]["pixman"]["probes"] == [{"probe": PIXMAN, "ok": True, "status": "found",
                                                     "detail": "found 0.42.2", "version": "0.42.2"}]
    assert data["gdb"] == {"path": "/usr/bin/gdb", "arches": list(GDB_X86.value[1])}  # type: ignore[index]
    assert data["warnings"] == [] and data["dropped_targets"] == {}


def test_features_header_says_why_each_feature_is_off(decider: Decider) -> None:
    text = decider.files(["--disable-hv-balloon"], native())["qemu-config-features.h"]
    lines = dict(line.split(" ", 2)[1:] for line in text.splitlines() if line.startswith("#define QEMU_FEATURE_"))
    assert json.loads(lines["QEMU_FEATURE_STATUS_PIXMAN"]).startswith("pixman is on: ")
    balloon = json.loads(lines["QEMU_FEATURE_STATUS_HV_BALLOON"])
    assert balloon.startswith("hv_balloon is off: --disable-hv-balloon was given; it needs link test "
                              '"GTree node API" against glib-2.0')
    assert balloon.endswith("; next: drop --disable-hv-balloon")
    assert "ACCEL(\"kvm\", KVM)" in text and "ACCEL(\"tcg\", TCG)" in text


# --- features: auto, enabled, disabled against what the probes answered -----------------------

PKG_FEATURES = [("pixman", PIXMAN, "pixman-1", "CONFIG_PIXMAN"), ("libkeyutils", KEYUTILS, "libkeyutils",
                                                                   "CONFIG_KEYUTILS")]


@pytest.mark.parametrize("name, probe, package_name, symbol", PKG_FEATURES)
def test_auto_feature_follows_the_probe(decider: Decider, name: str, probe: str, package_name: str,
                                        symbol: str) -> None:
    assert header(decider.files([], native()))[symbol] is True
    for answer, cause in ((not_found(package_name), "not-found"), (no_pkg_config("pkg-config"), "not-found"),
                          (too_old(package_name, "0.1", ">= 9"), "unusable")):
        config = decider.decide([], native({probe: answer}))
        decision = feature(config, name)
        assert not decision.enabled and decision.requested == "auto" and decision.cause == cause, answer
        assert decision.reason.endswith(f"{probe}: {answer.detail}")
        assert f"#undef {symbol}\n" in decider.files([], native({probe: answer}))["config-host.h"]


def test_enabled_feature_missing_is_one_error_naming_the_package(decider: Decider) -> None:
    lines = refusal(decider, ["--enable-pixman"], native({PIXMAN: not_found("pixman-1", "/tmp/empty")}))
    assert lines == [
        "ERROR: Feature pixman cannot be enabled",
        "       probed: pkg-config pixman-1 >=0.21.8 for the x86_64 host",
        "       found: Package pixman-1 was not found in the pkg-config search path (searched /tmp/empty)",
        "       next: install the development files (Debian: apt-get install libpixman-1-dev)",
        "       next: or, if it is installed somewhere pkg-config does not look, add that directory to "
        "PKG_CONFIG_PATH",
        "       next: or build without it: --disable-pixman",
    ]
    no_tool = refusal(decider, ["--enable-pixman"], native({PIXMAN: no_pkg_config("pkg-config")}))
    assert no_tool[2] == "       found: pkg-config not found (looked for pkg-config)"
    assert no_tool[3] == ("       next: install pkg-config and the development files "
                          "(Debian: apt-get install pkgconf libpixman-1-dev)")


def test_enabled_feature_found_and_asked_for_as_required(decider: Decider) -> None:
    prober = native()
    config = decider.decide(["--enable-pixman"], prober)
    assert feature(config, "pixman").enabled and feature(config, "pixman").requested == "enabled"
    assert PIXMAN in prober.required and VIRGL not in prober.required


def test_disabled_feature_is_not_probed(decider: Decider) -> None:
    prober = native()
    files = decider.files(["--disable-hv-balloon", "--disable-pixman"], prober)
    assert PIXMAN not in prober.asked and GTREE_LINK not in prober.asked and GLIB not in prober.asked
    features = report(files)["features"]
    assert features["hv_balloon"]["probes"] == [] and features["pixman"]["probes"] == []
    assert features["pixman"]["reason"] == "--disable-pixman was given"
    assert features["pixman"]["next"] == ["drop --disable-pixman"]
    assert "CONFIG_PIXMAN" not in files["host-kconfig.mak"]


def test_without_default_features_turns_auto_off(decider: Decider) -> None:
    prober = native()
    config = decider.decide(["--without-default-features", "--enable-pixman"], prober)
    assert feature(config, "pixman").enabled and feature(config, "pixman").requested == "enabled"
    virgl = feature(config, "virglrenderer")
    assert not virgl.enabled and virgl.cause == "no-default-features"
    assert "--without-default-features" in virgl.reason and virgl.next_steps == ("add --enable-virglrenderer",)
    assert not feature(config, "plugins").enabled
    assert VIRGL not in prober.asked and LIBBPF not in prober.asked
    # fdt is a combo option, which --without-default-features leaves at auto (as QEMU's meson does)
    assert feature(config, "fdt").requested == "auto" and feature(config, "fdt").enabled and FDT in prober.asked


# --- requirements -----------------------------------------------------------------------------------


def test_af_xdp_needs_bpf(decider: Decider) -> None:
    without_libbpf = {LIBBPF: not_found("libbpf")}
    lines = refusal(decider, ["--enable-af-xdp"], native(without_libbpf))
    assert lines[0] == "ERROR: libxdp requested, but libbpf is not available"
    assert lines[1].startswith("       because bpf is off (not found for the x86_64 host: pkg-config libbpf")
    assert lines[-1] == "       next: --disable-af-xdp"
    auto = feature(decider.decide([], native(without_libbpf)), "af_xdp")
    assert not auto.enabled and auto.cause == "requirement"
    prober = native()
    off = decider.decide(["--disable-bpf"], prober)
    assert not feature(off, "af_xdp").enabled and LIBXDP not in prober.asked   # not even probed


def test_af_xdp_too_old_names_both_versions(decider: Decider) -> None:
    lines = refusal(decider, ["--enable-af-xdp"], native({LIBXDP: too_old("libxdp", "1.1.0", ">= 1.2.0")}))
    assert lines[0] == "ERROR: Feature af_xdp cannot be enabled"
    assert "       found: libxdp found 1.1.0 but >= 1.2.0 is needed" in lines
    assert "       next: install the development files (Debian: apt-get install libxdp-dev libbpf-dev)" in lines


def test_bpf_link_test_failure_warns_in_auto(decider: Decider) -> None:
    config = decider.decide([], native({BPF_LINK: does_not_link()}))
    assert "libbpf skeleton/mmaping test failed, disabling" in config.warnings
    assert not feature(config, "bpf").enabled and not feature(config, "af_xdp").enabled
    assert refusal(decider, ["--enable-bpf"], native({BPF_LINK: does_not_link()}))[0] == \
        "ERROR: libbpf skeleton/mmaping test failed"


def test_plugins_need_tcg_and_a_dynamic_build(decider: Decider) -> None:
    assert feature(decider.decide([], native()), "plugins").enabled
    assert refusal(decider, ["--disable-tcg", "--enable-plugins"], native())[0] == \
        "ERROR: Can't enable plugins on non-TCG builds"
    assert refusal(decider, ["--static", "--enable-plugins"], native())[0] == \
        "ERROR: static and plugins are mutually incompatible"
    quiet = decider.files(["--disable-tcg"], native())
    assert header(quiet)["CONFIG_PLUGIN"] is False
    assert report(quiet)["features"]["plugins"]["cause"] == "requirement"


def test_plugins_on_windows_need_dlltool(decider: Decider) -> None:
    without = RecordedProber(WINDOWS_X86_64, {**MINGW, DLLTOOL: missing("dlltool")})
    lines = refusal(decider, [MINGW_PREFIX, "--enable-plugins"], without)
    assert lines[0] == "ERROR: TCG plugins requires dlltool to build on Windows platforms"
    assert DLLTOOL in without.required
    quiet = decider.files([MINGW_PREFIX], RecordedProber(WINDOWS_X86_64, {**MINGW, DLLTOOL: missing("dlltool")}))
    assert header(quiet)["CONFIG_PLUGIN"] is False
    with_tool = header(decider.files([MINGW_PREFIX, "--enable-plugins"], RecordedProber(WINDOWS_X86_64, MINGW)))
    assert with_tool["CONFIG_PLUGIN"] is True
    assert with_tool["CONFIG_GETLOADAVG"] is False       # no getloadavg on Windows
    linux = native()
    decider.decide([], linux)
    assert DLLTOOL not in linux.asked                    # only probed for Windows hosts


# --- hv-balloon: the GTree node API link test ---------------------------------------------------

OLD_GLIB = {GLIB: package("glib-2.0", "2.66.0", libs=("-lglib-2.0",)), GTREE_LINK: does_not_link()}


def test_hv_balloon_with_a_glib_without_the_node_api(decider: Decider) -> None:
    lines = refusal(decider, ["--enable-hv-balloon"], native(OLD_GLIB))
    assert lines[0] == "ERROR: could not enable hv-balloon, update your glib (found glib-2.0 2.66.0)"
    assert lines[2] == ('       found: link test "GTree node API" failed against glib-2.0 2.66.0 '
                        "(needs glib-2.0 >= 2.68)")
    assert "       next: install the development files (Debian: apt-get install libglib2.0-dev)" in lines
    files = decider.files([], native(OLD_GLIB))
    assert "could not find glib support for hv-balloon, disabling" in report(files)["warnings"]
    assert "CONFIG_HV_BALLOON_POSSIBLE" not in files["host-kconfig.mak"]
    assert "CONFIG_HV_BALLOON=y" not in files["x86_64-softmmu-config-devices.mak"]
    said = explained(files, "hv-balloon")
    assert said.startswith('hv_balloon: disabled (auto) because not usable on the x86_64 host: link test '
                           '"GTree node API" failed against glib-2.0 2.66.0 (needs glib-2.0 >= 2.68)\n')
    assert "  probe pkg-config glib-2.0 >=2.66.0: YES, found 2.66.0\n" in said
    assert "  host Kconfig: CONFIG_HV_BALLOON_POSSIBLE not set\n" in said
    assert "  next: install the development files (Debian: apt-get install libglib2.0-dev)\n" in said


def test_hv_balloon_on_with_the_node_api(decider: Decider) -> None:
    files = decider.files(["--enable-hv-balloon"], native())
    said = explained(files, "hv_balloon")
    assert said.startswith('hv_balloon: enabled (enabled) because link test "GTree node API" links against '
                           "glib-2.0 2.74.6\n")
    assert "CONFIG_HV_BALLOON_POSSIBLE=y\n" in files["host-kconfig.mak"]


# --- graphics ----------------------------------------------------------------------------------


def test_graphics_backends_section(decider: Decider) -> None:
    summary = decider.files([], native())["qemu-config-summary.txt"]
    graphics = section(summary, "Graphics backends")
    assert "VirGL support" in graphics and "YES 0.10.4" in graphics
    assert "Rutabaga support" in graphics and ": NO" in graphics
    deps = section(summary, "Dependencies")
    assert "VirGL" not in deps and "Rutabaga" not in deps
    built = package("rutabaga_gfx_ffi", "0.1.3", libs=("-lrutabaga_gfx_ffi",))
    with_rutabaga = decider.files(["--enable-rutabaga-gfx"], native({RUTABAGA: built}))["qemu-config-summary.txt"]
    assert "YES 0.1.3" in section(with_rutabaga, "Graphics backends")


def test_virglrenderer_without_static_archives_in_a_static_build(decider: Decider) -> None:
    no_static = Answer(False, "no-static", "virglrenderer 0.10.4, but its libraries do not link statically "
                       "(-lvirglrenderer with -static)", "0.10.4")
    prober = native({VIRGL: no_static})
    config = decider.decide(["--static"], prober)
    assert prober.static is True and config.static
    virgl = feature(config, "virglrenderer")
    assert not virgl.enabled and "do not link statically" in virgl.reason
    lines = refusal(decider, ["--static", "--enable-virglrenderer"], native({VIRGL: no_static}))
    assert lines[0] == "ERROR: Feature virglrenderer cannot be enabled"
    assert "       next: or link dynamically: leave out --static (a static build needs every library as a static " \
           "archive)" in lines


# --- fdt, and the targets that need it --------------------------------------------------------------


def test_fdt_system(decider: Decider) -> None:
    files = decider.files(["--enable-fdt=system"], native())
    assert header(files)["CONFIG_FDT"] is True and "CONFIG_FDT=y\n" in files["host-kconfig.mak"]
    fdt = report(files)["features"]["fdt"]
    assert fdt["value"] == "system" and fdt["requested"] == "system"
    assert report(decider.files([], native()))["features"]["fdt"]["value"] == "system"    # auto, found


def test_fdt_internal_is_refused(decider: Decider) -> None:
    lines = refusal(decider, ["--enable-fdt=internal"], native())
    assert lines[0].startswith("ERROR: fdt=internal cannot be used: it builds libfdt from the dtc subproject, "
                               "which needs a download")
    assert lines[1] == "       next: use --enable-fdt=system"


def test_fdt_too_old(decider: Decider) -> None:
    old = {FDT: Answer(False, "too-old", 'library fdt found, but link test "fdt_find_max_phandle" failed',
                       libs=("-lfdt",))}
    assert refusal(decider, ["--enable-fdt"], native(old))[0] == \
        "ERROR: system libfdt is too old (1.5.1 or newer required)"
    auto = decider.files(["--target-list=x86_64-softmmu"], native(old))
    assert header(auto)["CONFIG_FDT"] is False           # auto never falls back to an internal copy
    assert report(auto)["features"]["fdt"]["cause"] == "unusable"


def test_fdt_disabled_drops_or_refuses_the_targets_that_need_it(decider: Decider) -> None:
    lines = refusal(decider, ["--disable-fdt", "--target-list=aarch64-softmmu,x86_64-softmmu"], native())
    assert lines == ["ERROR: fdt disabled but required by targets aarch64-softmmu",
                     "       because --disable-fdt was given",
                     "       next: drop --disable-fdt",
                     "       next: or leave those targets out of --target-list"]
    config = decider.decide(["--disable-fdt"], native())
    dropped = ("aarch64-softmmu", "arm-softmmu", "ppc64-softmmu", "riscv64-softmmu")
    # QEMU's warning per target, and nothing more: --disable-fdt says itself why libfdt is missing
    assert sorted(config.warnings) == [f"Disabling {t} due to missing libfdt" for t in dropped]
    assert sorted(t.name for t in config.targets) == ["i386-softmmu", "s390x-softmmu", "x86_64-softmmu"]


def test_a_cross_build_refuses_the_build_machines_packages(decider: Decider) -> None:
    """PKG_CONFIG=pkg-config for an aarch64 host: the probe refused x86_64 packages, and configure stops, saying what
    to set (the probe's half, which packages leak, is in test_pkgconfig.py)."""
    leak = Answer(False, "build-machine", "pixman-1 0.42.2 (/usr/lib/x86_64-linux-gnu/pkgconfig/pixman-1.pc): the "
                  "x86_64-linux-gnu multiarch directories, not the host's", "0.42.2",
                  "/usr/lib/x86_64-linux-gnu/pkgconfig/pixman-1.pc")
    prober = RecordedProber(LINUX_AARCH64, {**AARCH64_CROSS, PIXMAN: leak, VIRGL: leak})
    with pytest.raises(UserError) as info:
        decider.decide([AARCH64_PREFIX], prober, environ={**ENVIRON, "PKG_CONFIG": "pkg-config"})
    lines = info.value.render().splitlines()
    assert lines[0] == "ERROR: pkg-config found the build machine's packages for the aarch64 host: pixman-1, virglrenderer"
    assert all(line.startswith("       ") for line in lines[1:])
    assert lines[1] == f"       found: {leak.detail}"
    assert lines[-2].startswith("       next: unset PKG_CONFIG (it names pkg-config), so that configure runs "
                                "aarch64-linux-gnu-pkg-config (Debian multiarch: dpkg --add-architecture arm64")
    assert lines[-1] == ("       next: or set PKG_CONFIG_LIBDIR to the aarch64 host's .pc directories (Debian multiarch: "
                         "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)")
    windows = RecordedProber(WINDOWS_X86_64, {**MINGW, PIXMAN: leak})
    with pytest.raises(UserError) as info:
        decider.decide(["--cross-prefix=x86_64-w64-mingw32-"], windows)
    lines = info.value.render().splitlines()
    assert lines[0].endswith("for the x86_64 windows host: pixman-1")
    assert "install x86_64-w64-mingw32-pkg-config with its x86_64-w64-mingw32 personality (Debian: apt-get install " \
           "mingw-w64-tools)" in lines[-2]
    assert "files built for the x86_64 windows host" in lines[-1]


def test_an_aarch64_cross_host_with_its_multiarch_packages(decider: Decider) -> None:
    """Every default target, KVM for aarch64-softmmu alone, and the features found for the aarch64 host in the
    summary and explain (test_cross_e2e.py builds and runs it)."""
    files = decider.files([AARCH64_PREFIX], RecordedProber(LINUX_AARCH64, AARCH64_MULTIARCH))
    data = report(files)
    assert sorted(data["targets"]) == sorted(p.stem for p in (REPO / "configs" / "targets").glob("*.mak"))
    assert not data["warnings"] and not data["dropped_targets"]
    assert header(files, "aarch64-softmmu-config-target.h")["CONFIG_KVM"] == "1"
    assert "CONFIG_KVM" not in header(files, "x86_64-softmmu-config-target.h")
    # Xen on an Arm host: for aarch64 (only there), i386 and x86_64
    assert [t for t in sorted(data["targets"]) if header(files, f"{t}-config-target.h").get("CONFIG_XEN")] == \
        ["aarch64-softmmu", "i386-softmmu", "x86_64-softmmu"]
    summary = files["qemu-config-summary.txt"]
    for row in ("pixman               : YES 0.42.2", "VirGL support        : YES 0.10.4", "AF_XDP support       : YES 1.3.1",
                "bpf support          : YES 1.1.2", "Linux keyutils       : YES 1.6.3", "fdt support          : YES",
                "hv-balloon support   : YES", "host CPU             : aarch64", "Xen support          : YES 4.17.0"):
        assert f"    {row}\n" in summary, row
    said = explained(files, "pixman").splitlines()[0]
    assert said == ("pixman: enabled (auto) because pkg-config pixman-1 >=0.21.8: found 0.42.2 "
                    "(/usr/lib/aarch64-linux-gnu/pkgconfig/pixman-1.pc), for the aarch64 host")
    assert explained(files, "hv-balloon").splitlines()[0].endswith("against glib-2.0 2.74.6, for the aarch64 host")
    # A native build says no more than it did.
    assert explained(decider.files([], native()), "pixman").splitlines()[0].endswith("found 0.42.2")


def test_fdt_not_found_for_an_aarch64_cross_host(decider: Decider) -> None:
    lines = refusal(decider, [AARCH64_PREFIX, "--target-list=aarch64-softmmu"],
                    RecordedProber(LINUX_AARCH64, AARCH64_CROSS))
    assert tuple(lines) == AARCH64_CROSS_FDT_ERROR
    files = decider.files([AARCH64_PREFIX], RecordedProber(LINUX_AARCH64, AARCH64_CROSS))
    data = report(files)
    assert "Disabling aarch64-softmmu due to missing libfdt" in data["warnings"]
    assert ("libfdt is missing: not found for the aarch64 host: find_library fdt + link test "
            '"fdt_find_max_phandle": library fdt not found; next: install the arm64 development files '
            "(Debian multiarch: dpkg --add-architecture arm64 && apt-get update && apt-get install "
            "libfdt-dev:arm64)") in data["warnings"]
    assert data["dropped_targets"]["aarch64-softmmu"].startswith(
        "needs libfdt, which is off: not found for the aarch64 host")
    said = explained(files, "fdt")
    assert said.startswith("fdt: disabled (auto) because not found for the aarch64 host: ")
    assert "  next: install the arm64 development files" in said and "libfdt-dev:arm64" in said


# --- accelerators per host ----------------------------------------------------------------------------


def target_header(files: Mapping[str, str], target: str) -> str:
    return files[f"{target}-config-target.h"]


def test_linux_x86_64_gets_kvm_for_x86_targets_only(decider: Decider) -> None:
    files = decider.files(["--target-list=x86_64-softmmu,aarch64-softmmu"], native())
    assert "#define CONFIG_KVM 1\n" in target_header(files, "x86_64-softmmu")
    arm = target_header(files, "aarch64-softmmu")
    assert "CONFIG_KVM" not in arm and "CONFIG_XEN" not in arm and "#define CONFIG_TCG 1\n" in arm
    assert report(files)["targets"]["aarch64-softmmu"]["accelerators"] == ["CONFIG_TCG"]


def test_linux_aarch64_gets_kvm_for_aarch64(decider: Decider) -> None:
    with_libfdt = RecordedProber(LINUX_AARCH64, {**AARCH64_CROSS, FDT: found("library fdt", libs=("-lfdt",))})
    files = decider.files([AARCH64_PREFIX, "--target-list=x86_64-softmmu,aarch64-softmmu"], with_libfdt)
    targets = report(files)["targets"]
    assert targets["aarch64-softmmu"]["accelerators"] == ["CONFIG_KVM", "CONFIG_TCG"]
    assert targets["x86_64-softmmu"]["accelerators"] == ["CONFIG_TCG"]
    assert header(files)["HOST_AARCH64"] == "1"


def test_windows_host_gets_whpx_not_kvm(decider: Decider) -> None:
    files = decider.files([MINGW_PREFIX, "--target-list=x86_64-softmmu"], RecordedProber(WINDOWS_X86_64, MINGW))
    x86 = target_header(files, "x86_64-softmmu")
    assert "#define CONFIG_WHPX 1\n" in x86 and "CONFIG_KVM" not in x86
    host = header(files)
    assert host["CONFIG_WIN32"] is True and host["CONFIG_POSIX"] is False
    assert "system = 'windows'" in files["config-meson.cross"]
    assert build_mak(files)["PYTHON_EXTENSION"] == "n"
    assert refusal(decider, [MINGW_PREFIX, "--enable-kvm"], RecordedProber(WINDOWS_X86_64, MINGW))[:2] == [
        "ERROR: KVM not available on this platform", "       this host is windows; it is available on linux hosts"]


def test_darwin_requires_objc(decider: Decider) -> None:
    no_objc = RecordedProber(DARWIN_X86_64, {**DARWIN, OBJC: Answer(False, "failed", "cc cannot build Objective-C")})
    assert refusal(decider, [], no_objc)[0] == "ERROR: an Objective-C compiler is required on Darwin hosts"
    darwin = RecordedProber(DARWIN_X86_64, DARWIN)
    files = decider.files(["--target-list=x86_64-softmmu"], darwin)
    host = header(files)
    assert host["CONFIG_DARWIN"] is True and host["CONFIG_BSD"] is True and host["CONFIG_LINUX"] is False
    assert OBJC in darwin.required and HVF_LINK in darwin.asked
    assert "    Objective-C compiler : cc\n" in files["qemu-config-summary.txt"]
    assert report(files)["targets"]["x86_64-softmmu"]["accelerators"] == ["CONFIG_TCG"]   # HVF did not link
    with_hvf = RecordedProber(DARWIN_X86_64, {**DARWIN, HVF_LINK: Answer(True, "found", "links")})
    files = decider.files(["--target-list=x86_64-softmmu"], with_hvf)
    assert report(files)["targets"]["x86_64-softmmu"]["accelerators"] == ["CONFIG_HVF", "CONFIG_TCG"]


def test_objc_is_probed_only_on_darwin(decider: Decider) -> None:
    linux = native()
    objc = report(decider.files([], linux))["features"]["objc"]
    assert objc["probes"] == [] and OBJC not in linux.asked
    assert "only needed on darwin hosts" in objc["reason"]


def test_netbsd_host_with_nvmm(decider: Decider) -> None:
    files = decider.files(["--target-list=x86_64-softmmu,i386-softmmu"], RecordedProber(NETBSD_X86_64, NETBSD))
    assert "#define CONFIG_NVMM 1\n" in target_header(files, "i386-softmmu")
    assert "CONFIG_KVM" not in target_header(files, "x86_64-softmmu")
    assert header(files)["CONFIG_BSD"] is True
    without = RecordedProber(NETBSD_X86_64, {**NETBSD, NVMM: missing("library nvmm")})
    files = decider.files(["--target-list=x86_64-softmmu"], without)
    assert "CONFIG_NVMM" not in target_header(files, "x86_64-softmmu")


@pytest.mark.parametrize("accelerator, name", [("hvf", "HVF"), ("nvmm", "NVMM"), ("whpx", "WHPX")])
def test_accelerators_of_other_hosts_are_refused_here(decider: Decider, accelerator: str, name: str) -> None:
    lines = refusal(decider, [f"--enable-{accelerator}"], native())
    assert lines[0] == f"ERROR: {name} not available on this platform"
    assert lines[-1] == f"       next: --disable-{accelerator}"


def test_no_accelerator(decider: Decider) -> None:
    lines = refusal(decider, ["--disable-tcg", "--target-list=aarch64-softmmu"], native())
    assert lines[0] == "ERROR: No accelerator available for target aarch64-softmmu"
    config = decider.decide(["--disable-tcg"], native())
    assert {t.name for t in config.targets} == {"i386-softmmu", "x86_64-softmmu"}
    assert "CONFIG_TCG" not in config.plan.all_accelerators


# --- targets: their files, devices, and the summary ----------------------------------------------

TWO_TARGETS = ["--target-list=x86_64-softmmu,aarch64-softmmu"]


def devices(files: Mapping[str, str], target: str) -> list[str]:
    return files[f"{target}-config-devices.mak"].splitlines()


def test_hv_balloon_devices_on_x86_64_only(decider: Decider) -> None:
    files = decider.files(TWO_TARGETS, native())
    x86 = devices(files, "x86_64-softmmu")
    assert "CONFIG_HV_BALLOON=y" in x86 and "CONFIG_HYPERV=y" in x86 and "CONFIG_VMBUS=y" in x86
    assert not any(d.startswith(("CONFIG_HV_BALLOON", "CONFIG_HYPERV")) for d in devices(files, "aarch64-softmmu"))
    assert "#define CONFIG_HV_BALLOON 1\n" in files["x86_64-softmmu-config-devices.h"]


def test_config_target_h_as_qemu_writes_it(decider: Decider) -> None:
    files = decider.files(TWO_TARGETS, native())
    text = target_header(files, "aarch64-softmmu")
    for line in ("#define TARGET_ARCH AARCH64", "#define TARGET_ARM 1", "#define TARGET_AARCH64 1",
                 "#define TARGET_BIG_ENDIAN 0", '#define TARGET_NAME "aarch64"', "#define QEMU_ARCH QEMU_ARCH_ARM",
                 "#define CONFIG_I386_DIS 1", "#define CONFIG_TCG 1", "#define TARGET_NEED_FDT 1"):
        assert line + "\n" in text, line
    assert "TARGET_XML_FILES" not in text and "TARGET_ABI_DIR" not in text
    x86 = target_header(files, "x86_64-softmmu")
    assert "#define TARGET_I386 1\n" in x86 and "#define TARGET_X86_64 1\n" in x86


def test_config_poison(decider: Decider) -> None:
    poison = decider.files(TWO_TARGETS, native())["config-poison.h"].splitlines()
    assert "#pragma GCC poison CONFIG_KVM" in poison and "#pragma GCC poison CONFIG_HV_BALLOON" in poison
    assert not any("CONFIG_TCG" in line or "CONFIG_SOFTMMU" in line for line in poison)
    assert poison == sorted(set(poison))


def test_gdb_per_target_and_refused(decider: Decider) -> None:
    files = decider.files(TWO_TARGETS, native())
    assert "GDB=/usr/bin/gdb\n" in files["x86_64-softmmu-config-target.mak"]
    assert "GDB=" not in files["aarch64-softmmu-config-target.mak"]      # this gdb debugs no aarch64
    multiarch = native({GDB: gdb("/usr/bin/gdb-multiarch", "13.1", ("i386:x86-64", "aarch64"))})
    assert "GDB=/usr/bin/gdb-multiarch\n" in decider.files(TWO_TARGETS, multiarch)["aarch64-softmmu-config-target.mak"]
    absent = native({"gdb /nonexistent/gdb": Answer(False, "missing", "no gdb found: /nonexistent/gdb")})
    config = decider.decide(["--gdb=/nonexistent/gdb"], absent)
    assert config.gdb.path == "" and \
        "--gdb: no gdb found: /nonexistent/gdb; the TCG tests will run without gdb" in config.warnings
    old = native({"gdb /opt/old-gdb": gdb("/opt/old-gdb", "8.3", ("i386",))})
    files = decider.files(["--gdb=/opt/old-gdb"], old)
    assert "GDB=\n" in files["config-host.mak"]
    assert "/opt/old-gdb is gdb 8.3, older than 9.1: not used" in report(files)["warnings"]


def test_summary_targets_and_accelerators(decider: Decider) -> None:
    summary = decider.files(TWO_TARGETS, native())["qemu-config-summary.txt"]
    targets = section(summary, "Targets and accelerators")
    assert "KVM support" in targets and "TCG support" in targets
    assert "x86_64-softmmu aarch64-softmmu" in targets
    assert "Relocatable install  : YES" in summary and "static build         : NO" in summary


def test_disable_hv_balloon_removes_exactly_that_symbol(decider: Decider) -> None:
    before = set(devices(decider.files(TWO_TARGETS, native()), "x86_64-softmmu"))
    after = set(devices(decider.files([*TWO_TARGETS, "--disable-hv-balloon"], native()), "x86_64-softmmu"))
    assert before - after == {"CONFIG_HV_BALLOON=y"} and after <= before


def test_without_default_devices_and_with_devices(decider: Decider) -> None:
    argv = ["--target-list=aarch64-softmmu", "--without-default-devices", "--with-devices-aarch64=minimal"]
    arm = devices(decider.files(argv, native()), "aarch64-softmmu")
    assert "CONFIG_ARM_VIRT=y" in arm and "CONFIG_RASPI=y" not in arm
    assert refusal(decider, ["--with-devices-aarch64=nonexistent"], native())[0].endswith(
        "configs/devices/aarch64-softmmu/nonexistent.mak does not exist")


def test_without_default_devices_without_the_option(decider: Decider) -> None:
    """An option table without default_devices: --without-default-devices still selects allnoconfig."""
    full = options.load_option_table(Path(__file__).resolve().parent.parent)
    table = options.OptionTable(tuple(o for o in full.options if o.name != "default_devices"))
    argv = ["--target-list=aarch64-softmmu", "--without-default-devices", "--with-devices-aarch64=minimal"]
    config = decider.decide(argv, native(), table=table)
    arm = list(config.targets[0].devices.enabled)
    assert "CONFIG_ARM_VIRT" in arm and "CONFIG_RASPI" not in arm
    assert not config.default_devices


def test_kconfig_contradiction_is_one_error_with_file_and_line(decider: Decider, tmp_path: Path) -> None:
    src = copy_source_tree(tmp_path / "src")
    bad = src / "configs" / "devices" / "aarch64-softmmu" / "hyperv.mak"
    bad.write_text("# asks for a device whose dependencies cannot hold on aarch64\nCONFIG_HV_BALLOON=y\n")
    with pytest.raises(UserError) as info:
        decider.decide(["--target-list=aarch64-softmmu", "--with-devices-aarch64=hyperv"], native(), source_dir=src)
    text = info.value.render()
    assert text.startswith("ERROR: contradiction between clauses when setting HV_BALLOON")
    assert "hyperv.mak:2" in text and "core/hw/hyperv/Kconfig" in text


def test_config_key_in_a_target_agnostic_set_is_refused(decider: Decider, tmp_path: Path) -> None:
    src = copy_source_tree(tmp_path / "src")
    decl = src / "core" / "util" / "sources.toml"
    text = decl.read_text()
    rule = text.count("[[rule]]") + 1          # the rule this test appends
    decl.write_text(text + '\n[[rule]]\nwhen = ["CONFIG_VIRTIO"]\nif_true = ["build-config.c"]\n')
    with pytest.raises(UserError) as info:
        decider.decide([], native(), source_dir=src)
    text = info.value.render()
    assert f"core/util/sources.toml rule {rule}" in text and "CONFIG_VIRTIO" in text and "target-agnostic" in text


# --- options configure itself acts on -----------------------------------------------------------------


def test_relocatable_warning_when_bindir_outside_prefix(decider: Decider) -> None:
    config = decider.decide(["--bindir=/opt/bin"], native())
    assert config.warnings[:3] == ("bindir not included within prefix, the installation will not be relocatable.",
                                   "QEMU will have to be installed under /usr/local.",
                                   "Use --disable-relocatable to remove this warning.")
    assert not any("relocatable" in w for w in decider.decide(["--bindir=/opt/bin", "--disable-relocatable"],
                                                              native()).warnings)


def test_python_that_is_not_the_running_one_is_said_to_be_unused(decider: Decider) -> None:
    """--python names the interpreter only when configure makes the venv: another one is not used."""
    assert not any("--python" in w for w in decider.decide([f"--python={sys.executable}"], native()).warnings)
    warnings = [w for w in decider.decide(["--python=/nonexistent/python3"], native()).warnings if "--python" in w]
    assert len(warnings) == 1 and warnings[0].startswith("--python=/nonexistent/python3 is not used (it is not found)")


def test_disable_system_configures_no_target(decider: Decider) -> None:
    files = decider.files(["--disable-system", "--disable-user"], native())
    summary = files["qemu-config-summary.txt"]
    assert "system-mode emulation: NO" in summary and "user-mode emulation  : NO" in summary
    assert "TARGET_DIRS=\n" in files["config-host.mak"]
    assert any(w.startswith("--disable-system: the core's targets are all system emulation targets")
               for w in report(files)["warnings"])
    assert refusal(decider, ["--disable-system", "--target-list=x86_64-softmmu"], native())[-1].startswith(
        "       next: drop --disable-system")


def test_cross_builds_write_machine_files(decider: Decider) -> None:
    files = decider.files([AARCH64_PREFIX], RecordedProber(LINUX_AARCH64, AARCH64_CROSS))
    cross = files["config-meson.cross"]
    assert "system = 'linux'" in cross and "c = ['aarch64-linux-gnu-gcc'" in cross
    assert "cpp = ['aarch64-linux-gnu-g++'" in cross
    assert "[binaries]\nc = ['cc']" in files["config-meson.native"]
    assert report(files)["host"]["cross"] is True and build_mak(files)["PYTHON_EXTENSION"] == "n"
    assert "-Dlibdir=lib " in " ".join(meson_setup_args(decider.decide([AARCH64_PREFIX],
                                                                        RecordedProber(LINUX_AARCH64, AARCH64_CROSS))))


def test_ninja_found_beside_deciding_is_set_before_anything_is_written(decider: Decider) -> None:
    from concurrent.futures import Future

    from qemu_config.configure import NINJA_BEING_FOUND, with_ninja
    decided = decider.decide([], native())
    found: Future[str | None] = Future()
    found.set_result("/opt/tools/ninja")
    assert with_ninja(decided, found).env.ninja == "/opt/tools/ninja"
    assert with_ninja(decided, found).env.ninja != NINJA_BEING_FOUND
    none: Future[str | None] = Future()
    none.set_result(None)
    with pytest.raises(UserError) as refused:
        with_ninja(decided, none)
    assert refused.value.message == "Cannot find Ninja" and "ninja-build" in refused.value.render()
