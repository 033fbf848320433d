"""configure's own words for what kind of build it is: --enable/--disable-pie, --static,
--disable-system and the user-mode words.

Unit tests decide from recorded probe outcomes in-process; the end-to-end tests configure and
build for real and read the binaries' ELF headers (PIE or not, static or not), and use a real
compiler that cannot link PIE (a wrapper that refuses -pie) for the toolchain's failure.  That a
static build refuses a library without static archives is decided from real probes in
test_features_real.py.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e import run, run_configure, run_ninja
from qemu_config.errors import UserError
from qemu_config.features import FeatureContext, FeatureDecision, decide_features, feature_probes, probes_needed
from qemu_config.host import host_from_macros
from qemu_config.outputs import executable_flags
from qemu_config.probes import ProbeOutcome
from qemu_config.rules import FEATURES
from qemu_config.targets import available_targets, select_targets
from recorded import Decider
from test_features_real import on_this_machine

REPO = Path(__file__).resolve().parent.parent
LINUX = host_from_macros({"__linux__": "1", "__x86_64__": "1"})
WINDOWS = host_from_macros({"_WIN32": "1", "__x86_64__": "1"})
PIE = next(f for f in FEATURES if f.name == "pie")
VALUES = {"pixman": "disabled", "virglrenderer": "disabled", "rutabaga_gfx": "disabled", "bpf": "disabled",
          "af_xdp": "disabled", "hv_balloon": "disabled", "libkeyutils": "disabled", "fdt": "disabled",
          "plugins": False, "tcg": "enabled", "kvm": "auto", "xen": "disabled", "vhost_user": "auto",
          "whpx": "auto", "hvf": "auto", "nvmm": "auto"}


def ctx(pie: str = "auto", *, host=LINUX, static: bool = False) -> FeatureContext:
    return FeatureContext(values=VALUES, explicit=frozenset(), host=host, static=static,
                          without_default_features=False, words={"pie": pie})


def outcomes_for(context: FeatureContext, pie_links: bool) -> dict:
    """Every probe the context needs, answered: the PIE link test as given, the rest found."""
    wanted, _ = probes_needed(context)
    result = {}
    for probe in wanted:
        ok = pie_links if probe in feature_probes(PIE, context) else True
        result[probe] = ProbeOutcome(probe, ok, "found" if ok else "failed", "links" if ok else "does not link")
    return result


def decide_pie(context: FeatureContext, pie_links: bool) -> tuple[FeatureDecision, list[str]]:
    decisions, warnings = decide_features(context, outcomes_for(context, pie_links))
    return next(d for d in decisions if d.name == "pie"), warnings


# --- PIE: decisions from recorded probe outcomes ---------------------------------------------

def test_pie_follows_the_configure_word_and_probes_the_right_link() -> None:
    dynamic, static = PIE.probes[0], PIE.static_probes[0]
    assert "-pie" in dynamic.link_args and "-static-pie" in static.link_args
    assert dynamic in probes_needed(ctx())[0] and static not in probes_needed(ctx())[0]
    assert static in probes_needed(ctx(static=True))[0] and dynamic not in probes_needed(ctx(static=True))[0]
    assert dynamic in probes_needed(ctx("enabled"))[1]          # asked for: its failure is an error
    assert dynamic not in probes_needed(ctx("disabled"))[0]     # --disable-pie: not even probed
    assert dynamic not in probes_needed(ctx(host=WINDOWS))[0]   # no PIE on Windows: nothing to probe


def test_pie_auto() -> None:
    decision, warnings = decide_pie(ctx(), pie_links=True)
    assert decision.enabled and decision.requested == "auto"
    assert decision.reason == 'link test "PIE" (-Werror -fPIE -pie) links'
    decision, warnings = decide_pie(ctx(), pie_links=False)
    assert not decision.enabled
    assert "Disabling PIE due to missing toolchain support" in warnings
    assert decision.reason == 'not usable on the x86_64 host: link test "PIE" (-Werror -fPIE -pie) failed'


def test_pie_asked_for_and_the_toolchain_cannot() -> None:
    with pytest.raises(UserError) as info:
        decide_pie(ctx("enabled", static=True), pie_links=False)
    assert info.value.message == "PIE not available due to missing toolchain support"
    assert 'probed: link test "static PIE" (-Werror -fPIE -static-pie) for the x86_64 host' in info.value.details
    assert "next: or link dynamically: leave out --static (a static build needs every library as a static " \
        "archive)" in info.value.details
    assert "next: or build without it: --disable-pie" in info.value.details


def test_pie_disabled_and_windows() -> None:
    decision, _ = decide_pie(ctx("disabled"), pie_links=True)
    assert not decision.enabled and decision.reason == "--disable-pie was given"
    decision, _ = decide_pie(ctx(host=WINDOWS), pie_links=True)
    assert not decision.enabled and "this host is windows" in decision.reason
    with pytest.raises(UserError, match="^PIE not available due to missing OS support$"):
        decide_pie(ctx("enabled", host=WINDOWS), pie_links=True)


@dataclass(frozen=True)
class _Decided:
    """The two fields executable_flags reads of a Configuration."""

    features: tuple[FeatureDecision, ...]
    static: bool


@pytest.mark.parametrize("pie_on, static, cflags, ldflags", [
    (True, False, ["-fPIE"], ["-pie"]),
    (True, True, ["-fPIE"], ["-static-pie"]),
    (False, False, ["-fno-pie"], ["-no-pie"]),
    (False, True, ["-fno-pie"], ["-static", "-no-pie"]),
])
def test_executable_flags(pie_on: bool, static: bool, cflags: list[str], ldflags: list[str]) -> None:
    decision = FeatureDecision("pie", "auto", pie_on, "recorded")
    assert executable_flags(_Decided((decision,), static)) == (cflags, ldflags)  # type: ignore[arg-type]


def test_no_static_archive_is_explained_as_such() -> None:
    virgl = next(f for f in FEATURES if f.name == "virglrenderer")
    context = FeatureContext(values={**VALUES, "virglrenderer": "enabled"}, explicit=frozenset({"virglrenderer"}),
                             host=LINUX, static=True, without_default_features=False)
    outcomes = outcomes_for(context, pie_links=True)
    probe = virgl.probes[0]
    outcomes[probe] = ProbeOutcome(probe, False, "no-static", "virglrenderer 0.10.4, but its libraries do not link "
                                   "statically (-lvirglrenderer with -static)", "0.10.4")
    with pytest.raises(UserError) as info:
        decide_features(context, outcomes)
    details = "\n".join(info.value.details)
    assert "found: virglrenderer 0.10.4, but its libraries do not link statically" in details
    assert "apt-get install" not in details and "PKG_CONFIG_PATH" not in details  # it is installed
    assert "static archives (lib*.a)" in details and "leave out --static" in details


# --- the kinds of target: --disable-system, the user-mode words ------------------------------

TARGETS = available_targets(REPO)


def test_disable_system_leaves_no_default_target_and_refuses_a_named_one() -> None:
    assert select_targets(TARGETS, None, (), words={"system": "disabled"}).targets == ()
    assert select_targets(TARGETS, (), (), words={"system": "disabled"}).targets == ()
    assert len(select_targets(TARGETS, None, (), words={"system": "enabled"}).targets) == len(TARGETS)
    with pytest.raises(UserError) as info:
        select_targets(TARGETS, ("x86_64-softmmu",), (), words={"system": "disabled"})
    assert info.value.message == ("--target-list names x86_64-softmmu, a system emulation target, "
                                  "but --disable-system was given")
    assert info.value.details[-1].startswith("next: drop --disable-system")


@pytest.mark.parametrize("word", ["user", "linux-user", "bsd-user"])
def test_user_mode_can_be_turned_off_never_on(word: str) -> None:
    assert len(select_targets(TARGETS, None, (), words={word: "disabled"}).targets) == len(TARGETS)
    with pytest.raises(UserError) as info:
        select_targets(TARGETS, None, (), words={word: "enabled"})
    assert info.value.message == f"--enable-{word}: user-mode emulation is not available"
    assert any(d.startswith(f"next: leave out --enable-{word}") for d in info.value.details)


# --- end to end: the binaries as built ---------------------------------------------------------

ET_EXEC, ET_DYN, PT_INTERP = 2, 3, 3


@dataclass(frozen=True)
class ElfKind:
    pie: bool       # position independent (ET_DYN) rather than at a fixed address (ET_EXEC)
    dynamic: bool   # has a program interpreter: loaded by ld.so, not statically linked


def elf_kind(path: Path) -> ElfKind:
    """Read a 64-bit little-endian ELF executable's type and whether it has a PT_INTERP header."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, f"{path} is not a 64-bit LE ELF file"
    e_type, = struct.unpack_from("<H", data, 16)
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    types = [struct.unpack_from("<I", data, e_phoff + i * e_phentsize)[0] for i in range(e_phnum)]
    assert e_type in (ET_EXEC, ET_DYN)
    return ElfKind(pie=e_type == ET_DYN, dynamic=PT_INTERP in types)


def report(build: Path) -> dict:
    return json.loads((build / "qemu-config-report.json").read_text())


def build_kind(tmp_path: Path, *args: str) -> tuple[Path, ElfKind, str]:
    """Configure and build x86_64-softmmu with ``args``: the build, its binary's kind, configure's stderr."""
    build = tmp_path / "b"
    configured = run_configure(build, "--target-list=x86_64-softmmu", *args)
    run_ninja(build)
    exe = build / "qemu-system-x86_64"
    version = run([str(exe), "--version"])
    assert version.returncode == 0 and version.stdout.startswith("QEMU emulator version"), version.stderr
    return build, elf_kind(exe), configured.stderr


@pytest.mark.slow
@pytest.mark.parametrize("shared", ["core_on", "core_off"])
def test_session_builds_are_pie_or_not_as_configured(request: pytest.FixtureRequest, shared: str) -> None:
    build = request.getfixturevalue(shared)   # core_off was configured with --disable-pie
    expected = ElfKind(pie=shared == "core_on", dynamic=True)
    assert elf_kind(build / "qemu-system-x86_64") == expected
    assert report(build)["features"]["pie"]["resolved"] == ("enabled" if expected.pie else "disabled")


@pytest.mark.slow
@pytest.mark.parametrize("args, expected", [
    (("--static",), ElfKind(pie=True, dynamic=False)),
    (("--static", "--disable-pie"), ElfKind(pie=False, dynamic=False)),
])
def test_binaries_are_built_as_configured(tmp_path: Path, args: tuple[str, ...], expected: ElfKind) -> None:
    build, kind, _ = build_kind(tmp_path, *args)
    assert kind == expected
    features = report(build)["features"]
    assert features["pie"]["resolved"] == ("enabled" if expected.pie else "disabled")
    summary = (build / "qemu-config-summary.txt").read_text()
    assert f"static build         : {'NO' if expected.dynamic else 'YES'}" in summary
    if "--static" in args:
        # Debian ships no libvirglrenderer.a: the feature cannot be had in a static build
        virgl = features["virglrenderer"]
        assert virgl["resolved"] == "disabled" and "do not link statically" in virgl["reason"], virgl
        extension = next(build.glob("qemu_core*.so"))   # the extension stays a shared object
        assert extension.exists()


def write_no_pie_compiler(directory: Path) -> Path:
    """A real C compiler whose linker step cannot make position independent executables."""
    directory.mkdir(parents=True, exist_ok=True)
    cc = directory / "cc-no-pie"
    cc.write_text("#!/bin/sh\n"
                  "for arg do\n"
                  '    case "$arg" in -pie|-static-pie) echo "cc-no-pie: $arg is not supported" >&2; exit 1 ;; esac\n'
                  "done\n"
                  'exec gcc "$@"\n')
    cc.chmod(0o755)
    return cc


@pytest.mark.slow
def test_toolchain_without_pie(tmp_path: Path, decider: Decider) -> None:
    cc = write_no_pie_compiler(tmp_path / "bin")
    build, kind, stderr = build_kind(tmp_path, f"--cc={cc}")
    assert kind == ElfKind(pie=False, dynamic=True)
    assert "WARNING: Disabling PIE due to missing toolchain support" in stderr
    assert report(build)["features"]["pie"]["reason"] == \
        'not usable on the x86_64 host: link test "PIE" (-Werror -fPIE -pie) failed'
    # --enable-pie with the same compiler, decided in-process from the same real probes
    with pytest.raises(UserError) as refused:
        on_this_machine(decider, ["--target-list=x86_64-softmmu", f"--cc={cc}", "--enable-pie"])
    assert refused.value.message == "PIE not available due to missing toolchain support"
    assert 'probed: link test "PIE" (-Werror -fPIE -pie) for the x86_64 host' in refused.value.details
    assert "next: or build without it: --disable-pie" in refused.value.details


@pytest.mark.slow
def test_disable_system_builds_no_emulator(tmp_path: Path) -> None:
    build = tmp_path / "b"
    proc = run_configure(build, "--disable-system", "--disable-user")
    assert "WARNING: --disable-system: the core's targets are all system emulation targets" in proc.stderr
    summary = (build / "qemu-config-summary.txt").read_text()
    assert "system-mode emulation: NO" in summary and "user-mode emulation  : NO" in summary
    assert "TARGET_DIRS=\n" in (build / "config-host.mak").read_text()
    run_ninja(build)
    assert not list(build.glob("qemu-system-*"))
