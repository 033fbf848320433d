"""targets.py: target definitions, the target list, and QEMU's accelerator assignment per host."""

from __future__ import annotations

from pathlib import Path

import pytest

from qemu_config.errors import UserError
from qemu_config.host import host_from_macros
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
                               LINUX_X86, fdt_available=True)
    assert accels(plan, "x86_64-softmmu") == ("CONFIG_KVM", "CONFIG_TCG", "CONFIG_XEN")
    assert accels(plan, "aarch64-softmmu") == ("CONFIG_TCG",)   # no KVM, and Xen only on an Arm host
    assert plan.all_accelerators == ("CONFIG_KVM", "CONFIG_TCG", "CONFIG_XEN")


def test_linux_arm_host_xen_rule() -> None:
    plan = assign_accelerators(selection("i386-softmmu", "x86_64-softmmu", "aarch64-softmmu"),
                               ["kvm", "tcg", "xen"], LINUX_ARM, fdt_available=True)
    assert accels(plan, "aarch64-softmmu") == ("CONFIG_KVM", "CONFIG_TCG", "CONFIG_XEN")
    assert accels(plan, "x86_64-softmmu") == ("CONFIG_TCG", "CONFIG_XEN")
    assert accels(plan, "i386-softmmu") == ("CONFIG_TCG", "CONFIG_XEN")


def test_darwin_netbsd_windows_hosts() -> None:
    assert accels(assign_accelerators(selection("aarch64-softmmu"), ["hvf", "tcg"], DARWIN_ARM, True),
                  "aarch64-softmmu") == ("CONFIG_HVF", "CONFIG_TCG")
    netbsd = assign_accelerators(selection("i386-softmmu", "x86_64-softmmu"), ["nvmm", "tcg"], NETBSD_X86, True)
    assert accels(netbsd, "i386-softmmu") == ("CONFIG_NVMM", "CONFIG_TCG")
    win = assign_accelerators(selection("x86_64-softmmu"), ["whpx", "tcg"], WINDOWS_X86, True)
    assert accels(win, "x86_64-softmmu") == ("CONFIG_WHPX", "CONFIG_TCG")


def test_no_accelerator() -> None:
    with pytest.raises(UserError, match="No accelerator available for target aarch64-softmmu"):
        assign_accelerators(selection("aarch64-softmmu"), ["kvm"], LINUX_X86, True)
    plan = assign_accelerators(selection("x86_64-softmmu", "aarch64-softmmu", default=True), ["kvm"],
                               LINUX_X86, True)
    assert [t.name for t in plan.configured] == ["x86_64-softmmu"]
    assert [d.name for d in plan.dropped] == ["aarch64-softmmu"]


def test_fdt_required() -> None:
    with pytest.raises(UserError, match="fdt disabled but required by targets aarch64-softmmu, riscv64-softmmu$"):
        assign_accelerators(selection("aarch64-softmmu", "riscv64-softmmu", "x86_64-softmmu"), ["tcg"],
                            LINUX_X86, fdt_available=False)
    plan = assign_accelerators(selection("aarch64-softmmu", "x86_64-softmmu", default=True), ["tcg"],
                               LINUX_X86, fdt_available=False)
    assert plan.warnings == ("Disabling aarch64-softmmu due to missing libfdt",)
    assert [t.name for t in plan.configured] == ["x86_64-softmmu"]
