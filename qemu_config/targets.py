"""Targets: which emulator binaries are configured.

Owns ``configs/targets/*.mak`` (read with meson's keyval rules), the default
target list, and ``--target-list`` / ``--target-list-exclude`` (exact names:
QEMU's substring match on the exclude list is a bug not copied).
Accelerator assignment builds on this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .errors import UserError


def read_keyval(path: Path) -> dict[str, str]:
    """meson's keyval.load(): strip '#' comments, split on the first '=', strip both sides."""
    result: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        result[key.strip()] = value.strip()
    return result


@dataclass(frozen=True)
class TargetDefinition:
    name: str                          # e.g. x86_64-softmmu
    keys: tuple[tuple[str, str], ...]  # the .mak file's keys, in file order

    @property
    def arch(self) -> str:
        return dict(self.keys)["TARGET_ARCH"]

    @property
    def kind(self) -> str:
        return self.name.split("-", 1)[1]


@dataclass(frozen=True)
class TargetSelection:
    targets: tuple[TargetDefinition, ...]
    default_targets: bool   # --target-list was not given


def available_targets(source_dir: Path) -> tuple[TargetDefinition, ...]:
    """Every softmmu target defined under configs/targets, sorted by name."""
    found = []
    for mak in sorted((source_dir / "configs" / "targets").glob("*-softmmu.mak")):
        keys = read_keyval(mak)
        name = mak.name[: -len(".mak")]
        if "TARGET_ARCH" not in keys:
            raise UserError(f"{mak}: TARGET_ARCH is missing", "every configs/targets/*.mak must set TARGET_ARCH")
        found.append(TargetDefinition(name, tuple(keys.items())))
    return tuple(found)


def select_targets(available: Sequence[TargetDefinition], target_list: Sequence[str] | None,
                   exclude: Sequence[str]) -> TargetSelection:
    by_name: Mapping[str, TargetDefinition] = {t.name: t for t in available}
    if target_list is None:
        unknown = [t for t in exclude if t not in by_name]
        if unknown:
            raise UserError(f"Unknown target name '{unknown[0]}' in --target-list-exclude",
                            "available targets: " + " ".join(by_name))
        return TargetSelection(tuple(t for t in available if t.name not in set(exclude)), True)
    chosen: list[TargetDefinition] = []
    for name in target_list:
        if name not in by_name:
            raise UserError(f"Unknown target name '{name}'", "available targets: " + " ".join(by_name))
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    return TargetSelection(tuple(chosen), False)
