"""Features in real configure runs: what the session's build found on this machine, a feature error as
configure prints it, and `qemu-config explain` on a configured build directory.

The decisions themselves are tested in-process: from recorded answers in test_decide.py and
test_features.py, against real probes (stand-in libraries included) in test_features_real.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e import REPO, parse_config_header, run, run_configure

pytestmark = pytest.mark.slow


def report(build: Path) -> dict:
    return json.loads((build / "qemu-config-report.json").read_text())


def explain(build: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "qemu_config", "explain", *args], cwd=build,
               env={**os.environ, "PYTHONPATH": str(REPO)})


def assert_one_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip() and not l.startswith("WARNING")]
    assert lines[0].startswith("ERROR: "), proc.stderr
    assert sum(l.startswith("ERROR") for l in lines) == 1
    assert all(l.startswith("       ") for l in lines[1:]), proc.stderr
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)
    return proc.stderr


def test_what_a_real_configure_found_here(core_on: Path) -> None:
    """The session build asked for pixman, hv-balloon and af-xdp; the rest is auto, found on Debian 12."""
    header = parse_config_header(core_on / "config-host.h")
    for symbol in ("CONFIG_PIXMAN", "CONFIG_AF_XDP", "CONFIG_EBPF", "CONFIG_GETLOADAVG", "CONFIG_KEYUTILS",
                   "CONFIG_FDT", "CONFIG_PLUGIN"):
        assert header[symbol] is True, symbol
    assert header["VIRGL_VERSION_MAJOR"] == "0"
    assert {"CONFIG_PIXMAN=y", "CONFIG_HV_BALLOON_POSSIBLE=y", "CONFIG_FDT=y"} <= \
        set((core_on / "host-kconfig.mak").read_text().splitlines())
    rows = dict(line.split("=", 1) for line in (core_on / "qemu-config-build.mak").read_text().splitlines()
                if "=" in line and not line.startswith("#"))
    assert "-lxdp" in rows["DEP_AF_XDP_LIBS"].split()
    flags = rows["QEMU_WARNING_FLAGS"].split()
    assert "-Wshadow=local" in flags and "-Wno-string-plus-int" not in flags  # gcc rejects -Wstring-plus-int
    summary = (core_on / "qemu-config-summary.txt").read_text()
    graphics = summary.split("  Graphics backends\n", 1)[1].split("\n\n", 1)[0]
    assert "VirGL support" in graphics and "YES 0.10" in graphics
    assert "Rutabaga support" in graphics and ": NO" in graphics
    gdb = shutil.which("gdb-multiarch") or shutil.which("gdb")
    if gdb:
        assert f"GDB={gdb}\n" in (core_on / "config-host.mak").read_text()
        assert report(core_on)["gdb"]["arches"]        # the real gdb lists the architectures it debugs


def test_missing_feature_is_one_error_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_configure(tmp_path / "b", "--enable-pixman", env={"PKG_CONFIG_LIBDIR": str(empty)}, check=False)
    assert_one_error(proc, "ERROR: Feature pixman cannot be enabled", "libpixman-1-dev", "PKG_CONFIG_PATH",
                     "--disable-pixman")
    assert not (tmp_path / "b" / "config-host.h").exists()


def test_explain_spellings_and_errors(core_on: Path, tmp_path: Path) -> None:
    by_symbol = explain(core_on, "CONFIG_PIXMAN")
    assert by_symbol.returncode == 0 and by_symbol.stdout.startswith("pixman: enabled (enabled) because")
    balloon = explain(core_on, "hv-balloon").stdout
    assert balloon.startswith("hv_balloon: enabled (enabled) because") and 'link test "GTree node API"' in balloon
    from_elsewhere = run([sys.executable, "-m", "qemu_config", "explain", "-C", str(core_on), "af-xdp"],
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert from_elsewhere.stdout.startswith("af_xdp: ")
    unknown = explain(core_on, "pixmann")
    assert unknown.returncode == 1 and unknown.stderr.startswith("ERROR: ") and "pixman" in unknown.stderr
    usage = explain(core_on)
    assert usage.returncode == 2
    nowhere = run([sys.executable, "-m", "qemu_config", "explain", "pixman"], cwd=tmp_path,
                  env={**os.environ, "PYTHONPATH": str(REPO)})
    assert nowhere.returncode == 1 and "-C DIR" in nowhere.stderr
