"""Install directories: where the configured binaries and data go.

Owns the resolution of meson's directory options (prefix, bindir, ...) plus
QEMU's derived directories (qemu_datadir = datadir/qemu_suffix, ...), and the
relocatability check.  Pure: values in, a frozen InstallDirs out.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Mapping, Sequence

from .rules import DIRECTORY_OPTIONS, INSTALL_DIR_SYMBOLS


def join(base: str, sub: str) -> str:
    """meson's ``/`` on strings: an absolute right-hand side wins, empty parts vanish."""
    if not sub:
        return base
    if sub.startswith("/") or not base:
        return sub
    return posixpath.join(base, sub)


@dataclass(frozen=True)
class InstallDirs:
    """The directory options as given (relative to prefix or absolute) and the derived QEMU dirs."""

    options: tuple[tuple[str, str], ...]   # (meson option, value) for every DIRECTORY_OPTIONS entry
    qemu_suffix: str
    docdir: str
    firmware_path: tuple[str, ...]

    def get(self, name: str) -> str:
        return dict(self.options)[name]

    @property
    def prefix(self) -> str:
        return self.get("prefix")

    def absolute(self, name: str) -> str:
        """prefix / option (an absolute option value stays as it is)."""
        return join(self.prefix, self.get(name))

    def derived(self, base: str, sub: str | None) -> str:
        path = self.get(base)
        if sub is not None:
            path = join(path, self.qemu_suffix if sub == "{suffix}" else sub)
        return path

    def symbols(self) -> dict[str, str]:
        """config-host.h install-dir symbols, absolute."""
        out = {"CONFIG_PREFIX": self.prefix}
        for symbol, base, sub in INSTALL_DIR_SYMBOLS:
            out[symbol] = join(self.prefix, self.derived(base, sub))
        return out

    def firmware_list(self) -> tuple[str, ...]:
        return tuple(join(self.prefix, p) for p in self.firmware_path)

    def relocatable_possible(self) -> bool:
        """QEMU's rule: an install is relocatable only if bindir lies within the prefix."""
        if self.get("bindir") == "":   # meson: prefix / '' keeps the trailing separator
            return True
        bindir = join(self.prefix, self.get("bindir"))
        return bindir.startswith(self.prefix.rstrip("/") + "/")


def resolve_install_dirs(values: Mapping[str, object]) -> InstallDirs:
    opts = tuple((name, str(values[name])) for name in DIRECTORY_OPTIONS)
    firmware = values.get("qemu_firmwarepath", ())
    if isinstance(firmware, str):
        firmware = (firmware,)
    return InstallDirs(
        options=opts,
        qemu_suffix=str(values.get("qemu_suffix", "qemu")),
        docdir=str(values.get("docdir", "share/doc")),
        firmware_path=tuple(str(p) for p in firmware),  # type: ignore[union-attr]
    )


@dataclass(frozen=True)
class PythonModuleDir:
    """Where the Python extension is installed: relative to the prefix or absolute, as meson takes it; and
    whether the host's Python searches that directory without PYTHONPATH."""

    path: str
    searched: bool

    def absolute(self, prefix: str) -> str:
        return join(prefix, self.path)


def python_module_dir(dirs: InstallDirs, option: str, platlib: str, site_dirs: Sequence[str]) -> PythonModuleDir:
    """The extension's directory: the option when given; else the host Python's scheme directory below
    the prefix when the host Python searches it (Debian, --prefix=/usr: lib/python3/dist-packages); else
    the first directory it searches below the prefix (Debian, /usr/local: lib/python3.X/dist-packages);
    else the scheme directory, which that Python then finds only through PYTHONPATH."""
    prefix = dirs.prefix.rstrip("/") or "/"
    searched = {posixpath.normpath(d) for d in site_dirs}
    if option:
        return PythonModuleDir(option, posixpath.normpath(join(prefix, option)) in searched)
    scheme = join(prefix, platlib)
    if posixpath.normpath(scheme) in searched:
        return PythonModuleDir(platlib, True)
    for site_dir in site_dirs:
        if site_dir.startswith(prefix.rstrip("/") + "/"):
            return PythonModuleDir(posixpath.relpath(site_dir, prefix), True)
    return PythonModuleDir(platlib, False)
