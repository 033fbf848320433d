"""targets.py: target definitions, the target list, and QEMU's accelerator assignment per host."""

from __future__ import annotations

from pathlib import Path

import pytest

from qemu_config.errors import UserError
from qemu_config.features import FeatureContext, FeatureDecision, decide_feature
from qemu_config.host import host_from_macros
from qemu_config.probes import ProbeOutcome
from qemu_config.remedies import InstallContext
from qemu_config.rules import FEATURES
from qemu_config.targets import (TargetSelection, assign_accelerators, available_targets,
                                 read_keyval, select_targets)

REPO = Path(__file__).resolve().parent.parent
ALL = available_targets(REPO)
BY_NAME = {t.name: t for t in ALL}


def host(os_macro: str, cpu_macro: str):
    return host_from_macros({os_macro: "1", cpu_macro: "1"})


LINUX_X86 = host("__linux__", "__x86_64__")
LINUX_ARM = host("__linux__", "__aarch64__")
DARWIN_ARM = host("__APPLE__", "__aarch64__")
NETBSD_X86 = host("__NetBSD__", "__x86_64__")
WINDOWS_X86 = host("_WIN32", "__x86_64__")
FDT_ON = FeatureDecision("fdt", "auto", True, "find_library fdt + link test: library fdt found", value="system")


def selection(*names: str, default: bool = False) -> TargetSelection:
    return TargetSelection(tuple(BY_NAME[n] for n in names), default)


def accels(plan, name):
    return next(t.accelerators for t in plan.configured if t.name == name)


def test_keyval_rules(tmp_path: Path) -> None:
    mak = tmp_path / "t.mak"
    mak.write_text("# comment\nA=1\n B = two words # trailing\nnot a pair\nA=3\nC=\n")
    assert read_keyval(mak) == {"A": "3", "B": "two words", "C": ""}


def test_core_targets_have_qemus_keys() -> None:
    assert {"x86_64-softmmu", "i386-softmmu", "aarch64-softmmu", "arm-softmmu", "riscv64-softmmu",
            "s390x-softmmu", "ppc64-softmmu"} <= set(BY_NAME)
    assert BY_NAME["aarch64-softmmu"].base_arch == "arm" and BY_NAME["aarch64-softmmu"].needs_fdt
    assert BY_NAME["x86_64-softmmu"].base_arch == "i386" and not BY_NAME["x86_64-softmmu"].needs_fdt
    assert BY_NAME["s390x-softmmu"].big_endian and BY_NAME["ppc64-softmmu"].big_endian


def test_target_list_is_exact() -> None:
    assert [t.name for t in select_targets(ALL, ["x86_64-softmmu"], ()).targets] == ["x86_64-softmmu"]
    with pytest.raises(UserError, match="Unknown target name 'x86-softmmu'"):
        select_targets(ALL, ["x86-softmmu"], ())
    # exact names: excluding "x86_64-softmmu" does not exclude anything else (no substring match)
    kept = select_targets(ALL, None, ["x86_64-softmmu"]).targets
    assert "i386-softmmu" in {t.name for t in kept} and "x86_64-softmmu" not in {t.name for t in kept}


def test_linux_x86_host() -> None:
    plan = assign_accelerators(selection("x86_64-softmmu", "aarch64-softmmu"), ["kvm", "tcg", "xen"],
                               LINUX_X86, fdt=FDT_ON)
    assert accels(plan, "x86_64-softmmu") == ("CONFIG_KVM", "CONFIG_TCG", "CONFIG_XEN")
    assert accels(plan, "aarch64-softmmu") == ("CONFIG_TCG",)   # no KVM, and Xen only on an Arm host
    assert plan.all_accelerators == ("CONFIG_KVM", "CONFIG_TCG", "CONFIG_XEN")


def test_linux_arm_host_xen_rule() -> None:
    plan = assign_accelerators(selection("i386-softmmu", "x86_64-softmmu", "aarch64-softmmu"),
                               ["kvm", "tcg", "xen"], LINUX_ARM, fdt=FDT_ON)
    assert accels(plan, "aarch64-softmmu") == ("CONFIG_KVM", "CONFIG_TCG", "CONFIG_XEN")
    assert accels(plan, "x86_64-softmmu") == ("CONFIG_TCG", "CONFIG_XEN")
    assert accels(plan, "i386-softmmu") == ("CONFIG_TCG", "CONFIG_XEN")


def test_darwin_netbsd_windows_hosts() -> None:
    assert accels(assign_accelerators(selection("aarch64-softmmu"), ["hvf", "tcg"], DARWIN_ARM, FDT_ON),
                  "aarch64-softmmu") == ("CONFIG_HVF", "CONFIG_TCG")
    netbsd = assign_accelerators(selection("i386-softmmu", "x86_64-softmmu"), ["nvmm", "tcg"], NETBSD_X86, FDT_ON)
    assert accels(netbsd, "i386-softmmu") == ("CONFIG_NVMM", "CONFIG_TCG")
    win = assign_accelerators(selection("x86_64-softmmu"), ["whpx", "tcg"], WINDOWS_X86, FDT_ON)
    assert accels(win, "x86_64-softmmu") == ("CONFIG_WHPX", "CONFIG_TCG")


def test_no_accelerator() -> None:
    with pytest.raises(UserError, match="No accelerator available for target aarch64-softmmu"):
        assign_accelerators(selection("aarch64-softmmu"), ["kvm"], LINUX_X86, FDT_ON)
    plan = assign_accelerators(selection("x86_64-softmmu", "aarch64-softmmu", default=True), ["kvm"],
                               LINUX_X86, FDT_ON)
    assert [t.name for t in plan.configured] == ["x86_64-softmmu"]
    assert [d.name for d in plan.dropped] == ["aarch64-softmmu"]


# --- why fdt is off, said when targets need it: decided from recorded probe outcomes ----------

FDT = next(f for f in FEATURES if f.name == "fdt")
FDT_PROBE = FDT.probes[0]
# What the probe engine records when the compiler finds no libfdt (probes.py's LibraryProbe outcome).
NOT_FOUND = {FDT_PROBE: ProbeOutcome(FDT_PROBE, False, "missing", "library fdt not found")}
AMD64 = "x86_64-linux-gnu"


def fdt_decision(host, *, cross_prefix: str | None = None, outcomes=NOT_FOUND, explicit=(),
                 without_default_features: bool = False, **values: object) -> FeatureDecision:
    install = InstallContext(host, cross_prefix, AMD64, pkg_config=f"{cross_prefix or ''}pkg-config")
    ctx = FeatureContext(values={"fdt": "auto", **values}, explicit=frozenset(explicit), host=host, static=False,
                         without_default_features=without_default_features, install=install)
    return decide_feature(FDT, ctx, {}, outcomes, lambda _: None)


def fdt_error(fdt: FeatureDecision, host, *names: str) -> str:
    with pytest.raises(UserError) as exc:
        assign_accelerators(selection(*names), ["tcg"], host, fdt=fdt)
    return exc.value.render()


def test_fdt_disabled_keeps_qemus_words() -> None:
    fdt = fdt_decision(LINUX_X86, explicit={"fdt"}, fdt="disabled")
    text = fdt_error(fdt, LINUX_X86, "aarch64-softmmu", "riscv64-softmmu", "x86_64-softmmu")
    assert text.splitlines() == [
        "ERROR: fdt disabled but required by targets aarch64-softmmu, riscv64-softmmu",
        "       because --disable-fdt was given",
        "       next: drop --disable-fdt",
        "       next: or leave those targets out of --target-list",
    ]
    plan = assign_accelerators(selection("aarch64-softmmu", "x86_64-softmmu", default=True), ["tcg"],
                               LINUX_X86, fdt=fdt)
    assert plan.warnings == ("Disabling aarch64-softmmu due to missing libfdt",)   # QEMU's, and nothing more
    assert [t.name for t in plan.configured] == ["x86_64-softmmu"]
    assert plan.dropped[0].reason == "needs libfdt, which is off: --disable-fdt was given"


def test_fdt_off_by_without_default_features() -> None:
    # The state a feature option is in under --without-default-features (fdt itself is a combo
    # option, which auto_features leaves at auto, as in QEMU: that case is "not found" below).
    fdt = fdt_decision(LINUX_X86, without_default_features=True, fdt="disabled")
    assert fdt.cause == "no-default-features" and fdt.next_steps == ("add --enable-fdt",)
    text = fdt_error(fdt, LINUX_X86, "aarch64-softmmu")
    assert text.splitlines()[:3] == [
        "ERROR: fdt disabled but required by targets aarch64-softmmu",
        "       because --without-default-features turns auto into disabled",
        "       next: add --enable-fdt",
    ]
    plan = assign_accelerators(selection("aarch64-softmmu", default=True), ["tcg"], LINUX_X86, fdt=fdt)
    assert plan.warnings[-1] == ("libfdt is missing: --without-default-features turns auto into disabled; "
                                 "next: add --enable-fdt")


def test_fdt_not_found_natively_names_the_native_package() -> None:
    fdt = fdt_decision(LINUX_X86)
    assert fdt.cause == "not-found"
    assert fdt.reason == ('not found for the x86_64 host: find_library fdt + link test "fdt_find_max_phandle": '
                          "library fdt not found")
    lines = fdt_error(fdt, LINUX_X86, "aarch64-softmmu").splitlines()
    assert lines[0] == "ERROR: fdt not found for the x86_64 host, but required by targets aarch64-softmmu"
    assert "       found: library fdt not found" in lines
    assert "       next: install the development files (Debian: apt-get install libfdt-dev)" in lines
    assert not any(":amd64" in l or "dpkg" in l for l in lines)


# The whole error of `--cross-prefix=aarch64-linux-gnu- --target-list=aarch64-softmmu` without libfdt-dev:arm64
# (test_targets_e2e.py checks the real configure says the same).
AARCH64_CROSS_FDT_ERROR = (
    "ERROR: fdt not found for the aarch64 host, but required by targets aarch64-softmmu",
    '       fdt was auto: probed find_library fdt + link test "fdt_find_max_phandle"',
    "       found: library fdt not found",
    "       next: install the arm64 development files (Debian multiarch: dpkg --add-architecture arm64 && "
    "apt-get update && apt-get install libfdt-dev:arm64)",
    "       next: or, to keep libfdt-dev (on Debian 12 libfdt-dev:arm64 removes it), unpack it into a directory DIR "
    "with the source tree's scripts/debian-sysroot arm64 DIR libfdt-dev libfdt1, then --extra-cflags=-IDIR/usr/include "
    "--extra-ldflags=-LDIR/usr/lib/aarch64-linux-gnu",
    "       next: or, if it is built for the aarch64 host elsewhere, name its directories: "
    "--extra-cflags=-I<dir>/include --extra-ldflags=-L<dir>/lib",
    "       next: or leave those targets out of --target-list",
)


def test_fdt_not_found_for_an_aarch64_cross_host() -> None:
    fdt = fdt_decision(LINUX_ARM, cross_prefix="aarch64-linux-gnu-")
    text = fdt_error(fdt, LINUX_ARM, "aarch64-softmmu")
    assert tuple(text.splitlines()) == AARCH64_CROSS_FDT_ERROR
    assert "disabled" not in text
    plan = assign_accelerators(selection("aarch64-softmmu", "x86_64-softmmu", default=True), ["tcg"],
                               LINUX_ARM, fdt=fdt)
    assert plan.warnings[0] == "Disabling aarch64-softmmu due to missing libfdt"
    assert plan.warnings[1].startswith("libfdt is missing: not found for the aarch64 host: ")
    assert plan.warnings[1].endswith("apt-get install libfdt-dev:arm64)")
    assert plan.dropped[0].reason.startswith("needs libfdt, which is off: not found for the aarch64 host")


def test_fdt_not_found_for_a_mingw_host_names_no_debian_package() -> None:
    fdt = fdt_decision(WINDOWS_X86, cross_prefix="x86_64-w64-mingw32-")
    lines = fdt_error(fdt, WINDOWS_X86, "aarch64-softmmu").splitlines()
    assert lines[0] == "ERROR: fdt not found for the x86_64 windows host, but required by targets aarch64-softmmu"
    assert lines[3:] == [
        "       next: build libfdt for the x86_64 windows host (Debian packages no libraries for windows hosts)",
        "       next: then name its directories: --extra-cflags=-I<dir>/include --extra-ldflags=-L<dir>/lib",
        "       next: or leave those targets out of --target-list",
    ]
    assert "apt-get" not in "\n".join(lines) and "libfdt-dev" not in "\n".join(lines)


def test_fdt_too_old_is_not_usable_rather_than_missing() -> None:
    old = {FDT_PROBE: ProbeOutcome(FDT_PROBE, False, "too-old",
                                   'library fdt found, but link test "fdt_find_max_phandle" failed')}
    fdt = fdt_decision(LINUX_X86, outcomes=old)
    assert fdt.cause == "unusable"
    assert fdt_error(fdt, LINUX_X86, "aarch64-softmmu").startswith(
        "ERROR: fdt not usable on the x86_64 host, but required by targets aarch64-softmmu\n")
