"""The probe engine: what the machine has.

Owns the probe *kinds* the project's declarations use (a pkg-config package, a
link test, a function, a library, a program, compiler flags), how each is run
(through :mod:`qemu_config.pkgconfig` and the checks of
:mod:`qemu_config.toolchain`), in parallel, and cached in
:mod:`qemu_config.cache`.  Knows no feature: :mod:`qemu_config.rules` says
what to probe, :mod:`qemu_config.features` decides from the outcomes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence, Union

from . import pkgconfig, toolchain as tc_mod
from .cache import ProbeCache, make_key
from .host import HostMachine
from .toolchain import Toolchain

# --- what can be probed ------------------------------------------------------


@dataclass(frozen=True)
class PkgConfigProbe:
    """A pkg-config package, optionally with version constraints (meson syntax: '>=1.1.0')."""

    package: str
    constraints: tuple[str, ...] = ()

    def describe(self) -> str:
        return " ".join(("pkg-config", self.package, *self.constraints))


@dataclass(frozen=True)
class LinkProbe:
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


@dataclass(frozen=True)
class FunctionProbe:
    """meson's cc.has_function(name, prefix: prefix)."""

    name: str
    prefix: str = ""

    def describe(self) -> str:
        return f"has_function {self.name}"


@dataclass(frozen=True)
class HeaderProbe:
    """meson's cc.has_header(header)."""

    header: str

    def describe(self) -> str:
        return f"has_header {self.header}"


@dataclass(frozen=True)
class LibraryProbe:
    """meson's cc.find_library(name), optionally followed by a link test using it."""

    library: str
    header_test: str = ""   # a program that must also link with -l<library> (e.g. an API check)
    title: str = ""

    def describe(self) -> str:
        extra = f' + link test "{self.title}"' if self.header_test else ""
        return f"find_library {self.library}{extra}"


@dataclass(frozen=True)
class ProgramProbe:
    """A program on PATH; ``prefixed`` ones take the cross prefix (dlltool)."""

    names: tuple[str, ...]
    prefixed: bool = False
    version_args: tuple[str, ...] = ()

    def describe(self) -> str:
        return "find_program " + " | ".join(self.names)


@dataclass(frozen=True)
class FlagsProbe:
    """meson's cc.get_supported_arguments(flags)."""

    flags: tuple[str, ...]

    def describe(self) -> str:
        return f"supported compiler flags ({len(self.flags)} tested)"


@dataclass(frozen=True)
class GdbProbe:
    """A gdb for the TCG tests: its path, version, and the architectures it can debug."""

    candidates: tuple[str, ...]      # --gdb=PATH, or the names searched on PATH

    def describe(self) -> str:
        return "gdb " + " | ".join(self.candidates)


Probe = Union[PkgConfigProbe, LinkProbe, FunctionProbe, HeaderProbe, LibraryProbe, ProgramProbe, FlagsProbe,
              GdbProbe]


@dataclass(frozen=True)
class ProbeOutcome:
    """What one probe found."""

    probe: Probe
    ok: bool
    status: str                 # found | missing | too-old | wrong-version | no-pkg-config | failed | skipped
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
        return cls(probe=probe, ok=bool(data["ok"]), status=str(data["status"]), detail=str(data["detail"]),
                   version=data.get("version") if data.get("version") is None else str(data["version"]),
                   value=tuple(value) if isinstance(value, list) else value,
                   cflags=tuple(data.get("cflags") or ()), libs=tuple(data.get("libs") or ()),  # type: ignore[arg-type]
                   cached=True, log="(cached)\n")


@dataclass(frozen=True)
class ProbeContext:
    toolchain: Toolchain
    host: HostMachine
    environ: Mapping[str, str]
    cache: ProbeCache
    static: bool = False


# --- running ----------------------------------------------------------------

# In a static build (--static) every link test links with these, so that a dependency whose
# libraries exist only as shared objects is found missing by configure, not by the final link.
STATIC_LINK_ARGS: tuple[str, ...] = ("-static",)
_EMPTY_MAIN = "int main(void) { return 0; }\n"

_PKG_ENV = ("PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR")


class ProbeRunner:
    """Runs probes for one configure: pkg-config lookups first, then compiler checks, each wave in parallel."""

    def __init__(self, ctx: ProbeContext, jobs: int | None = None) -> None:
        self.ctx = ctx
        self.jobs = jobs or max(2, min(8, (os.cpu_count() or 2) * 2))
        self.pkg_tool = pkgconfig.find_pkg_config(ctx.toolchain.cross_prefix, ctx.environ)
        self._outcomes: dict[Probe, ProbeOutcome] = {}
        self._system_dirs: tuple[tuple[str, int], ...] | None = None

    # -- keys
    def _key(self, probe: Probe) -> str:
        env = {k: self.ctx.environ.get(k) for k in _PKG_ENV}
        if isinstance(probe, PkgConfigProbe):
            # static: the answer also depends on the archives the compiler finds (the static link test)
            linker = (tc_mod.compiler_identity(self.ctx.toolchain), self.system_dirs()) if self.ctx.static else ()
            return make_key("pkg", probe.package, probe.constraints, self.ctx.static, linker,
                            pkgconfig.cache_identity(self.pkg_tool, probe.package, self.ctx.environ))
        ident = tc_mod.compiler_identity(self.ctx.toolchain)
        if isinstance(probe, LinkProbe):
            used = [self._outcomes[p].as_cache() for p in probe.uses if p in self._outcomes]
            return make_key("link", probe.source, probe.compile_args, probe.link_args, probe.language, used, ident,
                            env, self.ctx.static, self.system_dirs())
        if isinstance(probe, GdbProbe):
            found = [shutil.which(c, path=self.ctx.environ.get("PATH")) for c in probe.candidates]
            stats = []
            for path in found:
                try:
                    st = os.stat(path) if path else None
                    stats.append((path, st.st_mtime_ns, st.st_size) if st else None)
                except OSError:
                    stats.append(None)
            return make_key("gdb", probe.candidates, stats)
        if isinstance(probe, ProgramProbe):
            return make_key("program", self._program_names(probe), probe.version_args, self.ctx.environ.get("PATH"))
        if isinstance(probe, FlagsProbe):
            return make_key("flags", probe.flags, ident)
        return make_key(type(probe).__name__, probe, ident, self.ctx.static, self.system_dirs())

    def system_dirs(self) -> tuple[tuple[str, int], ...]:
        """The compiler's default include and library directories with their mtimes.

        Installing or removing a header or library (a -dev package) changes the mtime
        of the directory it lands in, so a cached link test is not trusted after it.
        The directory list itself is cached per compiler.
        """
        if self._system_dirs is None:
            ident = tc_mod.compiler_identity(self.ctx.toolchain)
            key = make_key("system-dirs", ident)
            hit = self.ctx.cache.get(key)
            dirs = hit.get("dirs") if hit else None
            if not isinstance(dirs, list):
                dirs = tc_mod.search_dirs(self.ctx.toolchain)
                self.ctx.cache.put(key, {"dirs": dirs})
            stamps = []
            for d in dirs:
                try:
                    stamps.append((str(d), os.stat(d).st_mtime_ns))
                except OSError:
                    stamps.append((str(d), -1))
            self._system_dirs = tuple(stamps)
        return self._system_dirs

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(programs, directories, files) the probes depended on, for the no-op re-run check."""
        tc = self.ctx.toolchain
        programs = [tc.cc[0], tc.objc[0], tc.host_cc[0]]
        if self.pkg_tool is not None:
            programs.append(self.pkg_tool.path)
        for probe in self._outcomes:
            if isinstance(probe, GdbProbe):
                programs += probe.candidates
            elif isinstance(probe, ProgramProbe):
                programs += self._program_names(probe)
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
        return tuple(programs), tuple(dirs), tuple(files)

    def _program_names(self, probe: ProgramProbe) -> tuple[str, ...]:
        prefix = self.ctx.toolchain.cross_prefix or "" if probe.prefixed else ""
        return tuple(prefix + n for n in probe.names)

    # -- execution of one probe
    def _run_one(self, probe: Probe) -> ProbeOutcome:
        with tempfile.TemporaryDirectory(prefix="qemu-config-probe-") as tmp:
            return self._execute(probe, Path(tmp))

    def _execute(self, probe: Probe, workdir: Path) -> ProbeOutcome:
        tc = self.ctx.toolchain
        if isinstance(probe, PkgConfigProbe):
            found = pkgconfig.lookup(self.pkg_tool, probe.package, probe.constraints,
                                     environ=self.ctx.environ, static=self.ctx.static,
                                     cross_prefix=tc.cross_prefix)
            if found.status == "found" and self.ctx.static:
                # --static: the package is usable only if its libraries link statically (archives exist)
                test = tc_mod.Links(_EMPTY_MAIN, found.cflags, (*found.libs, *STATIC_LINK_ARGS),
                                    title=f"{probe.package} linked statically").run(tc, workdir)
                if not test.ok:
                    return ProbeOutcome(probe, False, "no-static",
                                        f"{probe.package} {found.version}, but its libraries do not link statically"
                                        f" ({' '.join(found.libs)} with -static)", found.version, found.pc_file,
                                        found.cflags, found.libs, log=found.log + test.log)
            return ProbeOutcome(probe, found.status == "found", found.status, found.detail, found.version,
                                found.pc_file, found.cflags, found.libs, log=found.log)
        if isinstance(probe, LinkProbe) and probe.language == "objc":
            return self._objc_link(probe, workdir)
        if isinstance(probe, LinkProbe):
            args: list[str] = []
            libs: list[str] = list(probe.link_args)
            for used in probe.uses:
                dep = self._outcomes[used]
                if not dep.ok:
                    return ProbeOutcome(probe, False, "skipped", f"{used.package} not available: {dep.detail}")
                args += dep.cflags
                libs += dep.libs
            if self.ctx.static and not any(arg.startswith("-static") for arg in libs):
                libs += STATIC_LINK_ARGS
            res = tc_mod.Links(probe.source, (*probe.compile_args, *args), tuple(libs)).run(tc, workdir)
            return ProbeOutcome(probe, res.ok, "found" if res.ok else "failed",
                                "links" if res.ok else "does not link", log=res.log)
        if isinstance(probe, FunctionProbe):
            res = tc_mod.HasFunction(probe.name, probe.prefix).run(tc, workdir)
            return ProbeOutcome(probe, res.ok, "found" if res.ok else "missing",
                                f"{probe.name} {'found' if res.ok else 'not found'}", log=res.log)
        if isinstance(probe, HeaderProbe):
            res = tc_mod.HasHeader(probe.header).run(tc, workdir)
            return ProbeOutcome(probe, res.ok, "found" if res.ok else "missing",
                                f"{probe.header} {'found' if res.ok else 'not found'}", log=res.log)
        if isinstance(probe, LibraryProbe):
            static_args = STATIC_LINK_ARGS if self.ctx.static else ()
            res = tc_mod.FindLibrary(probe.library, static_args).run(tc, workdir)
            if not res.ok:
                missing = f"library {probe.library} not found" + (" as a static archive" if static_args else "")
                return ProbeOutcome(probe, False, "missing", missing, log=res.log)
            link_args = tuple(res.value or (f"-l{probe.library}",))  # type: ignore[arg-type]
            if probe.header_test:
                test = tc_mod.Links(probe.header_test, (), (*link_args, *static_args)).run(tc, workdir)
                if not test.ok:
                    return ProbeOutcome(probe, False, "too-old",
                                        f'library {probe.library} found, but link test "{probe.title}" failed',
                                        libs=link_args, log=res.log + test.log)
                return ProbeOutcome(probe, True, "found", f"library {probe.library} found", libs=link_args,
                                    log=res.log + test.log)
            return ProbeOutcome(probe, True, "found", f"library {probe.library} found", libs=link_args, log=res.log)
        if isinstance(probe, ProgramProbe):
            for name in self._program_names(probe):
                path = shutil.which(name, path=self.ctx.environ.get("PATH"))
                if path is None:
                    continue
                version = None
                log = f"found {path}\n"
                if probe.version_args:
                    try:
                        out = subprocess.run([path, *probe.version_args], capture_output=True, text=True,
                                             timeout=60, stdin=subprocess.DEVNULL)
                        first = (out.stdout or out.stderr).splitlines()[:1]
                        version = first[0].split()[-1] if first and first[0].split() else None
                        log += out.stdout + out.stderr
                    except (OSError, subprocess.SubprocessError) as exc:
                        log += f"{exc}\n"
                return ProbeOutcome(probe, True, "found", f"found {path}" + (f" {version}" if version else ""),
                                    version=version, value=path, log=log)
            return ProbeOutcome(probe, False, "missing", "not found on PATH: " + ", ".join(self._program_names(probe)))
        if isinstance(probe, GdbProbe):
            return _probe_gdb(probe, self.ctx.environ)
        if isinstance(probe, FlagsProbe):
            # Meson's answer (each flag on its own) from as few compiles as that answer allows.
            res = tc_mod.SupportedArguments(probe.flags, batched=True).run(tc, workdir)
            supported: tuple[str, ...] = res.value  # type: ignore[assignment]
            return ProbeOutcome(probe, True, "found", f"{len(supported)} of {len(probe.flags)} flags supported",
                                value=supported, log=res.log)
        raise TypeError(f"unknown probe {probe!r}")

    def _objc_link(self, probe: LinkProbe, workdir: Path) -> ProbeOutcome:
        tc = self.ctx.toolchain
        src = workdir / "probe.m"
        src.write_text(probe.source, encoding="utf-8")
        cmd = [*tc.objc, *tc.objcflags, "-x", "objective-c", "-o", str(workdir / "probe"), str(src), *tc.ldflags]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
            ok, out = proc.returncode == 0, proc.stdout + proc.stderr
        except OSError as exc:
            ok, out = False, f"{exc}\n"
        log = f"$ {' '.join(cmd)}\n{out}--- probe.m\n{probe.source}"
        detail = f"{' '.join(tc.objc)} works" if ok else f"{' '.join(tc.objc)} cannot build Objective-C"
        return ProbeOutcome(probe, ok, "found" if ok else "failed", detail,
                            value=" ".join(tc.objc) if ok else None, log=log)

    def _cached_or_run(self, probe: Probe, required: bool) -> ProbeOutcome:
        key = self._key(probe)
        hit = self.ctx.cache.get(key)
        if hit is not None:
            outcome = ProbeOutcome.from_cache(probe, hit)
            # A dependency the user asked for is never refused on the strength of the cache.
            if outcome.ok or not required:
                return outcome
        outcome = self._run_one(probe)
        self.ctx.cache.put(key, outcome.as_cache())
        return outcome

    def run(self, probes: Iterable[Probe], required: Iterable[Probe] = ()) -> Mapping[Probe, ProbeOutcome]:
        """Run every probe once (and what it depends on), in two parallel waves."""
        wanted: list[Probe] = []
        for probe in probes:
            if isinstance(probe, LinkProbe):
                wanted.extend(probe.uses)
            wanted.append(probe)
        unique = list(dict.fromkeys(p for p in wanted if p not in self._outcomes))
        must = set(required)
        for wave in (
            [p for p in unique if isinstance(p, PkgConfigProbe)],
            [p for p in unique if not isinstance(p, PkgConfigProbe)],
        ):
            if not wave:
                continue
            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                results = list(pool.map(lambda p: self._cached_or_run(p, p in must), wave))
            for probe, outcome in zip(wave, results):
                self._outcomes[probe] = outcome
        return dict(self._outcomes)

    @property
    def outcomes(self) -> Mapping[Probe, ProbeOutcome]:
        return dict(self._outcomes)


def _probe_gdb(probe: GdbProbe, environ: Mapping[str, str]) -> ProbeOutcome:
    path = next((p for p in (shutil.which(c, path=environ.get("PATH")) for c in probe.candidates) if p), None)
    if path is None:
        return ProbeOutcome(probe, False, "missing", "no gdb found: " + ", ".join(probe.candidates))
    log = ""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        log += out.stdout + out.stderr
        first = out.stdout.splitlines()[0] if out.stdout else ""
        version = first.split()[-1] if first.split() else ""
        arches_run = subprocess.run([path, "-nx", "-batch", "-ex", "set architecture", "-ex", "quit"],
                                    capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        log += arches_run.stdout + arches_run.stderr
    except (OSError, subprocess.SubprocessError, IndexError) as exc:
        return ProbeOutcome(probe, False, "failed", f"{path} does not run: {exc}", log=log)
    text = arches_run.stdout + arches_run.stderr
    arches: tuple[str, ...] = ()
    if "Valid arguments are" in text:
        listed = text.split("Valid arguments are", 1)[1].strip().rstrip(".")
        arches = tuple(a.strip() for a in listed.split(",") if a.strip() and a.strip() != "auto")
    return ProbeOutcome(probe, True, "found", f"{path} {version}", version=version, value=(path, arches), log=log)


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
