"""Features against real libraries: the installed Debian packages, and stand-ins the tests build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e import REPO, run, run_configure
from fakelibs import old_glib, old_libfdt, rutabaga, write_pc

pytestmark = pytest.mark.slow


def header(build: Path) -> str:
    return (build / "config-host.h").read_text()


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


# --- hv-balloon ----------------------------------------------------------------------

def test_hv_balloon_enabled_with_the_real_glib(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--enable-hv-balloon")
    assert "CONFIG_HV_BALLOON_POSSIBLE=y\n" in (build / "host-kconfig.mak").read_text()
    out = explain(build, "hv-balloon")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("hv_balloon: enabled (enabled) because")
    assert 'link test "GTree node API"' in out.stdout and "glib-2.0" in out.stdout


def test_hv_balloon_with_a_glib_without_the_node_api(tmp_path: Path) -> None:
    pcdir = old_glib(tmp_path)
    env = {"PKG_CONFIG_LIBDIR": str(pcdir)}
    proc = run_configure(tmp_path / "b", "--enable-hv-balloon", env=env, check=False)
    assert_one_error(proc, "could not enable hv-balloon, update your glib", "glib-2.0 2.66.0", "libglib2.0-dev")
    auto = tmp_path / "auto"
    done = run_configure(auto, env=env)
    assert "could not find glib support for hv-balloon, disabling" in done.stderr
    assert "CONFIG_HV_BALLOON_POSSIBLE" not in (auto / "host-kconfig.mak").read_text()
    said = explain(auto, "hv_balloon").stdout
    assert said.startswith('hv_balloon: disabled (auto) because not usable on the x86_64 host: link test '
                           '"GTree node API" failed against glib-2.0 2.66.0 (needs glib-2.0 >= 2.68)'), said
    assert "  next: install the development files (Debian: apt-get install libglib2.0-dev)\n" in said


def test_disabled_feature_is_not_probed(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--disable-hv-balloon", "--disable-pixman")
    data = report(build)["features"]
    assert data["hv_balloon"]["probes"] == [] and data["pixman"]["probes"] == []
    assert data["pixman"]["reason"] == "--disable-pixman was given"
    assert "GTree" not in (build / "config.log").read_text()


def test_without_default_features_turns_auto_off(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--without-default-features", "--enable-pixman")
    data = report(build)["features"]
    assert data["pixman"]["resolved"] == "enabled"
    assert data["virglrenderer"]["resolved"] == "disabled"
    assert "--without-default-features" in data["virglrenderer"]["reason"]
    assert data["plugins"]["resolved"] == "disabled"


# --- af_xdp / bpf ----------------------------------------------------------------------

def test_af_xdp_with_debian_libxdp(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--enable-af-xdp")
    text = header(build)
    assert "#define CONFIG_AF_XDP\n" in text and "#define CONFIG_EBPF\n" in text
    rows = (build / "qemu-config-build.mak").read_text()
    assert "DEP_AF_XDP_LIBS=" in rows and "-lxdp" in rows


def test_af_xdp_too_old_names_both_versions(tmp_path: Path) -> None:
    pcdir = tmp_path / "pc"
    write_pc(pcdir, "libxdp", "1.1.0", prefix=tmp_path / "xdp", libs="-lxdp")
    proc = run_configure(tmp_path / "b", "--enable-af-xdp", env={"PKG_CONFIG_PATH": str(pcdir)}, check=False)
    assert_one_error(proc, "af_xdp", "1.1.0", ">= 1.2.0")


def test_af_xdp_without_libbpf(tmp_path: Path) -> None:
    pcdir = tmp_path / "pc"
    write_pc(pcdir, "libxdp", "1.3.1", prefix=tmp_path / "xdp", libs="-lxdp")
    proc = run_configure(tmp_path / "b", "--enable-af-xdp", env={"PKG_CONFIG_LIBDIR": str(pcdir)}, check=False)
    assert_one_error(proc, "libxdp requested, but libbpf is not available")


# --- pixman, graphics --------------------------------------------------------------------

def test_pixman_missing_is_one_error_with_the_package_to_install(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_configure(tmp_path / "b", "--enable-pixman", env={"PKG_CONFIG_LIBDIR": str(empty)}, check=False)
    assert_one_error(proc, "pixman", "libpixman-1-dev", "PKG_CONFIG_PATH", "--disable-pixman")
    assert not (tmp_path / "b" / "config-host.h").exists()


def test_pixman_found_defines_symbol_and_host_kconfig(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    assert "#define CONFIG_PIXMAN\n" in header(build)
    assert "CONFIG_PIXMAN=y\n" in (build / "host-kconfig.mak").read_text()


def test_graphics_backends_section(tmp_path: Path) -> None:
    build = tmp_path / "b"
    proc = run_configure(build)
    summary = proc.stdout
    section = summary.split("  Graphics backends\n", 1)[1].split("\n\n", 1)[0]
    assert "VirGL support" in section and "YES 0.10" in section
    assert "Rutabaga support" in section and ": NO" in section
    deps = summary.split("  Dependencies\n", 1)[1]
    assert "VirGL" not in deps and "Rutabaga" not in deps
    assert "#define VIRGL_VERSION_MAJOR 0\n" in header(build)


def test_rutabaga_found_when_built_here(tmp_path: Path) -> None:
    pcdir = rutabaga(tmp_path)
    build = tmp_path / "b"
    proc = run_configure(build, "--enable-rutabaga-gfx", env={"PKG_CONFIG_PATH": str(pcdir)})
    assert "Rutabaga support" in proc.stdout and "YES 0.1.3" in proc.stdout


# --- fdt ---------------------------------------------------------------------------------

def test_fdt_system(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--enable-fdt=system")
    assert "#define CONFIG_FDT\n" in header(build)
    assert "CONFIG_FDT=y" in (build / "host-kconfig.mak").read_text()
    assert report(build)["features"]["fdt"]["value"] == "system"


def test_fdt_internal_is_refused(tmp_path: Path) -> None:
    proc = run_configure(tmp_path / "b", "--enable-fdt=internal", check=False)
    assert_one_error(proc, "fdt=internal", "download")


def test_fdt_too_old(tmp_path: Path) -> None:
    prefix = old_libfdt(tmp_path)
    args = (f"--extra-cflags=-I{prefix}/include", f"--extra-ldflags=-L{prefix}/lib")
    proc = run_configure(tmp_path / "b", "--enable-fdt", *args, check=False)
    assert_one_error(proc, "system libfdt is too old (1.5.1 or newer required)")
    auto = tmp_path / "auto"
    run_configure(auto, *args)
    assert "#undef CONFIG_FDT\n" in header(auto)     # auto never falls back to an internal copy


# --- small probes ----------------------------------------------------------------------------

def test_getloadavg_keyutils_and_warning_flags(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    text = header(build)
    assert "#define CONFIG_GETLOADAVG\n" in text
    assert "#define CONFIG_KEYUTILS\n" in text
    line = next(l for l in (build / "qemu-config-build.mak").read_text().splitlines()
                if l.startswith("QEMU_WARNING_FLAGS="))
    assert "-Wshadow=local" in line.split()
    assert "-Wno-string-plus-int" not in line   # a clang-only warning: gcc rejects -Wstring-plus-int


@pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed (CI installs it)")
def test_warning_flags_under_clang_drop_shadow_local(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--cc=clang")
    line = next(l for l in (build / "qemu-config-build.mak").read_text().splitlines()
                if l.startswith("QEMU_WARNING_FLAGS="))
    assert "-Wshadow=local" not in line and "-Wvla" in line


def test_gdb_found_and_refused(tmp_path: Path) -> None:
    if shutil.which("gdb") is None:
        pytest.skip("gdb not installed (CI installs it)")
    build = tmp_path / "b"
    run_configure(build)
    assert f"GDB={shutil.which('gdb-multiarch') or shutil.which('gdb')}\n" in (build / "config-host.mak").read_text()
    other = tmp_path / "c"
    proc = run_configure(other, "--gdb=/nonexistent/gdb")
    assert "GDB=\n" in (other / "config-host.mak").read_text()
    assert "--gdb" in proc.stderr
    old = tmp_path / "old-gdb"
    old.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'GNU gdb (GDB) 8.3'; exit 0; fi\n"
                   "echo 'Requires an argument. Valid arguments are i386, i386:x86-64, auto.' >&2\n")
    old.chmod(0o755)
    third = tmp_path / "d"
    proc = run_configure(third, f"--gdb={old}")
    assert "GDB=\n" in (third / "config-host.mak").read_text()
    assert "older than 9.1" in proc.stderr
    assert report(build)["gdb"]["arches"]   # the real gdb lists the architectures it debugs


# --- plugins ---------------------------------------------------------------------------------

def test_plugins(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    assert "#define CONFIG_PLUGIN\n" in header(build)
    assert_one_error(run_configure(tmp_path / "c", "--disable-tcg", "--enable-plugins", check=False),
                     "Can't enable plugins on non-TCG builds")
    assert_one_error(run_configure(tmp_path / "d", "--static", "--enable-plugins", check=False),
                     "static and plugins are mutually incompatible")
    quiet = tmp_path / "e"
    run_configure(quiet, "--disable-tcg")
    assert "#undef CONFIG_PLUGIN\n" in header(quiet)


@pytest.mark.skipif(shutil.which("x86_64-w64-mingw32-gcc") is None, reason="mingw not installed (CI installs it)")
def test_plugins_on_windows_need_dlltool(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    real = Path(shutil.which("x86_64-w64-mingw32-gcc")).parent  # type: ignore[arg-type]
    for tool in real.glob("x86_64-w64-mingw32-*"):          # the whole toolchain but dlltool
        if not tool.name.endswith("-dlltool"):
            (tools / tool.name).symlink_to(tool)
    prefix = f"--cross-prefix={tools}/x86_64-w64-mingw32-"
    proc = run_configure(tmp_path / "b", prefix, "--enable-plugins", check=False)
    assert_one_error(proc, "TCG plugins requires dlltool to build on Windows platforms")
    quiet = tmp_path / "c"
    run_configure(quiet, prefix)
    assert "#undef CONFIG_PLUGIN\n" in header(quiet)
    with_tool = tmp_path / "d"
    run_configure(with_tool, "--cross-prefix=x86_64-w64-mingw32-", "--enable-plugins")
    assert "#define CONFIG_PLUGIN\n" in header(with_tool)
    assert "#undef CONFIG_GETLOADAVG\n" in header(with_tool)   # no getloadavg on Windows


# --- other hosts through a wrapper compiler -------------------------------------------------

DARWIN_WRAPPER = """#!/bin/sh
# Test compiler: Darwin's predefined macros for -dM -E, everything else handed to gcc.
for a in "$@"; do
  if [ "$a" = "-dM" ]; then
    gcc "$@" | grep -v -e '__linux' -e '__gnu_linux__' -e '\\<linux\\>' -e '__unix' -e '__ELF__'
    printf '#define __APPLE__ 1\\n#define __MACH__ 1\\n'
    exit 0
  fi
done
{objc}
exec gcc "$@"
"""


def darwin_cc(tmp_path: Path, *, objc: bool) -> Path:
    handle_objc = ('for a in "$@"; do if [ "$a" = objective-c ]; then '
                   'exec gcc $(printf "%s\\n" "$@" | sed "s/^objective-c$/c/"); fi; done') if objc else ""
    path = tmp_path / "darwin-cc"
    path.write_text(DARWIN_WRAPPER.replace("{objc}", handle_objc))
    path.chmod(0o755)
    return path


def test_darwin_requires_objc(tmp_path: Path) -> None:
    cc = darwin_cc(tmp_path, objc=False)
    proc = run_configure(tmp_path / "b", f"--cc={cc}", check=False)
    assert_one_error(proc, "an Objective-C compiler is required on Darwin hosts")


def test_darwin_with_objc_and_linux_without(tmp_path: Path) -> None:
    cc = darwin_cc(tmp_path, objc=True)
    build = tmp_path / "b"
    proc = run_configure(build, f"--cc={cc}")
    text = header(build)
    assert "#define CONFIG_DARWIN\n" in text and "#define CONFIG_BSD\n" in text
    assert "Objective-C compiler" in proc.stdout
    linux = tmp_path / "linux"
    run_configure(linux)
    assert report(linux)["features"]["objc"]["probes"] == []   # never probed elsewhere
    assert "only needed on darwin hosts" in report(linux)["features"]["objc"]["reason"]


# --- cache ---------------------------------------------------------------------------------------

def test_probe_cache_is_shared_and_never_refuses_a_required_feature(tmp_path: Path) -> None:
    cache_home = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache_home)}
    first = run_configure(tmp_path / "a", env=env)
    assert "(cached)" not in first.stdout
    second = run_configure(tmp_path / "b", env=env)
    assert "pixman-1" in second.stdout and "(cached)" in second.stdout
    # Turn the cached pixman answer into a "not found": auto believes it, --enable-pixman re-probes.
    for entry in cache_home.rglob("*.json"):
        data = json.loads(entry.read_text())
        if data.get("probe", "").startswith("pkg-config pixman-1"):
            data.update(ok=False, status="missing", detail="planted by the test")
            entry.write_text(json.dumps(data))
    auto = run_configure(tmp_path / "c", env=env)
    assert "#undef CONFIG_PIXMAN\n" in header(tmp_path / "c")
    assert "Checking for pkg-config pixman-1 >=0.21.8: NO (not found) (cached)" in auto.stdout
    run_configure(tmp_path / "d", "--enable-pixman", env=env)
    assert "#define CONFIG_PIXMAN\n" in header(tmp_path / "d")
    nocache = run_configure(tmp_path / "e", "--no-cache", env=env)
    assert "(cached)" not in nocache.stdout
    run_configure(tmp_path / "f", "--clear-cache", env=env)
    assert "planted by the test" not in "".join(p.read_text() for p in cache_home.rglob("*.json"))


# --- explain -------------------------------------------------------------------------------------

def test_explain_spellings_and_errors(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    by_symbol = explain(build, "CONFIG_PIXMAN")
    assert by_symbol.stdout.startswith("pixman: enabled (auto) because")
    from_elsewhere = run([sys.executable, "-m", "qemu_config", "explain", "-C", str(build), "af-xdp"],
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert from_elsewhere.stdout.startswith("af_xdp: ")
    unknown = explain(build, "pixmann")
    assert unknown.returncode == 1 and unknown.stderr.startswith("ERROR: ") and "pixman" in unknown.stderr
    usage = explain(build)
    assert usage.returncode == 2
    nowhere = run([sys.executable, "-m", "qemu_config", "explain", "pixman"], cwd=tmp_path,
                  env={**os.environ, "PYTHONPATH": str(REPO)})
    assert nowhere.returncode == 1 and "-C DIR" in nowhere.stderr


def test_report_schema(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    data = report(build)
    assert data["schema_version"] == 1
    for name, feature in data["features"].items():
        assert set(feature) >= {"requested", "resolved", "reason", "probes"}, name
