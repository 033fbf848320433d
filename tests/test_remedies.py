"""remedies.py and platforms.py: the packages advice names, for the machine the build is for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qemu_config.errors import UserError
from qemu_config.host import detect_host, host_from_macros
from qemu_config.platforms import CROSS_TOOLS, DEBIAN_ARCHES
from qemu_config.remedies import (InstallContext, apt_install, broken_compiler, debian_arch, library_steps,
                                  missing_compiler)

AMD64 = "x86_64-linux-gnu"
REPO = Path(__file__).resolve().parent.parent
LITTLE = {"__BYTE_ORDER__": "1234", "__ORDER_LITTLE_ENDIAN__": "1234", "__ORDER_BIG_ENDIAN__": "4321"}
BIG = {"__BYTE_ORDER__": "4321", "__ORDER_LITTLE_ENDIAN__": "1234", "__ORDER_BIG_ENDIAN__": "4321"}


def host(*macros: str, order=LITTLE):
    return host_from_macros({**order, **{m: "1" for m in macros}})


@pytest.mark.parametrize("macros, order, arch", [
    (("__linux__", "__x86_64__"), LITTLE, "amd64"),
    (("__linux__", "__aarch64__"), LITTLE, "arm64"),
    (("__linux__", "__riscv", "_LP64"), LITTLE, "riscv64"),
    (("__linux__", "_ARCH_PPC64", "_LITTLE_ENDIAN"), LITTLE, "ppc64el"),
    (("__linux__", "_ARCH_PPC64"), BIG, "ppc64"),
    (("__linux__", "__s390__", "__s390x__"), BIG, "s390x"),
    (("__linux__", "__mips64"), LITTLE, "mips64el"),
    (("__linux__", "__loongarch64"), LITTLE, "loong64"),
    (("__linux__", "__mips64"), BIG, None),             # Debian has no big-endian mips64
    (("_WIN32", "__x86_64__"), LITTLE, None),
    (("__APPLE__", "__aarch64__"), LITTLE, None),
    (("__FreeBSD__", "__x86_64__"), LITTLE, None),
    (("__NetBSD__", "__aarch64__"), LITTLE, None),
])
def test_debian_architecture_from_the_host_model(macros, order, arch) -> None:
    found = debian_arch(host(*macros, order=order))
    assert (found.name if found else None) == arch


def test_cross_tools_agree_with_the_architectures() -> None:
    triplets = {a.name: a.triplet for a in DEBIAN_ARCHES}
    for tools in CROSS_TOOLS:
        if tools.pkg_config and ":" in tools.pkg_config:
            assert triplets[tools.pkg_config.split(":", 1)[1]] == tools.triplet, tools


def test_apt_install_adds_the_architecture_only_for_foreign_packages() -> None:
    assert apt_install(["libfdt-dev"]) == "Debian: apt-get install libfdt-dev"
    assert apt_install(["pkgconf:arm64", "libfdt-dev:arm64"]) == (
        "Debian multiarch: dpkg --add-architecture arm64 && apt-get update && "
        "apt-get install pkgconf:arm64 libfdt-dev:arm64")
    assert "debian-ports" in apt_install(["libfdt-dev:riscv64"])
    assert "debian-ports" not in apt_install(["libfdt-dev:arm64"])


def test_missing_compiler_names_the_package_that_provides_it() -> None:
    assert "apt-get install gcc-aarch64-linux-gnu)" in missing_compiler("aarch64-linux-gnu-gcc", AMD64)
    assert "apt-get install gcc-aarch64-linux-gnu)" in missing_compiler("/opt/x/bin/aarch64-linux-gnu-gcc", AMD64)
    assert "apt-get install gcc-riscv64-linux-gnu)" in missing_compiler("riscv64-linux-gnu-gcc", AMD64)
    assert "apt-get install gcc-mingw-w64-x86-64)" in missing_compiler("x86_64-w64-mingw32-gcc", AMD64)
    assert "apt-get install gcc)" in missing_compiler("cc", AMD64)
    assert "apt-get install clang)" in missing_compiler("clang", AMD64)
    # the build machine's own triplet is Debian's gcc; another machine's is a cross package
    assert "apt-get install gcc)" in missing_compiler("x86_64-linux-gnu-gcc", AMD64)
    assert "apt-get install gcc-x86-64-linux-gnu)" in missing_compiler("x86_64-linux-gnu-gcc", "aarch64-linux-gnu")
    unknown = missing_compiler("foo-elf-gcc", AMD64)
    assert "no Debian package" in unknown and "apt-get" not in unknown and "--cc" in unknown


def test_broken_cross_compiler_names_its_c_library_too() -> None:
    assert "apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" in broken_compiler(
        "aarch64-linux-gnu-gcc", AMD64)
    assert "apt-get install gcc libc6-dev)" in broken_compiler("cc", AMD64)


def test_missing_cross_compiler_is_one_error_naming_its_package() -> None:
    if shutil.which("s390x-linux-gnu-gcc"):
        pytest.skip("s390x-linux-gnu-gcc is installed")
    with pytest.raises(UserError) as exc:
        detect_host(["s390x-linux-gnu-gcc"])
    text = exc.value.render()
    assert text.startswith('ERROR: C compiler "s390x-linux-gnu-gcc" either does not exist or does not work\n')
    assert "apt-get install gcc-s390x-linux-gnu)" in text


ARM = host("__linux__", "__aarch64__")
X86 = host("__linux__", "__x86_64__")
WINDOWS = host("_WIN32", "__x86_64__")
DARWIN = host("__APPLE__", "__aarch64__")


def test_native_library_steps() -> None:
    ctx = InstallContext.native(X86)
    assert library_steps(ctx, ["libpixman-1-dev"], ["pixman-1"], located_by="pkg-config") == [
        "install the development files (Debian: apt-get install libpixman-1-dev)",
        "or, if it is installed somewhere pkg-config does not look, add that directory to PKG_CONFIG_PATH",
    ]
    assert library_steps(ctx, ["libpixman-1-dev"], ["pixman-1"], located_by="pkg-config",
                         pkg_config_missing=True)[0] == (
        "install pkg-config and the development files (Debian: apt-get install pkgconf libpixman-1-dev)")


def test_cross_library_steps_for_arm64() -> None:
    ctx = InstallContext(ARM, "aarch64-linux-gnu-", AMD64, pkg_config="aarch64-linux-gnu-pkg-config")
    assert ctx.foreign
    steps = library_steps(ctx, ["libpixman-1-dev"], ["pixman-1"], located_by="pkg-config", pkg_config_missing=True)
    assert steps == [
        "install aarch64-linux-gnu-pkg-config and the arm64 development files (Debian multiarch: "
        "dpkg --add-architecture arm64 && apt-get update && apt-get install pkgconf:arm64 libpixman-1-dev:arm64)",
        "or, if it is built for the aarch64 host elsewhere, let aarch64-linux-gnu-pkg-config find its .pc file: "
        "set PKG_CONFIG_LIBDIR to the directory that holds it (and PKG_CONFIG_SYSROOT_DIR to its sysroot, "
        "if it has one)",
    ]
    assert "PKG_CONFIG_PATH" not in " ".join(steps)


def test_libfdt_for_arm64_can_be_unpacked_beside_the_build_machines() -> None:
    """Debian 12 will not install libfdt-dev:arm64 beside libfdt-dev (platforms.DEBIAN_MULTIARCH_CLASHES)."""
    ctx = InstallContext(ARM, "aarch64-linux-gnu-", AMD64, pkg_config="aarch64-linux-gnu-pkg-config")
    steps = library_steps(ctx, ["libfdt-dev"], ["libfdt"], located_by="compiler")
    assert steps[1] == ("or, to keep libfdt-dev (on Debian 12 libfdt-dev:arm64 removes it), unpack it into a directory "
                        "DIR with the source tree's scripts/debian-sysroot arm64 DIR libfdt-dev libfdt1, then "
                        "--extra-cflags=-IDIR/usr/include --extra-ldflags=-LDIR/usr/lib/aarch64-linux-gnu")
    assert (REPO / "scripts" / "debian-sysroot").exists()
    # Not for packages that install side by side, nor for a native build.
    assert not any("debian-sysroot" in s for s in library_steps(ctx, ["libpixman-1-dev"], ["pixman-1"],
                                                                 located_by="pkg-config"))
    native = InstallContext(X86, None, AMD64)
    assert not any("debian-sysroot" in s for s in library_steps(native, ["libfdt-dev"], ["libfdt"],
                                                                 located_by="compiler"))


def test_cross_prefix_for_the_build_machine_itself_needs_no_multiarch() -> None:
    ctx = InstallContext(X86, "x86_64-linux-gnu-", AMD64, pkg_config="x86_64-linux-gnu-pkg-config")
    assert not ctx.foreign
    steps = library_steps(ctx, ["libfdt-dev"], ["libfdt"], located_by="compiler")
    assert steps[0] == "install the development files (Debian: apt-get install libfdt-dev)"


def test_hosts_debian_packages_no_libraries_for() -> None:
    mingw = InstallContext(WINDOWS, "x86_64-w64-mingw32-", AMD64, pkg_config="x86_64-w64-mingw32-pkg-config")
    steps = library_steps(mingw, ["libpixman-1-dev"], ["pixman-1"], located_by="pkg-config", pkg_config_missing=True)
    assert steps == [
        "install x86_64-w64-mingw32-pkg-config (Debian: apt-get install mingw-w64-tools)",
        "build pixman-1 for the x86_64 windows host (Debian packages no libraries for windows hosts)",
        "then let x86_64-w64-mingw32-pkg-config find its .pc file: set PKG_CONFIG_LIBDIR to the directory that "
        "holds it (and PKG_CONFIG_SYSROOT_DIR to its sysroot, if it has one)",
    ]
    darwin = InstallContext(DARWIN, "aarch64-apple-darwin-", AMD64, pkg_config="aarch64-apple-darwin-pkg-config")
    steps = library_steps(darwin, ["libpixman-1-dev"], ["pixman-1"], located_by="pkg-config", pkg_config_missing=True)
    assert steps[0].startswith("install a pkg-config for the aarch64 darwin host as aarch64-apple-darwin-pkg-config")
    assert "apt-get" not in " ".join(steps) and "libpixman-1-dev" not in " ".join(steps)


def test_pkg_config_named_by_the_environment() -> None:
    ctx = InstallContext(ARM, "aarch64-linux-gnu-", AMD64, pkg_config="/opt/pc", pkg_config_from_env=True)
    steps = library_steps(ctx, ["libpixman-1-dev"], ["pixman-1"], located_by="pkg-config", pkg_config_missing=True)
    assert steps[0].startswith("PKG_CONFIG names /opt/pc, which was not found")
    assert steps[1].endswith("apt-get install libpixman-1-dev:arm64)")
