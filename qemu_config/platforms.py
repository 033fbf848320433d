"""THE PROJECT'S DECLARATIONS about machines and Debian: which Debian architecture a host is,
and which Debian packages hold the tools a build machine needs for it.

Data only, beside :mod:`qemu_config.rules` (which names each feature's Debian
development packages); :mod:`qemu_config.remedies` turns both into advice.  Imports
nothing from the project, so that the host and toolchain stages can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class DebianArch:
    """A Debian architecture, as the host model describes the machine it builds for."""

    name: str              # dpkg's name: arm64, ppc64el, ...
    cpu_family: str        # HostMachine.cpu_family
    endian: str            # HostMachine.endian: little | big
    triplet: str           # its multiarch triplet (/usr/lib/<triplet>), also its cross tools' prefix
    ports: bool = False    # on Debian 12 its packages are on debian-ports, not in the main archive


# Debian packages libraries (the -dev packages, installable for another architecture
# through multiarch) for Linux hosts only: never for Windows, Darwin or the BSDs.
DEBIAN_LIBRARY_OS = "linux"

# 64-bit only: configure refuses 32-bit hosts before any advice is given.
DEBIAN_ARCHES: tuple[DebianArch, ...] = (
    DebianArch("amd64", "x86_64", "little", "x86_64-linux-gnu"),
    DebianArch("arm64", "aarch64", "little", "aarch64-linux-gnu"),
    DebianArch("ppc64el", "ppc64", "little", "powerpc64le-linux-gnu"),
    DebianArch("ppc64", "ppc64", "big", "powerpc64-linux-gnu", ports=True),
    DebianArch("s390x", "s390x", "big", "s390x-linux-gnu"),
    DebianArch("riscv64", "riscv64", "little", "riscv64-linux-gnu", ports=True),
    DebianArch("mips64el", "mips64", "little", "mips64el-linux-gnuabi64"),
    DebianArch("loong64", "loongarch64", "little", "loongarch64-linux-gnu", ports=True),
    DebianArch("sparc64", "sparc64", "big", "sparc64-linux-gnu", ports=True),
)


@dataclass(frozen=True)
class MultiarchClash:
    """A development package Debian will not install for another architecture beside the build machine's own."""

    package: str                 # as named for the build machine: libfdt-dev
    runtime: tuple[str, ...]     # what the binaries linked against it need where they run
    release: str                 # where this holds
    build: str                   # the build machine's triplet whose package is not "Multi-Arch: same"


# On such a build machine, installing one of these for another architecture removes the build machine's
# own, which its native builds need; scripts/debian-sysroot unpacks it into a directory of its own instead.
DEBIAN_MULTIARCH_CLASHES: tuple[MultiarchClash, ...] = (
    MultiarchClash("libfdt-dev", ("libfdt1",), "Debian 12", "x86_64-linux-gnu"),
)


@dataclass(frozen=True)
class ToolPackages:
    """Debian packages, for the build machine, that provide one toolchain's programs.

    A package name with ':arch' is a multiarch package of another architecture
    (``dpkg --add-architecture`` first).  None: Debian 12 does not package it.
    """

    triplet: str                 # the --cross-prefix without its trailing '-' ('' for the native tools)
    compiler: str | None         # provides <triplet>-gcc
    c_library: str | None        # the C library that compiler links against
    pkg_config: str | None       # provides <triplet>-pkg-config


# Cross toolchains Debian 12 packages for an amd64 (or other) build machine.
CROSS_TOOLS: tuple[ToolPackages, ...] = (
    ToolPackages("aarch64-linux-gnu", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "pkgconf:arm64"),
    ToolPackages("powerpc64le-linux-gnu", "gcc-powerpc64le-linux-gnu", "libc6-dev-ppc64el-cross", "pkgconf:ppc64el"),
    ToolPackages("powerpc64-linux-gnu", "gcc-powerpc64-linux-gnu", "libc6-dev-ppc64-cross", "pkgconf:ppc64"),
    ToolPackages("s390x-linux-gnu", "gcc-s390x-linux-gnu", "libc6-dev-s390x-cross", "pkgconf:s390x"),
    ToolPackages("riscv64-linux-gnu", "gcc-riscv64-linux-gnu", "libc6-dev-riscv64-cross", "pkgconf:riscv64"),
    ToolPackages("mips64el-linux-gnuabi64", "gcc-mips64el-linux-gnuabi64", "libc6-dev-mips64el-cross",
                 "pkgconf:mips64el"),
    ToolPackages("sparc64-linux-gnu", "gcc-sparc64-linux-gnu", "libc6-dev-sparc64-cross", "pkgconf:sparc64"),
    ToolPackages("x86_64-linux-gnu", "gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross", "pkgconf:amd64"),
    ToolPackages("x86_64-w64-mingw32", "gcc-mingw-w64-x86-64", "mingw-w64-x86-64-dev", "mingw-w64-tools"),
)

# The build machine's own tools: a native build, or a cross prefix naming the build machine's triplet
# (Debian's gcc and pkgconf also install <native triplet>-gcc and <native triplet>-pkg-config).
NATIVE_TOOLS = ToolPackages("", "gcc", "libc6-dev", "pkgconf")

# Unprefixed C compiler names -> the Debian package that provides them.
NATIVE_COMPILERS: Mapping[str, str] = {"cc": "gcc", "gcc": "gcc", "clang": "clang"}
