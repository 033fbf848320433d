"""The probe engine: what the machine has.

Owns the probe *kinds* the project's declarations use (a pkg-config package, a
link test, a function, a header, a library, a program, compiler flags, gdb).
Each kind owns what it depends on (``depends_on``), what its answer depends
on (``key``, for the cache), how it is answered (``run``, through
:mod:`qemu_config.pkgconfig` and the checks of :mod:`qemu_config.toolchain`)
and which programs it looked at (``consulted``, for the no-op re-run), all
given a :class:`ProbeInputs`.  :class:`ProbeRunner` knows no kind by name: it
runs every probe once, as one pool in which a probe starts as soon as the
probes it depends on are answered, and caches the outcomes in
:mod:`qemu_config.cache`.  Knows no feature: :mod:`qemu_config.rules` says what
to probe, :mod:`qemu_config.features` decides from the outcomes.

Also owns :class:`Prober`, everything the deciding stages learn from the
machine (the compiler's predefined macros, whether it works, the probes'
outcomes), and its one implementation, :class:`MachineProber`, which asks the
machine; a test answers from recorded outcomes instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol, Sequence, Union

from . import pkgconfig, processes, toolchain as tc_mod
from .cache import ProbeCache, Schema, make_key
from .errors import UserError
from .processes import ProcessTimeout
from .host import HostMachine
from .pkgconfig import PkgConfigTool
from .remedies import build_triplet, debian_arch, missing_compiler
from .toolchain import Toolchain

# --- what a probe is given ------------------------------------------------------

SystemDirs = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Consulted:
    """Programs, directories and files an answer depends on, for the no-op re-run check."""

    programs: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def __add__(self, other: "Consulted") -> "Consulted":
        return Consulted(self.programs + other.programs, self.dirs + other.dirs, self.files + other.files)


@dataclass(frozen=True)
class ProbeInputs:
    """Everything a probe kind's ``key()`` and ``run()`` may consult besides the probe itself."""

    toolchain: Toolchain
    host: HostMachine | None         # None for a probe started before the host is known (MachineProber.start)
    environ: Mapping[str, str]
    static: bool
    pkg_tool: PkgConfigTool | None
    dependencies: Mapping["Probe", "ProbeOutcome"]     # the outcomes of the probe's depends_on()
    system_dirs: Callable[[], SystemDirs]              # the compiler's search directories with their mtimes
    workdir: Path | None = None                        # a private scratch directory (for run() only)

    def compiler_identity(self) -> tuple[str, ...]:
        return tc_mod.compiler_identity(self.toolchain)

    @property
    def scratch(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("a probe ran without a scratch directory")
        return self.workdir

    def which(self, name: str) -> str | None:
        return shutil.which(name, path=self.environ.get("PATH"))


class ProbeKind(Protocol):
    """What every probe kind implements; the runner needs nothing else."""

    def describe(self) -> str:
        """The text shown in probe lines, reasons and the report."""
        ...

    def depends_on(self) -> tuple["Probe", ...]:
        """Probes whose outcomes ``key()`` and ``run()`` read (``inputs.dependencies``)."""
        ...

    def key(self, inputs: ProbeInputs) -> str:
        """The cache key: a digest of everything that can change the answer."""
        ...

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        """Find the answer (in ``inputs.workdir``); never raises for a negative answer."""
        ...

    def consulted(self, inputs: ProbeInputs) -> Consulted:
        """What the answer depends on beyond the toolchain and pkg-config (the runner lists those)."""
        ...

    def compiles(self) -> bool:
        """Whether it runs the compiler: the runner runs at most ``jobs`` such probes at once, and the
        quick ones (a pkg-config lookup, a program's version) beside them."""
        ...

    def before_host(self) -> bool:
        """Whether it can start before the compiler is asked what it builds for (MachineProber.start)."""
        ...


class _KindDefaults:
    """What a kind has unless it says otherwise: no probe it depends on, nothing consulted of its own,
    and it runs the compiler."""

    def depends_on(self) -> tuple["Probe", ...]:
        return ()

    def compiles(self) -> bool:
        return True

    def before_host(self) -> bool:
        return False

    def consulted(self, inputs: ProbeInputs) -> Consulted:
        return Consulted()


# In a static build (--static) every link test links with these, so that a dependency whose
# libraries exist only as shared objects is found missing by configure, not by the final link.
STATIC_LINK_ARGS: tuple[str, ...] = ("-static",)
_EMPTY_MAIN = "int main(void) { return 0; }\n"

_PKG_ENV = ("PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR")


def _compiler_question_key(probe: object, inputs: ProbeInputs) -> str:
    """The key of a question only the compiler and its search directories answer."""
    return make_key(type(probe).__name__, probe, inputs.compiler_identity(), inputs.static, inputs.system_dirs())


def _found(probe: "Probe", ok: bool, what: str, log: str) -> "ProbeOutcome":
    return ProbeOutcome(probe, ok, "found" if ok else "missing", f"{what} {'found' if ok else 'not found'}", log=log)


# --- what can be probed ------------------------------------------------------


@dataclass(frozen=True)
class PkgConfigProbe(_KindDefaults):
    """A pkg-config package, optionally with version constraints (meson syntax: '>=1.1.0')."""

    package: str
    constraints: tuple[str, ...] = ()
    # Looked up only when this package was found: one of a set that is used whole or not at all (Xen's
    # libraries), so that a machine without the first starts no pkg-config for the others.
    after: "PkgConfigProbe | None" = None

    def compiles(self) -> bool:
        return False       # a few quick pkg-config runs (and, in a static build, one link)

    def describe(self) -> str:
        return " ".join(("pkg-config", self.package, *self.constraints))

    def depends_on(self) -> tuple["Probe", ...]:
        return (self.after,) if self.after is not None else ()

    def _not_looked_up(self, inputs: ProbeInputs) -> "ProbeOutcome | None":
        if self.after is None or inputs.dependencies[self.after].ok:
            return None
        return ProbeOutcome(self, False, "skipped", f"not looked up: {self.after.package} was not found")

    def key(self, inputs: ProbeInputs) -> str:
        if self._not_looked_up(inputs) is not None:
            return make_key("pkg-not-looked-up", self.package, self.constraints, self.after.package)
        # static: the answer also depends on the archives the compiler finds (the static link test)
        linker = (inputs.compiler_identity(), inputs.system_dirs()) if inputs.static else ()
        arch = debian_arch(inputs.host)   # and on whose machine's packages a cross build refuses
        machines = (arch.triplet if arch else inputs.host.os, build_triplet()) if inputs.toolchain.cross else ()
        return make_key("pkg", self.package, self.constraints, inputs.static, linker, machines,
                        pkgconfig.cache_identity(inputs.pkg_tool, self.package, inputs.environ,
                                                 inputs.toolchain.cross_prefix))

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        skipped = self._not_looked_up(inputs)
        if skipped is not None:
            return skipped
        tc = inputs.toolchain
        found = pkgconfig.lookup(inputs.pkg_tool, self.package, self.constraints, environ=inputs.environ,
                                 static=inputs.static, cross_prefix=tc.cross_prefix)
        arch = debian_arch(inputs.host)
        leak = pkgconfig.build_machine_leak(inputs.pkg_tool, found, tc.cross_prefix, arch.triplet if arch else None,
                                            build_triplet(), inputs.environ)
        if leak is not None:   # configure refuses it (configure.refuse_build_machine_packages)
            return ProbeOutcome(self, False, "build-machine", leak, found.version, found.pc_file,
                                found.cflags, found.libs, log=found.log + f"refused: {leak}\n")
        if found.status == "found" and inputs.static:
            # --static: the package is usable only if its libraries link statically (archives exist)
            test = tc_mod.Links(_EMPTY_MAIN, found.cflags, (*found.libs, *STATIC_LINK_ARGS),
                                title=f"{self.package} linked statically").run(tc, inputs.scratch)
            if not test.ok:
                return ProbeOutcome(self, False, "no-static",
                                    f"{self.package} {found.version}, but its libraries do not link statically"
                                    f" ({' '.join(found.libs)} with -static)", found.version, found.pc_file,
                                    found.cflags, found.libs, log=found.log + test.log)
        return ProbeOutcome(self, found.status == "found", found.status, found.detail, found.version,
                            found.pc_file, found.cflags, found.libs, log=found.log)


@dataclass(frozen=True)
class LinkProbe(_KindDefaults):
    """Compile and link a test program, with the cflags and libs of the pkg-config packages it uses."""

    title: str
    source: str
    uses: tuple[PkgConfigProbe, ...] = ()
    link_args: tuple[str, ...] = ()
    needs: str = ""          # what a failure usually means, for the reason ("glib-2.0 >= 2.68")
    language: str = "c"      # "c", or "objc" (compiled with the Objective-C compiler)
    compile_args: tuple[str, ...] = ()   # flags under test (e.g. -fPIE), for the compile and the link

    def label(self) -> str:
        """The test's name, with the flags it is about when it tests flags."""
        flags = f" ({' '.join(self.compile_args + self.link_args)})" if self.compile_args else ""
        return f'link test "{self.title}"{flags}'

    def describe(self) -> str:
        against = f" against {', '.join(p.package for p in self.uses)}" if self.uses else ""
        return self.label() + against

    def depends_on(self) -> tuple["Probe", ...]:
        return self.uses

    def key(self, inputs: ProbeInputs) -> str:
        used = [inputs.dependencies[p].as_cache() for p in self.uses if p in inputs.dependencies]
        env = {k: inputs.environ.get(k) for k in _PKG_ENV}
        return make_key("link", self.source, self.compile_args, self.link_args, self.language, used,
                        inputs.compiler_identity(), env, inputs.static, inputs.system_dirs())

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        if self.language == "objc":
            return self._objc_link(inputs)
        args: list[str] = []
        libs: list[str] = list(self.link_args)
        for used in self.uses:
            dep = inputs.dependencies[used]
            if not dep.ok:
                return ProbeOutcome(self, False, "skipped", f"{used.package} not available: {dep.detail}")
            args += dep.cflags
            libs += dep.libs
        if inputs.static and not any(arg.startswith("-static") for arg in libs):
            libs += STATIC_LINK_ARGS
        res = tc_mod.Links(self.source, (*self.compile_args, *args), tuple(libs)).run(inputs.toolchain, inputs.scratch)
        return ProbeOutcome(self, res.ok, "found" if res.ok else "failed",
                            "links" if res.ok else "does not link", log=res.log)

    def _objc_link(self, inputs: ProbeInputs) -> "ProbeOutcome":
        tc, workdir = inputs.toolchain, inputs.scratch
        src = workdir / "probe.m"
        src.write_text(self.source, encoding="utf-8")
        cmd = [*tc.objc, *tc.objcflags, "-x", "objective-c", "-o", str(workdir / "probe"), str(src), *tc.ldflags]
        try:
            proc = processes.run("compiler", cmd, what="an Objective-C link test")
            ok, out = proc.returncode == 0, proc.stdout + proc.stderr
        except OSError as exc:
            ok, out = False, f"{exc}\n"
        log = f"$ {' '.join(cmd)}\n{out}--- probe.m\n{self.source}"
        detail = f"{' '.join(tc.objc)} works" if ok else f"{' '.join(tc.objc)} cannot build Objective-C"
        return ProbeOutcome(self, ok, "found" if ok else "failed", detail,
                            value=" ".join(tc.objc) if ok else None, log=log)


@dataclass(frozen=True)
class FunctionProbe(_KindDefaults):
    """meson's cc.has_function(name, prefix: prefix)."""

    name: str
    prefix: str = ""

    def describe(self) -> str:
        return f"has_function {self.name}"

    def key(self, inputs: ProbeInputs) -> str:
        return _compiler_question_key(self, inputs)

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        res = tc_mod.HasFunction(self.name, self.prefix).run(inputs.toolchain, inputs.scratch)
        return _found(self, res.ok, self.name, res.log)


@dataclass(frozen=True)
class HeaderProbe(_KindDefaults):
    """meson's cc.has_header(header)."""

    header: str

    def describe(self) -> str:
        return f"has_header {self.header}"

    def key(self, inputs: ProbeInputs) -> str:
        return _compiler_question_key(self, inputs)

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        res = tc_mod.HasHeader(self.header).run(inputs.toolchain, inputs.scratch)
        return _found(self, res.ok, self.header, res.log)


@dataclass(frozen=True)
class LibraryProbe(_KindDefaults):
    """meson's cc.find_library(name), optionally followed by a link test using it."""

    library: str
    header_test: str = ""   # a program that must also link with -l<library> (e.g. an API check)
    title: str = ""

    def describe(self) -> str:
        extra = f' + link test "{self.title}"' if self.header_test else ""
        return f"find_library {self.library}{extra}"

    def key(self, inputs: ProbeInputs) -> str:
        return _compiler_question_key(self, inputs)

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        tc, workdir = inputs.toolchain, inputs.scratch
        static_args = STATIC_LINK_ARGS if inputs.static else ()
        if self.header_test:
            # The usual case in one link: the test program with -l<library>.  When that links, so does
            # the empty program find_library links first, and the answer is the one it would give.
            plain = (f"-l{self.library}",)
            quick = tc_mod.Links(self.header_test, (), (*plain, *static_args)).run(tc, workdir)
            if quick.ok:
                return ProbeOutcome(self, True, "found", f"library {self.library} found", libs=plain, log=quick.log)
        res = tc_mod.FindLibrary(self.library, static_args).run(tc, workdir)
        if not res.ok:
            missing = f"library {self.library} not found" + (" as a static archive" if static_args else "")
            return ProbeOutcome(self, False, "missing", missing, log=res.log)
        link_args = tuple(res.value or (f"-l{self.library}",))  # type: ignore[arg-type]
        if not self.header_test:
            return ProbeOutcome(self, True, "found", f"library {self.library} found", libs=link_args, log=res.log)
        test = tc_mod.Links(self.header_test, (), (*link_args, *static_args)).run(tc, workdir)
        if not test.ok:
            return ProbeOutcome(self, False, "too-old",
                                f'library {self.library} found, but link test "{self.title}" failed',
                                libs=link_args, log=res.log + test.log)
        return ProbeOutcome(self, True, "found", f"library {self.library} found", libs=link_args,
                            log=res.log + test.log)


@dataclass(frozen=True)
class ProgramProbe(_KindDefaults):
    """A program on PATH; ``prefixed`` ones take the cross prefix (dlltool)."""

    def compiles(self) -> bool:
        return False       # a program started once or twice, no compiler

    names: tuple[str, ...]
    prefixed: bool = False
    version_args: tuple[str, ...] = ()

    def describe(self) -> str:
        return "find_program " + " | ".join(self.names)

    def program_names(self, inputs: ProbeInputs) -> tuple[str, ...]:
        prefix = (inputs.toolchain.cross_prefix or "") if self.prefixed else ""
        return tuple(prefix + n for n in self.names)

    def consulted(self, inputs: ProbeInputs) -> Consulted:
        return Consulted(programs=self.program_names(inputs))

    def key(self, inputs: ProbeInputs) -> str:
        return make_key("program", self.program_names(inputs), self.version_args, inputs.environ.get("PATH"))

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        for name in self.program_names(inputs):
            path = inputs.which(name)
            if path is None:
                continue
            version = None
            log = f"found {path}\n"
            if self.version_args:
                try:
                    out = processes.run("program", [path, *self.version_args], what=f"{name}'s version")
                    first = (out.stdout or out.stderr).splitlines()[:1]
                    version = first[0].split()[-1] if first and first[0].split() else None
                    log += out.stdout + out.stderr
                except (OSError, ProcessTimeout) as exc:    # found; its version is not needed
                    log += f"{exc}\n"
            return ProbeOutcome(self, True, "found", f"found {path}" + (f" {version}" if version else ""),
                                version=version, value=path, log=log)
        return ProbeOutcome(self, False, "missing",
                            "not found on PATH: " + ", ".join(self.program_names(inputs)))


@dataclass(frozen=True)
class FlagsProbe(_KindDefaults):
    """meson's cc.get_supported_arguments(flags); ``fallbacks`` are tested only when one of ``flags`` is not
    supported (they stand in for it), so that a compiler that has the preferred flags costs no compile more."""

    flags: tuple[str, ...]
    purpose: str = "compiler flags"      # what they are for, in the probe line
    fallbacks: tuple[str, ...] = ()

    def describe(self) -> str:
        instead = f", {len(self.fallbacks)} more if not" if self.fallbacks else ""
        return f"supported {self.purpose} ({len(self.flags)} tested{instead})"

    def key(self, inputs: ProbeInputs) -> str:
        return make_key("flags", self.flags, self.fallbacks, inputs.compiler_identity())

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        # Meson's answer (each flag on its own) from as few compiles as that answer allows.
        res = tc_mod.SupportedArguments(self.flags, batched=True).run(inputs.toolchain, inputs.scratch)
        supported: tuple[str, ...] = res.value  # type: ignore[assignment]
        log, tested = res.log, len(self.flags)
        if self.fallbacks and len(supported) < len(self.flags):
            more = tc_mod.SupportedArguments(self.fallbacks, batched=True).run(inputs.toolchain, inputs.scratch)
            supported += more.value  # type: ignore[operator]
            log, tested = log + more.log, tested + len(self.fallbacks)
        return ProbeOutcome(self, True, "found", f"{len(supported)} of {tested} flags supported",
                            value=supported, log=log)


@dataclass(frozen=True)
class GdbProbe(_KindDefaults):
    """A gdb for the TCG tests: its path, version, and the architectures it can debug."""

    def compiles(self) -> bool:
        return False       # a program started once or twice, no compiler

    def before_host(self) -> bool:
        return True        # gdb is found on PATH and asked; the host is not consulted

    candidates: tuple[str, ...]      # --gdb=PATH, or the names searched on PATH

    def describe(self) -> str:
        return "gdb " + " | ".join(self.candidates)

    def consulted(self, inputs: ProbeInputs) -> Consulted:
        return Consulted(programs=self.candidates)

    def key(self, inputs: ProbeInputs) -> str:
        stats = []
        for path in (inputs.which(c) for c in self.candidates):
            try:
                st = os.stat(path) if path else None
                stats.append((path, st.st_mtime_ns, st.st_size) if st else None)
            except OSError:
                stats.append(None)
        return make_key("gdb", self.candidates, stats)

    def run(self, inputs: ProbeInputs) -> "ProbeOutcome":
        path = next((p for p in map(inputs.which, self.candidates) if p), None)
        if path is None:
            return ProbeOutcome(self, False, "missing", "no gdb found: " + ", ".join(self.candidates))
        log = ""
        try:
            # One run answers both questions: "show version" starts as --version does ("GNU gdb ...").
            arches_run = processes.run("gdb", [path, "-nx", "-batch", "-ex", "show version", "-ex",
                                               "set architecture", "-ex", "quit"], what="gdb's version and architectures")
            log += arches_run.stdout + arches_run.stderr
            out = arches_run
            if not arches_run.stdout.startswith("GNU gdb"):     # not a GNU gdb that says it: ask as before
                out = processes.run("gdb", [path, "--version"], what="gdb's version")
                log += out.stdout + out.stderr
            first = out.stdout.splitlines()[0] if out.stdout else ""
            version = first.split()[-1] if first.split() else ""
        except (OSError, IndexError) as exc:
            return ProbeOutcome(self, False, "failed", f"{path} does not run: {exc}", log=log)
        except ProcessTimeout as exc:      # gdb is optional: a gdb that hangs is not used
            return ProbeOutcome(self, False, "failed", f"{path} does not run: {exc.message}", log=log)
        text = arches_run.stdout + arches_run.stderr
        arches: tuple[str, ...] = ()
        if "Valid arguments are" in text:
            listed = text.split("Valid arguments are", 1)[1].strip().rstrip(".")
            arches = tuple(a.strip() for a in listed.split(",") if a.strip() and a.strip() != "auto")
        return ProbeOutcome(self, True, "found", f"{path} {version}", version=version, value=(path, arches), log=log)


Probe = Union[PkgConfigProbe, LinkProbe, FunctionProbe, HeaderProbe, LibraryProbe, ProgramProbe, FlagsProbe,
              GdbProbe]


# What a cached ProbeOutcome must hold (ProbeOutcome.as_cache); an entry that does not is a miss.
OUTCOME_SCHEMA: Schema = (("probe", str), ("ok", bool), ("status", str), ("detail", str), ("version", (str, None)),
                          ("value", (None, str, ("list", (str, ("list", str))))), ("cflags", ("list", str)),
                          ("libs", ("list", str)))
MACROS_SCHEMA: Schema = (("macros", ("dict", str)),)
SYSTEM_DIRS_SCHEMA: Schema = (("dirs", ("list", str)),)
COMPILER_WORKS_SCHEMA: Schema = (("ok", bool),)


@dataclass(frozen=True)
class ProbeOutcome:
    """What one probe found."""

    probe: Probe
    ok: bool
    status: str                 # found | missing | too-old | wrong-version | no-pkg-config | build-machine | failed | skipped
    detail: str                 # one line for humans
    version: str | None = None
    value: object = None        # program path, supported flags, ...
    cflags: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()
    cached: bool = False
    log: str = field(default="", compare=False, repr=False)

    def as_cache(self) -> dict[str, object]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"probe": self.probe.describe(), "ok": self.ok, "status": self.status, "detail": self.detail, "version": self.version,
                "value": value, "cflags": list(self.cflags), "libs": list(self.libs)}

    @classmethod
    def from_cache(cls, probe: Probe, data: Mapping[str, object]) -> "ProbeOutcome":
        value = data.get("value")
        """An outcome from a cache entry that follows :data:`OUTCOME_SCHEMA`."""
        version = data["version"]
        return cls(probe=probe, ok=data["ok"] is True, status=str(data["status"]), detail=str(data["detail"]),
                   version=None if version is None else str(version),
                   value=tuple(value) if isinstance(value, list) else value,
                   cflags=tuple(data["cflags"]), libs=tuple(data["libs"]),  # type: ignore[arg-type]
                   cached=True, log="(cached)\n")


@dataclass(frozen=True)
class ProbeContext:
    toolchain: Toolchain
    host: HostMachine
    environ: Mapping[str, str]
    cache: ProbeCache
    static: bool = False


# --- running ----------------------------------------------------------------


class _SystemDirs:
    """The compiler's default include and library directories with their mtimes, found once per runner.

    Installing or removing a header or library (a -dev package) changes the mtime
    of the directory it lands in, so a cached link test is not trusted after it.
    The directory list itself is cached per compiler.
    """

    def __init__(self, toolchain: Toolchain, cache: ProbeCache) -> None:
        self._toolchain = toolchain
        self._cache = cache
        self._lock = threading.Lock()
        self._stamps: SystemDirs | None = None

    def __call__(self) -> SystemDirs:
        with self._lock:
            if self._stamps is None:
                key = make_key("system-dirs", tc_mod.compiler_identity(self._toolchain))
                hit = self._cache.get(key, SYSTEM_DIRS_SCHEMA)
                dirs = hit["dirs"] if hit else None
                if not isinstance(dirs, list):
                    dirs = tc_mod.search_dirs(self._toolchain)
                    self._cache.put(key, {"dirs": dirs})
                stamps = []
                for d in dirs:
                    try:
                        stamps.append((str(d), os.stat(d).st_mtime_ns))
                    except OSError:
                        stamps.append((str(d), -1))
                self._stamps = tuple(stamps)
            return self._stamps


def cached_or_run(cache: ProbeCache, probe: Probe, inputs: ProbeInputs, required: bool) -> ProbeOutcome:
    """The cached outcome of ``probe``, or its run (in a scratch directory of its own), then cached."""
    key = probe.key(inputs)
    hit = cache.get(key, OUTCOME_SCHEMA)
    if hit is not None:
        outcome = ProbeOutcome.from_cache(probe, hit)
        # A dependency the user asked for is never refused on the strength of the cache.
        if outcome.ok or not required:
            return outcome
    with tempfile.TemporaryDirectory(prefix="qemu-config-probe-") as tmp:
        try:
            outcome = probe.run(replace(inputs, workdir=Path(tmp)))
        except ProcessTimeout as exc:
            raise ProcessTimeout(f"probing {probe.describe()}: {exc.message}", *exc.details) from None
    cache.put(key, outcome.as_cache())
    return outcome


class ProbeRunner:
    """Runs the probes of one configure, each once, in one pool ordered by what depends on what."""

    def __init__(self, ctx: ProbeContext, jobs: int | None = None, *,
                 pkg_tool: "Future[PkgConfigTool | None] | None" = None,
                 started: Mapping[Probe, "Future[ProbeOutcome]"] | None = None) -> None:
        """``pkg_tool``: pkg-config being found already; ``started``: probes already running (they
        depend on nothing and run no compiler), whose answers this runner takes instead of running them."""
        self.ctx = ctx
        self.jobs = jobs or max(2, min(8, (os.cpu_count() or 2) * 2))
        self.pkg_tool = pkg_tool.result() if pkg_tool is not None else \
            pkgconfig.find_pkg_config(ctx.toolchain.cross_prefix, ctx.environ)
        self._started = dict(started or {})
        self._outcomes: dict[Probe, ProbeOutcome] = {}
        self.system_dirs = _SystemDirs(ctx.toolchain, ctx.cache)

    def _inputs(self, probe: Probe) -> ProbeInputs:
        return ProbeInputs(toolchain=self.ctx.toolchain, host=self.ctx.host, environ=self.ctx.environ,
                           static=self.ctx.static, pkg_tool=self.pkg_tool,
                           dependencies={p: self._outcomes[p] for p in probe.depends_on() if p in self._outcomes},
                           system_dirs=self.system_dirs)

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(programs, directories, files) the probes depended on, for the no-op re-run check."""
        tc = self.ctx.toolchain
        seen = Consulted(programs=(tc.cc[0], tc.objc[0], tc.host_cc[0]))
        if self.pkg_tool is not None:
            seen += Consulted(programs=(self.pkg_tool.path,))
        for probe in self._outcomes:
            seen += probe.consulted(self._inputs(probe))
        dirs = [d for d, _ in self.system_dirs()]
        for flag in (*tc.cflags, *tc.ldflags):
            if flag.startswith(("-I", "-L")) and len(flag) > 2:
                dirs.append(flag[2:])
        files: list[str] = []
        for d in pkgconfig.search_path(self.pkg_tool, self.ctx.environ) if self.pkg_tool else ():
            dirs.append(d)
            try:
                files += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".pc"))
            except OSError:
                pass
        seen += Consulted(dirs=tuple(dirs), files=tuple(files))
        return seen.programs, seen.dirs, seen.files

    def _cached_or_run(self, probe: Probe, inputs: ProbeInputs, required: bool) -> ProbeOutcome:
        return cached_or_run(self.ctx.cache, probe, inputs, required)

    def run(self, probes: Iterable[Probe], required: Iterable[Probe] = ()) -> Mapping[Probe, ProbeOutcome]:
        """Run every probe once, and what it depends on first: one pool, in which a probe
        starts as soon as the probes it depends on are answered."""
        ordered: list[Probe] = []

        def add(probe: Probe, dependents: tuple[Probe, ...] = ()) -> None:
            if probe in dependents:
                raise RuntimeError("probes that depend on each other: " + ", ".join(p.describe() for p in dependents))
            for dependency in probe.depends_on():
                add(dependency, (*dependents, probe))
            ordered.append(probe)

        for probe in probes:
            add(probe)
        asked = list(dict.fromkeys(ordered))
        # The chains first: what other probes wait for (glib's pkg-config before the lookups nothing
        # waits for), then the probes that waited (the link test against glib), then the order asked.
        awaited = {d for p in asked for d in p.depends_on()}
        pending = sorted((p for p in asked if p not in self._outcomes),
                         key=lambda p: (p not in awaited, not p.depends_on()))
        must = set(required)
        with ThreadPoolExecutor(max_workers=2 * self.jobs) as pool:
            running: dict[Future[ProbeOutcome], Probe] = {}
            while pending or running:
                # No queue in the pool: a free worker takes the first pending probe (the chains
                # first, then in the order asked) whose dependencies are answered.  There is always one
                # when nothing runs: what a probe depends on comes before it.
                ready = [p for p in pending if all(d in self._outcomes for d in p.depends_on())]
                compiling = sum(1 for p in running.values() if p.compiles())
                for probe in ready:
                    if len(running) >= 2 * self.jobs:
                        break
                    if probe.compiles():
                        if compiling >= self.jobs:
                            continue
                        compiling += 1
                    pending.remove(probe)
                    early = self._started.pop(probe, None)
                    running[early or pool.submit(self._cached_or_run, probe, self._inputs(probe), probe in must)] = probe
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    self._outcomes[running.pop(future)] = future.result()
        # Answered in the order they finished; kept in the order asked (earlier runs' first).
        earlier = [p for p in self._outcomes if p not in asked]
        self._outcomes = {p: self._outcomes[p] for p in (*earlier, *asked)}
        return dict(self._outcomes)

    @property
    def outcomes(self) -> Mapping[Probe, ProbeOutcome]:
        return dict(self._outcomes)


# --- what the deciding stages ask of the machine -----------------------------


class Prober(Protocol):
    """What :func:`qemu_config.configure.decide` learns from the machine, in the order it asks.

    :class:`MachineProber` asks the machine.  Anything else that answers these
    questions (a table of recorded outcomes, in the tests) lets ``decide()``
    decide a whole configuration without running a program.
    """

    def predefined_macros(self, toolchain: Toolchain) -> Mapping[str, str]:
        """The C compiler's predefined macros (``cc CFLAGS -dM -E``), from which the host is modelled."""
        ...

    def check_compiler(self, toolchain: Toolchain, cpu_cflags: tuple[str, ...]) -> str | None:
        """Whether the compiler builds a trivial program: its log, or None when an earlier run showed
        it does.  A compiler that cannot is a UserError.  Called beside :meth:`run`, in another thread."""
        ...

    def run(self, toolchain: Toolchain, host: HostMachine, probes: Sequence[Probe], required: Sequence[Probe], *,
            static: bool) -> Mapping[Probe, ProbeOutcome]:
        """The outcome of every probe and of what it depends on, in the order asked (:meth:`ProbeRunner.run`)."""
        ...

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(programs, directories, files) the answers depended on, for the no-op re-run; after :meth:`run`."""
        ...


class MachineProber:
    """The machine's own answers: the compiler is asked and the probes are run, through the probe cache."""

    def __init__(self, environ: Mapping[str, str], cache: ProbeCache) -> None:
        self.environ = environ
        self.cache = cache
        self._runner: ProbeRunner | None = None
        self._pkg_tool: Future[PkgConfigTool | None] | None = None
        self._started: dict[Probe, Future[ProbeOutcome]] = {}

    def start(self, toolchain: Toolchain, probes: Sequence[Probe]) -> None:
        """Begin now, beside the compiler's first questions, what needs no answer of the compiler:
        finding pkg-config, and those of ``probes`` that can run before the host is known (gdb, the
        longest single run of a cold configure).  :meth:`run` takes their answers."""
        pool = ThreadPoolExecutor(max_workers=1 + len(probes), thread_name_prefix="probe-early")
        self._pkg_tool = pool.submit(pkgconfig.find_pkg_config, toolchain.cross_prefix, self.environ)
        for probe in probes:
            if probe.before_host() and not probe.depends_on():
                inputs = ProbeInputs(toolchain=toolchain, host=None, environ=self.environ, static=False,
                                     pkg_tool=None, dependencies={}, system_dirs=lambda: ())
                self._started[probe] = pool.submit(cached_or_run, self.cache, probe, inputs, False)
        pool.shutdown(wait=False)

    def predefined_macros(self, toolchain: Toolchain) -> Mapping[str, str]:
        """Asked once per compiler identity and flags; the cached answer also serves the compiler checks."""
        if shutil.which(toolchain.cc[0]) is None:     # the first word, even a ccache the checks skip
            raise UserError(f'C compiler "{toolchain.cc[0]}" either does not exist or does not work',
                            missing_compiler(toolchain.cc[0]))
        key = make_key("predefined-macros", tc_mod.compiler_identity(toolchain), toolchain.cflags)
        hit = self.cache.get(key, MACROS_SCHEMA)
        known = hit["macros"] if hit else None
        macros = tc_mod.predefined_macros(toolchain.cc, toolchain.cflags,
                                          known=known if isinstance(known, dict) else None)
        if not isinstance(known, dict):
            self.cache.put(key, {"macros": macros})
        return macros

    def check_compiler(self, toolchain: Toolchain, cpu_cflags: tuple[str, ...]) -> str | None:
        key = make_key("compiler-works", tc_mod.compiler_identity(toolchain), cpu_cflags)
        hit = self.cache.get(key, COMPILER_WORKS_SCHEMA)
        if hit is not None and hit["ok"]:
            return None
        log = tc_mod.check_compiler_works(toolchain, cpu_cflags)
        self.cache.put(key, {"ok": True})
        return log

    def run(self, toolchain: Toolchain, host: HostMachine, probes: Sequence[Probe], required: Sequence[Probe], *,
            static: bool) -> Mapping[Probe, ProbeOutcome]:
        self._runner = ProbeRunner(ProbeContext(toolchain=toolchain, host=host, environ=self.environ,
                                                cache=self.cache, static=static),
                                   pkg_tool=self._pkg_tool, started=self._started)
        return self._runner.run(probes, required)

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return self._runner.consulted() if self._runner is not None else ((), (), ())


def probe_lines(outcomes: Sequence[ProbeOutcome]) -> list[str]:
    """meson-style lines: 'Checking for pkg-config pixman-1 >=0.21.8: YES 0.42.2 (cached)'."""
    lines = []
    for o in outcomes:
        answer = "YES" if o.ok else "NO"
        if o.ok:
            extra = f" {o.version}" if o.version else ""
        else:
            extra = " (not found)" if o.status == "missing" else f" ({o.detail})"
        lines.append(f"Checking for {o.probe.describe()}: {answer}{extra}{' (cached)' if o.cached else ''}")
    return lines
