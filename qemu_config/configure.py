"""The configure pipeline: argv in, a configured build directory out.

Runs the stages in order (options -> host -> features -> targets -> emit ->
meson) and is the only place that knows their order.  Each stage returns
frozen results; this module threads them through and hands the CLI a
:class:`ConfigureOutcome` to print.  Nothing is written to the build
directory until every stage has succeeded; if meson setup then fails, the
files written are put back as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from . import bootstrap, options, outputs, processes
from . import fingerprint
from .emit import OutputFile, start_compiling_templates, write_if_changed, write_outputs
from .environment import RECORDED_ENVIRONMENT
from .errors import UserError
from .limits import non_utf8_byte, unsafe_path_character
from .model import ConfigureOutcome, Configuration, ConsultedInputs, Environment, Gdb, TargetRecord
from .cache import ProbeCache, default_cache_dir
from .features import FeatureContext, decide_boolean_options, decide_features, host_kconfig, probes_needed
from .probes import GdbProbe, MachineProber, PkgConfigProbe, Probe, ProbeOutcome, Prober
from .host import HostMachine, host_from_macros
from .installdirs import python_module_dir, resolve_install_dirs
from .rules import (DIRECTORY_OPTIONS, GDB_MINIMUM_VERSION, GDB_PROGRAMS, HOST_OS_OPTION_DEFAULTS, PATH_MAP_FALLBACKS,
                    PATH_MAP_FLAG, PATH_MAP_PLACEHOLDER, PATH_MAP_PROBE, WARNING_FLAGS_PROBE)
from .devices import solve_devices
from .sources import plan_sources
from .storage import write_all_atomic
from .rules import ACCELERATORS, FDT_FEATURE, SYSTEM_DISABLED, SYSTEM_WORD
from .targets import assign_accelerators, available_targets, config_target, select_targets
from .pkgconfig import pkg_config_program, version_compare
from .remedies import InstallContext, build_machine_pkg_config_steps, build_triplet, host_label
from .toolchain import select_toolchain


def _read_version(source_dir: Path) -> str:
    return (source_dir / "VERSION").read_text(encoding="utf-8").strip()


def gdb_probe_for(gdb_option: str) -> GdbProbe:
    """The gdb probe: the --gdb (or -Dgdb=) program, else the names searched on PATH."""
    return GdbProbe((gdb_option,) if gdb_option else GDB_PROGRAMS)


def early_gdb_option(table: options.OptionTable, builtins: Sequence[options.MesonOption],
                     request: options.ConfigureRequest) -> str:
    """The gdb option as it will resolve, read before the host is known so that gdb is asked beside the
    compiler; an option error is left for the resolution after the host to report, in its place."""
    try:
        resolved = options.resolve_values(table, builtins, request)
    except UserError:
        return str(request.gdb or "")
    return str(resolved.get("gdb") or request.gdb or "")


def apply_host_defaults(values: Mapping[str, object], explicit: frozenset[str], host: HostMachine) -> dict[str, object]:
    """Option defaults that depend on the host OS (QEMU's configs/meson/<os>.txt)."""
    result = dict(values)
    for name, value in HOST_OS_OPTION_DEFAULTS.get(host.os, {}).items():
        if name not in explicit and name in result:
            result[name] = value
    return result


def refuse_build_machine_packages(installing: InstallContext, outcomes: Iterable[ProbeOutcome]) -> None:
    """A cross build whose pkg-config found the build machine's packages stops here: it would link them."""
    leaks = sorted((o for o in outcomes if o.status == "build-machine"), key=lambda o: o.probe.describe())
    if not leaks:
        return
    names = ", ".join(dict.fromkeys(o.probe.package for o in leaks if isinstance(o.probe, PkgConfigProbe)))
    raise UserError(f"pkg-config found the build machine's packages for the {host_label(installing.host)} host: "
                    f"{names}",
                    f"found: {leaks[0].detail}",
                    "the build would compile against them and fail to link (or link the wrong machine's code)",
                    *(f"next: {step}" for step in build_machine_pkg_config_steps(installing)))


def decide(env: Environment, request: options.ConfigureRequest, table: options.OptionTable,
           builtins: Sequence[options.MesonOption], prober: Prober, log: list[str] | None = None) -> Configuration:
    """Run every deciding stage; write nothing.

    What the machine says comes from ``prober`` (:class:`MachineProber` in a real run): the
    compiler's macros, its sanity check and the probes.  Besides that, decide() reads the source
    tree and, for ``--python``, asks that interpreter which one it is.  ``log`` receives the
    compiler's and the probes' logs, for config.log.
    """
    log = [] if log is None else log
    toolchain = select_toolchain(
        cross_prefix=request.cross_prefix, cc=request.cc, cxx=request.cxx, objcc=request.objcc,
        host_cc=request.host_cc, extra_cflags=request.extra_cflags, extra_cxxflags=request.extra_cxxflags,
        extra_objcflags=request.extra_objcflags, extra_ldflags=request.extra_ldflags, environ=env.environ,
    )
    start_early = getattr(prober, "start", None)     # MachineProber's: what needs no compiler, begun now
    if start_early is not None:
        start_early(toolchain, [gdb_probe_for(early_gdb_option(table, builtins, request))])
    host = host_from_macros(prober.predefined_macros(toolchain), cpu_override=request.cpu,
                            compiler=" ".join(toolchain.cc))
    if host.pointer_size < 8:
        raise UserError(f"QEMU requires a 64-bit CPU host architecture (the compiler targets {host.cpu})",
                        "use a 64-bit compiler, or --cross-prefix for a 64-bit host")
    if host.os == "windows":   # array options split on ';' there, as QEMU's configure does
        request = options.parse_configure_args(request.argv, table, builtins, windows_host=True)
    resolved = options.resolve_values(table, builtins, request)
    explicit = frozenset(resolved.explicit)
    values = apply_host_defaults(resolved, explicit, host)
    if toolchain.cross and "libdir" not in explicit:
        values["libdir"] = "lib"   # meson's default for cross builds; the native default comes from meson
    words = request.configure_words()
    selection = select_targets(available_targets(env.source_dir), request.target_list, request.target_list_exclude,
                               words=words)
    dirs = resolve_install_dirs(values)
    booleans, warnings = decide_boolean_options(values, explicit, dirs)
    if request.python is not None:
        unused = bootstrap.python_not_used(request.python, env.environ)
        if unused is not None:
            warnings.append(unused)
    if words[SYSTEM_WORD] == "disabled" and request.target_list is None:
        warnings.append(SYSTEM_DISABLED)
    installing = InstallContext(host, toolchain.cross_prefix, build_triplet(),
                                pkg_config=pkg_config_program(toolchain.cross_prefix, env.environ),
                                pkg_config_from_env=bool(env.environ.get("PKG_CONFIG")))
    fctx = FeatureContext(values=values, explicit=explicit, host=host,
                          static=request.static or values.get("prefer_static") is True,
                          without_default_features=not request.default_features, words=words, install=installing)
    wanted, required = probes_needed(fctx)
    gdb_option = str(values.get("gdb") or request.gdb or "")
    gdb_probe = gdb_probe_for(gdb_option)
    asked: list[Probe] = [*wanted, WARNING_FLAGS_PROBE, PATH_MAP_PROBE, gdb_probe]   # the report's order
    # The longest chains of processes (compiles of the flags, two gdb runs) start first.
    # The compiler's sanity check runs beside the probes; a compiler that fails it is the error
    # reported, whatever else failed.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="compiler-check") as checker:
        checking = checker.submit(prober.check_compiler, toolchain, host.cpu_cflags)
        try:
            outcomes = prober.run(toolchain, host, [WARNING_FLAGS_PROBE, gdb_probe, PATH_MAP_PROBE, *wanted],
                                  required, static=fctx.static)
        except BaseException:
            checking.result()
            raise
        checked = checking.result()
    if checked is not None:
        log.append(checked)
    refuse_build_machine_packages(installing, outcomes.values())
    features, feature_warnings = decide_features(fctx, outcomes)
    reported = [p for p in dict.fromkeys(u for a in asked for u in (*a.depends_on(), a)) if p in outcomes]
    for outcome in (outcomes[p] for p in reported):
        log.append(f"# {outcome.probe.describe()}: {'YES' if outcome.ok else 'NO'} {outcome.detail}"
                   f"{' (cached)' if outcome.cached else ''}\n{outcome.log}")
    decided = {d.name: d for d in features}
    accel_features = {a.feature for a in ACCELERATORS}
    plan = assign_accelerators(selection, [n for n in accel_features if decided[n].enabled], host,
                               fdt=decided[FDT_FEATURE])
    kconfig_symbols = host_kconfig(features, host)
    # The option, where the table declares it (-Ddefault_devices sets it too); else --with(out)-default-devices.
    default_devices = bool(values.get("default_devices", request.default_devices))
    devices = solve_devices(env.source_dir, plan.configured, kconfig_symbols, default_devices=default_devices,
                            devices=dict(request.devices))
    solved = {d.target: d for d in devices}
    keys = {t.name: config_target(t, host) for t in plan.configured}
    sources = plan_sources(env.source_dir, {d.name: d.enabled for d in features},
                           [(t.name, keys[t.name]["TARGET_BASE_ARCH"],
                             {**keys[t.name], **{sym: "y" for sym in solved[t.name].enabled}})
                            for t in plan.configured])
    linked = {s.target: s for s in sources.targets}
    records = tuple(TargetRecord(t, tuple(keys[t.name].items()), solved[t.name], linked[t.name])
                    for t in plan.configured)
    flags = outcomes[WARNING_FLAGS_PROBE]
    gdb = _usable_gdb(outcomes[gdb_probe], warnings, explicit=bool(gdb_option))
    return Configuration(
        env=env, request=request, values=values, project_options=frozenset(o.name for o in table.options),
        host=host, toolchain=toolchain, static=fctx.static, default_devices=default_devices, dirs=dirs,
        features=booleans + features,
        probes=tuple(outcomes[p] for p in reported),
        warning_flags=tuple(flags.value or ()),  # type: ignore[arg-type]
        path_map_flags=_path_map_flags(outcomes[PATH_MAP_PROBE]),
        python_dir=python_module_dir(dirs, str(values.get("python_sitedir") or ""), env.python_platlib,
                                     env.python_site_dirs),
        gdb=gdb, plan=plan, targets=records, host_kconfig=kconfig_symbols, sources=sources,
        python_extension=not toolchain.cross, version=_read_version(env.source_dir),
        warnings=tuple(warnings + feature_warnings + list(plan.warnings)),
        consulted=ConsultedInputs(*prober.consulted()),
    )


def _path_map_flags(outcome: ProbeOutcome) -> tuple[str, ...]:
    """The path-mapping flags to use (rules.PATH_MAP_FLAG, else the fallbacks this compiler has), by name."""
    answered: tuple[str, ...] = outcome.value or ()  # type: ignore[assignment]
    supported = {flag.removesuffix("=" + PATH_MAP_PLACEHOLDER) for flag in answered}
    if PATH_MAP_FLAG in supported:
        return (PATH_MAP_FLAG,)
    return tuple(flag for flag in PATH_MAP_FALLBACKS if flag in supported)


def probe_cache(request: options.ConfigureRequest, environ: Mapping[str, str]) -> ProbeCache:
    """The user's probe cache, as this run asks for it: emptied first (--clear-cache), or ignored (--no-cache)."""
    cache = ProbeCache(default_cache_dir(environ), enabled=not request.no_cache)
    if request.clear_cache:
        cache.clear()
    return cache


def _usable_gdb(outcome: ProbeOutcome, warnings: list[str], *, explicit: bool) -> Gdb:
    """QEMU's rule: a gdb older than 9.1 is not used."""
    if not outcome.ok:
        if explicit:
            warnings.append(f"--gdb: {outcome.detail}; the TCG tests will run without gdb")
        return Gdb()
    path, arches = outcome.value  # type: ignore[misc]
    if not version_compare(outcome.version or "0", f">={GDB_MINIMUM_VERSION}"):
        warnings.append(f"{path} is gdb {outcome.version}, older than {GDB_MINIMUM_VERSION}: not used")
        return Gdb()
    return Gdb(str(path), tuple(arches))


# --- meson ---------------------------------------------------------------

def meson_setup_args(config: Configuration) -> list[str]:
    """Arguments of ``meson setup``: machine files, directory options, and the -D options meson owns.

    Project options (meson_options.txt) are the engine's: it has resolved them into
    the files meson.build reads, so they are not passed again.
    """
    args: list[str] = []
    if config.toolchain.cross:
        args += ["--native-file", "config-meson.native", "--cross-file", "config-meson.cross"]
    else:
        args += ["--native-file", "config-meson.cross"]
    for name in DIRECTORY_OPTIONS:
        args.append(f"-D{name}={config.values[name]}")
    passed: dict[str, str] = {}
    for name, value in config.request.assignments:
        if name not in config.project_options and name not in DIRECTORY_OPTIONS:
            passed[name] = value
    args += [f"-D{name}={value}" for name, value in passed.items()]
    return args


def _meson_stamp(config: Configuration, args: Sequence[str]) -> str:
    build = config.env.build_dir
    digest = hashlib.sha256()
    for part in (*config.env.meson, *args, str(config.env.source_dir), bootstrap.MESON_VERSION):
        digest.update(part.encode() + b"\0")
    for name in ("config-meson.cross", "config-meson.native"):
        path = build / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest() + "\n"


STAMP = Path("meson-private") / "qemu-config-setup.stamp"


def run_meson_setup(config: Configuration) -> tuple[bool, float]:
    """``meson setup`` unless the build dir is already set up with the same inputs."""
    build = config.env.build_dir
    args = meson_setup_args(config)
    stamp = _meson_stamp(config, args)
    stamp_path = build / STAMP
    if (build / "build.ninja").exists() and stamp_path.exists() and stamp_path.read_text() == stamp:
        return False, 0.0
    cmd = [*config.env.meson, "setup", *args, str(build), str(config.env.source_dir)]
    environ = dict(config.env.environ)
    environ["NINJA"] = config.env.ninja
    start = time.monotonic()
    with _meson_state_kept(build):
        try:
            proc = processes.run("meson setup", cmd, what="setting up the build directory", cwd=build, env=environ)
        except OSError as exc:
            raise UserError(f"meson setup could not be run: {exc.strerror or exc}",
                            "run configure again; if it fails again, remove the build directory's pyvenv") from None
        seconds = time.monotonic() - start
        with open(build / "config.log", "a", encoding="utf-8") as logf:
            logf.write(f"\n# meson setup ({seconds:.1f} s)\n$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
        if proc.returncode != 0:
            tail = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()][-6:]
            raise UserError("meson setup failed", *tail, "see meson-logs/meson-log.txt in the build directory")
    try:
        stamp_path.write_text(stamp)
    except OSError:
        stamp_path.unlink(missing_ok=True)    # the next run sets meson up again: only slower
    return True, seconds


# meson's own state in the build directory: set aside while meson setup runs, put back if it fails.
MESON_STATE = ("meson-private", "meson-info", "meson-logs")
MESON_STATE_ASIDE = ".qemu-config-meson-state"


@contextmanager
def _meson_state_kept(build: Path) -> Iterator[None]:
    """meson setup starts without the state of the last one (MESON_STATE), which is moved aside; if it
    fails (or runs over its time) what it wrote is removed and the old state put back, so that the
    build directory builds as it did.  What a killed run left aside is removed first."""
    aside = build / MESON_STATE_ASIDE
    shutil.rmtree(aside, ignore_errors=True)
    aside.mkdir()
    for sub in MESON_STATE:
        if (build / sub).exists():
            os.rename(build / sub, aside / sub)
    try:
        yield
    except BaseException:
        for sub in MESON_STATE:
            shutil.rmtree(build / sub, ignore_errors=True)
            if (aside / sub).exists():
                os.rename(aside / sub, build / sub)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


# --- the whole run ---------------------------------------------------------

def configure(argv: Sequence[str], *, source_dir: Path, build_dir: Path,
              environ: Mapping[str, str] | None = None) -> ConfigureOutcome | str:
    """Run configure.  Returns the outcome, or a text to print (help, version) and exit 0."""
    environ = dict(os.environ if environ is None else environ)
    source_dir = source_dir.resolve()
    build_dir = build_dir.resolve()
    for what, path in (("source", source_dir), ("build", build_dir)):
        char = unsafe_path_character(str(path))
        if char is not None:
            raise UserError(f"the {what} directory cannot contain {char!r}: spaces, colons, quotes and shell and "
                            "make special characters break the scripts configure writes",
                            f"the path: {path}", "move it to a path without them (QEMU's configure refuses them too)")
    table = options.load_option_table(source_dir)
    # The engine's packages first: parsing an option spelling the table lacks
    # (--prefix=, --enable-lto), --help and every later stage ask meson for its
    # builtin options.  Nothing to do, and no network, when they are present.
    bootstrap.install_missing(purpose="--help lists meson's builtin options" if _asks_help(argv) else None)
    request = options.parse_configure_args(argv, table)
    _require_utf8_environment(environ)
    processes.timeout_for("compiler", environ)      # a malformed QEMU_CONFIG_TIMEOUTS is refused first
    if request.show_version:
        return _read_version(source_dir) + "\n"
    builtins = options.builtin_options()
    if request.show_help:
        return options.render_configure_help(
            table, builtins,
            available_targets=[t.name for t in available_targets(source_dir)],
            cross_prefix=request.cross_prefix or "", cc=request.cc or "cc",
            host_cc=request.host_cc or "cc", static=request.static, cpu=request.cpu or "")
    start_compiling_templates()   # while the probes wait for the compiler
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="find-ninja") as finder:
        finding_ninja = finder.submit(bootstrap.find_ninja, request.ninja)    # nothing decided needs it
        return _configure(argv, request, table, builtins, source_dir, build_dir, environ, finding_ninja)


def _configure(argv: Sequence[str], request: options.ConfigureRequest, table: options.OptionTable,
               builtins: Sequence[options.MesonOption], source_dir: Path, build_dir: Path,
               environ: dict[str, str], finding_ninja: Future[str | None]) -> ConfigureOutcome:
    """Decide, write, run meson setup: configure() once it knows the run is a configure."""
    venv_bin = Path(sys.prefix) / "bin"
    if sys.prefix != sys.base_prefix and venv_bin.is_dir():
        meson: tuple[str, ...] = (str(bootstrap.ensure_meson_script(Path(sys.prefix))),)
        if Path(sys.prefix).resolve() == build_dir / "pyvenv":   # the build's own venv, never a user's
            bootstrap.ensure_engine_script(Path(sys.prefix), source_dir)
    else:
        meson = tuple(bootstrap.meson_command())
    platlib, site_dirs = bootstrap.python_install_paths()
    env = Environment(source_dir=source_dir, build_dir=build_dir, python=sys.executable,
                      meson=meson, ninja=NINJA_BEING_FOUND, environ=environ, python_platlib=platlib,
                      python_site_dirs=site_dirs)
    log: list[str] = []
    cache = probe_cache(request, environ)
    config = with_ninja(decide(env, request, table, builtins, MachineProber(environ, cache), log), finding_ninja)
    log.extend(f"# {line}\n" for line in cache.problems())
    files = outputs.build_outputs(config, argv)
    written = [*files, OutputFile("config.log", _config_log(argv, log))]     # together: all or none
    previous = {f.path: _read_or_none(build_dir / f.path) for f in written}
    changed = write_outputs(build_dir, written)
    try:
        meson_ran, seconds = run_meson_setup(config)
    except UserError:
        _restore(build_dir, changed, previous)
        raise
    _record_fingerprint(config, argv, [f.path for f in files])
    return ConfigureOutcome(configuration=config, changed=tuple(changed), meson_ran=meson_ran,
                            meson_seconds=seconds, log=tuple(log))


# Environment.ninja while deciding: ninja is found beside it (``ninja --version`` is a process of its
# own) and set by with_ninja() before anything written names it.
NINJA_BEING_FOUND = ""


def with_ninja(config: Configuration, finding_ninja: Future[str | None]) -> Configuration:
    """``config`` with the ninja bootstrap.find_ninja() found; "Cannot find Ninja" when there is none."""
    ninja = finding_ninja.result()
    if ninja is None:
        raise UserError("Cannot find Ninja", "install it (Debian: apt-get install ninja-build) or use --ninja=PATH")
    return replace(config, env=replace(config.env, ninja=ninja))


def _require_utf8_environment(environ: Mapping[str, str]) -> None:
    """The variables config.status replays must be UTF-8 text: it is a UTF-8 script."""
    for name in RECORDED_ENVIRONMENT:
        byte = non_utf8_byte(environ.get(name, ""))
        if byte is not None:
            raise UserError(f"the environment variable {name} is not UTF-8 text (byte 0x{byte:02x})",
                            f"set {name} in UTF-8, or unset it, and run configure again")


def _asks_help(argv: Sequence[str]) -> bool:
    return any(arg in ("--help", "-h") for arg in argv)


def _record_fingerprint(config: Configuration, argv: Sequence[str], outputs: Sequence[str]) -> None:
    consulted = config.consulted
    env = config.env
    data = fingerprint.compute(
        argv=argv, environ=env.environ, source_dir=env.source_dir, build_dir=env.build_dir,
        programs=[*consulted.programs, env.ninja, env.python, *env.meson[:1]],
        dirs=consulted.directories, files=[*consulted.files, str(env.build_dir / STAMP)], outputs=outputs)
    try:
        write_if_changed(env.build_dir / fingerprint.FINGERPRINT, fingerprint.render(data))
    except OSError:
        pass    # without it the next run is a whole run, not a no-op: nothing is wrong, only slower


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _restore(build_dir: Path, changed: Sequence[str], previous: Mapping[str, bytes | None]) -> None:
    """Put back what the outputs were before this run (after meson setup failed)."""
    back = [(build_dir / rel, old, (build_dir / rel).stat().st_mode & 0o7777)
            for rel in changed if (old := previous.get(rel)) is not None]
    for rel in changed:
        if previous.get(rel) is None:
            (build_dir / rel).unlink(missing_ok=True)
    try:
        write_all_atomic(back)
    except OSError as exc:
        raise UserError(f"meson setup failed, and the earlier configuration could not be put back: "
                        f"{exc.strerror or exc}", "make room in the build directory and run configure again") from None


def _config_log(argv: Sequence[str], log: Sequence[str]) -> str:
    """config.log as configure writes it (meson setup's output is appended later)."""
    return "# qemu-config configure log\n# Configured with: " + " ".join(
        json.dumps(a) for a in ["configure", *argv]) + "\n\n" + "\n".join(log) + "\n"
