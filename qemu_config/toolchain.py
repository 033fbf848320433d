"""The toolchain: which programs compile, link and inspect code for the host.

Owns tool selection (``--cc``, ``--cross-prefix``, the environment variables
QEMU's configure honours) and the compiler sanity check.  Probes proper
(has_header, has_function, ...) build on the same :class:`Toolchain`.
Does not print; results are frozen dataclasses.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .errors import UserError

# (meson machine-file key, environment variable, program name without prefix)
BINUTILS: tuple[tuple[str, str, str], ...] = (
    ("ar", "AR", "ar"),
    ("dlltool", "DLLTOOL", "dlltool"),
    ("nm", "NM", "nm"),
    ("objcopy", "OBJCOPY", "objcopy"),
    ("pkg-config", "PKG_CONFIG", "pkg-config"),
    ("ranlib", "RANLIB", "ranlib"),
    ("readelf", "READELF", "readelf"),
    ("strip", "STRIP", "strip"),
    ("windres", "WINDRES", "windres"),
)

# Environment variables that change what configure decides; recorded in config.status.
RECORDED_ENVIRONMENT: tuple[str, ...] = (
    "AR", "AS", "CC", "CFLAGS", "CXX", "CXXFLAGS", "DLLTOOL", "LD", "LDFLAGS",
    "LD_LIBRARY_PATH", "NM", "OBJCFLAGS", "OBJCOPY", "PATH", "PKG_CONFIG",
    "PKG_CONFIG_LIBDIR", "PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR", "PYTHON",
    "RANLIB", "READELF", "STRIP", "WINDRES", "XDG_CACHE_HOME",
)


@dataclass(frozen=True)
class Toolchain:
    """Programs for the host machine (and the build machine's C compiler for cross builds)."""

    cc: tuple[str, ...]
    cxx: tuple[str, ...]
    objc: tuple[str, ...]
    binutils: tuple[tuple[str, str], ...]   # (meson key, program)
    host_cc: tuple[str, ...]                # build machine compiler (native file of cross builds)
    cross_prefix: str | None
    cflags: tuple[str, ...]                 # CFLAGS + --extra-cflags
    cxxflags: tuple[str, ...]
    objcflags: tuple[str, ...]
    ldflags: tuple[str, ...]                # LDFLAGS + --extra-ldflags

    @property
    def cross(self) -> bool:
        return self.cross_prefix is not None

    def program(self, key: str) -> str:
        return dict(self.binutils)[key]


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(shlex.split(text)) if text else ()


def select_toolchain(*, cross_prefix: str | None, cc: str | None, cxx: str | None,
                     objcc: str | None, host_cc: str | None,
                     extra_cflags: Sequence[str] = (), extra_cxxflags: Sequence[str] = (),
                     extra_objcflags: Sequence[str] = (), extra_ldflags: Sequence[str] = (),
                     environ: Mapping[str, str] | None = None) -> Toolchain:
    """Choose the tools the way QEMU's configure does: option, then environment, then prefix + name."""
    env = os.environ if environ is None else environ
    prefix = cross_prefix or ""
    if cc:
        cc_cmd = _words(cc)
    elif "CC" in env and env["CC"]:
        cc_cmd = _words(env["CC"])
    else:
        cc_cmd = (f"{prefix}gcc",) if cross_prefix else ("cc",)
    if cxx:
        cxx_cmd = _words(cxx)
    elif env.get("CXX"):
        cxx_cmd = _words(env["CXX"])
    else:
        cxx_cmd = (f"{prefix}g++",) if cross_prefix else ("c++",)
    if objcc:
        objc_cmd = _words(objcc)
    else:
        objc_cmd = (f"{prefix}clang",) if cross_prefix else cc_cmd
    binutils = tuple((key, env.get(var) or f"{prefix}{name}") for key, var, name in BINUTILS)
    return Toolchain(
        cc=cc_cmd, cxx=cxx_cmd, objc=objc_cmd, binutils=binutils,
        host_cc=_words(host_cc) if host_cc else ("cc",),
        cross_prefix=cross_prefix,
        cflags=_words(env.get("CFLAGS")) + tuple(extra_cflags),
        cxxflags=_words(env.get("CXXFLAGS")) + tuple(extra_cxxflags),
        objcflags=_words(env.get("OBJCFLAGS")) + tuple(extra_objcflags),
        ldflags=_words(env.get("LDFLAGS")) + tuple(extra_ldflags),
    )


def check_compiler_works(toolchain: Toolchain, cpu_cflags: Sequence[str] = ()) -> str:
    """Compile and link a trivial program; return the compiler's log.  Raise if it fails."""
    with tempfile.TemporaryDirectory(prefix="qemu-config-") as tmp:
        src = Path(tmp) / "qemu-conf.c"
        src.write_text("int main(void) { return 0; }\n", encoding="utf-8")
        cmd = [*toolchain.cc, *cpu_cflags, *toolchain.cflags, "-o", str(Path(tmp) / "qemu-conf.exe"),
               str(src), *toolchain.ldflags]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except OSError:
            proc = None
        if proc is None or proc.returncode != 0:
            detail = proc.stderr.strip().splitlines()[-3:] if proc is not None else []
            raise UserError(
                f'C compiler "{" ".join(toolchain.cc)}" either does not exist or does not work',
                *detail,
                "install a compiler (Debian: apt-get install gcc) or name one with --cc / --cross-prefix;"
                " see config.log",
            )
        return f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"
