"""Targets in real configure runs: a refused target as configure prints it (natively, and from a
real cross compiler's probes), and `qemu-config explain CONFIG_X --target T` on a configured
build directory.

Targets, accelerators and devices are decided in-process in test_decide.py (from recorded
answers for Linux, Windows, Darwin and NetBSD hosts) and test_targets.py.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from e2e import REPO, run, run_configure, snapshot
from test_features_e2e import assert_one_error
from test_targets import AARCH64_CROSS_FDT_ERROR

pytestmark = pytest.mark.slow


def _arm64_libfdt_installed() -> bool:
    """Would aarch64-linux-gnu-gcc find a libfdt (libfdt-dev:arm64)?  It prints the bare name when not."""
    out = run(["aarch64-linux-gnu-gcc", "-print-file-name=libfdt.so"])
    return os.path.isabs(out.stdout.strip())


@pytest.mark.skipif(shutil.which("aarch64-linux-gnu-gcc") is None,
                    reason="gcc-aarch64-linux-gnu not installed (CI installs it)")
def test_aarch64_cross_without_arm64_libfdt_says_not_found(tmp_path: Path) -> None:
    if _arm64_libfdt_installed():
        pytest.skip("libfdt-dev:arm64 is installed: fdt is found for the aarch64 host")
    build = tmp_path / "b"
    build.mkdir()
    before = snapshot(build)
    proc = run_configure(build, "--cross-prefix=aarch64-linux-gnu-", "--target-list=aarch64-softmmu", check=False)
    text = assert_one_error(proc, "ERROR: fdt not found for the aarch64 host, but required by targets aarch64-softmmu")
    assert tuple(l for l in text.splitlines() if not l.startswith("WARNING")) == AARCH64_CROSS_FDT_ERROR
    assert snapshot(build) == before and not (build / "config.log").exists()


def test_refused_target_is_one_error_and_writes_nothing(tmp_path: Path) -> None:
    build = tmp_path / "b"
    build.mkdir()
    before = snapshot(build)
    proc = run_configure(build, "--disable-fdt", "--target-list=aarch64-softmmu,x86_64-softmmu", check=False)
    assert_one_error(proc, "ERROR: fdt disabled but required by targets aarch64-softmmu\n",
                     "because --disable-fdt was given", "next: drop --disable-fdt")
    assert snapshot(build) == before and not (build / "config.log").exists()


def test_explain_a_device_symbol(core_on: Path) -> None:
    out = run([sys.executable, "-m", "qemu_config", "explain", "CONFIG_HV_BALLOON", "--target", "x86_64-softmmu"],
              cwd=core_on, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("CONFIG_HV_BALLOON=y")
    assert "VMBUS" in out.stdout and "HV_BALLOON_POSSIBLE" in out.stdout
    arm = run([sys.executable, "-m", "qemu_config", "explain", "CONFIG_HYPERV", "--target", "aarch64-softmmu"],
              cwd=core_on, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert arm.returncode == 0 and arm.stdout.startswith("CONFIG_HYPERV=n") and "KVM" in arm.stdout


def test_device_selections_as_qemus(core_on: Path) -> None:
    """What a real configure writes agrees with QEMU 10.2 (tests/data/qemu-kconfig-facts.toml says
    where each fact comes from; test_kconfig_qemu_facts.py checks them all in-process)."""
    x86 = (core_on / "x86_64-softmmu-config-devices.mak").read_text().splitlines()
    for symbol in ("MICROVM", "DEVICE_TREE", "FW_CFG_DMA", "VIRTIO_VGA", "XEN_EMU", "XEN_BUS"):
        assert f"CONFIG_{symbol}=y" in x86, symbol
    assert "CONFIG_PTIMER=y" not in x86
    arm = (core_on / "aarch64-softmmu-config-devices.mak").read_text().splitlines()
    assert "CONFIG_MSI_NONBROKEN=y" in arm and "CONFIG_PTIMER=y" in arm and "CONFIG_VIRTIO_VGA=y" not in arm
