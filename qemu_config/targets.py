"""Targets and accelerators: which emulator binaries are configured, and with what.

Owns ``configs/targets/*.mak`` (read with meson's keyval rules), the default
target list, ``--target-list`` / ``--target-list-exclude`` (exact names:
QEMU's substring match on the exclude list is a bug not copied), and QEMU's
per-target accelerator assignment: which accelerators are available (the
feature decisions) and which targets each serves on this host CPU
(rules.ACCELERATORS), targets dropped or refused when no accelerator serves
them or when they need libfdt and it is off.  Pure: decisions in, frozen
results out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .errors import UserError
from .features import FeatureDecision
from .host import HostMachine
from .remedies import absence
from .rules import ACCELERATORS, DISASSEMBLERS, SYSTEM_WORD, USER_MODE_ABSENT, USER_MODE_WORDS, Accelerator


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
    def base_arch(self) -> str:
        return dict(self.keys).get("TARGET_BASE_ARCH", self.arch)

    @property
    def big_endian(self) -> bool:
        return dict(self.keys).get("TARGET_BIG_ENDIAN", "n") == "y"

    @property
    def needs_fdt(self) -> bool:
        return dict(self.keys).get("TARGET_NEED_FDT", "n") == "y"

    @property
    def kind(self) -> str:
        return self.name.split("-", 1)[1]


@dataclass(frozen=True)
class TargetSelection:
    targets: tuple[TargetDefinition, ...]
    default_targets: bool   # --target-list was not given


@dataclass(frozen=True)
class ConfiguredTarget:
    """A target that will be built, with the accelerators it gets."""

    definition: TargetDefinition
    accelerators: tuple[str, ...]      # CONFIG_KVM, CONFIG_TCG, ... in QEMU's order

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(frozen=True)
class DroppedTarget:
    name: str
    reason: str


@dataclass(frozen=True)
class TargetPlan:
    """The outcome of accelerator assignment."""

    configured: tuple[ConfiguredTarget, ...]
    dropped: tuple[DroppedTarget, ...]
    all_accelerators: tuple[str, ...]  # config_all_accel: every accelerator some target got
    warnings: tuple[str, ...]
    default_targets: bool


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
                   exclude: Sequence[str], *, words: Mapping[str, str] | None = None) -> TargetSelection:
    """The targets asked for: the default list (less the exclusions) or the explicit one.

    ``words`` are configure's own words for kinds of binary (``system``, ``user``, ...:
    auto | enabled | disabled): ``--disable-system`` leaves no system emulation target in
    the default list and refuses one named in ``--target-list``; asking for user mode is
    refused, as the core has none.
    """
    words = words or {}
    refuse_user_mode(words)
    system = words.get(SYSTEM_WORD, "auto") != "disabled"
    by_name: Mapping[str, TargetDefinition] = {t.name: t for t in available}
    if target_list is None:
        unknown = [t for t in exclude if t not in by_name]
        if unknown:
            raise UserError(f"Unknown target name '{unknown[0]}' in --target-list-exclude",
                            "available targets: " + " ".join(by_name))
        return TargetSelection(tuple(t for t in available if t.name not in set(exclude) and system), True)
    chosen: list[TargetDefinition] = []
    for name in target_list:
        if name not in by_name:
            raise UserError(f"Unknown target name '{name}'", "available targets: " + " ".join(by_name))
        if not system:
            raise UserError(f"--target-list names {name}, a system emulation target, but --disable-system was given",
                            "next: drop --disable-system, or leave the system emulation targets out of "
                            "--target-list (--target-list= builds no emulator)")
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    return TargetSelection(tuple(chosen), False)


def refuse_user_mode(words: Mapping[str, str]) -> None:
    """``--enable-user`` and kin ask for what the core does not have: one error that says so."""
    asked = [word for word in USER_MODE_WORDS if words.get(word) == "enabled"]
    if asked:
        raise UserError(f"--enable-{asked[0]}: user-mode emulation is not available", USER_MODE_ABSENT,
                        f"next: leave out --enable-{asked[0]} (--disable-{asked[0]} is accepted: there is "
                        "nothing to leave out)")


def serves(accel: Accelerator, target: str, host: HostMachine) -> bool:
    if accel.targets_by_cpu is None:
        return True
    return target in accel.targets_by_cpu.get(host.cpu_family, ())


# Why fdt is off, when an option turned it off: QEMU's words ("fdt disabled but required by targets").
_DISABLED_BY_OPTION = ("given", "default", "no-default-features")


def _fdt_missing(fdt: FeatureDecision, host: HostMachine) -> tuple[str, tuple[str, ...]]:
    """How the error names fdt's absence ('disabled', 'not found for the aarch64 host'), and its details."""
    if fdt.cause in _DISABLED_BY_OPTION:
        return "disabled", (f"because {fdt.reason}",)
    failed = next((o for o in fdt.probes if not o.ok and o.status != "skipped"), None)
    if fdt.cause in ("not-found", "unusable") and failed is not None:
        return absence(fdt.cause, host), (f"fdt was {fdt.requested}: probed {failed.probe.describe()}",
                                          f"found: {failed.detail}")
    return "off", (f"because {fdt.reason}",)


def assign_accelerators(selection: TargetSelection, available_accels: Sequence[str], host: HostMachine,
                        fdt: FeatureDecision,
                        accelerators: Sequence[Accelerator] = ACCELERATORS) -> TargetPlan:
    """QEMU's per-target loop: accelerators per target, then drop (default list) or refuse (explicit list).

    ``fdt`` is the fdt feature's decision: when it is off, targets that need libfdt are dropped
    or refused, saying why it is off and what would turn it on.
    """
    configured: list[ConfiguredTarget] = []
    dropped: list[DroppedTarget] = []
    warnings: list[str] = []
    need_fdt: list[str] = []
    fdt_dropped = False
    all_accels: list[str] = []
    usable = [a for a in accelerators if a.feature in available_accels]
    for target in selection.targets:
        accels = tuple(a.symbol for a in usable if serves(a, target.name, host))
        if not accels:
            if not selection.default_targets:
                names = ", ".join(a.symbol.removeprefix("CONFIG_") for a in accelerators
                                  if serves(a, target.name, host)) or "none"
                raise UserError(f"No accelerator available for target {target.name}",
                                f"accelerators that could serve it on this {host.cpu_family} {host.os} host: "
                                f"{names}; TCG serves every target unless --disable-tcg was given",
                                "next: drop the target from --target-list, or enable an accelerator for it")
            dropped.append(DroppedTarget(target.name, "no accelerator available for it"))
            continue
        if target.needs_fdt and not fdt.enabled:
            if selection.default_targets:
                warnings.append(f"Disabling {target.name} due to missing libfdt")
                fdt_dropped = True
                dropped.append(DroppedTarget(target.name, f"needs libfdt, which is off: {fdt.reason}"))
            else:
                need_fdt.append(target.name)
            continue
        for sym in accels:
            if sym not in all_accels:
                all_accels.append(sym)
        configured.append(ConfiguredTarget(target, accels))
    if need_fdt:
        missing, details = _fdt_missing(fdt, host)
        raise UserError(f"fdt {missing}{'' if missing == 'disabled' else ','} but required by targets "
                        f"{', '.join(need_fdt)}", *details,
                        *(f"next: {s}" for s in fdt.next_steps),
                        "next: or leave those targets out of --target-list")
    if fdt_dropped and fdt.cause != "given":   # QEMU's warnings say "missing libfdt"; say why, once
        warnings.append(f"libfdt is missing: {fdt.reason}"
                        + (f"; next: {fdt.next_steps[0]}" if fdt.next_steps else ""))
    order = [a.symbol for a in accelerators]
    return TargetPlan(tuple(configured), tuple(dropped), tuple(sorted(all_accels, key=order.index)),
                      tuple(warnings), selection.default_targets)


def config_target(target: ConfiguredTarget, host: HostMachine) -> dict[str, str]:
    """QEMU's config_target for a softmmu target: the .mak keys, its accelerators and the defaults."""
    definition = target.definition
    arch = definition.arch
    data: dict[str, str] = {"TARGET_NAME": arch, "CONFIG_SOFTMMU": "y", "CONFIG_SYSTEM_ONLY": "y"}
    data.update(dict(definition.keys))
    for sym in target.accelerators:
        data[sym] = "y"
    data.setdefault(f"TARGET_{arch.upper()}", "y")
    data.setdefault("TARGET_BASE_ARCH", arch)
    data.setdefault("TARGET_ABI_DIR", arch)
    data.setdefault("TARGET_BIG_ENDIAN", "n")
    for prefix, symbol in DISASSEMBLERS:
        if host.host_arch.startswith(prefix) or data["TARGET_BASE_ARCH"].startswith(prefix):
            data[symbol] = "y"
    return data
