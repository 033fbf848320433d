"""End to end: the real ./configure, meson and ninja, in temporary build directories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e import REPO, copy_source_tree, parse_config_header, require_cross, run, run_configure, run_ninja, snapshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def native_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A configured and built native build dir (the one `make check` runs from, if any)."""
    given = os.environ.get("QEMU_CONFIG_BUILD_DIR")
    if given and (Path(given) / "build.ninja").exists() and (Path(given) / "config-host.h").exists():
        return Path(given)
    build = tmp_path_factory.mktemp("native") / "build"
    run_configure(build)
    run_ninja(build)
    return build


def test_build_dir_has_the_engine_command(native_build: Path, tmp_path: Path) -> None:
    """pyvenv/bin/qemu-config runs the engine of the tree the build was configured from, from anywhere."""
    engine = native_build / "pyvenv" / "bin" / "qemu-config"
    here = run([str(engine), "explain", "hv-balloon"], cwd=native_build)
    assert here.returncode == 0 and here.stdout.startswith("hv_balloon: "), here.stderr
    elsewhere = run([str(engine), "sources", "-C", str(native_build), "--target", "x86_64-softmmu"], cwd=tmp_path)
    assert elsewhere.returncode == 0 and "core/system/main.c" in elsewhere.stdout, elsewhere.stderr


def test_binary_reports_the_configuration_it_was_built_with(native_build: Path) -> None:
    exe = native_build / "qemu-system-x86_64"
    version = run([str(exe), "--version"])
    assert version.returncode == 0
    assert version.stdout.startswith("QEMU emulator version " + (REPO / "VERSION").read_text().strip())
    printed = dict(line.split("=", 1) for line in run([str(exe), "--build-config"]).stdout.splitlines())
    header = parse_config_header(native_build / "config-host.h")
    assert set(printed) == set(header)
    for key, value in header.items():
        # the preprocessor folds white space when it stringifies an expansion
        expected = "y" if value is True else "n" if value is False else " ".join(str(value).split())
        assert printed[key] == expected, key


def test_python_extension_exposes_the_configuration(native_build: Path) -> None:
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); import qemu_core; "
            "print(json.dumps([qemu_core.version, list(qemu_core.targets), qemu_core.build_config()]))")
    out = run([sys.executable, "-c", code, str(native_build)])
    assert out.returncode == 0, out.stderr
    import json

    version, targets, config = json.loads(out.stdout)
    assert version == (REPO / "VERSION").read_text().strip()
    assert "x86_64-softmmu" in targets
    header = parse_config_header(native_build / "config-host.h")
    assert config["CONFIG_LINUX"] is True and config["CONFIG_WIN32"] is False
    assert config["CONFIG_PREFIX"] == header["CONFIG_PREFIX"].strip('"')  # type: ignore[union-attr]
    assert config["HOST_X86_64"] == 1
    assert set(config) == set(header)


def test_config_host_h_is_consistent(native_build: Path) -> None:
    header = parse_config_header(native_build / "config-host.h")
    assert header["CONFIG_LINUX"] is True and header["CONFIG_POSIX"] is True
    assert header["CONFIG_WIN32"] is False and header["CONFIG_BSD"] is False
    assert header["HOST_X86_64"] == "1"
    assert header["CONFIG_RELOCATABLE"] is True and header["CONFIG_COROUTINE_POOL"] is True
    keys = [line.split()[1] for line in (native_build / "config-host.h").read_text().splitlines()
            if line.startswith(("#define", "#undef"))]
    assert keys == sorted(keys)


def test_rerun_rewrites_nothing_however_configure_is_spelled(tmp_path: Path) -> None:
    build = tmp_path / "b"
    first = run_configure(build, "--prefix=/opt/q", "--disable-coroutine-pool")
    assert "meson setup: done" in first.stdout
    before = snapshot(build)
    relative = os.path.relpath(REPO / "configure", build)
    link = tmp_path / "src-link"
    link.symlink_to(REPO)
    for spelling in (str(REPO / "configure"), relative, str(link / "configure"), str(REPO / "." / "configure")):
        again = run_configure(build, "--prefix=/opt/q", "--disable-coroutine-pool", configure=spelling)
        assert "meson setup" not in again.stdout, spelling
        assert snapshot(build) == before, spelling


def test_changed_option_rewrites_only_what_changed(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    before = snapshot(build)
    out = run_configure(build, "--disable-relocatable")
    after = snapshot(build)
    changed = {k for k in after if before.get(k) != after[k]}
    assert "config-host.h" in changed and "config-host.mak" not in changed
    assert "#undef CONFIG_RELOCATABLE" in (build / "config-host.h").read_text()
    assert "meson setup" not in out.stdout  # meson regenerates itself from the files it reads


def test_unknown_option_is_one_error_and_leaves_the_build_dir_alone(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build)
    before = snapshot(build)
    proc = run_configure(build, "--enable-bogus", check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert lines[0] == "ERROR: unknown option --enable-bogus"
    assert all(l.startswith("       ") for l in lines[1:])
    assert any("--" in l for l in lines[1:])  # a suggestion / the way to --help
    assert snapshot(build) == before


@pytest.mark.parametrize("prefix,os_name,defined,undefined", [
    ("x86_64-w64-mingw32-", "windows", "CONFIG_WIN32", "CONFIG_POSIX"),
    ("aarch64-linux-gnu-", "linux", "CONFIG_LINUX", "CONFIG_WIN32"),
])
def test_cross_builds_model_the_host(tmp_path: Path, prefix: str, os_name: str, defined: str, undefined: str) -> None:
    require_cross(shutil.which(prefix + "gcc") is not None, f"{prefix}gcc is not installed (CI installs it)")
    build = tmp_path / "b"
    run_configure(build, f"--cross-prefix={prefix}")
    header = (build / "config-host.h").read_text()
    assert f"#define {defined}\n" in header and f"#undef {undefined}\n" in header
    cross = (build / "config-meson.cross").read_text()
    assert f"system = '{os_name}'" in cross and f"c = ['{prefix}gcc'" in cross
    assert f"cpp = ['{prefix}g++'" in cross   # --cxx's default, for meson, as QEMU writes it
    assert "[binaries]\nc = ['cc']" in (build / "config-meson.native").read_text()
    if prefix.startswith("aarch64"):
        assert "#define HOST_AARCH64 1\n" in header
    else:   # mingw-w64's dlltool, headers and C library, probed for real
        assert "#define CONFIG_PLUGIN\n" in header and "#undef CONFIG_GETLOADAVG\n" in header
        assert "#define CONFIG_WHPX 1\n" in (build / "x86_64-softmmu-config-target.h").read_text()
    build_mak = (build / "qemu-config-build.mak").read_text()
    assert "PYTHON_EXTENSION=n" in build_mak  # no host Python to build the extension against


def test_in_source_configure_reuses_its_build_dir(tmp_path: Path) -> None:
    src = copy_source_tree(tmp_path / "src")
    proc = run_configure(src, configure="./configure")
    assert "Using './build' as the directory for build output" in proc.stdout
    assert (src / "build" / "auto-created-by-configure").exists()
    assert (src / "GNUmakefile").exists()
    (src / "build" / "keep-me").write_text("x")
    run_configure(src, configure="./configure")
    assert (src / "build" / "keep-me").exists()   # reused, never deleted
    make = run(["make", "-C", str(src)], env={**os.environ, "MAKEFLAGS": ""})
    assert make.returncode == 0, make.stdout + make.stderr
    assert (src / "build" / "qemu-system-x86_64").exists()
    shutil.rmtree(src / "build")
    (src / "build").mkdir()
    proc = run_configure(src, configure="./configure", check=False)
    assert proc.returncode == 1
    assert "ERROR: ./build dir already exists and was not previously created by configure" in proc.stderr


def test_make_reconfigures_when_a_sourceset_declaration_changes_or_appears(tmp_path: Path) -> None:
    src = copy_source_tree(tmp_path / "src")
    build = tmp_path / "b"
    run_configure(build, "--target-list=x86_64-softmmu", configure=src / "configure")
    env = {**os.environ, "MAKEFLAGS": ""}
    assert run(["make", "-C", str(build)], env=env).returncode == 0
    quiet = run(["make", "-C", str(build)], env=env)
    assert "configuration is out of date" not in quiet.stdout
    # A new subsystem directory with its own declaration: make must notice the file it did not know.
    new_dir = src / "core" / "hw" / "watchdog"
    new_dir.mkdir()
    (new_dir / "wdt-demo.c").write_text('#include "qemu/osdep.h"\n#include "hw/qdev.h"\n\n'
                                        'DEVICE_MODEL(wdt_demo, "wdt-demo", "isa", "demo watchdog")\n')
    (new_dir / "sources.toml").write_text('set = "system"\n\n[[rule]]\nsources = ["wdt-demo.c"]\n')
    made = run(["make", "-C", str(build)], env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "configuration is out of date, running ./config.status" in made.stdout
    assert '"wdt-demo"' in run([str(build / "qemu-system-x86_64"), "-device", "help"]).stdout
    # An edit to an existing declaration counts too.
    decl = new_dir / "sources.toml"
    decl.write_text(decl.read_text().replace('sources = ["wdt-demo.c"]', 'when = ["CONFIG_NOT_SET"]\nif_true = ["wdt-demo.c"]'))
    made = run(["make", "-C", str(build)], env=env)
    assert made.returncode == 0 and "configuration is out of date" in made.stdout
    assert '"wdt-demo"' not in run([str(build / "qemu-system-x86_64"), "-device", "help"]).stdout


def test_config_status_replays_configure(tmp_path: Path) -> None:
    build = tmp_path / "b"
    run_configure(build, "--disable-relocatable", env={"CFLAGS": "-O1"})
    status = (build / "config.status").read_text()
    assert "CFLAGS='-O1'\nexport CFLAGS\n" in status
    assert "unset PKG_CONFIG_LIBDIR\n" in status
    assert status.rstrip().endswith(f"exec '{REPO / 'configure'}' '--disable-relocatable' \"$@\"")
    before = snapshot(build)
    proc = run(["./config.status"], cwd=build, env={k: v for k, v in os.environ.items() if k != "CFLAGS"})
    assert proc.returncode == 0, proc.stderr
    assert snapshot(build) == before


def test_engine_package_imports_with_the_standard_library_alone() -> None:
    code = "import sys, qemu_config, qemu_config.errors, qemu_config.bootstrap; " \
           "bad = [m for m in ('jinja2', 'mesonbuild', 'packaging') if m in sys.modules]; sys.exit(bool(bad))"
    proc = subprocess.run([sys.executable, "-S", "-c", code], env={"PYTHONPATH": str(REPO)},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_noop_rerun_is_recognised_and_any_input_change_is_not(tmp_path: Path) -> None:
    pcdir = tmp_path / "pc"
    pcdir.mkdir()
    env = {"PKG_CONFIG_PATH": str(pcdir)}
    build = tmp_path / "b"
    run_configure(build, env=env)
    quick = run_configure(build, env=env)
    assert quick.stdout.startswith("Nothing that configure reads has changed")
    assert "  Graphics backends" in quick.stdout
    # A new .pc file where pkg-config looks: the decisions must be made again.
    from fakelibs import rutabaga

    real = rutabaga(tmp_path)
    shutil.copy(real / "rutabaga_gfx_ffi.pc", pcdir)
    again = run_configure(build, env=env)
    assert not again.stdout.startswith("Nothing"), again.stdout
    assert "Rutabaga support" in again.stdout and "YES 0.1.3" in again.stdout
    # An environment variable that can change a probe.
    other = run_configure(build, env={**env, "CFLAGS": "-O1"})
    assert not other.stdout.startswith("Nothing")
    # A deleted output is written again.
    run_configure(build, env=env)
    (build / "config-host.h").unlink()
    restored = run_configure(build, env=env)
    assert not restored.stdout.startswith("Nothing") and (build / "config-host.h").exists()
    assert "(cached)" in restored.stdout       # the probe cache outlives the configure that filled it
    # --clear-cache and --no-cache always run the probes.
    uncached = run_configure(build, "--no-cache", env=env)
    assert not uncached.stdout.startswith("Nothing") and "(cached)" not in uncached.stdout


def test_make_install_honours_destdir(native_build: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    proc = run(["make", "-C", str(native_build), "install", f"DESTDIR={tmp_path}"], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    prefix = parse_config_header(native_build / "config-host.h")["CONFIG_PREFIX"].strip('"')  # type: ignore[union-attr]
    assert (tmp_path / prefix.lstrip("/") / "bin" / "qemu-system-x86_64").exists()
