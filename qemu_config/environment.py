"""The environment variables configure reads, as data (standard library only).

``RECORDED_ENVIRONMENT`` is what ``config.status`` replays: the variables that
choose tools and flags, as QEMU's configure records them.  The no-op check
compares those and a few more that change what the probes find
(``FINGERPRINT_ENVIRONMENT``).
"""

from __future__ import annotations

# Variables that change what configure decides; config.status sets them again (or unsets them).
RECORDED_ENVIRONMENT: tuple[str, ...] = (
    "AR", "AS", "CC", "CFLAGS", "CPPFLAGS", "CXX", "CXXFLAGS", "DLLTOOL", "LD", "LDFLAGS",
    "LD_LIBRARY_PATH", "NM", "OBJCFLAGS", "OBJCOPY", "PATH", "PKG_CONFIG",
    "PKG_CONFIG_LIBDIR", "PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR", "PYTHON",
    "RANLIB", "READELF", "STRIP", "WINDRES", "XDG_CACHE_HOME",
)

# What the no-op re-run compares: the recorded ones, and those that change what a probe finds.
FINGERPRINT_ENVIRONMENT: tuple[str, ...] = RECORDED_ENVIRONMENT + (
    "PKG_CONFIG_ALLOW_SYSTEM_CFLAGS", "PKG_CONFIG_ALLOW_SYSTEM_LIBS", "HOME", "NINJA", "CPATH",
    "C_INCLUDE_PATH", "LIBRARY_PATH", "SDKROOT",
)
