"""The configuration as decided: the records the deciding stages hand to the outputs and the CLI.

Data only (frozen dataclasses), built by :func:`qemu_config.configure.decide`
and read by :mod:`qemu_config.outputs`, the CLI and the benchmarks.  Neither
side imports the other for these types, so there is no import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .devices import TargetDevices
from .features import FeatureDecision
from .host import HostMachine
from .installdirs import InstallDirs, PythonModuleDir
from .options import ConfigureRequest
from .probes import ProbeOutcome
from .sources import SourcePlan, TargetSources
from .targets import ConfiguredTarget, TargetDefinition, TargetPlan
from .toolchain import Toolchain


@dataclass(frozen=True)
class Environment:
    """Where configure runs: the trees, the interpreter, the tools it drives."""

    source_dir: Path
    build_dir: Path
    python: str                   # the interpreter running the engine (the build's venv)
    meson: tuple[str, ...]        # argv prefix that runs the pinned meson
    ninja: str
    environ: Mapping[str, str]
    # The host's Python (bootstrap.python_install_paths()): its install scheme's extension directory,
    # relative to a prefix, and the site directories it searches.
    python_platlib: str = "lib/python3/dist-packages"
    python_site_dirs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsultedInputs:
    """What the probes read besides their own files: the no-op re-run compares these."""

    programs: tuple[str, ...]
    directories: tuple[str, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Gdb:
    """The gdb the tests use ('' when none, or too old), and the architectures it debugs."""

    path: str = ""
    arches: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetRecord:
    """Everything decided for one configured target."""

    target: ConfiguredTarget
    keys: tuple[tuple[str, str], ...]   # its config-target.mak keys (QEMU's config_target), in order
    devices: TargetDevices              # its device Kconfig, solved
    sources: TargetSources              # the files its binary links, and why

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def definition(self) -> TargetDefinition:
        return self.target.definition

    @property
    def accelerators(self) -> tuple[str, ...]:
        return self.target.accelerators


@dataclass(frozen=True)
class Configuration:
    """Everything configure decided; the input of every output file."""

    env: Environment
    request: ConfigureRequest
    values: Mapping[str, object]            # every option's final value
    project_options: frozenset[str]         # the names meson_options.txt declares
    host: HostMachine
    toolchain: Toolchain
    static: bool                            # --static (or -Dprefer_static=true): the binaries link statically
    default_devices: bool                   # the device Kconfig solved in defconfig mode (else allnoconfig)
    dirs: InstallDirs
    features: tuple[FeatureDecision, ...]   # plain booleans, then the declared features, in order
    probes: tuple[ProbeOutcome, ...]        # every probe run, in the order they were asked for
    warning_flags: tuple[str, ...]          # QEMU's warning flags this compiler accepts
    path_map_flags: tuple[str, ...]         # the path-mapping flags (-ffile-prefix-map, ...) it has, by name
    python_dir: PythonModuleDir             # where the Python extension is installed, and why
    gdb: Gdb
    plan: TargetPlan                        # which targets, which were dropped, config_all_accel
    targets: tuple[TargetRecord, ...]       # each configured target, in the configured order
    host_kconfig: tuple[str, ...]           # host symbols passed to the device Kconfig
    sources: SourcePlan                     # the target-independent lists (util, system, extension)
    python_extension: bool
    version: str
    warnings: tuple[str, ...]
    consulted: ConsultedInputs


@dataclass(frozen=True)
class ConfigureOutcome:
    """What a configure run did: its decisions, the files it changed, whether meson ran."""

    configuration: Configuration
    changed: tuple[str, ...]
    meson_ran: bool
    meson_seconds: float
    log: tuple[str, ...] = field(default=())
