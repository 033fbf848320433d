"""The toolchain: which programs compile, link and inspect code for the host.

Owns tool selection (``--cc``, ``--cross-prefix``, the environment variables
QEMU's configure honours), the compiler sanity check, the one run that asks
the compiler for its predefined macros (and include directories), and the
compiler *checks* the probes ask (links, has_header, has_function,
find_library, get_supported_arguments), each with the semantics of the same
method of a meson 1.12.1 C compiler object: the same test programs, the same
extra arguments, the same answer.

A check is a frozen dataclass implementing :class:`Check`: ``run(tc, workdir)``
returns a :class:`CheckResult` whose ``log`` holds every command, its exit
status and output, and the test source (for ``config.log``).  Checks are pure
functions of :func:`compiler_identity` plus ``key_parts()``, so a probe engine
may run them in parallel threads and cache their results; this module does
neither.  It does not print.

Meson facts relied on (``mesonbuild/compilers``): every check command is
``cc testfile.c [-o output.obj|output.exe] <mode args> CFLAGS <mode args>
<check args> <check's own args> [LDFLAGS]``, arranged by meson's argument
list rules (``-I``/``-L`` move to the front, a later ``-D``/``-U``/``-I``/``-L``
replaces an equal earlier one, ``-c``/``-E``/``-l...`` appear once), run in the
scratch directory with ``LC_ALL=C``, never through ccache.  Mode args are
``-D_FILE_OFFSET_BITS=64`` (not on Darwin) plus ``-c`` (compile) or
``-E -P`` (preprocess); check args are ``-O0 -U_FORTIFY_SOURCE`` and, for
clang, ``-Werror=implicit-function-declaration`` plus, when only compiling,
``-Werror=unknown-warning-option -Werror=unused-command-line-argument
-Werror=ignored-optimization-argument``.  Windows hosts add meson's default
``c_winlibs`` to link-mode checks that take user arguments.

Not modelled: meson's cross-file ``has_function`` overrides, dependency
objects, removal of ``-isystem`` default directories, and find_library's
OpenBSD ``.so.X.Y`` globbing and macOS architecture check.
"""

from __future__ import annotations

import enum
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generic, Iterable, Mapping, Protocol, Sequence, TypeVar

from . import processes
from .errors import UserError
from .processes import ProcessTimeout
from .remedies import broken_compiler, missing_compiler

# (meson machine-file key, environment variable, program name without prefix)
BINUTILS: tuple[tuple[str, str, str], ...] = (
    ("ar", "AR", "ar"),
    ("dlltool", "DLLTOOL", "dlltool"),
    ("nm", "NM", "nm"),
    ("objcopy", "OBJCOPY", "objcopy"),
    ("pkg-config", "PKG_CONFIG", "pkg-config"),
    ("ranlib", "RANLIB", "ranlib"),
    ("readelf", "READELF", "readelf"),
    ("strip", "STRIP", "strip"),
    ("windres", "WINDRES", "windres"),
)

@dataclass(frozen=True)
class Toolchain:
    """Programs for the host machine (and the build machine's C compiler for cross builds)."""

    cc: tuple[str, ...]
    cxx: tuple[str, ...]
    objc: tuple[str, ...]
    binutils: tuple[tuple[str, str], ...]   # (meson key, program)
    host_cc: tuple[str, ...]                # build machine compiler (native file of cross builds)
    cross_prefix: str | None
    cflags: tuple[str, ...]                 # CFLAGS + --extra-cflags
    cxxflags: tuple[str, ...]
    objcflags: tuple[str, ...]
    ldflags: tuple[str, ...]                # LDFLAGS + --extra-ldflags

    @property
    def cross(self) -> bool:
        return self.cross_prefix is not None

    def program(self, key: str) -> str:
        return dict(self.binutils)[key]


def _words(text: str | None, source: str = "") -> tuple[str, ...]:
    """``text`` split into words as sh would (quotes, backslashes); a UserError naming ``source`` when it
    cannot be (an unclosed quote)."""
    if not text:
        return ()
    try:
        return tuple(shlex.split(text))
    except ValueError as exc:
        raise UserError(f"{source}: cannot split {text[:200]!r} into words: {exc}",
                        "quote the value so that every quote it holds is closed, as in a shell") from None


def _command(text: str, source: str) -> tuple[str, ...]:
    """A program and its arguments, from ``--cc=...`` or ``CC=...``; a UserError when there is no program."""
    words = _words(text, source)
    if not words or not words[0].strip():
        raise UserError(f"{source}={text[:200]!r} names no program",
                        f"give {source} a compiler (a name on PATH or a path), or leave it out")
    return words


def select_toolchain(*, cross_prefix: str | None, cc: str | None, cxx: str | None,
                     objcc: str | None, host_cc: str | None,
                     extra_cflags: Sequence[str] = (), extra_cxxflags: Sequence[str] = (),
                     extra_objcflags: Sequence[str] = (), extra_ldflags: Sequence[str] = (),
                     environ: Mapping[str, str] | None = None) -> Toolchain:
    """Choose the tools the way QEMU's configure does: option, then environment, then prefix + name."""
    env = os.environ if environ is None else environ
    prefix = cross_prefix or ""
    if cc:
        cc_cmd = _command(cc, "--cc")
    elif "CC" in env and env["CC"]:
        cc_cmd = _command(env["CC"], "CC")
    else:
        cc_cmd = (f"{prefix}gcc",) if cross_prefix else ("cc",)
    if cxx:
        cxx_cmd = _command(cxx, "--cxx")
    elif env.get("CXX"):
        cxx_cmd = _command(env["CXX"], "CXX")
    else:
        cxx_cmd = (f"{prefix}g++",) if cross_prefix else ("c++",)
    if objcc:
        objc_cmd = _command(objcc, "--objcc")
    else:
        objc_cmd = (f"{prefix}clang",) if cross_prefix else cc_cmd
    binutils = tuple((key, env.get(var) or f"{prefix}{name}") for key, var, name in BINUTILS)
    # CPPFLAGS (what dpkg-buildflags gives as -D_FORTIFY_SOURCE=2 -Wdate-time) precede each language's
    # own flags, as meson puts them in c_args, cpp_args and objc_args.
    cppflags = _words(env.get("CPPFLAGS"), "CPPFLAGS")
    return Toolchain(
        cc=cc_cmd, cxx=cxx_cmd, objc=objc_cmd, binutils=binutils,
        host_cc=_command(host_cc, "--host-cc") if host_cc else ("cc",),
        cross_prefix=cross_prefix,
        cflags=cppflags + _words(env.get("CFLAGS"), "CFLAGS") + tuple(extra_cflags),
        cxxflags=cppflags + _words(env.get("CXXFLAGS"), "CXXFLAGS") + tuple(extra_cxxflags),
        objcflags=cppflags + _words(env.get("OBJCFLAGS"), "OBJCFLAGS") + tuple(extra_objcflags),
        ldflags=_words(env.get("LDFLAGS"), "LDFLAGS") + tuple(extra_ldflags),
    )


def check_compiler_works(toolchain: Toolchain, cpu_cflags: Sequence[str] = ()) -> str:
    """Compile and link a trivial program; return the compiler's log.  Raise if it fails."""
    with tempfile.TemporaryDirectory(prefix="qemu-config-") as tmp:
        src = Path(tmp) / "qemu-conf.c"
        src.write_text("int main(void) { return 0; }\n", encoding="utf-8")
        cmd = [*toolchain.cc, *cpu_cflags, *toolchain.cflags, "-o", str(Path(tmp) / "qemu-conf.exe"),
               str(src), *toolchain.ldflags]
        try:
            proc = processes.run("compiler", cmd, what="the compiler sanity check: a trivial program",
                                 env=_compiler_env())
        except OSError:
            proc = None
        if proc is None or proc.returncode != 0:
            detail = proc.stderr.strip().splitlines()[-3:] if proc is not None else []
            raise UserError(
                f'C compiler "{" ".join(toolchain.cc)}" either does not exist or does not work',
                *detail,
                broken_compiler(toolchain.cc[0]) if proc is not None else missing_compiler(toolchain.cc[0]),
            )
        return f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"


# --- checks: the protocol -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """What one check found.

    ``ok`` is the check's yes/no answer; ``value`` is what it measured (see each
    check); ``log`` holds every command run, its exit status and output, and the
    test source, for ``config.log``.
    """

    ok: bool
    value: object = None
    log: str = ""


class Check(Protocol):
    """A compiler (or PATH) question with meson's answer, runnable in any thread.

    ``key_parts()`` plus :func:`compiler_identity` determine the result, so an
    engine may cache it under that key.  ``run`` gets a private scratch directory.
    """

    @property
    def kind(self) -> str:
        """What sort of check this is: "compiles", "links", "has_function", ..."""
        ...

    def describe(self) -> str: ...

    def key_parts(self) -> tuple[str, ...]: ...

    def run(self, tc: Toolchain, workdir: Path) -> CheckResult: ...


# --- what the compiler is -------------------------------------------------------------------------

# Compiler caches: meson never runs checks through them, so neither do we.
_COMPILER_CACHES = frozenset({"ccache", "sccache"})
# Environment variables gcc and clang read that change what a check finds.
_COMPILER_ENVIRONMENT = ("COMPILER_PATH", "CPATH", "C_INCLUDE_PATH", "GCC_EXEC_PREFIX", "LIBRARY_PATH",
                         "MACOSX_DEPLOYMENT_TARGET", "SDKROOT")
# meson's default c_winlibs (gnu_winlibs), linked by link-mode checks for Windows hosts.
_GNU_WINLIBS = ("-lkernel32", "-luser32", "-lgdi32", "-lwinspool", "-lshell32", "-lole32", "-loleaut32",
                "-luuid", "-lcomdlg32", "-ladvapi32")
# Libraries the compiler driver provides itself: meson never searches for them by file name.
_INTERNAL_LIBS = frozenset({"m", "c", "pthread", "dl", "rt", "execinfo"})

_K = TypeVar("_K")
_V = TypeVar("_V")


class _OncePerKey(Generic[_K, _V]):
    """A value per key, computed once per process even when several threads ask at once."""

    def __init__(self) -> None:
        self._values: dict[_K, _V] = {}
        self._guard = threading.Lock()
        self._locks: dict[_K, threading.Lock] = {}

    def get(self, key: _K, compute: Callable[[], _V]) -> _V:
        with self._guard:
            if key in self._values:
                return self._values[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    return self._values[key]
            value = compute()          # an exception is not remembered: the next caller retries
            with self._guard:
                self._values[key] = value
            return value


def _check_exelist(tc: Toolchain) -> tuple[str, ...]:
    """The compiler command that checks run: ``tc.cc`` without a leading ccache/sccache."""
    if not tc.cc:
        raise UserError("no C compiler configured", "name one with --cc or CC, or install gcc")
    if len(tc.cc) > 1 and os.path.basename(tc.cc[0]) in _COMPILER_CACHES:
        return tc.cc[1:]
    return tc.cc


def _compiler_env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["CCACHE_DISABLE"] = "1"
    return env


def _not_runnable(exelist: Sequence[str], exc: BaseException) -> UserError:
    return UserError(
        f'C compiler "{shlex.join(exelist)}" cannot be run: {exc}',
        missing_compiler(exelist[0]),
    )


_VERSION_TEXT: _OncePerKey[tuple[str, ...], str] = _OncePerKey()


def _version_text(exelist: tuple[str, ...]) -> str:
    def compute() -> str:
        try:
            proc = processes.run("compiler", [*exelist, "--version"], what="the compiler's version",
                                 env=_compiler_env())
        except OSError as exc:
            raise _not_runnable(exelist, exc) from None
        return proc.stdout or proc.stderr
    return _VERSION_TEXT.get(exelist, compute)


class _Mode(enum.Enum):
    PREPROCESS = "preprocess"
    COMPILE = "compile"
    LINK = "link"


@dataclass(frozen=True)
class _CompilerFacts:
    """What meson derives from the compiler for its checks: family, version, host system."""

    id: str                       # "gcc", "clang" or "unknown"
    version: tuple[int, ...]
    system: str                   # "darwin", "windows", "cygwin" or "other"
    pointer_size: int | None      # sizeof(void *), from __SIZEOF_POINTER__; None when not predefined

    @property
    def darwin(self) -> bool:
        return self.system == "darwin"

    def mode_args(self, mode: _Mode) -> tuple[str, ...]:
        always = () if self.darwin else ("-D_FILE_OFFSET_BITS=64",)
        if mode is _Mode.COMPILE:
            return always + ("-c",)
        if mode is _Mode.PREPROCESS:
            return always + ("-E", "-P")
        return always

    def check_args(self, mode: _Mode) -> tuple[str, ...]:
        args: tuple[str, ...] = ("-O0", "-U_FORTIFY_SOURCE")
        if self.id == "clang":
            args += ("-Werror=implicit-function-declaration",)
            if mode is _Mode.COMPILE:
                args += ("-Werror=unknown-warning-option", "-Werror=unused-command-line-argument")
                if self.version >= (3, 6):
                    args += ("-Werror=ignored-optimization-argument",)
        return args

    @property
    def winlibs(self) -> tuple[str, ...]:
        return _GNU_WINLIBS if self.system in ("windows", "cygwin") else ()

    @property
    def allow_undefined(self) -> tuple[str, ...]:
        return ("-Wl,-undefined,dynamic_lookup",) if self.darwin else ("-Wl,--allow-shlib-undefined",)

    @property
    def pic_args(self) -> tuple[str, ...]:
        return () if self.system in ("windows", "cygwin", "darwin") else ("-fPIC",)

    @property
    def gnu_like_linker(self) -> bool:
        return not self.darwin

    def library_patterns(self) -> tuple[str, ...]:
        """File names find_library tries (shared first), as str.format patterns."""
        prefixes: tuple[str, ...] = ("lib", "")
        static: tuple[str, ...] = ("a",)
        if self.darwin:
            shared: tuple[str, ...] = ("dylib", "so")
        elif self.system == "windows":
            shared, static = ("dll.a", "lib", "dll"), ("a", "lib")
        elif self.system == "cygwin":
            shared, prefixes = ("dll", "dll.a"), ("cyg", "lib", "")
        else:
            shared = ("so",)
        patterns = [p + "{}." + s for p in prefixes for s in shared]
        patterns += [x for x in (p + "{}." + s for p in prefixes for s in static) if x not in patterns]
        return tuple(patterns)


_FACTS: _OncePerKey[tuple[tuple[str, ...], tuple[str, ...]], _CompilerFacts] = _OncePerKey()


def parse_macros(text: str) -> dict[str, str]:
    """``cc -dM -E`` output as {name: value}; a function-like macro is listed under its bare name."""
    macros: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#define "):
            continue
        name, _, value = line[len("#define "):].partition(" ")
        macros[name.split("(", 1)[0]] = value.strip()
    return macros


def _include_dirs(verbose: str) -> tuple[str, ...]:
    """The ``#include <...>`` search list a compiler run with ``-v`` prints on stderr."""
    dirs: list[str] = []
    inside = False
    for line in verbose.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            inside = False
        elif inside and line.startswith(" "):
            dirs.append(os.path.normpath(line.strip()))
    return tuple(dirs)


@dataclass(frozen=True)
class _Preprocessor:
    """What one ``cc CFLAGS -v -dM -E`` of an empty C file told: the predefined macros and, when
    it was really run (not taken from an earlier answer), the include search directories."""

    macros: Mapping[str, str]
    include_dirs: tuple[str, ...] | None


_PREPROCESSOR: _OncePerKey[tuple[tuple[str, ...], tuple[str, ...]], _Preprocessor] = _OncePerKey()
_INCLUDE_DIRS: _OncePerKey[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = _OncePerKey()


def _ask_preprocessor(exelist: tuple[str, ...], cflags: tuple[str, ...]) -> _Preprocessor:
    def preprocess(*verbose: str) -> subprocess.CompletedProcess[str]:
        try:
            return processes.run("compiler", [*exelist, *cflags, *verbose, "-dM", "-E", "-x", "c", "-"], input="",
                                 what="the C compiler's predefined macros", env=_compiler_env())
        except FileNotFoundError:
            raise UserError(f'C compiler "{exelist[0]}" either does not exist or does not work',
                            missing_compiler(exelist[0])) from None
        except OSError as exc:
            raise UserError(f'C compiler "{exelist[0]}" could not be run: {exc.strerror or exc}',
                            "name a working compiler with --cc / --cross-prefix") from None

    proc = preprocess("-v")
    if proc.returncode != 0:
        failed = preprocess()           # again without -v, for the compiler's own complaint alone
        raise UserError(f'C compiler "{exelist[0]}" either does not exist or does not work',
                        *(failed.stderr.strip().splitlines()[-3:]),
                        "name a working compiler with --cc / --cross-prefix")
    return _Preprocessor(parse_macros(proc.stdout), _include_dirs(proc.stderr))


def _preprocessor_key(cc: Sequence[str], cflags: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    exelist = tuple(cc)
    if len(exelist) > 1 and os.path.basename(exelist[0]) in _COMPILER_CACHES:
        exelist = exelist[1:]
    return exelist, tuple(cflags)


def predefined_macros(cc: Sequence[str], cflags: Sequence[str] = (), *,
                      known: Mapping[str, str] | None = None) -> dict[str, str]:
    """The compiler's predefined macros: ``cc CFLAGS -dM -E`` of an empty C file, run once per process.

    The one place that asks: the host model and the checks' compiler facts both read
    it.  ``known`` is an earlier answer for the same compiler and flags (a cached
    one), taken instead of running the compiler when this process has not asked yet.
    A compiler that is missing or fails is a UserError.
    """
    key = _preprocessor_key(cc, cflags)
    if known is not None:
        return dict(_PREPROCESSOR.get(key, lambda: _Preprocessor(dict(known), None)).macros)
    return dict(_PREPROCESSOR.get(key, lambda: _ask_preprocessor(*key)).macros)


def include_dirs(cc: Sequence[str], cflags: Sequence[str] = ()) -> tuple[str, ...]:
    """The compiler's ``#include <...>`` search directories, from the same run as its macros
    (``-v`` prints them), or from a run of their own when the macros came from elsewhere."""
    key = _preprocessor_key(cc, cflags)
    listed = _PREPROCESSOR.get(key, lambda: _ask_preprocessor(*key)).include_dirs
    if listed is not None:
        return listed
    return _INCLUDE_DIRS.get(key, lambda: _ask_preprocessor(*key).include_dirs or ())


def _facts(tc: Toolchain) -> _CompilerFacts:
    exelist = _check_exelist(tc)

    def compute() -> _CompilerFacts:
        macros = predefined_macros(exelist, tc.cflags)

        def number(name: str) -> int:
            try:
                return int(macros.get(name, "0"))
            except ValueError:
                return 0
        version: tuple[int, ...]
        if "__clang__" in macros:
            ident = "clang"
            version = (number("__clang_major__"), number("__clang_minor__"), number("__clang_patchlevel__"))
        elif "__GNUC__" in macros:
            ident = "gcc"
            version = (number("__GNUC__"), number("__GNUC_MINOR__"), number("__GNUC_PATCHLEVEL__"))
        else:
            text = _version_text(exelist)
            ident = ("clang" if "clang" in text.lower()
                     else "gcc" if "Free Software Foundation" in text else "unknown")
            found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
            version = tuple(int(g or 0) for g in found.groups()) if found else (0,)
        if "__APPLE__" in macros:
            system = "darwin"
        elif "_WIN32" in macros:
            system = "windows"
        elif "__CYGWIN__" in macros:
            system = "cygwin"
        else:
            system = "other"
        pointer = macros.get("__SIZEOF_POINTER__", "")
        return _CompilerFacts(ident, version, system, int(pointer) if pointer.isdigit() else None)
    return _FACTS.get((exelist, tc.cflags), compute)


def search_dirs(tc: Toolchain) -> list[str]:
    """The compiler's include directories and library directories (``-print-search-dirs``):
    those that exist, each once.  Empty when the compiler cannot say."""
    dirs: list[str] = []
    try:
        dirs += include_dirs(tc.cc, tc.cflags)
        out = processes.run("compiler", [*_check_exelist(tc), *tc.cflags, "-print-search-dirs"],
                            what="the compiler's library directories", env=_compiler_env())
        for line in out.stdout.splitlines():
            if line.startswith("libraries:"):
                listed = line.split("=", 1)[1] if "=" in line else ""
                dirs += [os.path.normpath(d) for d in listed.split(os.pathsep) if d]
    except ProcessTimeout:
        raise
    except (UserError, OSError):
        pass
    return [d for d in dict.fromkeys(dirs) if os.path.isdir(d)]


_IDENTITY: _OncePerKey[tuple[object, ...], tuple[str, ...]] = _OncePerKey()


def compiler_identity(tc: Toolchain) -> tuple[str, ...]:
    """What identifies the compiler in a check's cache key; computed once per process.

    The resolved path of the compiler (after a ccache/sccache wrapper, which checks
    bypass), its mtime and size, the first line of its ``--version``, its extra
    words, the CFLAGS and LDFLAGS checks pass, whether the toolchain is cross, and
    the compiler-relevant environment variables that are set.
    """
    exelist = _check_exelist(tc)
    env = tuple(f"env:{name}={os.environ[name]}" for name in _COMPILER_ENVIRONMENT if name in os.environ)
    key = (exelist, tc.cflags, tc.ldflags, tc.cross, env)

    def compute() -> tuple[str, ...]:
        found = shutil.which(exelist[0])
        if found is None:
            raise UserError(f'C compiler "{exelist[0]}" not found', missing_compiler(exelist[0]))
        real = os.path.realpath(found)
        st = os.stat(real)
        lines = _version_text(exelist).splitlines()
        return (real, str(st.st_mtime_ns), str(st.st_size), lines[0] if lines else "",
                "cc-args=" + json.dumps(list(exelist[1:])), "cflags=" + json.dumps(list(tc.cflags)),
                "ldflags=" + json.dumps(list(tc.ldflags)), f"cross={'yes' if tc.cross else 'no'}", *env)
    return _IDENTITY.get(key, compute)


# --- how meson arranges a check's command line -----------------------------------------------------


class _Dedup(enum.Enum):
    KEEP = 0          # order and repetition matter
    ONCE = 1          # a repeat adds nothing (-c, -lfoo, libfoo.so)
    LAST_WINS = 2     # a later equal argument replaces the earlier one (-DX, -Idir)


_LAST_WINS_PREFIXES = ("-I", "-isystem", "-L", "-D", "-U")
_ONCE_PREFIXES = ("-l", "-Wl,-l", "-Wl,-rpath,", "-Wl,-rpath-link,")
_ONCE_SUFFIXES = (".lib", ".dll", ".so", ".dylib", ".a")
_ONCE_ARGS = frozenset({"-c", "-S", "-E", "-pipe", "-pthread", "-Wl,--export-dynamic"})
_SONAME_RE = re.compile(r"(?:^|[/\\])lib.*\.so(?:\.[0-9]+)?(?:\.[0-9]+)?(?:\.[0-9]+)?$")
_FRONT_PREFIXES = ("-I", "-L")
# Arguments GNU-like linkers get wrapped in --start-group/--end-group when there are several.
_LIBRARY_ARG_RE = re.compile(r"^(?!-Wl,).*\.so(?:\.[0-9]+)?(?:\.[0-9]+)?(?:\.[0-9]+)?$|^(?:-Wl,)?-l|\.a$")


def _dedup_kind(arg: str) -> _Dedup:
    if arg in _LAST_WINS_PREFIXES or arg in _ONCE_PREFIXES:
        return _Dedup.KEEP            # a bare prefix takes its value from the next word
    if arg.startswith(_LAST_WINS_PREFIXES):
        return _Dedup.LAST_WINS
    if (arg in _ONCE_ARGS or arg.startswith(_ONCE_PREFIXES) or arg.endswith(_ONCE_SUFFIXES)
            or _SONAME_RE.search(arg)):
        return _Dedup.ONCE
    return _Dedup.KEEP


class _ArgList:
    """An argument list that grows the way meson's CLikeCompilerArgs does."""

    def __init__(self, args: Iterable[str] = ()) -> None:
        self.items: list[str] = list(args)

    def add(self, args: Iterable[str]) -> None:
        front: list[str] = []
        back: list[str] = []
        replaces = False
        for arg in args:
            kind = _dedup_kind(arg)
            if kind is _Dedup.ONCE and (arg in self.items or arg in front or arg in back):
                continue
            replaces = replaces or kind is _Dedup.LAST_WINS
            (front if arg.startswith(_FRONT_PREFIXES) else back).append(arg)
        if not replaces:
            self.items = front + self.items + back
            return
        head: list[str] = []
        head_seen: set[str] = set()
        for arg in front:                      # first of equal front arguments wins
            if arg not in head_seen:
                head.append(arg)
                if _dedup_kind(arg) is _Dedup.LAST_WINS:
                    head_seen.add(arg)
        tail: list[str] = []
        tail_seen: set[str] = set()
        for arg in reversed(back):             # last of equal back arguments wins
            if arg not in tail_seen:
                tail.append(arg)
                if _dedup_kind(arg) is _Dedup.LAST_WINS:
                    tail_seen.add(arg)
        tail.reverse()
        middle = [a for a in self.items if a not in head_seen and a not in tail_seen]
        self.items = head + middle + tail


def _without_linker_args(args: Sequence[str]) -> list[str]:
    """CFLAGS minus what only the linker understands (meson's remove_linkerlike_args)."""
    kept: list[str] = []
    words = iter(args)
    for arg in words:
        if arg == "-headerpad_max_install_names":
            continue
        if arg in ("-L", "-framework"):
            next(words, None)
            continue
        if arg.startswith(("-Wl,", "-L")) and arg not in ("-Wl,", "-L"):
            continue
        kept.append(arg)
    return kept


def _group_libraries(args: list[str], facts: _CompilerFacts) -> list[str]:
    """Wrap several libraries in --start-group/--end-group for GNU-like linkers, as meson does."""
    if not facts.gnu_like_linker:
        return args
    hits = [i for i, a in enumerate(args) if _LIBRARY_ARG_RE.search(a)]
    if len(hits) < 2 or hits[-1] <= hits[0]:
        return args
    first, last = hits[0], hits[-1]
    return args[:first] + ["-Wl,--start-group"] + args[first:last + 1] + ["-Wl,--end-group"] + args[last + 1:]


def _user_args(facts: _CompilerFacts, mode: _Mode, *groups: Sequence[str]) -> list[str]:
    """The per-check arguments meson's interpreter passes (winlibs when linking, then the check's args)."""
    args = list(facts.winlibs) if mode is _Mode.LINK else []
    for group in groups:
        args.extend(group)
    return args


# --- running a test program -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Attempt:
    returncode: int
    stdout: str
    stderr: str
    output: Path | None           # the object file or executable, when one is produced


class _Log:
    """Accumulates what a check did, for config.log."""

    def __init__(self, title: str) -> None:
        self._parts: list[str] = [f"=== {title}\n"]

    def note(self, text: str) -> None:
        self._parts.append(text if text.endswith("\n") else text + "\n")

    def command(self, cmd: Sequence[str], returncode: int | str, stdout: str, stderr: str) -> None:
        self.note(f"$ {shlex.join(cmd)}")
        self.note(f"exit status {returncode}")
        if stdout:
            self.note("--- stdout\n" + stdout)
        if stderr:
            self.note("--- stderr\n" + stderr)

    @property
    def text(self) -> str:
        return "".join(self._parts)


def _compile(tc: Toolchain, workdir: Path, code: str, mode: _Mode, extra: Sequence[str], log: _Log) -> _Attempt:
    """Compile, preprocess or link ``code`` exactly as meson's compiler checks do."""
    facts = _facts(tc)
    exelist = _check_exelist(tc)
    step = Path(tempfile.mkdtemp(prefix="check-", dir=workdir))
    source = step / "testfile.c"
    source.write_text(code if code.endswith("\n") else code + "\n", encoding="utf-8")

    cflags = _without_linker_args(tc.cflags)
    wrapper = _ArgList()
    wrapper.add([*cflags, *facts.mode_args(mode)])
    wrapper.add(facts.check_args(mode))
    wrapper.add(extra)
    if mode is _Mode.LINK:
        wrapper.add([a for a in tc.ldflags if a not in cflags])

    args = _ArgList([str(source)])
    output: Path | None = None
    if mode is not _Mode.PREPROCESS:
        output = step / ("output.exe" if mode is _Mode.LINK else "output.obj")
        args.add(["-o", str(output)])
    args.add(facts.mode_args(mode))
    args.add(wrapper.items)
    cmd = [*exelist, *_group_libraries(args.items, facts)]

    log.note(f"--- {mode.value} test, {source.name}:\n{code}")
    try:
        proc = processes.run("compiler", cmd, what=f"a {mode.value} test", cwd=step, env=_compiler_env())
    except OSError as exc:
        raise _not_runnable(exelist, exc) from None
    log.command(cmd, proc.returncode, proc.stdout, proc.stderr)
    return _Attempt(proc.returncode, proc.stdout, proc.stderr, output if proc.returncode == 0 else None)



_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _strings(owner: object, name: str, value: object) -> tuple[str, ...]:
    """``value`` as a tuple of strings; a lone string (a common slip for one flag) is a mistake."""
    what = type(owner).__name__
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise UserError(f"{what}: {name} must be a sequence of strings, not {value!r}",
                        f"write {name}=({value!r},) for a single argument")
    items = tuple(value)
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise UserError(f"{what}: {name} must contain strings only, found {bad[0]!r}")
    return items


def _normalise(owner: object, *names: str) -> None:
    for name in names:
        object.__setattr__(owner, name, _strings(owner, name, getattr(owner, name)))


def _require(condition: bool, message: str, *details: str) -> None:
    if not condition:
        raise UserError(message, *details)


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _gist(source: str) -> str:
    """A short human label for a test program: its first line that is not an #include."""
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("#include"):
            return line if len(line) <= 48 else line[:45] + "..."
    return "empty program"


# --- the checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """meson ``cc.links(source, args: args + link_args)``: does ``source`` compile and link?  value: None."""

    source: str
    args: tuple[str, ...] = ()
    link_args: tuple[str, ...] = ()
    title: str = ""
    kind: str = field(default="links", init=False, repr=False)

    def __post_init__(self) -> None:
        _normalise(self, "args", "link_args")

    def describe(self) -> str:
        return f'link test "{self.title or _gist(self.source)}"'

    def key_parts(self) -> tuple[str, ...]:
        return (self.kind, self.source, "args=" + _json(self.args), "link_args=" + _json(self.link_args))

    def run(self, tc: Toolchain, workdir: Path) -> CheckResult:
        log = _Log(self.describe())
        facts = _facts(tc)
        extra = _user_args(facts, _Mode.LINK, self.args, self.link_args)
        res = _compile(tc, workdir, self.source, _Mode.LINK, extra, log)
        return CheckResult(res.returncode == 0, None, log.text)


def _has_header_source(header: str, prefix: str) -> str:
    # __has_include when the preprocessor has it, else the #include itself; preprocessed only.
    return (f"{prefix}\n"
            "#ifdef __has_include\n"
            f'# if !__has_include("{header}")\n'
            f"#  error \"Header '{header}' could not be found\"\n"
            "# endif\n"
            "#else\n"
            f"# include <{header}>\n"
            "#endif\n")


def _check_header_name(owner: object, header: str) -> None:
    _require(bool(header) and not any(c in header for c in '\n"<>'),
             f"{type(owner).__name__}: {header!r} is not a header name",
             'write it as in #include <...>, e.g. "sys/mman.h"')


@dataclass(frozen=True)
class HasHeader:
    """meson ``cc.has_header(header, prefix: prefix, args: args)``.  value: None."""

    header: str
    prefix: str = ""
    args: tuple[str, ...] = ()
    kind: str = field(default="has_header", init=False, repr=False)

    def __post_init__(self) -> None:
        _check_header_name(self, self.header)
        _normalise(self, "args")

    def describe(self) -> str:
        return f"has_header {self.header}"

    def key_parts(self) -> tuple[str, ...]:
        return (self.kind, self.header, self.prefix, "args=" + _json(self.args))

    def run(self, tc: Toolchain, workdir: Path) -> CheckResult:
        log = _Log(self.describe())
        facts = _facts(tc)
        res = _compile(tc, workdir, _has_header_source(self.header, self.prefix), _Mode.PREPROCESS,
                       _user_args(facts, _Mode.PREPROCESS, self.args), log)
        return CheckResult(res.returncode == 0, None, log.text)


def _stub_guard(name: str) -> str:
    # glibc marks functions that always fail with ENOSYS as __stub_<name> (limits.h pulls that in).
    return (f"#if defined __stub_{name} || defined __stub___{name}\n"
            f"#error \"{name} is a stub that always fails\"\n"
            "#endif\n")


def _function_call_source(name: str, prefix: str) -> str:
    """The first has_function attempt: meson's two templates, chosen by '#include' in the prefix."""
    if "#include" in prefix:
        # Use the prototype from the prefix's headers; take the function's address so it must link.
        return (f"{prefix}\n#include <limits.h>\n"
                + _stub_guard(name)
                + "int main(void) {\n"
                f"    void *address = (void *) &{name};\n"
                "    long long as_integer = (long long) address;\n"
                "    return (int) as_integer;\n"
                "}\n")
    # Autoconf style: hide any declaration or macro of that name, declare our own, call it.
    return (f"#define {name} qemu_config_hidden_{name}\n"
            f"{prefix}\n"
            "#include <limits.h>\n"
            f"#undef {name}\n"
            "#ifdef __cplusplus\n"
            'extern "C"\n'
            "#endif\n"
            f"char {name} (void);\n"
            + _stub_guard(name)
            + "int main(void) {\n"
            f"    return {name} ();\n"
            "}\n")


def _builtin_source(name: str, prefix: str) -> str:
    """The second has_function attempt: the function as a compiler builtin."""
    is_builtin = name.startswith("__builtin_")
    builtin = name if is_builtin else "__builtin_" + name
    no_includes = "#include" not in prefix
    return (f"{prefix}\n"
            "int main(void) {\n"
            # With headers in the prefix that did not define it, a builtin that merely exists is
            # not trusted (mingw has builtins that fall back to missing library functions).
            f"#if !{int(no_includes)} && !defined({name}) && !{int(is_builtin)}\n"
            f'    #error "No definition for {builtin} found in the prefix"\n'
            "#endif\n"
            "#ifdef __has_builtin\n"
            f"    #if !__has_builtin({builtin})\n"
            f'        #error "{builtin} not found"\n'
            "    #endif\n"
            f"#elif ! defined({name})\n"
            f"    {builtin};\n"
            "#endif\n"
            "    return 0;\n"
            "}\n")


@dataclass(frozen=True)
class HasFunction:
    """meson ``cc.has_function(name, prefix: prefix, args: args + link_args)``.  value: None.

    First a link test: with ``#include`` in the prefix, the prefix's prototype is used
    and the function's address taken; without, any declaration is hidden and an
    autoconf-style ``char name(void)`` is called.  glibc ``__stub_`` functions fail.
    If that does not link, the function is accepted as a compiler builtin
    (``__has_builtin(__builtin_name)``), except that with headers in the prefix the
    name must also be a macro there (or itself start with ``__builtin_``).
    """

    name: str
    prefix: str = ""
    args: tuple[str, ...] = ()
    link_args: tuple[str, ...] = ()
    kind: str = field(default="has_function", init=False, repr=False)

    def __post_init__(self) -> None:
        _require(bool(_IDENTIFIER_RE.match(self.name)), f"HasFunction: {self.name!r} is not a C function name")
        _normalise(self, "args", "link_args")

    def describe(self) -> str:
        return f"has_function {self.name}"

    def key_parts(self) -> tuple[str, ...]:
        return (self.kind, self.name, self.prefix, "args=" + _json(self.args),
                "link_args=" + _json(self.link_args))

    def run(self, tc: Toolchain, workdir: Path) -> CheckResult:
        log = _Log(self.describe())
        facts = _facts(tc)
        # meson computes these arguments once, for linking, and uses them for both attempts.
        extra = _user_args(facts, _Mode.LINK, self.args, self.link_args)
        if facts.id == "clang" and facts.darwin:
            extra.append("-Wl,-no_weak_imports")
        res = _compile(tc, workdir, _function_call_source(self.name, self.prefix), _Mode.LINK, extra, log)
        if res.returncode == 0:
            return CheckResult(True, None, log.text)
        log.note(f"{self.name} does not link as a function; trying it as a compiler builtin")
        res = _compile(tc, workdir, _builtin_source(self.name, self.prefix), _Mode.LINK, extra, log)
        return CheckResult(res.returncode == 0, None, log.text)


def _library_dirs(tc: Toolchain, workdir: Path, log: _Log) -> list[str]:
    """The compiler's library search directories (``--print-search-dirs``), resolved and as printed."""
    res = _compile(tc, workdir, "", _Mode.COMPILE, ["--print-search-dirs"], log)
    for line in res.stdout.splitlines():
        if line.startswith("libraries:"):
            dirs: list[str] = []
            for entry in line.split("=", 1)[-1].split(os.pathsep):
                path = Path(entry)
                if not entry or not path.exists():
                    continue
                try:
                    resolved = path.resolve(strict=True).as_posix()
                    if resolved not in dirs:
                        dirs.append(resolved)
                except OSError:
                    pass
                if path.as_posix() not in dirs:
                    dirs.append(path.as_posix())
            return dirs
    return []


def _elf_class_matches(directory: str, elf_class: int) -> bool:
    """meson keeps a directory whose first readable .so is of the wanted ELF class (or not ELF)."""
    try:
        names = [n for n in os.listdir(directory)
                 if n.endswith(".so") and os.path.isfile(os.path.join(directory, n))]
    except OSError:
        return True
    if not names:
        return True
    for name in names:
        try:
            with open(os.path.join(directory, name), "rb") as f:
                header = f.read(5)
        except OSError:
            continue
        return header[1:4] != b"ELF" or (len(header) > 4 and header[4] == elf_class)
    return False


@dataclass(frozen=True)
class FindLibrary:
    """meson ``cc.find_library(name)`` (no dirs, shared preferred).

    First a link test with ``-l<name>``; if that fails (and the library is not one
    the driver provides: m, c, pthread, dl, rt, execinfo), each file name meson
    tries (``lib<name>.so``, ``<name>.so``, ``lib<name>.a``, ``<name>.a`` on ELF
    systems) in each of the compiler's library directories, linked by full path.
    value: the link arguments, e.g. ``('-lm',)``, or None when not found.
    ``args`` are extra compiler arguments for the link tests (not in meson's API).
    """

    name: str
    args: tuple[str, ...] = ()
    kind: str = field(default="find_library", init=False, repr=False)

    def __post_init__(self) -> None:
        _require(bool(self.name) and not any(c.isspace() for c in self.name) and not self.name.startswith("-"),
                 f"FindLibrary: {self.name!r} is not a library name", "give the name without -l, e.g. 'm'")
        _normalise(self, "args")

    def describe(self) -> str:
        return f"find_library {self.name}"

    def key_parts(self) -> tuple[str, ...]:
        return (self.kind, self.name, "args=" + _json(self.args))

    def run(self, tc: Toolchain, workdir: Path) -> CheckResult:
        log = _Log(self.describe())
        facts = _facts(tc)
        code = "int main(void) { return 0; }\n"
        flag = "-l" + self.name
        res = _compile(tc, workdir, code, _Mode.LINK, [*self.args, flag, *facts.allow_undefined], log)
        if res.returncode == 0:
            return CheckResult(True, (flag,), log.text)
        if self.name in _INTERNAL_LIBS:
            return CheckResult(False, None, log.text)
        log.note(f"{flag} does not link; searching the compiler's library directories")
        # meson asks sizeof(void *) here; the predefined __SIZEOF_POINTER__ is the same answer.
        elf_class = 0 if facts.pointer_size is None else 2 if facts.pointer_size == 8 else 1
        dirs = _library_dirs(tc, workdir, log)
        if elf_class:
            dirs = [d for d in dirs if _elf_class_matches(d, elf_class)]
        for directory in dirs:
            for pattern in facts.library_patterns():
                trial = os.path.join(directory, pattern.format(self.name))
                if not os.path.isfile(trial):
                    continue
                extra = [*self.args, trial, *facts.allow_undefined, "-shared", *facts.pic_args]
                if _compile(tc, workdir, code, _Mode.LINK, extra, log).returncode == 0:
                    return CheckResult(True, (Path(trial).as_posix(),), log.text)
        log.note(f"library {self.name} not found")
        return CheckResult(False, None, log.text)


# meson skips these when testing -Wno-X: the positive form needs a value (-Wno-attributes=x has none).
_NEEDS_VALUE_WHEN_ENABLED = frozenset({"-Wno-alloc-size-larger-than", "-Wno-alloca-larger-than",
                                       "-Wno-frame-larger-than", "-Wno-stack-usage", "-Wno-vla-larger-than"})
# What GCC prints (exit status 0) for an option of another language.
_GCC_OTHER_LANGUAGE = "is valid for C++/ObjC++"


def _flag_test_args(flag: str) -> list[str]:
    """The arguments meson passes to test one flag: -Wno-X is tested together with -WX."""
    if not flag.startswith("-Wno-") or flag.startswith("-Wno-attributes="):
        return [flag]
    if flag in _NEEDS_VALUE_WHEN_ENABLED:
        return ["-W" + flag[5:] + "=1000", flag]
    return ["-W" + flag[5:], flag]


# -Wno-X for these can make a compile pass that one of the other flags fails alone: meson's check
# args turn them into errors (clang), or they silence every warning or diagnostic group holding one.
_SILENCING_WARNINGS = frozenset({"everything", "unknown-warning-option", "unused-command-line-argument",
                                 "ignored-optimization-argument", "invalid-command-line-argument",
                                 "implicit-function-declaration", "implicit"})
_WARNING_OPTION_RE = re.compile(r"-W(no-)?([A-Za-z0-9][A-Za-z0-9_+#-]*)(=[A-Za-z0-9_.+-]*)?\Z")
_FLAG_TEST_SOURCE = "extern int i;\nint i;\n"


def _shares_a_compile(flag: str) -> bool:
    """Whether ``flag`` can be tested in one compile with other such flags and keep its own answer.

    A warning option only turns warnings on or off, so when a compile with several
    of them passes, each of them passes alone.  Not so for ``-Werror*`` and
    ``-Wno-error*``, for ``-Wno-X`` of the diagnostics listed above, and for
    anything that is not a plain warning option (``-Wl,...``, ``-f...``,
    ``-Wno-attributes=a::b``): those are always tested alone.
    """
    match = _WARNING_OPTION_RE.match(flag)
    if match is None or match.group(2).startswith("error"):
        return False
    return not (match.group(1) and match.group(2) in _SILENCING_WARNINGS)


# Diagnostics that reject one option whatever else is on the command line (gcc, then clang): the
# option they name fails when tested alone too, so it needs no compile of its own.
_REJECTED_OPTION_RES = (
    re.compile(r"unrecognized command[- ]line option ['\u2018\"]([^'\u2019\"]+)['\u2019\"]"),
    re.compile(r"unknown warning option ['\u2018\"]([^'\u2019\"]+)['\u2019\"]"),
)


def _rejected_in(text: str) -> set[str]:
    """The options a compiler's diagnostics reject by name."""
    return {m.group(1) for pattern in _REJECTED_OPTION_RES for m in pattern.finditer(text)}


def _named_in(flag: str, text: str) -> bool:
    """Whether a diagnostic names ``flag`` (or the ``-WX`` it is tested with) as a whole word."""
    return any(re.search(r"(?<![\w=+#-])" + re.escape(arg) + r"(?![\w=+#-])", text) for arg in _flag_test_args(flag))


@dataclass(frozen=True)
class SupportedArguments:
    """meson ``cc.get_supported_arguments(flags)``: the answer of testing each flag on its own.

    value: the supported flags, in input order; ok: all of them are.  A flag is
    supported when ``extern int i; int i;`` compiles with it (for ``-Wno-X`` also
    with ``-WX``, since GCC accepts any ``-Wno-``), clang getting meson's
    ``-Werror=unknown-warning-option -Werror=unused-command-line-argument
    -Werror=ignored-optimization-argument``, and GCC not printing "is valid for
    C++/ObjC++".

    As meson, one compile per flag; ``batched`` gets the same answer with fewer:
    the flags that can share a compile (:func:`_shares_a_compile`) are compiled
    together, and a set that fails is split: the flags its diagnostics reject
    by name ("unrecognized command-line option", "unknown warning option")
    fail alone as well and are answered at once; otherwise the flags they name
    go apart from the others (or else the set is halved), down to single
    flags, each tested exactly as meson tests it.  The other flags are tested
    alone.
    """

    flags: tuple[str, ...]
    batched: bool = False
    kind: str = field(default="supported_arguments", init=False, repr=False)

    def __post_init__(self) -> None:
        _normalise(self, "flags")

    def describe(self) -> str:
        if len(self.flags) <= 3:
            return "supported arguments " + " ".join(self.flags)
        return f"supported arguments ({len(self.flags)} tested)"

    def key_parts(self) -> tuple[str, ...]:
        return (self.kind, "flags=" + _json(self.flags))   # batched or not: the same answer

    def run(self, tc: Toolchain, workdir: Path) -> CheckResult:
        log = _Log(self.describe())
        facts = _facts(tc)

        def passes(args: Sequence[str]) -> tuple[bool, str]:
            res = _compile(tc, workdir, _FLAG_TEST_SOURCE, _Mode.COMPILE, args, log)
            ok = res.returncode == 0 and not (facts.id == "gcc" and _GCC_OTHER_LANGUAGE in res.stderr)
            return ok, res.stderr

        answers: dict[str, bool] = {}

        def alone(flag: str) -> None:
            if flag.startswith("-Wl,"):
                log.note(f"{flag} looks like a linker argument: only the compiler is tested")
            answers[flag] = passes(_flag_test_args(flag))[0]
            log.note(f"{flag}: {'supported' if answers[flag] else 'not supported'}")

        together = list(dict.fromkeys(f for f in self.flags if self.batched and _shares_a_compile(f)))
        for flag in dict.fromkeys(self.flags):
            if flag not in together:
                alone(flag)
        groups = [together] if together else []
        while groups:
            group = groups.pop()
            if len(group) == 1:
                alone(group[0])
                continue
            ok, stderr = passes([arg for flag in group for arg in _flag_test_args(flag)])
            if ok:
                answers.update(dict.fromkeys(group, True))
                log.note(f"{len(group)} flags in one compile, all supported: {' '.join(group)}")
                continue
            rejected = _rejected_in(stderr)
            refused = [f for f in group if any(arg in rejected for arg in _flag_test_args(f))]
            if refused:
                answers.update(dict.fromkeys(refused, False))
                log.note(f"rejected by name, as they would be alone: {' '.join(refused)}")
                rest = [f for f in group if f not in refused]
                if rest:
                    groups.append(rest)
                continue
            named = [f for f in group if _named_in(f, stderr)]
            if named and len(named) < len(group):
                groups += [[f for f in group if f not in named], *([f] for f in named)]
            else:
                groups += [group[len(group) // 2:], group[:len(group) // 2]]
        supported = tuple(f for f in self.flags if answers[f])
        return CheckResult(len(supported) == len(self.flags), supported, log.text)
