"""Device selection: the device Kconfig solved per target.

Owns which device models each configured target gets: the target's
``configs/devices/<target>/<name>.mak`` (``default`` or ``--with-devices-ARCH``),
the mode (defconfig, or allnoconfig for ``--without-default-devices``), and
the external symbols QEMU passes (host Kconfig symbols, the target's
accelerators, ``CONFIG_<TARGET_ARCH>=y``, ``CONFIG_TARGET_BIG_ENDIAN``).  The
Kconfig tree is parsed once and solved in-process for every target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .errors import UserError
from .kconfig import parse_kconfig
from .targets import ConfiguredTarget


@dataclass(frozen=True)
class TargetDevices:
    """One target's solved device configuration."""

    target: str
    mode: str                                  # defconfig | allnoconfig
    device_file: str                           # configs/devices/<target>/<name>.mak (absolute)
    externals: tuple[tuple[str, bool], ...]    # CONFIG_X -> value, as on minikconf's command line
    enabled: tuple[str, ...]                   # CONFIG_X=y lines minikconf would print, sorted
    files_read: tuple[str, ...]                # for the depfile / reconfigure inputs


def externals_for(target: ConfiguredTarget, host_kconfig: Sequence[str]) -> tuple[tuple[str, bool], ...]:
    """The assignments QEMU's meson.build passes to minikconf for this target, in its order."""
    out: list[tuple[str, bool]] = [(sym, True) for sym in host_kconfig]
    out += [(sym, True) for sym in target.accelerators]
    out.append((f"CONFIG_{target.definition.arch.upper()}", True))
    out.append(("CONFIG_TARGET_BIG_ENDIAN", target.definition.big_endian))
    return tuple(out)


# What a --with-devices-ARCH=NAME may name: a file of configs/devices/ARCH-softmmu/, never a path.
_DEVICE_CONFIG_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}")


def check_device_sets(source_dir: Path, devices: Mapping[str, str]) -> None:
    """Every ``--with-devices-ARCH=NAME`` names an architecture of configs/devices/ and a plain file name
    there, whether or not ARCH is configured (QEMU's configure checks the file when it reads the option)."""
    known = sorted(p.name.removesuffix("-softmmu") for p in (source_dir / "configs" / "devices").glob("*-softmmu"))
    for arch, name in devices.items():
        if arch not in known:
            raise UserError(f"--with-devices-{arch}: no architecture {arch!r} has device configurations",
                            "ARCH is one of: " + ", ".join(known) + " (the spelling is case-sensitive)")
        if not _DEVICE_CONFIG_NAME.fullmatch(name):
            raise UserError(f"--with-devices-{arch}={name[:100]}{'...' if len(name) > 100 else ''}: "
                            "not the name of a device configuration",
                            f"give a file name of configs/devices/{arch}-softmmu/ without .mak "
                            "(letters, digits, '_', '.', '+', '-'; at most 100; no '/')")
        device_file(source_dir, f"{arch}-softmmu", devices)


def device_file(source_dir: Path, target: str, devices: Mapping[str, str]) -> Path:
    arch = target.removesuffix("-softmmu")
    name = devices.get(arch, "default")
    path = source_dir / "configs" / "devices" / target / f"{name}.mak"
    try:
        found = path.is_file()
    except OSError:                  # a name too long for the file system
        found = False
    if not found:
        raise UserError(f"File {path} does not exist",
                        f"--with-devices-{arch}={name} names configs/devices/{target}/{name}.mak; "
                        "pick one of: " + ", ".join(sorted(p.stem for p in path.parent.glob("*.mak"))))
    return path


def solve_devices(source_dir: Path, targets: Sequence[ConfiguredTarget], host_kconfig: Sequence[str], *,
                  default_devices: bool, devices: Mapping[str, str]) -> tuple[TargetDevices, ...]:
    check_device_sets(source_dir, devices)
    if not targets:
        return ()
    tree = parse_kconfig([source_dir / "Kconfig"])
    mode = "defconfig" if default_devices else "allnoconfig"
    results: list[TargetDevices] = []
    for target in targets:
        mak = device_file(source_dir, target.name, devices)
        externals = externals_for(target, host_kconfig)
        solved = tree.solve(mode, dict(externals), extra_files=[mak])
        results.append(TargetDevices(
            target=target.name, mode=mode, device_file=str(mak), externals=externals,
            enabled=tuple(f"CONFIG_{name}" for name in solved.enabled),
            files_read=tuple(str(f) for f in solved.files_read)))
    return tuple(results)
