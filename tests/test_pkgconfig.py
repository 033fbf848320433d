"""qemu_config.pkgconfig against the real pkg-config (pkgconf) and real .pc files; no mocks."""

from __future__ import annotations

import itertools
import os
import random
import shutil
from pathlib import Path
from typing import Mapping

import pytest

from qemu_config import pkgconfig
from qemu_config.pkgconfig import (PackageLookup, PkgConfigTool, build_machine_leak, cache_identity,
                                   cross_leak_warning, find_pkg_config, lookup, parse_constraint, version_compare)

SYSTEM_PKG_CONFIG = shutil.which("pkg-config")
needs_pkg_config = pytest.mark.skipif(SYSTEM_PKG_CONFIG is None, reason="pkg-config is not installed")


# --- fixture helpers ---------------------------------------------------------

def clean_environ(**extra: str) -> dict[str, str]:
    """The test process's environment without any PKG_CONFIG* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PKG_CONFIG")}
    env.update(extra)
    return env


def write_pc(directory: Path, name: str, version: str, *, requires: str = "", cflags: str = "",
             libs: str = "", libs_private: str = "", prefix: str = "/opt/" + "pkg", extra: str = "") -> Path:
    """Write a minimal valid .pc file and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"prefix={prefix}", "includedir=${prefix}/include", "libdir=${prefix}/lib", "",
             f"Name: {name}", f"Description: test package {name}", f"Version: {version}"]
    if requires:
        lines.append(f"Requires: {requires}")
    if cflags:
        lines.append(f"Cflags: {cflags}")
    if libs:
        lines.append(f"Libs: {libs}")
    if libs_private:
        lines.append(f"Libs.private: {libs_private}")
    if extra:
        lines.append(extra)
    path = directory / f"{name}.pc"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def system_tool() -> PkgConfigTool:
    if SYSTEM_PKG_CONFIG is None:
        pytest.skip("pkg-config is not installed")
    tool = find_pkg_config(None, clean_environ())
    assert tool is not None
    return tool


def look(tool: PkgConfigTool | None, package: str, *constraints: str, env: Mapping[str, str] | None = None,
         static: bool = False) -> PackageLookup:
    return lookup(tool, package, constraints, environ=clean_environ() if env is None else env, static=static)


# --- 1. the installed packages -------------------------------------------------

@needs_pkg_config
def test_tool_facts(system_tool: PkgConfigTool) -> None:
    assert os.path.isabs(system_tool.path)
    assert system_tool.version.split(".")[0].isdigit()
    assert "/usr/lib/x86_64-linux-gnu/pkgconfig" in system_tool.search_path or \
        "/usr/lib/pkgconfig" in system_tool.search_path
    assert system_tool.search_path == system_tool.default_search_path


@needs_pkg_config
def test_glib_found_with_include_dir(system_tool: PkgConfigTool) -> None:
    res = look(system_tool, "glib-2.0", ">=2.56")
    assert res.status == "found" and res.found
    assert res.version is not None and res.version.startswith("2.74.")
    assert "-I/usr/include/glib-2.0" in res.cflags
    assert "-lglib-2.0" in res.libs
    assert res.pc_file is not None and res.pc_file.endswith("/glib-2.0.pc")
    assert res.detail == f"found {res.version}"
    assert "--modversion --path glib-2.0" in res.log and "--cflags glib-2.0" in res.log


@needs_pkg_config
def test_libxdp_new_enough(system_tool: PkgConfigTool) -> None:
    res = look(system_tool, "libxdp", ">=1.2.0")
    assert (res.status, res.version) == ("found", "1.3.1")
    assert "-lxdp" in res.libs


@needs_pkg_config
def test_libxdp_too_old_names_both_versions(system_tool: PkgConfigTool) -> None:
    res = look(system_tool, "libxdp", ">=1.4.0")
    assert res.status == "too-old"
    assert res.version == "1.3.1"
    assert res.detail == "libxdp found 1.3.1 but >= 1.4.0 is needed"
    assert res.cflags == () and res.libs == ()


@needs_pkg_config
def test_other_installed_packages(system_tool: PkgConfigTool) -> None:
    assert look(system_tool, "pixman-1", ">=0.21.8").version == "0.42.2"
    assert look(system_tool, "libbpf", ">=1.1.0").status == "found"
    virgl = look(system_tool, "virglrenderer")
    assert (virgl.status, virgl.version) == ("found", "0.10.4")
    assert look(system_tool, "libkeyutils").status == "found"
    fdt = look(system_tool, "libfdt")   # Debian's libfdt-dev ships no .pc file
    assert fdt.status == "missing"


@needs_pkg_config
def test_wrong_version_is_not_too_old(system_tool: PkgConfigTool) -> None:
    res = look(system_tool, "pixman-1", ">=0.21.8", "<0.40")
    assert res.status == "wrong-version"
    assert res.detail == "pixman-1 found 0.42.2 but < 0.40 is needed"
    assert look(system_tool, "pixman-1", "0.42.1").status == "wrong-version"
    assert look(system_tool, "pixman-1", "0.42.2").status == "found"
    assert look(system_tool, "pixman-1", "!=0.42.2").status == "wrong-version"
    both = look(system_tool, "pixman-1", ">0.43", "<0.40")
    assert both.status == "too-old" and "> 0.43 and < 0.40 are needed" in both.detail


@needs_pkg_config
def test_package_that_does_not_exist(system_tool: PkgConfigTool) -> None:
    res = look(system_tool, "libqemu-config-no-such-package", ">=1")
    assert res.status == "missing"
    assert res.version is None and res.pc_file is None
    assert res.detail.startswith(
        "Package libqemu-config-no-such-package was not found in the pkg-config search path (searched ")
    assert res.detail.endswith(")") and "PKG_CONFIG_PATH" not in res.detail   # advice is the features' job


# --- 2. environments built in tmp dirs ---------------------------------------

@needs_pkg_config
def test_libdir_with_hand_written_files(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir = tmp_path / "lib"
    write_pc(libdir, "libbpf", "1.1.2", libs="-lbpf", libs_private="-lelf -lz")
    write_pc(libdir, "libxdp", "1.1.0", requires="libbpf", libs="-lxdp")
    env = clean_environ(PKG_CONFIG_LIBDIR=str(libdir))
    old = look(system_tool, "libxdp", ">=1.2.0", env=env)
    assert old.status == "too-old"
    assert old.detail == "libxdp found 1.1.0 but >= 1.2.0 is needed"
    assert old.pc_file == str(libdir / "libxdp.pc")
    ok = look(system_tool, "libxdp", ">=1.1", env=env)
    assert ok.status == "found"
    assert ok.libs == ("-lxdp", "-lbpf")
    static = look(system_tool, "libxdp", env=env, static=True)
    assert static.libs == ("-lxdp", "-lbpf", "-lelf", "-lz")
    assert static.static and "--static" in static.log
    # the system's glib is out of sight
    assert look(system_tool, "glib-2.0", env=env).status == "missing"


@needs_pkg_config
def test_missing_dependency_of_a_present_package(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir = tmp_path / "lib"
    write_pc(libdir, "libxdp", "1.1.0", requires="libbpf", libs="-lxdp")
    env = clean_environ(PKG_CONFIG_LIBDIR=str(libdir))
    res = look(system_tool, "libxdp", env=env)
    assert res.status == "missing"
    assert res.version == "1.1.0"
    assert res.pc_file == str(libdir / "libxdp.pc")
    assert res.detail == ("libxdp 1.1.0 is installed but its dependency libbpf was not found "
                          "in the pkg-config search path")
    # a failed constraint on the package itself is reported first
    assert look(system_tool, "libxdp", ">=1.2", env=env).status == "too-old"


@needs_pkg_config
def test_dependency_too_old(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir = tmp_path / "lib"
    write_pc(libdir, "libbpf", "1.1.2", libs="-lbpf")
    write_pc(libdir, "libxdp", "1.4.0", requires="libbpf >= 5", libs="-lxdp")
    res = look(system_tool, "libxdp", ">=1.4.0", env=clean_environ(PKG_CONFIG_LIBDIR=str(libdir)))
    assert res.status == "missing"
    assert res.detail == "libxdp 1.4.0 is installed but needs libbpf >= 5; found libbpf 1.1.2"


@needs_pkg_config
def test_path_shadows_system_package(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    write_pc(shadow, "glib-2.0", "9.9.9", cflags="-I${includedir}/glib-shadow", libs="-lglib-2.0")
    env = clean_environ(PKG_CONFIG_PATH=f"{shadow}{os.pathsep}{tmp_path / 'nonexistent'}")
    tool = find_pkg_config(None, env)
    assert tool is not None
    assert tool.search_path[:2] == (str(shadow), str(tmp_path / "nonexistent"))
    assert tool.search_path[2:] == system_tool.default_search_path
    res = look(tool, "glib-2.0", ">=2.56", env=env)
    assert (res.status, res.version, res.pc_file) == ("found", "9.9.9", str(shadow / "glib-2.0.pc"))
    assert res.cflags == ("-I/opt/pkg/include/glib-shadow",)
    # other system packages are still visible behind it
    assert look(tool, "pixman-1", env=env).status == "found"


@needs_pkg_config
def test_sysroot_prefixes_include_and_library_paths(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir = tmp_path / "lib"
    write_pc(libdir, "libfoo", "1.0", prefix="/usr", cflags="-I${includedir}/foo -DFOO",
             libs="-L${libdir} -lfoo")
    sysroot = tmp_path / "sysroot"
    env = clean_environ(PKG_CONFIG_LIBDIR=str(libdir), PKG_CONFIG_SYSROOT_DIR=str(sysroot))
    res = look(system_tool, "libfoo", env=env)
    assert res.status == "found"
    assert res.cflags == (f"-I{sysroot}/usr/include/foo", "-DFOO")
    assert res.libs == (f"-L{sysroot}/usr/lib", "-lfoo")
    # the sysroot does not move the search itself
    assert res.pc_file == str(libdir / "libfoo.pc")
    assert pkgconfig.search_path(system_tool, env) == (str(libdir),)
    assert "PKG_CONFIG_SYSROOT_DIR=" in res.log


@needs_pkg_config
def test_quoted_flags_are_split_like_a_shell(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir = tmp_path / "lib"
    write_pc(libdir, "quoted", "2.0", prefix="/opt/with space",
             cflags='-I"${includedir}" -DGREETING=\\"hi\\" -DX="a b"', libs="-lquoted")
    res = look(system_tool, "quoted", env=clean_environ(PKG_CONFIG_LIBDIR=str(libdir)))
    assert res.cflags == ("-I/opt/with space/include", '-DGREETING="hi"', "-DX=a b")


@needs_pkg_config
@pytest.mark.parametrize("empty", ["empty-dir", "empty-string"])
def test_empty_libdir_makes_everything_missing(system_tool: PkgConfigTool, tmp_path: Path,
                                               empty: str) -> None:
    if empty == "empty-dir":
        (tmp_path / "empty").mkdir()
        libdir = str(tmp_path / "empty")
    else:
        libdir = ""
    env = clean_environ(PKG_CONFIG_LIBDIR=libdir)
    for package in ("glib-2.0", "libxdp", "pixman-1"):
        res = look(system_tool, package, env=env)
        assert res.status == "missing", package
        assert res.version is None
    if empty == "empty-string":
        assert pkgconfig.search_path(system_tool, env) == ()
        assert "the search path is empty" in look(system_tool, "glib-2.0", env=env).detail


@needs_pkg_config
def test_invalid_pc_file_is_missing_with_the_reason(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir = tmp_path / "lib"
    libdir.mkdir()
    broken = libdir / "libbroken.pc"
    broken.write_text("Name: libbroken\nDescription: no version here\nLibs: -lbroken\n", encoding="utf-8")
    res = look(system_tool, "libbroken", ">=1", env=clean_environ(PKG_CONFIG_LIBDIR=str(libdir)))
    assert res.status == "missing"
    assert res.pc_file == str(broken)
    assert res.detail.startswith(f"{broken} is not a valid .pc file: ")
    assert "Version" in res.detail
    assert "\n" not in res.detail


@needs_pkg_config
def test_uninstalled_variant_wins(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_pc(first, "libfoo", "1.0")
    write_pc(second, "libfoo-uninstalled", "2.0")
    env = clean_environ(PKG_CONFIG_LIBDIR=f"{first}{os.pathsep}{second}")
    assert look(system_tool, "libfoo", env=env).version == "1.0"
    write_pc(first, "libfoo-uninstalled", "3.0")
    res = look(system_tool, "libfoo", env=env)
    assert (res.version, res.pc_file) == ("3.0", str(first / "libfoo-uninstalled.pc"))


def test_pkg_config_pointing_nowhere(tmp_path: Path) -> None:
    env = clean_environ(PKG_CONFIG=str(tmp_path / "no-such-pkg-config"))
    assert find_pkg_config(None, env) is None
    assert find_pkg_config("aarch64-linux-gnu-", env) is None
    res = lookup(None, "glib-2.0", (">=2.56",), environ=env)
    assert res.status == "no-pkg-config"
    assert res.detail == f"pkg-config not found (looked for {tmp_path / 'no-such-pkg-config'})"
    assert res.version is None and res.cflags == () and res.libs == ()


@needs_pkg_config
def test_pkg_config_names_a_program(tmp_path: Path) -> None:
    assert SYSTEM_PKG_CONFIG is not None
    tool = find_pkg_config(None, clean_environ(PKG_CONFIG=SYSTEM_PKG_CONFIG))
    assert tool is not None and tool.path == SYSTEM_PKG_CONFIG
    # a bare name is looked up on the environment's PATH, not the test process's
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "my-pkg-config").symlink_to(os.path.realpath(SYSTEM_PKG_CONFIG))
    env = clean_environ(PKG_CONFIG="my-pkg-config", PATH=str(bindir))
    tool = find_pkg_config(None, env)
    assert tool is not None and tool.path == str(bindir / "my-pkg-config")
    assert find_pkg_config(None, clean_environ(PKG_CONFIG="my-pkg-config", PATH=str(tmp_path))) is None
    # $PKG_CONFIG also wins over a cross prefix
    tool = find_pkg_config("aarch64-linux-gnu-", env)
    assert tool is not None and tool.path == str(bindir / "my-pkg-config")


@needs_pkg_config
def test_cross_prefix_never_falls_back_to_the_build_machine(tmp_path: Path) -> None:
    assert SYSTEM_PKG_CONFIG is not None
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "pkg-config").symlink_to(os.path.realpath(SYSTEM_PKG_CONFIG))
    env = clean_environ(PATH=str(bindir))
    assert find_pkg_config(None, env) is not None          # the native one is right there...
    assert find_pkg_config("aarch64-linux-gnu-", env) is None  # ...and must not be used for a cross build
    res = lookup(None, "glib-2.0", (), environ=env, cross_prefix="aarch64-linux-gnu-")
    assert res.status == "no-pkg-config"
    assert res.detail == "pkg-config not found (looked for aarch64-linux-gnu-pkg-config)"
    if shutil.which("aarch64-linux-gnu-pkg-config") is None:
        assert find_pkg_config("aarch64-linux-gnu-", clean_environ()) is None
    assert find_pkg_config("x86_64-w64-mingw32-", env) is None


@needs_pkg_config
def test_prefixed_pkgconf_without_personality_is_flagged(tmp_path: Path) -> None:
    """pkgconf started as <triplet>-pkg-config with no personality file answers for the build machine."""
    assert SYSTEM_PKG_CONFIG is not None
    if shutil.which("aarch64-linux-gnu-pkg-config") is not None:
        pytest.skip("a real aarch64-linux-gnu-pkg-config is installed")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "aarch64-linux-gnu-pkg-config").symlink_to(os.path.realpath(SYSTEM_PKG_CONFIG))
    env = clean_environ(PATH=str(bindir))
    tool = find_pkg_config("aarch64-linux-gnu-", env)
    assert tool is not None
    assert tool.path == str(bindir / "aarch64-linux-gnu-pkg-config")   # the name is kept, not resolved
    if tool.personality is None:
        pytest.skip("not pkgconf: no personalities")
    assert tool.personality == "default"
    assert look(tool, "glib-2.0", env=env).status == "found"   # the leak itself
    warning = cross_leak_warning(tool, "aarch64-linux-gnu-", env)
    assert warning is not None and "aarch64-linux-gnu personality" in warning and "build machine" in warning
    sysroot_dir = tmp_path / "aarch64"
    sysroot_dir.mkdir()
    env_ok = dict(env, PKG_CONFIG_LIBDIR=str(sysroot_dir))
    assert cross_leak_warning(tool, "aarch64-linux-gnu-", env_ok) is None
    assert look(tool, "glib-2.0", env=env_ok).status == "missing"
    assert cross_leak_warning(tool, None, env) is None


def _found_at(pc_dir: str, *, libs: tuple[str, ...] = ("-lpixman-1",), cflags: tuple[str, ...] = ()) -> PackageLookup:
    return PackageLookup("pixman-1", (), "found", "0.42.2", cflags, libs, f"{pc_dir}/pixman-1.pc", "found 0.42.2", "")


@pytest.mark.parametrize("host,pc_dir,flags,leaks", [
    ("aarch64-linux-gnu", "/usr/lib/x86_64-linux-gnu/pkgconfig", (), "x86_64-linux-gnu"),     # PKG_CONFIG_LIBDIR wrong
    ("aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu/pkgconfig", (), None),                   # the host's own
    ("aarch64-linux-gnu", "/srv/arm64/usr/lib/aarch64-linux-gnu/pkgconfig", (), None),         # a sysroot of the host's
    ("aarch64-linux-gnu", "/opt/pc", ("-L/usr/lib/x86_64-linux-gnu",), "x86_64-linux-gnu"),   # a .pc naming x86_64 libs
    ("aarch64-linux-gnu", "/opt/pc", ("-I/usr/include/x86_64-linux-gnu/pixman-1",), "x86_64-linux-gnu"),
    ("aarch64-linux-gnu", "/usr/share/pkgconfig", (), None),                                   # no architecture
    (None, "/usr/lib/x86_64-linux-gnu/pkgconfig", (), "x86_64-linux-gnu"),                     # a Windows host
    (None, "/usr/x86_64-w64-mingw32/lib/pkgconfig", (), None),
    ("s390x-linux-gnu", "/usr/lib/aarch64-linux-gnu/pkgconfig", (), "aarch64-linux-gnu"),
])
def test_cross_build_refuses_another_architectures_package(host: str | None, pc_dir: str, flags: tuple[str, ...],
                                                           leaks: str | None) -> None:
    found = _found_at(pc_dir, libs=tuple(f for f in flags if f.startswith("-L")) + ("-lpixman-1",),
                      cflags=tuple(f for f in flags if f.startswith("-I")))
    why = build_machine_leak(None, found, "cross-", host, "x86_64-linux-gnu", {})
    if leaks is None:
        assert why is None
    else:
        assert why is not None and why.startswith("pixman-1 0.42.2 (/") and f"the {leaks} multiarch directories" in why


def test_native_builds_and_the_build_machines_own_triplet_never_leak() -> None:
    found = _found_at("/usr/lib/x86_64-linux-gnu/pkgconfig")
    assert build_machine_leak(None, found, None, "x86_64-linux-gnu", "x86_64-linux-gnu", {}) is None
    assert build_machine_leak(None, found, "x86_64-linux-gnu-", "x86_64-linux-gnu", "x86_64-linux-gnu", {}) is None
    missing = PackageLookup("pixman-1", (), "missing", None, (), (), None, "not found", "")
    assert build_machine_leak(None, missing, "aarch64-linux-gnu-", "aarch64-linux-gnu", "x86_64-linux-gnu", {}) is None


def test_the_build_machines_pkg_config_in_a_cross_build_leaks_whatever_it_finds(tmp_path: Path) -> None:
    """PKG_CONFIG=pkg-config for a cross build: pkgconf's default personality searches this machine's .pc files."""
    if SYSTEM_PKG_CONFIG is None:
        pytest.skip("no pkg-config on PATH")
    env = clean_environ()
    tool = find_pkg_config(None, env)
    assert tool is not None
    if tool.personality != "default":
        pytest.skip("not pkgconf: no personalities")
    arch_free = _found_at("/usr/share/pkgconfig")    # a .pc without an architecture, found by the wrong program
    why = build_machine_leak(tool, arch_free, "aarch64-linux-gnu-", "aarch64-linux-gnu", "x86_64-linux-gnu", env)
    assert why is not None and "has no aarch64-linux-gnu personality" in why
    trusted = dict(env, PKG_CONFIG_LIBDIR=str(tmp_path))
    assert build_machine_leak(tool, arch_free, "aarch64-linux-gnu-", "aarch64-linux-gnu", "x86_64-linux-gnu",
                              trusted) is None


def test_lookup_round_trips_through_a_dict() -> None:
    res = PackageLookup("libxdp", (">=1.4.0",), "too-old", "1.3.1", (), (), "/x/libxdp.pc",
                        "libxdp found 1.3.1 but >= 1.4.0 is needed", "log\n", static=True)
    assert PackageLookup.from_dict(res.to_dict()) == res
    assert res.identity() == ("package=libxdp", "constraints=>=1.4.0", "static=1")


# --- 3. cache identity -------------------------------------------------------

@needs_pkg_config
def test_cache_identity_follows_changes(system_tool: PkgConfigTool, tmp_path: Path) -> None:
    libdir, extra = tmp_path / "lib", tmp_path / "extra"
    write_pc(libdir, "libbpf", "1.1.2", libs="-lbpf")
    xdp = write_pc(libdir, "libxdp", "1.1.0", requires="libbpf", libs="-lxdp")
    extra.mkdir()
    env = clean_environ(PKG_CONFIG_LIBDIR=str(libdir))

    def ident(e: Mapping[str, str] = env) -> tuple[str, ...]:
        return cache_identity(system_tool, "libxdp", e)

    base = ident()
    assert ident() == base                                       # nothing changed
    assert ident(dict(env, CC="clang", HOME="/elsewhere")) == base  # irrelevant environment
    assert any(str(xdp) in part for part in base)

    write_pc(libdir, "libnew", "1.0")                            # a .pc file added
    added = ident()
    assert added != base
    assert ident() == added
    (libdir / "libnew.pc").unlink()                              # ...and removed again
    removed = ident()
    assert removed != added

    write_pc(libdir, "libxdp", "1.2.0", requires="libbpf", libs="-lxdp")   # rewritten in place, same size
    rewritten = ident()
    assert rewritten != removed
    write_pc(libdir, "libbpf", "1.1.3", libs="-lbpf")            # a required package rewritten
    assert ident() != rewritten
    settled = ident()

    assert ident(dict(env, PKG_CONFIG_PATH=str(extra))) != settled
    assert ident(dict(env, PKG_CONFIG_SYSROOT_DIR="/sysroot")) != settled
    assert ident(dict(env, PKG_CONFIG_ALLOW_SYSTEM_CFLAGS="1")) != settled
    assert ident(dict(env, PKG_CONFIG_ALLOW_SYSTEM_LIBS="1")) != settled
    assert ident(dict(env, PKG_CONFIG_LIBDIR=str(extra))) != settled
    assert ident(clean_environ()) != settled                     # LIBDIR unset: the default path

    # a .pc file appearing in a directory that did not exist yet
    later = tmp_path / "later"
    env_later = dict(env, PKG_CONFIG_PATH=str(later))
    before = ident(env_later)
    write_pc(later, "libxdp", "1.5.0")
    assert ident(env_later) != before
    assert ident() == settled


@needs_pkg_config
def test_cache_identity_is_cheap(system_tool: PkgConfigTool) -> None:
    import time
    env = clean_environ()
    cache_identity(system_tool, "glib-2.0", env)
    start = time.perf_counter()
    for _ in range(50):
        cache_identity(system_tool, "glib-2.0", env)
    per_call = (time.perf_counter() - start) / 50
    assert per_call < 0.02, f"{per_call * 1000:.1f} ms per cache_identity call"


def test_cache_identity_without_a_tool() -> None:
    a = cache_identity(None, "glib-2.0", clean_environ())
    assert a == cache_identity(None, "glib-2.0", clean_environ())
    assert a != cache_identity(None, "glib-2.0", clean_environ(PKG_CONFIG="/opt/pkg-config"))
    # a cross build's "no pkg-config" is about its own prefixed program, never another host's
    arm = cache_identity(None, "glib-2.0", clean_environ(), "aarch64-linux-gnu-")
    assert arm != a and arm != cache_identity(None, "glib-2.0", clean_environ(), "x86_64-w64-mingw32-")
    assert "looked-for=aarch64-linux-gnu-pkg-config" in arm


# --- 4. version comparison, against meson itself -----------------------------

def test_constraint_syntax() -> None:
    assert parse_constraint(">=1.1.0") == (">=", "1.1.0")
    assert parse_constraint(">= 1.1.0") == (">=", "1.1.0")
    assert parse_constraint("1.0") == ("==", "1.0")
    assert parse_constraint("=1.0") == ("==", "1.0")
    assert parse_constraint("!=2") == ("!=", "2")
    assert parse_constraint("<2") == ("<", "2")


@pytest.mark.parametrize("found, constraint, expected", [
    ("1.10", ">1.9", True), ("1.9", ">=1.10", False),
    ("2.74.6", ">=2.68", True), ("2.68", ">=2.74.6", False),
    ("1.3.1", ">=1.4.0", False), ("1.3.1", "<1.4.0", True),
    ("1.0", "1.00", True), ("01.002", "==1.2", True), ("1.0", "!=1.0.0", True),
    ("1.0rc1", "<1.0", False), ("1.0rc1", ">1.0", True), ("1.0rc1", "<1.0.1", True),
    ("1.0a", "<1.0b", True), ("1.0alpha", "<1.0beta", True), ("1.0-1", "==1.0.1", True),
    ("0.10.4", ">=0.9", True), ("1.1.0", ">=1.1.0", True), ("1.1.0", ">1.1.0", False),
])
def test_version_compare_examples(found: str, constraint: str, expected: bool) -> None:
    assert version_compare(found, constraint) is expected


def _generated_versions(rng: random.Random) -> list[str]:
    fixed = ["1.10", "1.9", "2.74.6", "2.68", "1.3.1", "1.4.0", "1.0", "1.00", "01.0", "1.0.0", "1",
             "1.0rc1", "1.0rc2", "1.0-rc1", "1.0alpha", "1.0a", "1.0b", "1.0beta2", "1.0.1", "0.9.99",
             "2.0~beta", "2.0", "2.0.0.1", "007", "7", "1.2a", "1.2.a", "1.2A", "1.2.0a1", "", "abc",
             "1.0+git20240101", "1:2.3", "0.42.2", "0.21.8", "10.0", "9.99.999", "1..2", "1.-2", "v1.2"]
    parts = ["0", "1", "2", "9", "10", "01", "007", "100", "a", "b", "rc", "alpha", "beta", "pre", "Z"]
    seps = [".", "-", "", "_", "+", "~"]
    out = list(fixed)
    while len(out) < 160:
        n = rng.randint(1, 4)
        text = rng.choice(parts)
        for _ in range(n - 1):
            text += rng.choice(seps) + rng.choice(parts)
        out.append(text)
    return out


def test_version_compare_matches_meson() -> None:
    try:
        from mesonbuild.mesonlib import version_compare as meson_version_compare
    except ImportError:
        pytest.skip("mesonbuild is not importable here (it lives in the dev venv); "
                    "cannot compare against meson's version_compare")
    rng = random.Random(20240607)
    versions = _generated_versions(rng)
    pairs = rng.sample(list(itertools.product(versions, versions)), 600)
    pairs += [("1.10", "1.9"), ("1.9", "1.10"), ("2.74.6", "2.68"), ("1.3.1", "1.4.0"), ("1.4.0", "1.3.1"),
              ("1.0rc1", "1.0"), ("1.0", "1.0rc1"), ("01.02", "1.2"), ("1.2", "01.02"), ("1.0alpha", "1.0")]
    ops = [">=", ">", "<=", "<", "==", "!=", "=", "", ">= ", "< "]
    checked = 0
    mismatches = []
    for found, wanted in pairs:
        for op in ops:
            constraint = op + wanted
            ours = version_compare(found, constraint)
            theirs = meson_version_compare(found, constraint)
            checked += 1
            if ours != theirs:
                mismatches.append((found, constraint, ours, theirs))
    assert checked >= 6000
    assert not mismatches, mismatches[:20]
