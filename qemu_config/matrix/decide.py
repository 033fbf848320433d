"""Deciding every combination of a matrix in-process, with the machine asked once for all of them.

Owns :class:`SharedProber`, the :class:`~qemu_config.probes.Prober` a matrix
decides through (the compiler's macros and sanity check once per toolchain,
each probe once per toolchain and kind of build, over the user's probe cache),
:func:`decide_combination` (one combination through the same stages as
``./configure``, its verdict or the exact error configure prints), the build
digest that says which combinations compile the same thing, and grouping them.
Runs no meson and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from .. import options
from ..bootstrap import python_install_paths
from ..cache import ProbeCache
from ..configure import decide
from ..emit import OutputFile, Quoted, QuotedList, c_string
from ..errors import UserError
from ..host import HostMachine
from ..model import Configuration, Environment
from ..outputs import build_outputs, config_host_data
from ..probes import MachineProber, Probe, ProbeOutcome
from ..toolchain import Toolchain
from .model import BuildClass, Combination, FeatureVerdict, MatrixResult, TargetVerdict, Verdict

# The generated files that say what compiles: the headers and lists the build reads, the machine files.
# The summary, the report, config.status, the Makefile and the stubs' texts say how it was decided and
# where, which does not change what is compiled.
_BUILD_INPUT_SUFFIXES = ("-config-target.h", "-config-target.mak", "-config-devices.h", "-config-devices.mak")
_BUILD_INPUTS = frozenset({"config-host.h", "config-poison.h", "qemu-config-build.mak", "host-kconfig.mak",
                           "qemu-core-targets.h", "config-meson.cross", "config-meson.native"})


def _toolchain_key(toolchain: Toolchain) -> tuple[object, ...]:
    return (toolchain.cc, toolchain.cflags, toolchain.ldflags, toolchain.cross_prefix)


@dataclass
class _Answers:
    """What one toolchain and kind of build has been told so far."""

    outcomes: dict[Probe, ProbeOutcome] = field(default_factory=dict)
    fresh: set[Probe] = field(default_factory=set)    # run in this matrix, not served from the disk cache


class SharedProber:
    """The machine's answers for a whole matrix: asked once, however many combinations ask again.

    Each toolchain's macros and sanity check are asked once; each probe runs
    once per toolchain and kind of build (static or not), through the user's
    probe cache.  A failure served from that cache is asked again, once, for a
    combination that requires the probe, as ``./configure`` would.
    """

    def __init__(self, environ: Mapping[str, str], cache: ProbeCache) -> None:
        self._machine = MachineProber(environ, cache)
        self._environ = environ
        self._cache = cache
        self._lock = threading.Lock()
        self._macros: dict[tuple[object, ...], Mapping[str, str] | UserError] = {}
        self._checked: dict[tuple[object, ...], UserError | None] = {}
        self._answers: dict[tuple[object, ...], _Answers] = {}
        self._consulted: tuple[list[str], list[str], list[str]] = ([], [], [])
        self.runs = 0    # how many probe pools were started (the rest came from what was already asked)

    def predefined_macros(self, toolchain: Toolchain) -> Mapping[str, str]:
        key = _toolchain_key(toolchain)
        with self._lock:
            if key not in self._macros:
                try:
                    self._macros[key] = self._machine.predefined_macros(toolchain)
                except UserError as err:
                    self._macros[key] = err
            found = self._macros[key]
        if isinstance(found, UserError):
            raise found
        return found

    def check_compiler(self, toolchain: Toolchain, cpu_cflags: tuple[str, ...]) -> str | None:
        key = (*_toolchain_key(toolchain), cpu_cflags)
        with self._lock:
            if key not in self._checked:
                try:
                    self._machine.check_compiler(toolchain, cpu_cflags)
                    self._checked[key] = None
                except UserError as err:
                    self._checked[key] = err
            failed = self._checked[key]
        if failed is not None:
            raise failed
        return None

    def run(self, toolchain: Toolchain, host: HostMachine, probes: Sequence[Probe], required: Sequence[Probe], *,
            static: bool) -> Mapping[Probe, ProbeOutcome]:
        with self._lock:
            answers = self._answers.setdefault((*_toolchain_key(toolchain), static), _Answers())
            wanted = list(dict.fromkeys(_with_dependencies(probes)))
            must_be_fresh = set(_with_dependencies(required))
            missing = [p for p in wanted if p not in answers.outcomes
                       or (p in must_be_fresh and p not in answers.fresh and not answers.outcomes[p].ok)]
            if missing:
                self.runs += 1
                prober = MachineProber(self._environ, self._cache)
                got = prober.run(toolchain, host, missing, [p for p in required if p in missing], static=static)
                answers.outcomes.update(got)
                answers.fresh.update(p for p, o in got.items() if not o.cached)
                for mine, theirs in zip(self._consulted, prober.consulted()):
                    mine.extend(x for x in theirs if x not in mine)
            return {p: answers.outcomes[p] for p in wanted}

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        programs, dirs, files = self._consulted
        return tuple(programs), tuple(dirs), tuple(files)


def _with_dependencies(probes: Iterable[Probe]) -> list[Probe]:
    out: list[Probe] = []
    for probe in probes:
        out += [*_with_dependencies(probe.depends_on()), probe]
    return out


@dataclass(frozen=True)
class MatrixContext:
    """What every combination of one matrix is decided against."""

    source_dir: Path
    build_root: Path                         # each combination's (unwritten) build dir is build_root / name
    table: options.OptionTable
    builtins: tuple[options.MesonOption, ...]
    environ: Mapping[str, str]
    prober: SharedProber
    meson: tuple[str, ...] = ("meson",)
    ninja: str = "ninja"


def build_inputs(files: Iterable[OutputFile]) -> list[OutputFile]:
    """The generated files that decide what compiles (see _BUILD_INPUTS), sorted by path."""
    chosen = [f for f in files if f.path in _BUILD_INPUTS or f.path.endswith(_BUILD_INPUT_SUFFIXES)]
    return sorted(chosen, key=lambda f: f.path)


def build_digest(files: Iterable[OutputFile]) -> str:
    """Equal digests, equal build inputs: the two combinations compile the same thing."""
    digest = hashlib.sha256()
    for f in build_inputs(files):
        digest.update(f.path.encode() + b"\0" + f.text.encode() + b"\0")
    return digest.hexdigest()


def _define_text(value: object) -> str:
    """A config-host.h value as the binary's --build-config prints it."""
    if value is True:
        return "y"
    if value is False:
        return "n"
    if isinstance(value, Quoted):
        return json.dumps(value.text)
    if isinstance(value, QuotedList):
        return "".join(f"{c_string(item)}, " for item in value.items)
    return str(value)


def _verdict_of(combination: Combination, config: Configuration, seconds: float) -> Verdict:
    files = build_outputs(config, combination.args)
    return Verdict(
        combination, ok=True, error=None,
        features=tuple(FeatureVerdict(d.name, d.enabled, d.reason) for d in config.features),
        build_digest=build_digest(files), seconds=seconds,
        targets=tuple(TargetVerdict(t.name, t.devices.enabled,
                                    tuple(dict.fromkeys(t.sources.common.files + t.sources.specific.files)))
                      for t in config.targets),
        defines=tuple((key, _define_text(value)) for key, value in sorted(config_host_data(config).items())),
    )


_PYTHON_INSTALL_PATHS = python_install_paths()     # the host's Python, as configure() asks it


def decide_combination(combination: Combination, ctx: MatrixContext) -> Verdict:
    """What ``./configure <args>`` would decide, or the error it would print, without running it."""
    start = time.perf_counter()
    try:
        request = options.parse_configure_args(combination.args, ctx.table, ctx.builtins)
        platlib, site_dirs = _PYTHON_INSTALL_PATHS
        env = Environment(source_dir=ctx.source_dir, build_dir=ctx.build_root / combination.name,
                          python=sys.executable, meson=ctx.meson, ninja=ctx.ninja, environ=ctx.environ,
                          python_platlib=platlib, python_site_dirs=site_dirs)
        config = decide(env, request, ctx.table, ctx.builtins, ctx.prober)
        return _verdict_of(combination, config, time.perf_counter() - start)
    except UserError as err:
        return Verdict(combination, ok=False, error=err.render(), seconds=time.perf_counter() - start)


def group(verdicts: Sequence[Verdict]) -> tuple[BuildClass, ...]:
    """The distinct builds: combinations that configure, by build digest, the first of each as its representative."""
    by_digest: dict[str, list[Combination]] = {}
    for verdict in verdicts:
        if verdict.ok and verdict.build_digest is not None:
            by_digest.setdefault(verdict.build_digest, []).append(verdict.combination)
    return tuple(BuildClass(members[0], tuple(members)) for members in by_digest.values())


def decide_matrix(spec_name: str, combinations: Sequence[Combination], ctx: MatrixContext,
                  on_verdict: Callable[[Verdict], None] | None = None) -> MatrixResult:
    """Every combination decided, in spec order, and the distinct builds among them."""
    verdicts = []
    for combination in combinations:
        verdict = decide_combination(combination, ctx)
        verdicts.append(verdict)
        if on_verdict is not None:
            on_verdict(verdict)
    return MatrixResult(spec=spec_name, verdicts=tuple(verdicts), classes=group(verdicts))
