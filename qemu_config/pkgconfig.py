"""pkg-config lookups with version constraints.

Owns: choosing the pkg-config program (``$PKG_CONFIG``, ``<cross-prefix>pkg-config``
or ``pkg-config``), asking it for a package's version, cflags and libs, checking
meson-style version constraints (``'>=1.1.0'``) with meson's exact ordering, and
the identity a probe cache must key a lookup on.

Every outcome a user needs to hear about is its own ``status``:

``found``          the package is usable and satisfies every constraint
``missing``        no usable .pc file: not in the search path, invalid, or one of
                   its ``Requires`` cannot be satisfied (``version`` is then the
                   package's own version when pkg-config could read it)
``too-old``        a ``>=``/``>`` constraint failed (``detail`` names both versions)
``wrong-version``  any other constraint failed
``no-pkg-config``  the pkg-config program itself was not found

The environment is always passed in (``environ``) and handed to pkg-config as
is; this module never reads ``os.environ`` and never prints.  It does not
decide what a missing package means for a feature: that is ``features``' job.
"""

from __future__ import annotations

import hashlib
import operator
import os
import re
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping, Sequence

from . import processes
from .platforms import DEBIAN_ARCHES

__all__ = [
    "PkgConfigTool", "PackageLookup", "find_pkg_config", "pkg_config_program", "search_path",
    "build_machine_leak",
    "cross_leak_warning",
    "lookup", "version_compare", "parse_constraint", "cache_identity",
]

# Environment variables that change what pkg-config answers (beyond every PKG_CONFIG* one):
# pkgconf treats the compiler's include/library path variables as system directories and
# drops matching -I/-L flags, and DESTDIR == PKG_CONFIG_SYSROOT_DIR switches its sysroot rules.
_EXTRA_IDENTITY_ENVIRONMENT = ("CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH",
                               "LIBRARY_PATH", "DESTDIR")
_LOGGED_ENVIRONMENT = ("PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR",
                       "PKG_CONFIG_ALLOW_SYSTEM_CFLAGS", "PKG_CONFIG_ALLOW_SYSTEM_LIBS")


# --- version comparison ------------------------------------------------------

_TOKEN = re.compile(r"(\d+)|([a-zA-Z]+)")

# Longest spelling first: '>=' must win over '>'.
_OPERATORS: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
    (">=", ">=", operator.ge),
    ("<=", "<=", operator.le),
    ("!=", "!=", operator.ne),
    ("==", "==", operator.eq),
    ("=", "==", operator.eq),
    (">", ">", operator.gt),
    ("<", "<", operator.lt),
)


def _version_key(version: str) -> tuple[tuple[int, tuple[int, str] | str], ...]:
    """Sort key with meson's (RPM-like) ordering.

    A version is its runs of digits (compared as integers, so leading zeros do
    not matter) and runs of ASCII letters (compared as strings); everything
    else only separates runs.  A letter run sorts before a digit run in the
    same position, and when one version is a prefix of the other the longer
    one is greater.  Tuple comparison gives exactly that order.  A digit run is compared by its
    length without leading zeros, then its text: the order of the integers, for runs of any length
    (Python refuses to convert one of more than 4,300 digits).
    """
    return tuple((1, _number_key(digits)) if digits else (0, letters)
                 for digits, letters in _TOKEN.findall(version))


def _number_key(digits: str) -> tuple[int, str]:
    significant = digits.lstrip("0")
    return len(significant), significant


def parse_constraint(constraint: str) -> tuple[str, str]:
    """Split a meson constraint into (operator, version); a bare version means '=='."""
    for spelling, canonical, _ in _OPERATORS:
        if constraint.startswith(spelling):
            return canonical, constraint[len(spelling):].strip()
    return "==", constraint.strip()


def version_compare(found: str, constraint: str) -> bool:
    """Whether version ``found`` satisfies ``constraint`` ('>=1.2', '<2', '!=1.0', '1.0', ...).

    Same answers as meson's ``mesonlib.version_compare``: '1.10' > '1.9',
    '1.0' == '1.00' == '1-0', '1.0rc1' < '1.0.1' but '1.0rc1' > '1.0'.
    """
    op_name, wanted = parse_constraint(constraint)
    compare = next(fn for _, canonical, fn in _OPERATORS if canonical == op_name)
    return bool(compare(_version_key(found), _version_key(wanted)))


# --- the program -------------------------------------------------------------

@dataclass(frozen=True)
class PkgConfigTool:
    """One pkg-config program and where it looks for .pc files.

    ``path`` is absolute but symlinks are kept: pkgconf picks its cross
    personality from the name it is started as.  ``search_path`` is for the
    environment the tool was found in (see :func:`search_path` for another);
    ``default_search_path`` is what PKG_CONFIG_LIBDIR replaces (the compiled-in
    list or the personality's); ``personality`` is pkgconf's triplet
    ('default', 'aarch64-linux-gnu', ...) or None for other implementations.
    """

    path: str
    version: str
    search_path: tuple[str, ...]
    default_search_path: tuple[str, ...] = ()
    personality: str | None = None


@dataclass(frozen=True)
class _ToolFacts:
    version: str
    default_search_path: tuple[str, ...]
    personality: str | None


_TOOL_FACTS: dict[tuple[str, int, int, int], _ToolFacts | None] = {}


def pkg_config_program(cross_prefix: str | None, environ: Mapping[str, str]) -> str:
    """The program name or path to use: $PKG_CONFIG, else <cross-prefix>pkg-config, else pkg-config.

    A cross build never falls back to the unprefixed program: that one answers
    for the build machine and would leak its libraries into the cross build.
    """
    explicit = environ.get("PKG_CONFIG", "")
    if explicit:
        return explicit
    return f"{cross_prefix or ''}pkg-config"


def _resolve_program(name: str, environ: Mapping[str, str]) -> str | None:
    if os.sep in name or (os.altsep and os.altsep in name):
        candidate = os.path.abspath(name)
        return candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
    found = shutil.which(name, path=environ.get("PATH", os.defpath))
    return os.path.abspath(found) if found else None


def _run(argv: Sequence[str], environ: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """One pkg-config query; a pkg-config that hangs is a ProcessTimeout (the ERROR names it)."""
    return processes.run("pkg-config", argv, what="pkg-config " + " ".join(argv[1:])[:100], env=environ)


def _query_tool(path: str, environ: Mapping[str, str]) -> _ToolFacts | None:
    """Version, default search path and personality of a program; memoised on its file identity."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (path, st.st_ino, st.st_mtime_ns, st.st_size)
    if key in _TOOL_FACTS:
        return _TOOL_FACTS[key]
    facts: _ToolFacts | None = None
    try:
        ver = _run([path, "--version"], environ)
        version = ver.stdout.strip().splitlines()[0].strip() if ver.stdout.strip() else ""
        if ver.returncode == 0 and version:
            personality: str | None = None
            default: tuple[str, ...] = ()
            dump = _run([path, "--dump-personality"], environ)
            if dump.returncode == 0:
                fields = dict(line.split(":", 1) for line in dump.stdout.splitlines() if ":" in line)
                personality = fields.get("Triplet", "").strip() or None
                if personality and personality != "default":
                    default = tuple(fields.get("DefaultSearchPaths", "").split())
            if not default:
                # The compiled-in list, unfiltered: pkgconf's default personality drops
                # directories that do not exist (yet), but they are searched once created.
                pc_path = _run([path, "--variable=pc_path", "pkg-config"], environ)
                if pc_path.returncode == 0:
                    default = _split_path_list(pc_path.stdout.strip())
            facts = _ToolFacts(version, default, personality)
    except OSError:
        facts = None
    _TOOL_FACTS[key] = facts
    return facts


def _split_path_list(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(os.pathsep) if part)


def _dedup(paths: Sequence[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for p in paths:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return tuple(out)


def search_path(tool: PkgConfigTool | None, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Directories ``tool`` searches under ``environ``, in order.

    ``PKG_CONFIG_PATH`` comes first; ``PKG_CONFIG_LIBDIR``, when set (even to
    the empty string), replaces the default list.  ``PKG_CONFIG_SYSROOT_DIR``
    does not move the search (it only prefixes -I/-L paths in the output).
    Directories that do not exist are kept: creating one changes the answer.
    A wrapper script that exports its own PKG_CONFIG_LIBDIR is not modelled.
    """
    extra = _split_path_list(environ.get("PKG_CONFIG_PATH", ""))
    if "PKG_CONFIG_LIBDIR" in environ:
        base = _split_path_list(environ["PKG_CONFIG_LIBDIR"])
    else:
        base = tool.default_search_path if tool is not None else ()
    return _dedup(extra + base)


def find_pkg_config(cross_prefix: str | None, environ: Mapping[str, str]) -> PkgConfigTool | None:
    """The pkg-config program for this build, or None if there is none that runs.

    ``$PKG_CONFIG`` (a program name or path, taken whole) wins; otherwise
    ``<cross_prefix>pkg-config`` for a cross build and ``pkg-config`` for a
    native one.  The program is asked once (memoised on its path and mtime).
    """
    path = _resolve_program(pkg_config_program(cross_prefix, environ), environ)
    if path is None:
        return None
    facts = _query_tool(path, environ)
    if facts is None:
        return None
    partial = PkgConfigTool(path, facts.version, (), facts.default_search_path, facts.personality)
    return PkgConfigTool(path, facts.version, search_path(partial, environ),
                         facts.default_search_path, facts.personality)


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def cross_leak_warning(tool: PkgConfigTool | None, cross_prefix: str | None,
                       environ: Mapping[str, str]) -> str | None:
    """Why a cross build's pkg-config answers for the build machine, or None when it does not.

    pkgconf picks its search path from the name it is started as
    (``aarch64-linux-gnu-pkg-config`` reads the ``aarch64-linux-gnu``
    personality) and silently falls back to the build machine's directories
    when no personality file exists for that name.  Wrapper scripts (which
    usually export PKG_CONFIG_LIBDIR themselves) and an explicit
    PKG_CONFIG_LIBDIR are trusted.
    """
    if tool is None or not cross_prefix or tool.personality != "default":
        return None
    if "PKG_CONFIG_LIBDIR" in environ or _is_script(tool.path):
        return None
    dirs = ":".join(d for d in tool.default_search_path if os.path.isdir(d)) or "its default path"
    return (f"{tool.path} has no {cross_prefix.rstrip('-')} personality and searches the build machine's "
            f".pc files ({dirs})")


def _multiarch_triplet(path: str, triplets: Sequence[str]) -> str | None:
    """The multiarch triplet a path lies under (``.../lib/<triplet>/...``), among ``triplets``."""
    parts = os.path.normpath(path).split(os.sep)
    for before, part in zip(parts, parts[1:]):
        if before in ("lib", "lib64", "include") and part in triplets:
            return part
    return None


def build_machine_leak(tool: PkgConfigTool | None, found: "PackageLookup", cross_prefix: str | None,
                       host_triplet: str | None, build_triplet: str | None,
                       environ: Mapping[str, str]) -> str | None:
    """Why a package pkg-config found for a cross build is the wrong machine's, or None when it is not.

    ``host_triplet`` is the host's Debian multiarch triplet (None for a host Debian packages no
    libraries for: Windows, Darwin, the BSDs), ``build_triplet`` the build machine's.  A package is
    refused when its .pc file or a -I/-L directory it gives lies in another Debian architecture's
    multiarch directories (``/usr/lib/x86_64-linux-gnu/pkgconfig`` for an aarch64 host), or when the
    program that found it searches the build machine's .pc files (:func:`cross_leak_warning`).
    """
    if not cross_prefix or not found.found or (host_triplet is not None and host_triplet == build_triplet):
        return None
    warning = cross_leak_warning(tool, cross_prefix, environ)
    if warning is not None:
        return f"{found.package} {found.version} ({found.pc_file or 'no .pc file named'}): {warning}"
    foreign = tuple(a.triplet for a in DEBIAN_ARCHES if a.triplet != host_triplet)
    where = [found.pc_file] if found.pc_file else []
    where += [flag[2:] for flag in (*found.cflags, *found.libs) if flag.startswith(("-I", "-L")) and len(flag) > 2]
    for path in where:
        triplet = _multiarch_triplet(path, foreign)
        if triplet is not None:
            return f"{found.package} {found.version} ({path}): the {triplet} multiarch directories, not the host's"
    return None


# --- lookups -----------------------------------------------------------------

@dataclass(frozen=True)
class PackageLookup:
    """The answer to 'is <package> <constraints> available, and how do I use it?'."""

    package: str
    constraints: tuple[str, ...]
    status: str                   # found | missing | too-old | wrong-version | no-pkg-config
    version: str | None
    cflags: tuple[str, ...]
    libs: tuple[str, ...]         # --static libs when static
    pc_file: str | None           # the .pc file that answered (or the invalid one that could not)
    detail: str                   # one human line
    log: str                      # commands, exit codes and output, for config.log
    static: bool = False

    @property
    def found(self) -> bool:
        return self.status == "found"

    def identity(self) -> tuple[str, ...]:
        """The request part of a cache key (append it to :func:`cache_identity`)."""
        return (f"package={self.package}", "constraints=" + " ".join(self.constraints),
                f"static={int(self.static)}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PackageLookup:
        fields = dict(data)
        for name in ("constraints", "cflags", "libs"):
            fields[name] = tuple(fields.get(name) or ())
        return cls(**fields)


class _Log:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.parts: list[str] = []

    def run(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str] | None:
        return self.run_together([argv])[0]

    def run_together(self, argvs: Sequence[Sequence[str]]) -> list[subprocess.CompletedProcess[str] | None]:
        """Run the queries at the same time (none needs another's answer); logged in the order given."""
        def one(argv: Sequence[str]) -> subprocess.CompletedProcess[str] | OSError:
            try:
                return _run(argv, self.environ)
            except OSError as exc:
                return exc

        if len(argvs) == 1:
            answers = [one(argvs[0])]
        else:
            with ThreadPoolExecutor(max_workers=len(argvs) - 1, thread_name_prefix="pkg-config") as side:
                others = [side.submit(one, argv) for argv in argvs[1:]]
                answers = [one(argvs[0]), *(future.result() for future in others)]
        shown = [f"{k}={shlex.quote(self.environ[k])}" for k in _LOGGED_ENVIRONMENT if k in self.environ]
        procs: list[subprocess.CompletedProcess[str] | None] = []
        for argv, answer in zip(argvs, answers):
            self.parts.append("$ " + " ".join([*shown, shlex.join(argv)]))
            if isinstance(answer, OSError):
                self.parts.append(f"failed to run: {answer}")
                procs.append(None)
                continue
            self.parts.append(f"[exit {answer.returncode}]")
            for stream in (answer.stdout, answer.stderr):
                if stream.strip():
                    self.parts.append(stream.rstrip("\n"))
            procs.append(answer)
        return procs

    def note(self, line: str) -> None:
        self.parts.append(line)

    def text(self) -> str:
        return "\n".join(self.parts) + "\n"


def _error_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


_NOT_FOUND_REQUIRED = re.compile(r"Package '([^']+)', required by '([^']+)', not found")
_UNSATISFIED = re.compile(r"Package dependency requirement '([^']+)' could not be satisfied")
_HAS_VERSION = re.compile(r"Package '([^']+)' has version '([^']*)', required version is '([^']*)'")


def _top_level_missing(package: str, stderr: str) -> bool:
    """Whether pkg-config said the package itself (not something it requires) is not there."""
    text = " ".join(_error_lines(stderr))
    return (f"Package '{package}', required by 'virtual:world', not found" in text
            or f"Package {package} was not found in the pkg-config search path" in text)


def _describe_broken_requires(package: str, version: str | None, stderr: str) -> str:
    """One line for 'the .pc file is there but pkg-config cannot resolve what it requires'."""
    what = f"{package} {version}" if version else package
    text = " ".join(_error_lines(stderr))
    for m in _NOT_FOUND_REQUIRED.finditer(text):
        dep, by = m.groups()
        if dep != package and by != "virtual:world":
            via = "" if by == package else f" (required by {by})"
            return (f"{what} is installed but its dependency {dep}{via} was not found in the "
                    f"pkg-config search path")
    unsatisfied = _UNSATISFIED.search(text)
    has = _HAS_VERSION.search(text)
    if unsatisfied and has and has.group(1) != package:
        return (f"{what} is installed but needs {unsatisfied.group(1)}; found {has.group(1)} "
                f"{has.group(2)}")
    return f"{what} is installed but pkg-config cannot use it: {text}" if text else \
        f"{what} is installed but pkg-config cannot use it"


def _candidates(directory: str, package: str, environ: Mapping[str, str]) -> tuple[str, ...]:
    plain = os.path.join(directory, f"{package}.pc")
    if environ.get("PKG_CONFIG_DISABLE_UNINSTALLED"):
        return (plain,)
    return (os.path.join(directory, f"{package}-uninstalled.pc"), plain)


def _locate_pc(package: str, dirs: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The .pc file pkg-config would read for ``package`` (uninstalled variant first in each dir)."""
    for d in dirs:
        for candidate in _candidates(d, package, environ):
            if os.path.isfile(candidate):
                return candidate
    return None


def _result(package: str, constraints: tuple[str, ...], status: str,
            detail: str, log: _Log | str, *, static: bool, version: str | None = None,
            cflags: tuple[str, ...] = (), libs: tuple[str, ...] = (),
            pc_file: str | None = None) -> PackageLookup:
    text = log if isinstance(log, str) else log.text()
    return PackageLookup(package, constraints, status, version, cflags, libs, pc_file, detail, text, static)


def _not_found_detail(package: str, dirs: Sequence[str]) -> str:
    existing = [d for d in dirs if os.path.isdir(d)]
    where = "searched " + ":".join(existing) if existing else "the search path is empty"
    return f"Package {package} was not found in the pkg-config search path ({where})"


def _invalid_pc_detail(tool: PkgConfigTool, package: str, pc_file: str, log: _Log) -> str:
    """Why pkg-config skipped a .pc file that is there (pkgconf explains only under --validate)."""
    proc = log.run([tool.path, "--validate", package])
    reasons: list[str] = []
    if proc is not None:
        for line in _error_lines(proc.stdout + "\n" + proc.stderr):
            if line.startswith(pc_file):
                reason = line[len(pc_file):].lstrip(":")
                reason = re.sub(r"^(\d+):\s*", r"line \1: ", reason).replace("warning: ", "")
                reason = reason.strip()
                if "skipping invalid file" not in reason and reason not in reasons:
                    reasons.append(reason)
    if reasons:
        return f"{pc_file} is not a valid .pc file: " + "; ".join(reasons)
    return f"{pc_file} could not be used by pkg-config"


def lookup(tool: PkgConfigTool | None, package: str, constraints: Sequence[str] = (), *,
           environ: Mapping[str, str], static: bool = False,
           cross_prefix: str | None = None) -> PackageLookup:
    """Ask ``tool`` about ``package`` and check ``constraints`` (meson syntax) here.

    The constraints are not handed to pkg-config, so that a version mismatch
    can name the version found and the one needed.  ``cross_prefix`` is used
    only to name the program that was looked for when ``tool`` is None.
    """
    wanted = tuple(constraints)
    if tool is None:
        name = pkg_config_program(cross_prefix, environ)
        return _result(package, wanted, "no-pkg-config", f"pkg-config not found (looked for {name})",
                       f"pkg-config program {name} not found\n", static=static)
    log = _Log(environ)
    dirs = search_path(tool, environ)
    log.note(f"pkg-config {tool.version} at {tool.path}; search path: {':'.join(dirs) or '(empty)'}")
    static_args = ["--static"] if static else []

    def no_tool(what: str) -> PackageLookup:
        return _result(package, wanted, "no-pkg-config", f"pkg-config could not be run ({what})",
                       log, static=static)

    # pkgconf prints the version and the .pc file it read in one run (--path after --modversion, a line
    # each); other implementations are asked for the version alone, and the file is found below.
    with_path = ["--path"] if tool.personality is not None else []
    full = log.run([tool.path, *static_args, "--modversion", *with_path, package])
    if full is None:
        return no_tool(tool.path)
    answer = full.stdout.strip().splitlines() if full.returncode == 0 else []
    version: str | None = answer[0].strip() if answer else None
    usable = version is not None
    pc_file: str | None = answer[1].strip() if with_path and len(answer) > 1 and answer[1].strip() else None
    if not usable and not _top_level_missing(package, full.stderr):
        # Is the package itself readable, and only something it requires broken?
        own = log.run([tool.path, "--maximum-traverse-depth=1", "--modversion", package])
        if own is not None and own.returncode == 0 and own.stdout.strip():
            version = own.stdout.strip()

    if version is not None and pc_file is None:
        where = log.run([tool.path, "--maximum-traverse-depth=1", "--path", package])
        if where is not None and where.returncode == 0 and where.stdout.strip():
            pc_file = where.stdout.strip().splitlines()[0]
    if pc_file is None:
        pc_file = _locate_pc(package, dirs, environ)

    if version is None:
        if pc_file is None:
            detail = _not_found_detail(package, dirs)
        else:
            detail = _invalid_pc_detail(tool, package, pc_file, log)
        return _result(package, wanted, "missing", detail, log, static=static, pc_file=pc_file)

    failed = [c for c in wanted if not version_compare(version, c)]
    if failed:
        ops = [parse_constraint(c) for c in failed]
        status = "too-old" if any(op in (">=", ">") for op, _ in ops) else "wrong-version"
        needs = " and ".join(f"{op} {v}" for op, v in ops)
        detail = f"{package} found {version} but {needs} {'is' if len(ops) == 1 else 'are'} needed"
        log.note(f"version {version} fails {', '.join(failed)}")
        return _result(package, wanted, status, detail, log, static=static, version=version,
                       pc_file=pc_file)
    if not usable:
        return _result(package, wanted, "missing", _describe_broken_requires(package, version, full.stderr),
                       log, static=static, version=version, pc_file=pc_file)

    # Two runs, at the same time: pkgconf's --cflags --libs in one run would leave out the cflags of
    # Requires.private, which --cflags alone gives (meson asks for each alone too).
    cflags_proc, libs_proc = log.run_together([[tool.path, *static_args, "--cflags", package],
                                               [tool.path, *static_args, "--libs", package]])
    for proc in (cflags_proc, libs_proc):
        if proc is None:
            return no_tool(tool.path)
        if proc.returncode != 0:
            return _result(package, wanted, "missing",
                           _describe_broken_requires(package, version, proc.stderr), log,
                           static=static, version=version, pc_file=pc_file)
    assert cflags_proc is not None and libs_proc is not None
    try:
        cflags = tuple(shlex.split(cflags_proc.stdout))
        libs = tuple(shlex.split(libs_proc.stdout))
    except ValueError as exc:
        return _result(package, wanted, "missing",
                       f"{package} {version}: pkg-config printed flags that cannot be split ({exc})",
                       log, static=static, version=version, pc_file=pc_file)
    return _result(package, wanted, "found", f"found {version}", log, static=static,
                   version=version, cflags=cflags, libs=libs, pc_file=pc_file)


# --- cache identity ----------------------------------------------------------

_VARIABLE = re.compile(r"^([A-Za-z0-9_.]+)\s*=(.*)$")
_KEYWORD = re.compile(r"^(Requires(?:\.private)?)\s*:(.*)$")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")


class _Expander:
    """``${name}`` references of a .pc file expanded, each variable once: a file whose variables refer to
    each other many times over (``x=${x}${x}``, ``y=${x}${x}${x}``) costs time linear in its size, and a
    value is cut at :data:`_MAX_EXPANDED` characters; a variable that refers back to itself, or lies
    more than :data:`_MAX_DEPTH` references deep, is empty."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self._variables = variables
        self._values: dict[str, str] = {}
        self._expanding: set[str] = set()

    def __call__(self, text: str) -> str:
        return _REFERENCE.sub(lambda m: self._value(m.group(1)), text)[:_MAX_EXPANDED]

    def _value(self, name: str) -> str:
        if name in self._values:
            return self._values[name]
        if name in self._expanding or len(self._expanding) >= _MAX_DEPTH:
            return ""
        self._expanding.add(name)
        value = self(self._variables.get(name, ""))
        self._expanding.discard(name)
        self._values[name] = value
        return value


_MAX_EXPANDED = 64 * 1024
_MAX_DEPTH = 64


def _required_packages(pc_file: str) -> list[str]:
    """Package names a .pc file requires (public and private), read without running pkg-config.

    An over-approximation is fine: it only widens what a cache key watches.
    """
    try:
        with open(pc_file, encoding="utf-8", errors="replace") as f:
            text = f.read(1 << 20)
    except OSError:
        return []
    text = text.replace("\\\n", " ")
    variables = {"pcfiledir": os.path.dirname(pc_file)}
    fields: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        kw = _KEYWORD.match(line)
        if kw:
            fields.append(kw.group(2))
            continue
        var = _VARIABLE.match(line)
        if var:
            variables[var.group(1)] = var.group(2).strip()

    expand = _Expander(variables)
    names: list[str] = []
    for field in fields:
        for token in re.split(r"[\s,]+", expand(field)):
            name = re.split(r"[<>=!]", token, maxsplit=1)[0]
            if name and not re.match(r"^[0-9]", name):
                names.append(name)
    return names


def _stat_signature(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "absent"
    return f"mtime_ns={st.st_mtime_ns} size={st.st_size}"


def _content_digest(path: str) -> str:
    """A hash of a small file: timestamps are coarse (a clock tick), a rewrite within one is not."""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read(1 << 20)).hexdigest()[:16]
    except OSError:
        return "unreadable"


def _directory_signature(directory: str) -> str:
    try:
        st = os.stat(directory)
        names = sorted(n for n in os.listdir(directory) if n.endswith(".pc"))
    except OSError:
        return "absent"
    listing = hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"mtime_ns={st.st_mtime_ns} pc-files={len(names)}:{listing}"


def cache_identity(tool: PkgConfigTool | None, package: str, environ: Mapping[str, str],
                   cross_prefix: str | None = None) -> tuple[str, ...]:
    """What a cached lookup of ``package`` must be keyed on so that it never outlives a change.

    The program (path, mtime, version), every environment variable pkg-config
    reads, for each search directory its st_mtime_ns and the names of its .pc
    files (adding, removing or renaming one changes them, even within one
    timestamp tick), and the mtime, size and content hash of the package's .pc
    file and of the .pc files it requires (an in-place rewrite changes those).
    When no pkg-config was found: the name that was looked for (``cross_prefix``
    decides it) and PATH.  Cheap: stat(), listdir() and small reads; no subprocess.
    """
    ident: list[str] = []
    if tool is None:
        # "not found" answers for the program that was looked for (a cross build's prefixed one), on PATH
        ident += ["tool=none", f"looked-for={pkg_config_program(cross_prefix, environ)}",
                  f"PATH={environ.get('PATH', '')}"]
    else:
        ident += [f"tool={tool.path}", f"tool-file={_stat_signature(tool.path)}",
                  f"tool-version={tool.version}", f"personality={tool.personality}"]
    names = sorted({k for k in environ if k.startswith("PKG_CONFIG")} | set(_EXTRA_IDENTITY_ENVIRONMENT)
                   | set(_LOGGED_ENVIRONMENT) | {"PKG_CONFIG"})
    ident += [f"env {k}={environ[k]}" if k in environ else f"env {k} unset" for k in names]
    if tool is None:
        return tuple(ident)
    dirs = search_path(tool, environ)
    ident += [f"dir {d} {_directory_signature(d)}" for d in dirs]
    pending = [package]
    seen: set[str] = set()
    while pending and len(seen) < 256:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        pc = _locate_pc(name, dirs, environ)
        if pc is None:
            ident.append(f"pc {name} absent")
            continue
        ident.append(f"pc {name} {pc} {_stat_signature(pc)} sha256={_content_digest(pc)}")
        pending.extend(_required_packages(pc))
    return tuple(ident)
