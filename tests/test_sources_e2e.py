"""Sourcesets end to end: what configure selects is what the binaries and the extension contain."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from e2e import REPO, run

pytestmark = pytest.mark.slow


def device_names(build: Path, arch: str) -> list[str]:
    out = run([str(build / f"qemu-system-{arch}"), "-device", "help"])
    assert out.returncode == 0, out.stderr
    return [line.split('"')[1] for line in out.stdout.splitlines()[1:]]


def extension(build: Path, expr: str) -> str:
    code = f"import sys; sys.path.insert(0, sys.argv[1]); import qemu_core; print({expr})"
    out = run([sys.executable, "-c", code, str(build)])
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def sources_cli(build: Path, *args: str):
    return run([sys.executable, "-m", "qemu_config", "sources", *args], cwd=build,
               env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.fixture(scope="module")
def built(core_on: Path) -> Path:
    """The session's default build: x86_64, aarch64 and s390x."""
    return core_on


def test_every_target_gets_its_binary(built: Path) -> None:
    for arch in ("x86_64", "aarch64", "s390x"):
        assert (built / f"qemu-system-{arch}").exists(), arch
    # s390x has no target-specific hw directory: it is built from target-agnostic models only
    assert set(device_names(built, "s390x")) == {"virtio-balloon-pci", "virtio-blk-pci", "virtio-gpu-pci",
                                                  "virtio-net-pci", "virtio-rng-pci", "vhost-user-blk-pci"}


def test_binaries_contain_exactly_their_kconfig_selection(built: Path) -> None:
    x86 = device_names(built, "x86_64")
    assert "hv-balloon" in x86 and "pc-q35" in x86 and "virt" not in x86
    arm = device_names(built, "aarch64")
    assert "virt" in arm and "hv-balloon" not in arm and "pc-q35" not in arm
    devices = set((built / "aarch64-softmmu-config-devices.mak").read_text().split())
    assert ("CONFIG_XLNX_ZYNQMP_ARM=y" in devices) == ("xlnx-zcu102" in arm)
    # As in QEMU: virtio-vga only where a board implies it (the PC), ramfb wherever fw_cfg has DMA
    # (the PC boards and virt select it), ati-vga wherever PCI_DEVICES is.
    assert "virtio-vga" in x86 and "virtio-vga" not in arm
    assert "ramfb" in x86 and "ramfb" in arm
    assert "ati-vga" in x86 and "ati-vga" in arm


def test_common_code_is_compiled_once_from_all_sources(built: Path) -> None:
    rows = dict(l.split("=", 1) for l in (built / "qemu-config-build.mak").read_text().splitlines()
                if "=" in l and not l.startswith("#"))
    system = rows["SYSTEM_SOURCES"].split()
    assert "core/hw/hyperv/hv-balloon.c" in system and "core/hw/hyperv/hv-balloon-stub.c" in system
    for target in ("x86_64-softmmu", "aarch64-softmmu", "s390x-softmmu"):
        assert set(rows[f"TARGET_{target}_COMMON"].split()) <= set(system)
    assert "core/hw/hyperv/hv-balloon.c" in rows["TARGET_x86_64-softmmu_COMMON"].split()
    assert "core/hw/hyperv/hv-balloon-stub.c" in rows["TARGET_aarch64-softmmu_COMMON"].split()


def test_sources_why(built: Path) -> None:
    why = sources_cli(built, "--target", "x86_64-softmmu", "--why", "core/hw/hyperv/hv-balloon.c")
    assert why.returncode == 0, why.stderr
    assert "core/hw/hyperv/sources.toml rule 3 (when CONFIG_HV_BALLOON), if_true" in why.stdout
    listing = sources_cli(built, "--target", "s390x-softmmu").stdout.split()
    assert "core/system/main.c" in listing and "core/hw/hyperv/hv-balloon-stub.c" in listing
    missing = sources_cli(built, "--target", "s390x-softmmu", "--why", "core/hw/i386/pc-q35.c")
    assert missing.returncode == 1 and missing.stderr.startswith("ERROR: ")
    usage = sources_cli(built)
    assert usage.returncode == 2


def test_extension_reports_what_was_compiled(built: Path) -> None:
    assert extension(built, "qemu_core.hv_balloon()").startswith("hv-balloon:")
    names = extension(built, "sorted(d[0] for d in qemu_core.devices())")
    assert "hv-balloon" in names


def models_registered_in(path: Path) -> list[str]:
    """The -device names a source file registers, read from its DEVICE_MODEL lines."""
    return [line.split('"')[1] for line in path.read_text().splitlines() if line.startswith("DEVICE_MODEL(")]


def test_extension_carries_each_targets_selection(built: Path) -> None:
    """One extension from the union; per target, its data matches that target's binary and config files."""
    data = json.loads(extension(built, "__import__('json').dumps({t: [sorted(d[0] for d in qemu_core.devices(t)), "
                                       "qemu_core.target_kconfig(t), qemu_core.target_sources(t)] "
                                       "for t in qemu_core.targets})"))
    assert sorted(data) == ["aarch64-softmmu", "s390x-softmmu", "x86_64-softmmu"]
    lists = dict(line.split("=", 1) for line in (built / "qemu-config-build.mak").read_text().splitlines()
                 if "=" in line and not line.startswith("#"))
    union = set(json.loads(extension(built, "__import__('json').dumps([d[0] for d in qemu_core.devices()])")))
    for target, (models, kconfig, sources) in data.items():
        devices_mak = (built / f"{target}-config-devices.mak").read_text().splitlines()
        assert kconfig == [line.removesuffix("=y") for line in devices_mak]
        assert sources == list(dict.fromkeys(lists[f"TARGET_{target}_COMMON"].split()
                                             + lists[f"TARGET_{target}_SPECIFIC"].split()))
        # The binary lists the target's models of the extension plus those of its own per-target files.
        per_target = [m for f in lists[f"TARGET_{target}_SPECIFIC"].split() for m in models_registered_in(REPO / f)]
        binary = device_names(built, target.split("-")[0])
        assert sorted(models + per_target) == sorted(binary)
        assert set(models) <= union
    assert "hv-balloon" in data["x86_64-softmmu"][0] and "hv-balloon" not in data["aarch64-softmmu"][0]
    assert "CONFIG_HV_BALLOON" in data["x86_64-softmmu"][1]
    unknown = run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import qemu_core; "
                   "qemu_core.devices('mips-softmmu')", str(built)])
    assert "ValueError: 'mips-softmmu' is not a configured target: this build has x86_64-softmmu" in unknown.stderr


def test_virgl_is_linked_and_reports_its_version(built: Path) -> None:
    report = json.loads((built / "qemu-config-report.json").read_text())["features"]["virglrenderer"]
    if report["resolved"] != "enabled":
        pytest.skip("virglrenderer not found (CI installs libvirglrenderer-dev)")
    assert extension(built, "qemu_core.virgl_version()") == report["version"]
    assert "libvirglrenderer" in run(["ldd", str(built / "qemu-system-x86_64")]).stdout


def test_disable_hv_balloon_compiles_the_stub(core_off: Path) -> None:
    build = core_off   # --disable-hv-balloon --disable-virglrenderer, among others
    assert extension(build, "qemu_core.virgl_version()") == "None"
    assert "libvirglrenderer" not in run(["ldd", str(build / "qemu-system-x86_64")]).stdout
    assert "hv-balloon" not in device_names(build, "x86_64")
    assert extension(build, "qemu_core.hv_balloon()").startswith("stub:")
    why = sources_cli(build, "--target", "x86_64-softmmu", "--why", "hv-balloon-stub.c")
    assert "if_false" in why.stdout
