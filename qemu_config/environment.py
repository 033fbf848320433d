"""The environment variables configure reads, as data (standard library only).

``RECORDED_ENVIRONMENT`` is what ``config.status`` replays: the variables that
choose tools and flags, as QEMU's configure records them.  The no-op check
compares those and a few more that change what the probes find
(``FINGERPRINT_ENVIRONMENT``).

``PATH`` is neither: config.status runs with the PATH of whoever runs it (make,
a packager's chroot), and the no-op check does not compare the PATH string but
where each program the last run used (the compiler, pkg-config, gdb, ninja,
meson, python) is found on the PATH now, so that only a PATH change that
changes a program re-runs configure in full.
"""

from __future__ import annotations

# Variables that change what configure decides; config.status sets them again (or unsets them).
RECORDED_ENVIRONMENT: tuple[str, ...] = (
    "AR", "AS", "CC", "CFLAGS", "CPPFLAGS", "CXX", "CXXFLAGS", "DLLTOOL", "LD", "LDFLAGS",
    "LD_LIBRARY_PATH", "NM", "OBJCFLAGS", "OBJCOPY", "PKG_CONFIG",
    "PKG_CONFIG_LIBDIR", "PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR", "PYTHON",
    "RANLIB", "READELF", "STRIP", "WINDRES", "XDG_CACHE_HOME",
)

# What the no-op re-run compares: the recorded ones, and those that change what a probe finds.
FINGERPRINT_ENVIRONMENT: tuple[str, ...] = RECORDED_ENVIRONMENT + (
    "PKG_CONFIG_ALLOW_SYSTEM_CFLAGS", "PKG_CONFIG_ALLOW_SYSTEM_LIBS", "HOME", "NINJA", "CPATH",
    "C_INCLUDE_PATH", "LIBRARY_PATH", "SDKROOT",
)
