"""What to install, said for the machine the build is for.

Turns the declarations (:mod:`qemu_config.platforms`, each feature's Debian
packages in :mod:`qemu_config.rules`) into the "next:" steps of errors and
warnings: ``libfdt-dev`` on a native build, ``libfdt-dev:arm64`` with the
``dpkg --add-architecture arm64`` step on a cross build for arm64, and no
Debian package at all for a host Debian packages no libraries for (Windows,
Darwin, the BSDs), where the library must be built for the host and found
through the cross pkg-config.  Knows no feature; pure apart from reading the
build machine's multiarch triplet from the running interpreter.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from .platforms import (CROSS_TOOLS, DEBIAN_ARCHES, DEBIAN_LIBRARY_OS, DEBIAN_MULTIARCH_CLASHES, NATIVE_COMPILERS,
                        NATIVE_TOOLS, DebianArch, ToolPackages)

if TYPE_CHECKING:   # host.py uses this module for its compiler advice
    from .host import HostMachine


def build_triplet() -> str | None:
    """The build machine's multiarch triplet (x86_64-linux-gnu), from the interpreter running configure."""
    if not sys.platform.startswith("linux"):
        return None
    value = sysconfig.get_config_var("MULTIARCH")
    return str(value) if value else None


def debian_arch(host: "HostMachine") -> DebianArch | None:
    """The Debian architecture of a host, or None when Debian packages no libraries for it."""
    if host.os != DEBIAN_LIBRARY_OS:
        return None
    return next((a for a in DEBIAN_ARCHES if (a.cpu_family, a.endian) == (host.cpu_family, host.endian)), None)


def host_label(host: "HostMachine") -> str:
    """How messages name the host: 'aarch64' for Linux, 'x86_64 windows' elsewhere."""
    return host.cpu if host.os == "linux" else f"{host.cpu} {host.os}"


def absence(cause: str, host: "HostMachine") -> str:
    """'not found for the aarch64 host' / 'not usable on the aarch64 host', for a failed probe's cause."""
    if cause == "unusable":
        return f"not usable on the {host_label(host)} host"
    return f"not found for the {host_label(host)} host"


def tools_for(triplet: str, build: str | None) -> ToolPackages | None:
    """The Debian packages of a cross prefix's tools; the native ones for the build machine's own triplet."""
    if build is not None and triplet == build:
        return NATIVE_TOOLS
    return next((t for t in CROSS_TOOLS if t.triplet == triplet), None)


def apt_install(packages: Sequence[str]) -> str:
    """'Debian: apt-get install a b', or the multiarch form when a package names another architecture."""
    arches = sorted({p.split(":", 1)[1] for p in packages if ":" in p})
    commands = [f"dpkg --add-architecture {a}" for a in arches] + (["apt-get update"] if arches else [])
    commands.append("apt-get install " + " ".join(packages))
    text = ("Debian multiarch: " if arches else "Debian: ") + " && ".join(commands)
    ports = [a.name for a in DEBIAN_ARCHES if a.ports and a.name in arches]
    if ports:
        text += (f"; on Debian 12 {', '.join(ports)} packages are on debian-ports, which apt's sources must "
                 "list first")
    return text


# --- compilers -------------------------------------------------------------------------------


def _compiler_tools(program: str, build: str | None) -> tuple[str, ...]:
    """(compiler package, C library package) for a C compiler's name; () when no package is known."""
    name = os.path.basename(program)
    if name in NATIVE_COMPILERS:
        return tuple(p for p in (NATIVE_COMPILERS[name], NATIVE_TOOLS.c_library) if p)
    if name.endswith("-gcc"):
        tools = tools_for(name[: -len("-gcc")], build)
        if tools is not None and tools.compiler:
            return tuple(p for p in (tools.compiler, tools.c_library) if p)
    return ()


def missing_compiler(program: str, build: str | None = None) -> str:
    """Advice for a C compiler that is not there: the Debian package that provides it, if one does."""
    found = _compiler_tools(program, build if build is not None else build_triplet())
    if found:
        return f"install it ({apt_install(found[:1])}), or name another with --cc / --cross-prefix"
    return (f"no Debian package is known to provide {os.path.basename(program)}: install a C compiler for "
            "the host under that name, or name another with --cc / --cross-prefix")


def broken_compiler(program: str, build: str | None = None) -> str:
    """Advice for a C compiler that is there but cannot build a program: it and its C library."""
    found = _compiler_tools(program, build if build is not None else build_triplet())
    flags = "check the flags it was given (CFLAGS, LDFLAGS, --extra-cflags, --extra-ldflags)"
    if found:
        return (f"{flags}; if its C library is missing, install the toolchain ({apt_install(found)}); "
                "or name another compiler with --cc / --cross-prefix")
    return f"{flags}, or name another compiler with --cc / --cross-prefix"


# --- libraries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallContext:
    """What advice about installing needs to know: the host, and how the build reaches it."""

    host: "HostMachine"
    cross_prefix: str | None      # --cross-prefix; None for a native build
    build: str | None             # the build machine's multiarch triplet; None when unknown
    pkg_config: str = "pkg-config"  # the pkg-config program the probes ask, as named
    pkg_config_from_env: bool = False  # named by $PKG_CONFIG

    @classmethod
    def native(cls, host: "HostMachine") -> "InstallContext":
        """A native build: the build machine is the host."""
        arch = debian_arch(host)
        return cls(host, None, arch.triplet if arch else None)

    @property
    def cross(self) -> bool:
        return self.cross_prefix is not None

    @property
    def foreign(self) -> bool:
        """Are the host's Debian packages another architecture than the build machine's?"""
        arch = debian_arch(self.host)
        if arch is None:
            return False
        if self.build is not None:
            return arch.triplet != self.build
        return self.cross

    @property
    def triplet(self) -> str:
        return os.path.basename(self.cross_prefix or "").rstrip("-")


def _pkg_config_packages(ctx: InstallContext) -> tuple[str, ...]:
    """The Debian package that provides the pkg-config the probes looked for; () when none is known."""
    if ctx.pkg_config_from_env:
        return ()
    if not ctx.cross:
        return (NATIVE_TOOLS.pkg_config,) if debian_arch(ctx.host) and NATIVE_TOOLS.pkg_config else ()
    tools = tools_for(ctx.triplet, ctx.build)
    return (tools.pkg_config,) if tools is not None and tools.pkg_config else ()


def _pkg_config_step(ctx: InstallContext) -> str:
    label = host_label(ctx.host)
    if ctx.pkg_config_from_env:
        return (f"PKG_CONFIG names {ctx.pkg_config}, which was not found: point it at a pkg-config that "
                f"answers for the {label} host, or unset it")
    packages = _pkg_config_packages(ctx)
    if not ctx.cross:
        return f"install pkg-config ({apt_install(packages)})" if packages else "install pkg-config"
    if packages:
        return f"install {ctx.pkg_config} ({apt_install(packages)})"
    return (f"install a pkg-config for the {label} host as {ctx.pkg_config}, or set PKG_CONFIG to one "
            f"(with PKG_CONFIG_LIBDIR naming the {label} host's .pc directories)")


def _locate_step(ctx: InstallContext, located_by: str, packaged: bool) -> str:
    """How to point the probe at a copy installed elsewhere ("or, if ..." after an install step)."""
    label = host_label(ctx.host)
    if located_by == "pkg-config" and ctx.cross:
        how = (f"let {ctx.pkg_config} find its .pc file: set PKG_CONFIG_LIBDIR to the directory that holds it "
               "(and PKG_CONFIG_SYSROOT_DIR to its sysroot, if it has one)")
    elif located_by == "pkg-config":
        how = "add that directory to PKG_CONFIG_PATH" if packaged else \
            "add the directory that holds its .pc file to PKG_CONFIG_PATH"
    else:
        how = "name its directories: --extra-cflags=-I<dir>/include --extra-ldflags=-L<dir>/lib"
    if not packaged:
        return f"then {how}"
    if ctx.cross:
        return f"or, if it is built for the {label} host elsewhere, {how}"
    looker = "pkg-config" if located_by == "pkg-config" else "the compiler"
    return f"or, if it is installed somewhere {looker} does not look, {how}"


def _sysroot_steps(arch: DebianArch, packages: Sequence[str], located_by: str, build: str | None) -> list[str]:
    """For a package Debian will not install for ``arch`` beside the build machine's: unpack it instead."""
    steps = []
    for clash in (c for c in DEBIAN_MULTIARCH_CLASHES if c.package in packages and c.build == build):
        if located_by == "pkg-config":
            use = f"add DIR/usr/lib/{arch.triplet}/pkgconfig to PKG_CONFIG_PATH"
        else:
            use = f"--extra-cflags=-IDIR/usr/include --extra-ldflags=-LDIR/usr/lib/{arch.triplet}"
        steps.append(f"or, to keep {clash.package} (on {clash.release} {clash.package}:{arch.name} removes it), "
                     f"unpack it into a directory DIR with the source tree's scripts/debian-sysroot {arch.name} DIR "
                     f"{' '.join((clash.package, *clash.runtime))}, then {use}")
    return steps


def library_steps(ctx: InstallContext, packages: Sequence[str], libraries: Sequence[str], *,
                  located_by: str = "", pkg_config_missing: bool = False, remedy: str | None = None) -> list[str]:
    """The steps that make a missing library found for the host, in order.

    ``packages`` are its Debian development packages (as named for the build
    machine's own architecture), ``libraries`` its upstream names (pixman-1,
    libfdt), ``located_by`` how the probe finds it ('pkg-config', 'compiler' or ''),
    ``pkg_config_missing`` whether the pkg-config program itself was not there, and
    ``remedy`` the declaration's own advice, said after the install step.
    """
    host, label = ctx.host, host_label(ctx.host)
    arch = debian_arch(host)
    steps: list[str] = []
    tools = _pkg_config_packages(ctx) if pkg_config_missing else ()
    packaged = arch is not None and bool(packages)
    if pkg_config_missing and not (tools and packaged):
        steps.append(_pkg_config_step(ctx))
    if packaged:
        assert arch is not None
        qualified = [f"{p}:{arch.name}" if ctx.foreign else p for p in packages]
        what = f"the {arch.name} development files" if ctx.foreign else "the development files"
        if tools:
            what = f"{ctx.pkg_config if ctx.cross else 'pkg-config'} and {what}"
        steps.append(f"install {what} ({apt_install([*tools, *qualified])})")
        if ctx.foreign:
            steps += _sysroot_steps(arch, packages, located_by, ctx.build)
    elif arch is None and packages and libraries:   # Debian's package would do, but not for this host
        names = " and ".join(libraries)
        if host.os != DEBIAN_LIBRARY_OS:
            why = f"Debian packages no libraries for {host.os} hosts"
        else:
            why = f"Debian has no architecture for {host.endian}-endian {host.cpu_family}"
        if ctx.cross:
            steps.append(f"build {names} for the {label} host ({why})")
        else:
            steps.append(f"install {names} with this {label} host's own packages, or build it ({why})")
    if remedy:
        steps.append(remedy)
    if located_by and (packaged or libraries):
        steps.append(_locate_step(ctx, located_by, packaged))
    return steps


def build_machine_pkg_config_steps(ctx: InstallContext) -> list[str]:
    """What to do when a cross build's pkg-config answered with the build machine's packages."""
    label = host_label(ctx.host)
    arch = debian_arch(ctx.host)
    own = f"{ctx.triplet}-pkg-config"
    tools = tools_for(ctx.triplet, ctx.build)
    package = f" ({apt_install([tools.pkg_config])})" if tools is not None and tools.pkg_config else ""
    if ctx.pkg_config_from_env:
        first = f"unset PKG_CONFIG (it names {ctx.pkg_config}), so that configure runs {own}{package}"
    else:
        first = f"install {own} with its {ctx.triplet} personality{package}"
    if arch is not None:
        libdir = (f"or set PKG_CONFIG_LIBDIR to the {label} host's .pc directories "
                  f"(Debian multiarch: /usr/lib/{arch.triplet}/pkgconfig:/usr/share/pkgconfig)")
    else:
        libdir = (f"or set PKG_CONFIG_LIBDIR to the directories that hold the .pc files built for the {label} "
                  "host (and PKG_CONFIG_SYSROOT_DIR to their sysroot, if they have one)")
    return [first, libdir]
