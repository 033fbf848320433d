"""Targets, accelerators and devices end to end: real configure runs."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from e2e import REPO, copy_source_tree, run, run_configure, snapshot
from test_features_e2e import assert_one_error, explain
from test_targets import AARCH64_CROSS_FDT_ERROR

pytestmark = pytest.mark.slow


def devices(build: Path, target: str) -> list[str]:
    return (build / f"{target}-config-devices.mak").read_text().splitlines()


def target_header(build: Path, target: str) -> str:
    return (build / f"{target}-config-target.h").read_text()


@pytest.fixture(scope="module")
def two_targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = tmp_path_factory.mktemp("targets") / "b"
    run_configure(build, "--target-list=x86_64-softmmu,aarch64-softmmu")
    return build


def test_hv_balloon_on_x86_64_and_kvm_only_where_it_serves(two_targets: Path) -> None:
    x86 = devices(two_targets, "x86_64-softmmu")
    assert "CONFIG_HV_BALLOON=y" in x86 and "CONFIG_HYPERV=y" in x86 and "CONFIG_VMBUS=y" in x86
    arm = devices(two_targets, "aarch64-softmmu")
    assert not any(d.startswith(("CONFIG_HV_BALLOON", "CONFIG_HYPERV")) for d in arm)
    arm_h = target_header(two_targets, "aarch64-softmmu")
    assert "CONFIG_KVM" not in arm_h and "CONFIG_XEN" not in arm_h
    assert "#define CONFIG_KVM 1\n" in target_header(two_targets, "x86_64-softmmu")


def test_device_selections_as_qemus(two_targets: Path) -> None:
    """What a real configure writes agrees with QEMU 10.2 (tests/data/qemu-kconfig-facts.toml says
    where each fact comes from; test_kconfig_qemu_facts.py checks them all in-process)."""
    x86 = devices(two_targets, "x86_64-softmmu")
    for symbol in ("MICROVM", "DEVICE_TREE", "FW_CFG_DMA", "VIRTIO_VGA", "XEN_EMU", "XEN_BUS"):
        assert f"CONFIG_{symbol}=y" in x86, symbol
    assert "CONFIG_PTIMER=y" not in x86
    arm = devices(two_targets, "aarch64-softmmu")
    assert "CONFIG_MSI_NONBROKEN=y" in arm and "CONFIG_PTIMER=y" in arm and "CONFIG_VIRTIO_VGA=y" not in arm


def test_config_target_h_as_qemu_writes_it(two_targets: Path) -> None:
    text = target_header(two_targets, "aarch64-softmmu")
    for line in ("#define TARGET_ARCH AARCH64", "#define TARGET_ARM 1", "#define TARGET_AARCH64 1",
                 "#define TARGET_BIG_ENDIAN 0", '#define TARGET_NAME "aarch64"', "#define QEMU_ARCH QEMU_ARCH_ARM",
                 "#define CONFIG_I386_DIS 1", "#define CONFIG_TCG 1", "#define TARGET_NEED_FDT 1"):
        assert line + "\n" in text, line
    assert "TARGET_XML_FILES" not in text and "TARGET_ABI_DIR" not in text
    x86 = target_header(two_targets, "x86_64-softmmu")
    assert "#define TARGET_I386 1\n" in x86 and "#define TARGET_X86_64 1\n" in x86
    devices_h = (two_targets / "x86_64-softmmu-config-devices.h").read_text()
    assert "#define CONFIG_HV_BALLOON 1\n" in devices_h


def test_config_poison(two_targets: Path) -> None:
    poison = (two_targets / "config-poison.h").read_text().splitlines()
    assert "#pragma GCC poison CONFIG_KVM" in poison and "#pragma GCC poison CONFIG_HV_BALLOON" in poison
    assert not any("CONFIG_TCG" in l or "CONFIG_SOFTMMU" in l for l in poison)
    assert poison == sorted(set(poison))


def test_gdb_per_target(two_targets: Path) -> None:
    report = json.loads((two_targets / "qemu-config-report.json").read_text())
    if not report["gdb"]["path"]:
        pytest.skip("no gdb >= 9.1 on this machine")
    assert f"GDB={report['gdb']['path']}\n" in (two_targets / "x86_64-softmmu-config-target.mak").read_text()
    arm_mak = (two_targets / "aarch64-softmmu-config-target.mak").read_text()
    assert ("aarch64" in report["gdb"]["arches"]) == ("GDB=" in arm_mak)


def test_summary_targets_and_accelerators(two_targets: Path) -> None:
    summary = (two_targets / "qemu-config-summary.txt").read_text()
    section = summary.split("  Targets and accelerators\n", 1)[1].split("\n\n", 1)[0]
    assert "KVM support" in section and "TCG support" in section
    assert "target list" in section and "x86_64-softmmu aarch64-softmmu" in section


def test_disable_hv_balloon_removes_exactly_that_symbol(two_targets: Path, tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--target-list=x86_64-softmmu,aarch64-softmmu", "--disable-hv-balloon")
    before = set(devices(two_targets, "x86_64-softmmu"))
    after = set(devices(build, "x86_64-softmmu"))
    assert before - after == {"CONFIG_HV_BALLOON=y"} and after <= before


def test_without_default_devices_and_with_devices(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--target-list=aarch64-softmmu", "--without-default-devices",
                  "--with-devices-aarch64=minimal")
    arm = devices(build, "aarch64-softmmu")
    assert "CONFIG_ARM_VIRT=y" in arm and "CONFIG_RASPI=y" not in arm
    missing = run_configure(tmp_path / "c", "--with-devices-aarch64=nonexistent", check=False)
    assert_one_error(missing, "configs/devices/aarch64-softmmu/nonexistent.mak does not exist")


def test_without_default_devices_without_the_option(tmp_path: Path) -> None:
    """An option table without default_devices: --without-default-devices still selects allnoconfig."""
    src = copy_source_tree(tmp_path / "src")
    table = src / "meson_options.txt"
    text = table.read_text()
    declared = "option('default_devices', type : 'boolean', value : true,\n" \
               "       description : 'Include a default selection of devices in emulators')\n"
    assert declared in text
    table.write_text(text.replace(declared, ""))
    build = tmp_path / "b"
    out = run_configure(build, "--target-list=aarch64-softmmu", "--without-default-devices",
                        "--with-devices-aarch64=minimal", configure=src / "configure")
    arm = devices(build, "aarch64-softmmu")
    assert "CONFIG_ARM_VIRT=y" in arm and "CONFIG_RASPI=y" not in arm
    assert any(line.split() == ["default", "devices", ":", "NO"] for line in out.stdout.splitlines())


def test_no_accelerator_and_fdt_errors(tmp_path: Path) -> None:
    assert_one_error(run_configure(tmp_path / "a", "--disable-tcg", "--target-list=aarch64-softmmu", check=False),
                     "No accelerator available for target aarch64-softmmu")
    assert_one_error(run_configure(tmp_path / "b", "--disable-fdt", "--target-list=aarch64-softmmu,x86_64-softmmu",
                                   check=False),
                     "fdt disabled but required by targets aarch64-softmmu\n",
                     "because --disable-fdt was given", "next: drop --disable-fdt")
    dropped = run_configure(tmp_path / "c", "--disable-fdt")
    for target in ("aarch64-softmmu", "arm-softmmu", "ppc64-softmmu", "riscv64-softmmu"):
        assert f"Disabling {target} due to missing libfdt" in dropped.stderr
    # x86 keeps its PC boards; microvm, which needs libfdt, goes with what only it selects (as QEMU)
    x86 = devices(tmp_path / "c", "x86_64-softmmu")
    assert "CONFIG_Q35=y" in x86 and "CONFIG_I440FX=y" in x86
    assert not {"CONFIG_MICROVM=y", "CONFIG_VIRTIO_MMIO=y", "CONFIG_DEVICE_TREE=y"} & set(x86)
    run_configure(tmp_path / "d", "--disable-tcg")
    report = json.loads((tmp_path / "d" / "qemu-config-report.json").read_text())
    assert set(report["targets"]) == {"i386-softmmu", "x86_64-softmmu"}


def test_accelerators_unavailable_here(tmp_path: Path) -> None:
    assert_one_error(run_configure(tmp_path / "a", "--enable-hvf", check=False), "HVF not available on this platform")
    assert_one_error(run_configure(tmp_path / "b", "--enable-nvmm", check=False), "NVMM not available on this platform")
    assert_one_error(run_configure(tmp_path / "c", "--enable-whpx", check=False), "WHPX not available on this platform")


@pytest.mark.skipif(shutil.which("x86_64-w64-mingw32-gcc") is None, reason="mingw not installed (CI installs it)")
def test_windows_host_gets_whpx_not_kvm(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--cross-prefix=x86_64-w64-mingw32-", "--target-list=x86_64-softmmu")
    header = target_header(build, "x86_64-softmmu")
    assert "#define CONFIG_WHPX 1\n" in header and "CONFIG_KVM" not in header
    assert_one_error(run_configure(tmp_path / "c", "--cross-prefix=x86_64-w64-mingw32-", "--enable-kvm",
                                   check=False), "KVM not available on this platform")


def _arm64_libfdt_installed() -> bool:
    """Would aarch64-linux-gnu-gcc find a libfdt (libfdt-dev:arm64)?  It prints the bare name when not."""
    out = run(["aarch64-linux-gnu-gcc", "-print-file-name=libfdt.so"])
    return os.path.isabs(out.stdout.strip())


needs_aarch64_gcc = pytest.mark.skipif(shutil.which("aarch64-linux-gnu-gcc") is None,
                                       reason="gcc-aarch64-linux-gnu not installed (CI installs it)")


@needs_aarch64_gcc
def test_aarch64_cross_without_arm64_libfdt_says_not_found(tmp_path: Path) -> None:
    if _arm64_libfdt_installed():
        pytest.skip("libfdt-dev:arm64 is installed: fdt is found for the aarch64 host")
    build = tmp_path / "b"
    run_configure(build, "--target-list=x86_64-softmmu")           # a configured build dir to leave alone
    before = snapshot(build)
    log = (build / "config.log").read_bytes()
    proc = run_configure(build, "--cross-prefix=aarch64-linux-gnu-", "--target-list=aarch64-softmmu", check=False)
    text = assert_one_error(proc, "ERROR: fdt not found for the aarch64 host, but required by targets aarch64-softmmu")
    assert tuple(l for l in text.splitlines() if not l.startswith("WARNING")) == AARCH64_CROSS_FDT_ERROR
    assert "disabled" not in text
    assert snapshot(build) == before and (build / "config.log").read_bytes() == log


@needs_aarch64_gcc
def test_aarch64_cross_default_targets_say_why_libfdt_is_missing(tmp_path: Path) -> None:
    if _arm64_libfdt_installed():
        pytest.skip("libfdt-dev:arm64 is installed: fdt is found for the aarch64 host")
    build = tmp_path / "b"
    proc = run_configure(build, "--cross-prefix=aarch64-linux-gnu-")
    assert "WARNING: Disabling aarch64-softmmu due to missing libfdt\n" in proc.stderr
    assert ("WARNING: libfdt is missing: not found for the aarch64 host: find_library fdt + link test "
            '"fdt_find_max_phandle": library fdt not found; next: install the arm64 development files '
            "(Debian multiarch: dpkg --add-architecture arm64 && apt-get update && apt-get install "
            "libfdt-dev:arm64)\n") in proc.stderr
    said = explain(build, "fdt")
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith("fdt: disabled (auto) because not found for the aarch64 host: ")
    assert "  next: install the arm64 development files" in said.stdout and "libfdt-dev:arm64" in said.stdout
    dropped = json.loads((build / "qemu-config-report.json").read_text())["dropped_targets"]
    assert dropped["aarch64-softmmu"].startswith("needs libfdt, which is off: not found for the aarch64 host")


NETBSD_WRAPPER = """#!/bin/sh
# Test compiler: NetBSD's predefined macros for -dM -E, everything else handed to gcc.
for a in "$@"; do
  if [ "$a" = "-dM" ]; then
    gcc "$@" | grep -v -e '__linux' -e '__gnu_linux__' -e '\\<linux\\>'
    printf '#define __NetBSD__ 1\\n'
    exit 0
  fi
done
exec gcc "$@"
"""


def test_netbsd_host_with_nvmm(tmp_path: Path) -> None:
    cc = tmp_path / "netbsd-cc"
    cc.write_text(NETBSD_WRAPPER)
    cc.chmod(0o755)
    lib = tmp_path / "lib"
    lib.mkdir()
    (tmp_path / "nvmm.c").write_text("int nvmm_init(void) { return 0; }\n")
    run(["cc", "-shared", "-fPIC", "-o", str(lib / "libnvmm.so"), str(tmp_path / "nvmm.c")])
    build = tmp_path / "b"
    run_configure(build, f"--cc={cc}", f"--extra-ldflags=-L{lib}", "--target-list=x86_64-softmmu,i386-softmmu")
    assert "#define CONFIG_NVMM 1\n" in target_header(build, "i386-softmmu")
    assert "CONFIG_KVM" not in target_header(build, "x86_64-softmmu")
    assert "#define CONFIG_BSD\n" in (build / "config-host.h").read_text()
    without = tmp_path / "c"
    run_configure(without, f"--cc={cc}", "--target-list=x86_64-softmmu")
    assert "CONFIG_NVMM" not in target_header(without, "x86_64-softmmu")


def test_explain_a_device_symbol(two_targets: Path) -> None:
    out = run([sys.executable, "-m", "qemu_config", "explain", "CONFIG_HV_BALLOON", "--target", "x86_64-softmmu"],
              cwd=two_targets, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("CONFIG_HV_BALLOON=y")
    assert "VMBUS" in out.stdout and "HV_BALLOON_POSSIBLE" in out.stdout
    arm = run([sys.executable, "-m", "qemu_config", "explain", "CONFIG_HYPERV", "--target", "aarch64-softmmu"],
              cwd=two_targets, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert arm.returncode == 0 and arm.stdout.startswith("CONFIG_HYPERV=n") and "KVM" in arm.stdout


def test_kconfig_contradiction_is_one_error_with_file_and_line(tmp_path: Path) -> None:
    from e2e import copy_source_tree

    src = copy_source_tree(tmp_path / "src")
    bad = src / "configs" / "devices" / "aarch64-softmmu" / "hyperv.mak"
    bad.write_text("# asks for a device whose dependencies cannot hold on aarch64\nCONFIG_HV_BALLOON=y\n")
    proc = run_configure(tmp_path / "b", "--target-list=aarch64-softmmu", "--with-devices-aarch64=hyperv",
                         configure=src / "configure", check=False)
    text = assert_one_error(proc, "contradiction between clauses when setting HV_BALLOON")
    assert "hyperv.mak:2" in text and "core/hw/hyperv/Kconfig" in text
