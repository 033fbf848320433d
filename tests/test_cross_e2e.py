"""Cross builds, end to end: configured, built with the real cross compilers and run.

- aarch64 (gcc-aarch64-linux-gnu, Debian multiarch arm64 development packages found through
  aarch64-linux-gnu-pkg-config): every default target, aarch64-softmmu included, built and run under
  Debian's qemu-user-static; what they print is checked against what configure wrote, and the features
  found for the aarch64 host are in the summary and in ``qemu-config explain``.  libfdt for arm64 comes
  from libfdt-dev:arm64 or, where that cannot be installed beside libfdt-dev (Debian 12), from a sysroot
  made by ``scripts/debian-sysroot arm64 DIR libfdt-dev libfdt1`` and named by QEMU_CONFIG_ARM64_SYSROOT.
- Windows (gcc-mingw-w64-x86-64): .exe binaries built and run under Debian's Wine, and an installed
  tree moved elsewhere finds its data through Windows paths.
- A cross build whose pkg-config answers with the build machine's packages is refused.

A missing tool skips the tests that need it, saying which; CI sets QEMU_CONFIG_CROSS_TESTS=required,
which makes it a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import pytest

from e2e import REPO, configure_env, parse_config_header, require_cross, run, run_configure, run_ninja, snapshot
from test_features_e2e import assert_one_error

pytestmark = pytest.mark.slow

AARCH64 = "aarch64-linux-gnu-"
MINGW = "x86_64-w64-mingw32-"
ARM64_SYSROOT_VARIABLE = "QEMU_CONFIG_ARM64_SYSROOT"
ARM64_LIBDIR = "usr/lib/aarch64-linux-gnu"
PREFIX = "/opt/q"

# Device models whose presence in a binary follows one symbol of its config-devices.mak.
DEVICE_SYMBOLS = {
    "VGA": "CONFIG_VGA_PCI", "ati-vga": "CONFIG_ATI_VGA", "e1000": "CONFIG_E1000_PCI",
    "pci-testdev": "CONFIG_PCI_TESTDEV", "raspi3b": "CONFIG_RASPI", "xlnx-zcu102": "CONFIG_XLNX_ZYNQMP_ARM",
    "microvm": "CONFIG_MICROVM", "pc-q35": "CONFIG_Q35", "pc-i440fx": "CONFIG_I440FX",
    "sifive_u": "CONFIG_SIFIVE_U", "pvpanic": "CONFIG_PVPANIC_ISA", "hv-balloon": "CONFIG_HV_BALLOON",
    "virtio-mmio": "CONFIG_VIRTIO_MMIO", "virtio-vga": "CONFIG_VIRTIO_VGA",
    "vhost-user-blk-pci": "CONFIG_VHOST_USER_BLK",
}
# -accel help's names, by the config-target.h symbol that compiles each in.
ACCEL_SYMBOLS = {"kvm": "CONFIG_KVM", "whpx": "CONFIG_WHPX", "hvf": "CONFIG_HVF", "nvmm": "CONFIG_NVMM",
                 "xen": "CONFIG_XEN", "tcg": "CONFIG_TCG"}
# The features the arm64 -dev packages CI installs make available for the aarch64 host.
ARM64_FEATURES = ("pixman", "virglrenderer", "bpf", "af_xdp", "libkeyutils", "hv_balloon", "fdt", "xen")


def _cross_gcc_finds_libfdt() -> bool:
    """Does aarch64-linux-gnu-gcc find a libfdt of its own (libfdt-dev:arm64)?  It prints the bare name when not."""
    return os.path.isabs(run([AARCH64 + "gcc", "-print-file-name=libfdt.so"]).stdout.strip())


def _arm64_libfdt_flags() -> tuple[str, ...]:
    """configure's flags for libfdt of arm64: none when the cross compiler finds it, else the sysroot's."""
    if _cross_gcc_finds_libfdt():
        return ()
    root = os.environ.get(ARM64_SYSROOT_VARIABLE, "")
    require_cross(bool(root) and (Path(root) / ARM64_LIBDIR / "libfdt.so").exists(),
                  f"no libfdt for arm64: install libfdt-dev:arm64, or unpack it with scripts/debian-sysroot arm64 DIR "
                  f"libfdt-dev libfdt1 and set {ARM64_SYSROOT_VARIABLE}=DIR"
                  + (f" ({root} has no {ARM64_LIBDIR}/libfdt.so)" if root else ""))
    return (f"--extra-cflags=-I{root}/usr/include", f"--extra-ldflags=-L{root}/{ARM64_LIBDIR}")


def _configure_and_build(build: Path, *args: str) -> str:
    proc = run_configure(build, *args)
    run_ninja(build)
    return proc.stdout


def _binaries(build: Path, suffix: str = "") -> dict[str, Path]:
    targets = (build / "config-host.mak").read_text().split("TARGET_DIRS=", 1)[1].split("\n", 1)[0].split()
    return {t: build / f"qemu-system-{t.split('-')[0]}{suffix}" for t in targets}


def _default_targets() -> list[str]:
    return sorted(p.name[: -len(".mak")] for p in (REPO / "configs" / "targets").glob("*-softmmu.mak"))


def _devices_and_accels(build: Path, target: str, output_device: str, output_accel: str) -> None:
    """-device help and -accel help of a binary against its config-devices.mak and config-target.h."""
    devices = [line.split('"')[1] for line in output_device.splitlines()[1:] if '"' in line]
    selected = set((build / f"{target}-config-devices.mak").read_text().split())
    for name, symbol in DEVICE_SYMBOLS.items():
        assert (name in devices) == (f"{symbol}=y" in selected), (target, name, symbol)
    if "CONFIG_ARM_VIRT=y" in selected or "CONFIG_RISCV_VIRT=y" in selected:
        assert "virt" in devices
    keys = parse_config_header(build / f"{target}-config-target.h")
    compiled = {name for name, symbol in ACCEL_SYMBOLS.items() if keys.get(symbol)}
    listed = output_accel.splitlines()[1:]
    assert set(listed) == compiled and listed, (target, listed, compiled)


# --- aarch64 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aarch64_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Every default target for an aarch64 host, libfdt required; (build dir, configure's stdout)."""
    require_cross(shutil.which(AARCH64 + "gcc") is not None, "gcc-aarch64-linux-gnu is not installed")
    require_cross(shutil.which(AARCH64 + "pkg-config") is not None,
                  "aarch64-linux-gnu-pkg-config is not installed (Debian: apt-get install pkgconf:arm64)")
    flags = _arm64_libfdt_flags()
    build = tmp_path_factory.mktemp("cross-aarch64")
    out = _configure_and_build(build, f"--cross-prefix={AARCH64}", f"--prefix={PREFIX}", "--enable-fdt", *flags)
    return build, out


def _qemu_aarch64() -> list[str]:
    program = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    require_cross(program is not None, "qemu-user-static is not installed: the aarch64 binaries cannot be run")
    assert program is not None
    command = [program]
    if not Path("/lib/ld-linux-aarch64.so.1").exists():      # no libc6:arm64: the cross toolchain's
        command += ["-L", "/usr/aarch64-linux-gnu"]
    root = os.environ.get(ARM64_SYSROOT_VARIABLE)
    if root:                                                   # libfdt.so.1 from the sysroot
        command += ["-E", f"LD_LIBRARY_PATH={root}/{ARM64_LIBDIR}"]
    return command


def test_aarch64_cross_builds_every_default_target(aarch64_build: tuple[Path, str]) -> None:
    build, out = aarch64_build
    binaries = _binaries(build)
    assert sorted(binaries) == _default_targets() and "aarch64-softmmu" in binaries
    for target, exe in binaries.items():
        head = exe.read_bytes()[:20]
        assert head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 183, target   # EM_AARCH64
    assert "#define HOST_AARCH64 1" in (build / "config-host.h").read_text()
    assert "WARNING: Disabling" not in out


def test_aarch64_binaries_run_under_qemu_user(aarch64_build: tuple[Path, str]) -> None:
    build, _ = aarch64_build
    qemu = _qemu_aarch64()
    version = (REPO / "VERSION").read_text().strip()
    for target, exe in _binaries(build).items():
        arch = target.split("-")[0]
        said = run([*qemu, str(exe), "--version"])
        assert said.returncode == 0, said.stderr
        assert said.stdout.splitlines() == [f"QEMU emulator version {version}", f"qemu-config core, target {arch}"]
        devices = run([*qemu, str(exe), "-device", "help"])
        accels = run([*qemu, str(exe), "-accel", "help"])
        assert devices.returncode == 0 and accels.returncode == 0, devices.stderr + accels.stderr
        _devices_and_accels(build, target, devices.stdout, accels.stdout)
        # The build tree's binary, relocatable: its data is found beside it.
        data = run([*qemu, str(exe), "-L", "help"]).stdout.splitlines()
        assert data == [f"{build}/../share/qemu-firmware", f"{build}/../share/qemu"], data
    # The aarch64 host has KVM for the aarch64 target only, and Xen (when found) for aarch64 and the x86 targets,
    # as QEMU's accelerator_targets say.
    keys = parse_config_header(build / "aarch64-softmmu-config-target.h")
    assert keys.get("CONFIG_KVM") and not parse_config_header(build / "x86_64-softmmu-config-target.h").get("CONFIG_KVM")
    xen = json.loads((build / "qemu-config-report.json").read_text())["features"]["xen"]["resolved"] == "enabled"
    with_xen = [t for t in sorted(_binaries(build)) if parse_config_header(build / f"{t}-config-target.h").get("CONFIG_XEN")]
    assert with_xen == (["aarch64-softmmu", "i386-softmmu", "x86_64-softmmu"] if xen else [])


def _install_and_move(build: Path, tmp: Path) -> Path:
    """meson install into a DESTDIR, then the installed prefix moved to another directory (with a space)."""
    dest = tmp / "dest"
    proc = run([sys.executable, "-m", "mesonbuild.mesonmain", "install", "--no-rebuild", "-C", str(build),
                "--destdir", str(dest)], env=configure_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    moved = tmp / "moved to" / "Q"
    moved.parent.mkdir()
    shutil.move(str(dest / PREFIX.lstrip("/")), str(moved))
    return moved


def test_moved_aarch64_install_finds_its_data(aarch64_build: tuple[Path, str], tmp_path: Path) -> None:
    build, _ = aarch64_build
    moved = _install_and_move(build, tmp_path)
    said = run([*_qemu_aarch64(), str(moved / "bin" / "qemu-system-aarch64"), "-L", "help"])
    assert said.returncode == 0, said.stderr
    assert said.stdout.splitlines() == [f"{moved}/bin/../share/qemu-firmware", f"{moved}/bin/../share/qemu"]


def _pc_version(package: str) -> str | None:
    found = run([AARCH64 + "pkg-config", "--modversion", package])
    return found.stdout.strip() if found.returncode == 0 else None


def test_features_found_for_the_aarch64_host_are_in_the_summary_and_explain(aarch64_build: tuple[Path, str]) -> None:
    """What is found for the aarch64 host is checked; the features whose arm64 packages are missing are then the
    reason to skip (or, in CI, to fail)."""
    build, out = aarch64_build
    features = json.loads((build / "qemu-config-report.json").read_text())["features"]
    enabled = {name for name, data in features.items() if data["resolved"] == "enabled"}
    assert "fdt" in enabled and re.search(r"^\s+fdt support\s+: YES$", out, re.M)     # --enable-fdt
    assert re.search(r"^\s+host CPU\s+: aarch64$", out, re.M)
    # The summary's rows carry the arm64 packages' versions, as aarch64-linux-gnu-pkg-config reports them.
    rows = {"pixman": ("pixman", "pixman-1"), "VirGL support": ("virglrenderer", "virglrenderer"),
            "bpf support": ("bpf", "libbpf"), "AF_XDP support": ("af_xdp", "libxdp"),
            "Linux keyutils": ("libkeyutils", "libkeyutils"), "Xen support": ("xen", "xencontrol")}
    for row, (feature, package) in rows.items():
        if feature in enabled:
            assert re.search(rf"^\s+{re.escape(row)}\s+: YES {re.escape(_pc_version(package) or '?')}$", out, re.M), row
        else:
            assert re.search(rf"^\s+{re.escape(row)}\s+: NO$", out, re.M), row
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for feature in ("pixman", "af_xdp", "hv_balloon", "fdt", "xen"):
        said = run([sys.executable, "-m", "qemu_config", "explain", feature], cwd=build, env=env)
        assert said.returncode == 0, said.stderr
        first = said.stdout.splitlines()[0]
        if feature in enabled:
            assert " enabled " in first and first.endswith(", for the aarch64 host"), first
        else:
            assert "for the aarch64 host" in first and "arm64" in said.stdout, said.stdout   # what to install
    if "pixman" in enabled:
        said = run([sys.executable, "-m", "qemu_config", "explain", "pixman"], cwd=build, env=env).stdout
        assert "(/usr/lib/aarch64-linux-gnu/pkgconfig/pixman-1.pc)" in said       # the arm64 package, not amd64's
    missing = [name for name in ARM64_FEATURES if name not in enabled]
    require_cross(not missing, "not available for the aarch64 host here (their arm64 packages are missing): "
                  + "; ".join(f"{name}: {features[name]['reason']}" for name in missing))


@pytest.mark.parametrize("environment", [
    {"PKG_CONFIG": "pkg-config"},                                          # the build machine's pkg-config
    {"PKG_CONFIG_LIBDIR": "/usr/lib/x86_64-linux-gnu/pkgconfig"},          # the cross one, pointed at amd64's .pc
], ids=["native-pkg-config", "amd64-libdir"])
def test_a_cross_build_never_takes_the_build_machines_packages(tmp_path: Path, environment: dict[str, str]) -> None:
    require_cross(shutil.which(AARCH64 + "gcc") is not None, "gcc-aarch64-linux-gnu is not installed")
    if "PKG_CONFIG" not in environment:
        require_cross(shutil.which(AARCH64 + "pkg-config") is not None, "aarch64-linux-gnu-pkg-config is not installed")
    if not Path("/usr/lib/x86_64-linux-gnu/pkgconfig/glib-2.0.pc").exists():
        pytest.skip("no amd64 glib-2.0.pc here: nothing of the build machine's to leak")
    build = tmp_path / "b"
    build.mkdir()
    before = snapshot(build)
    proc = run_configure(build, f"--cross-prefix={AARCH64}", "--target-list=x86_64-softmmu", env=environment,
                         check=False)
    text = assert_one_error(proc, "ERROR: pkg-config found the build machine's packages for the aarch64 host: glib-2.0",
                            "/usr/lib/x86_64-linux-gnu/pkgconfig/glib-2.0.pc",
                            "next: or set PKG_CONFIG_LIBDIR to the aarch64 host's .pc directories")
    assert "pixman-1" in text.splitlines()[0]
    assert snapshot(build) == before and not (build / "config-host.h").exists()


def test_the_build_machines_pkg_config_with_the_hosts_multiarch_directories_is_accepted(tmp_path: Path) -> None:
    """PKG_CONFIG_LIBDIR naming the arm64 multiarch directories makes any pkgconf answer for the aarch64 host."""
    require_cross(shutil.which(AARCH64 + "gcc") is not None, "gcc-aarch64-linux-gnu is not installed")
    pc = Path("/usr/lib/aarch64-linux-gnu/pkgconfig/pixman-1.pc")
    require_cross(pc.exists(), "libpixman-1-dev:arm64 is not installed")
    build = tmp_path / "b"
    run_configure(build, f"--cross-prefix={AARCH64}", "--target-list=x86_64-softmmu", "--enable-pixman",
                  env={"PKG_CONFIG": "pkg-config", "PKG_CONFIG_LIBDIR": f"{pc.parent}:/usr/share/pkgconfig"})
    said = run([sys.executable, "-m", "qemu_config", "explain", "pixman"], cwd=build,
               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert said.stdout.splitlines()[0].endswith(f"({pc}), for the aarch64 host"), said.stdout


def test_the_build_machines_libfdt_is_never_taken_for_the_aarch64_host(tmp_path: Path) -> None:
    """Libraries the compiler finds cannot leak: named by -L, amd64's libfdt is skipped by the cross linker."""
    require_cross(shutil.which(AARCH64 + "gcc") is not None, "gcc-aarch64-linux-gnu is not installed")
    if not Path("/usr/lib/x86_64-linux-gnu/libfdt.so").exists():
        pytest.skip("no amd64 libfdt.so here (libfdt-dev): nothing of the build machine's to leak")
    if _cross_gcc_finds_libfdt():
        pytest.skip("libfdt-dev:arm64 is installed: the cross linker finds that one")
    build = tmp_path / "b"
    run_configure(build, f"--cross-prefix={AARCH64}", "--target-list=x86_64-softmmu",
                  "--extra-cflags=-I/usr/include", "--extra-ldflags=-L/usr/lib/x86_64-linux-gnu")
    fdt = json.loads((build / "qemu-config-report.json").read_text())["features"]["fdt"]
    assert fdt["resolved"] == "disabled" and "not found for the aarch64 host" in fdt["reason"], fdt


# --- Windows -------------------------------------------------------------------------------------


def _wine_program() -> str | None:
    for name in ("wine64", "wine"):
        if shutil.which(name):
            return shutil.which(name)
    return "/usr/lib/wine/wine64" if os.access("/usr/lib/wine/wine64", os.X_OK) else None   # Debian's wine64 alone


@pytest.fixture(scope="module")
def wine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """A command prefix that runs a Windows program under Wine, in a Wine prefix of the tests' own."""
    program = _wine_program()
    require_cross(program is not None, "Wine is not installed (Debian: apt-get install wine64)")
    assert program is not None
    prefix = tmp_path_factory.mktemp("wineprefix")
    env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}
    env.pop("DISPLAY", None)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        code = subprocess.run([program, "cmd", "/c", "echo", "wine-runs"], env=env, stdout=out, stderr=err,
                              stdin=subprocess.DEVNULL, timeout=300, check=False).returncode
        out.seek(0)
        err.seek(0)
        probe = subprocess.CompletedProcess([], code, out.read(), err.read())
    require_cross("wine-runs" in probe.stdout,
                  f"Wine does not run programs here ({program} exited {probe.returncode}: "
                  f"{(probe.stderr.strip().splitlines() or ['no output'])[-1]})")
    # A wineserver that stays up for the module: each program then starts in a fraction of a second.
    server = shutil.which("wineserver") or os.path.join(os.path.dirname(os.path.realpath(program)), "wineserver")
    persistent = os.access(server, os.X_OK) and subprocess.run(
        [server, "-p"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=60).returncode == 0
    try:
        yield ["env", f"WINEPREFIX={prefix}", "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", program]
    finally:
        if persistent:
            subprocess.run([server, "-k"], env=env, timeout=60)    # this prefix's server, which -p started


@pytest.fixture(scope="module")
def windows_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_cross(shutil.which(MINGW + "gcc") is not None, "gcc-mingw-w64-x86-64 is not installed")
    build = tmp_path_factory.mktemp("cross-windows")
    _configure_and_build(build, f"--cross-prefix={MINGW}", f"--prefix={PREFIX}")
    return build


def run_windows(wine: Sequence[str], exe: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a Windows program under Wine.  Its output goes to files, not pipes: the Wine services the first
    program starts outlive it, holding what it was given, and a pipe would not end until they do."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.run([*wine, str(exe), *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                              timeout=300, check=False)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read().replace("\r\n", "\n"),
                                           err.read())


def _windows_path(path: Path) -> str:
    """How Wine's programs see a path of this machine (its Z: drive is /)."""
    return "Z:" + str(path).replace("/", "\\")


def test_windows_cross_build_makes_exe_binaries(windows_build: Path) -> None:
    binaries = _binaries(windows_build, ".exe")
    assert binaries and "x86_64-softmmu" in binaries
    for target, exe in binaries.items():
        data = exe.read_bytes()
        pe = int.from_bytes(data[0x3C:0x40], "little")
        assert data[:2] == b"MZ" and data[pe:pe + 4] == b"PE\0\0", target
        assert int.from_bytes(data[pe + 4:pe + 6], "little") == 0x8664, target        # IMAGE_FILE_MACHINE_AMD64
    header = parse_config_header(windows_build / "config-host.h")
    assert header["CONFIG_WIN32"] is True and header["CONFIG_POSIX"] is False
    assert "EXESUF=.exe" in (windows_build / "config-host.mak").read_text()


def test_windows_binaries_run_under_wine(windows_build: Path, wine: list[str]) -> None:
    version = (REPO / "VERSION").read_text().strip()
    for target, exe in _binaries(windows_build, ".exe").items():
        arch = target.split("-")[0]
        said = run_windows(wine, exe, "--version")
        assert said.returncode == 0, said.stderr
        assert said.stdout.splitlines() == [f"QEMU emulator version {version}", f"qemu-config core, target {arch}"]
        devices = run_windows(wine, exe, "-device", "help").stdout
        accels = run_windows(wine, exe, "-accel", "help").stdout
        _devices_and_accels(windows_build, target, devices, accels)
    assert "whpx" in run_windows(wine, windows_build / "qemu-system-x86_64.exe", "-accel", "help").stdout


def test_moved_windows_install_finds_its_data_through_windows_paths(windows_build: Path, wine: list[str],
                                                                    tmp_path: Path) -> None:
    moved = _install_and_move(windows_build, tmp_path)     # a space in the path, as in C:\Program Files
    exe = moved / "qemu-system-x86_64.exe"       # Windows installs put the binaries in the prefix itself
    assert exe.exists(), sorted(p.name for p in moved.iterdir())
    said = run_windows(wine, exe, "-L", "help")
    assert said.returncode == 0, said.stderr
    lines = said.stdout.splitlines()
    where = _windows_path(moved)
    assert lines == [f"{where}/share/qemu-firmware", f"{where}/share"], lines


def test_a_windows_binary_beside_a_qemu_bundle_finds_its_data_there(windows_build: Path, wine: list[str],
                                                                     tmp_path: Path) -> None:
    """The bundle test of get_relocated_path() on Windows (GetFileAttributesA; mingw has no R_OK)."""
    shutil.copy2(windows_build / "qemu-system-x86_64.exe", tmp_path / "qemu-system-x86_64.exe")
    (tmp_path / "qemu-bundle").mkdir()
    said = run_windows(wine, tmp_path / "qemu-system-x86_64.exe", "-L", "help")
    where = _windows_path(tmp_path)
    assert said.stdout.splitlines() == [f"{where}/qemu-bundle{PREFIX}/share/qemu-firmware",
                                        f"{where}/qemu-bundle{PREFIX}/share"], said.stdout
