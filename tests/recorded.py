"""Deciding whole configurations in this process, from recorded answers of the machine.

``configure.decide()`` learns what the machine has through a ``Prober``
(``qemu_config.probes``).  :class:`RecordedProber` answers from a table instead
of running anything: the predefined macros of a host, and for each probe (named
as the probe lines name it) what a real run of that probe answered.  The tables
below were copied from real runs on Debian 12 (x86_64, gcc 12): natively, with
the mingw-w64 and aarch64-linux-gnu cross compilers, and with the wrapper
compilers that made gcc answer as a Darwin or NetBSD compiler.  A test changes
the answers its claim is about (missing, too old, no pkg-config) and decides;
:class:`Decider` then gives it the Configuration, and the files configure would
write, in milliseconds.

Recorded answers are for testing decisions.  A test about a probe itself runs
it, through the real ``MachineProber``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from qemu_config import options
from qemu_config.configure import decide
from qemu_config.host import HostMachine
from qemu_config.model import Configuration, Environment
from qemu_config.options import MesonOption
from qemu_config.outputs import build_outputs
from qemu_config.probes import Probe, ProbeOutcome, Prober
from qemu_config.rules import PATH_MAP_PROBE
from qemu_config.toolchain import Toolchain

REPO = Path(__file__).resolve().parent.parent

# --- hosts: the macros their C compilers predefine (those the host model reads) -----------------

_LITTLE_ENDIAN_64 = {"__BYTE_ORDER__": "1234", "__ORDER_LITTLE_ENDIAN__": "1234", "__ORDER_BIG_ENDIAN__": "4321",
                     "__SIZEOF_POINTER__": "8"}
LINUX_X86_64 = {"__linux__": "1", "__gnu_linux__": "1", "__unix__": "1", "__x86_64__": "1", **_LITTLE_ENDIAN_64}
LINUX_AARCH64 = {"__linux__": "1", "__gnu_linux__": "1", "__unix__": "1", "__aarch64__": "1", **_LITTLE_ENDIAN_64}
WINDOWS_X86_64 = {"_WIN32": "1", "_WIN64": "1", "__MINGW64__": "1", "__x86_64__": "1", **_LITTLE_ENDIAN_64}
DARWIN_X86_64 = {"__APPLE__": "1", "__MACH__": "1", "__x86_64__": "1", **_LITTLE_ENDIAN_64}
NETBSD_X86_64 = {"__NetBSD__": "1", "__x86_64__": "1", **_LITTLE_ENDIAN_64}


# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one probe answered: a ProbeOutcome without its probe."""

    ok: bool
    status: str
    detail: str
    version: str | None = None
    value: object = None
    cflags: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()

    def outcome(self, probe: Probe) -> ProbeOutcome:
        return ProbeOutcome(probe, self.ok, self.status, self.detail, self.version, self.value, self.cflags,
                            self.libs, log="recorded\n")


SEARCHED = "/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig"


def package(name: str, version: str, *, cflags: Sequence[str] = (), libs: Sequence[str] = (),
            triplet: str = "x86_64-linux-gnu") -> Answer:
    """A pkg-config package found where Debian installs it (for another architecture: ``triplet``)."""
    return Answer(True, "found", f"found {version}", version, f"/usr/lib/{triplet}/pkgconfig/{name}.pc",
                  tuple(cflags), tuple(libs))


def not_found(name: str, searched: str = SEARCHED) -> Answer:
    """pkg-config ran and does not know the package."""
    return Answer(False, "missing", f"Package {name} was not found in the pkg-config search path "
                                    f"(searched {searched})")


def too_old(name: str, version: str, needed: str) -> Answer:
    """pkg-config found the package, older than asked for (``needed``: '>= 1.2.0')."""
    return Answer(False, "too-old", f"{name} found {version} but {needed} is needed", version)


def no_pkg_config(program: str) -> Answer:
    """The pkg-config program itself is missing."""
    return Answer(False, "no-pkg-config", f"pkg-config not found (looked for {program})")


def links() -> Answer:
    return Answer(True, "found", "links")


def does_not_link() -> Answer:
    return Answer(False, "failed", "does not link")


def skipped(package_name: str, because: Answer) -> Answer:
    """A link test not run because a package it uses was not found."""
    return Answer(False, "skipped", f"{package_name} not available: {because.detail}")


def found(what: str, **extra: object) -> Answer:
    """A header, function or library the compiler found."""
    return Answer(True, "found", f"{what} found", **extra)  # type: ignore[arg-type]


def missing(what: str) -> Answer:
    return Answer(False, "missing", f"{what} not found")


def gdb(path: str, version: str, arches: Sequence[str]) -> Answer:
    return Answer(True, "found", f"{path} {version}", version, (path, tuple(arches)))


# The probes, as the probe lines name them.
PIXMAN = "pkg-config pixman-1 >=0.21.8"
VIRGL = "pkg-config virglrenderer"
RUTABAGA = "pkg-config rutabaga_gfx_ffi"
LIBBPF = "pkg-config libbpf >=1.1.0"
BPF_LINK = 'link test "libbpf skeleton/mmaping" against libbpf'
LIBXDP = "pkg-config libxdp >=1.2.0"
GLIB = "pkg-config glib-2.0 >=2.66.0"
GTREE_LINK = 'link test "GTree node API" against glib-2.0'
KEYUTILS = "pkg-config libkeyutils"
FDT = 'find_library fdt + link test "fdt_find_max_phandle"'
GETLOADAVG = "has_function getloadavg"
PIE = 'link test "PIE" (-Werror -fPIE -pie)'
STATIC_PIE = 'link test "static PIE" (-Werror -fPIE -static-pie)'
FLAGS = "supported compiler flags (28 tested)"
PATH_MAP = "supported path-mapping flags (1 tested, 2 more if not)"
GDB = "gdb gdb-multiarch | gdb"
DLLTOOL = "find_program dlltool"
WHPX_HEADERS = ("has_header winhvplatform.h", "has_header winhvemulation.h")
HVF_LINK = 'link test "Hypervisor framework"'
NVMM = "find_library nvmm"
OBJC = 'link test "Objective-C compiler"'
XEN = tuple(f"pkg-config {name}" for name in ("xencontrol", "xenstore", "xenforeignmemory", "xengnttab",
                                               "xenevtchn", "xendevicemodel"))

# gcc 12's answer to QEMU's 28 warning flags (the same natively and for both cross compilers).
GCC_WARNING_FLAGS = (
    "-Wempty-body", "-Wendif-labels", "-Wexpansion-to-defined", "-Wformat-security", "-Wformat-y2k",
    "-Wignored-qualifiers", "-Wimplicit-fallthrough=2", "-Winit-self", "-Wmissing-format-attribute",
    "-Wmissing-prototypes", "-Wnested-externs", "-Wold-style-declaration", "-Wold-style-definition",
    "-Wredundant-decls", "-Wshadow=local", "-Wstrict-prototypes", "-Wtype-limits", "-Wundef", "-Wvla",
    "-Wwrite-strings", "-Wno-missing-include-dirs", "-Wno-psabi", "-Wno-shift-negative-value",
)
GDB_X86 = gdb("/usr/bin/gdb", "13.1", ("i386", "i386:x86-64", "i386:x64-32", "i8086", "i386:intel",
                                       "i386:x86-64:intel", "i386:x64-32:intel"))
_COMPILER = {
    FLAGS: Answer(True, "found", f"{len(GCC_WARNING_FLAGS)} of 28 flags supported", value=GCC_WARNING_FLAGS),
    PATH_MAP: Answer(True, "found", "1 of 1 flags supported", value=PATH_MAP_PROBE.flags),
    GDB: GDB_X86,
}

_GLIB = package("glib-2.0", "2.74.6", cflags=("-I/usr/include/glib-2.0", "-I/usr/lib/x86_64-linux-gnu/glib-2.0/include"),
                libs=("-lglib-2.0",))

# Debian 12, x86_64, natively: every package the CI installs.
NATIVE: Mapping[str, Answer] = {
    **{name: not_found(name.split()[1]) for name in XEN},
    PIXMAN: package("pixman-1", "0.42.2", cflags=("-I/usr/include/pixman-1",), libs=("-lpixman-1",)),
    VIRGL: package("virglrenderer", "0.10.4", cflags=("-I/usr/include/virgl",), libs=("-lvirglrenderer",)),
    RUTABAGA: not_found("rutabaga_gfx_ffi"),
    LIBBPF: package("libbpf", "1.1.2", libs=("-lbpf",)),
    BPF_LINK: links(),
    LIBXDP: package("libxdp", "1.3.1", libs=("-lxdp",)),
    GLIB: _GLIB,
    GTREE_LINK: links(),
    KEYUTILS: package("libkeyutils", "1.6.3", libs=("-lkeyutils",)),
    FDT: found("library fdt", libs=("-lfdt",)),
    GETLOADAVG: found("getloadavg"),
    PIE: links(),
    STATIC_PIE: links(),
    **_COMPILER,
}


def _without_pkg_config(program: str) -> dict[str, Answer]:
    """A cross build whose prefixed pkg-config is not installed: every package, and what uses one."""
    none = no_pkg_config(program)
    return {**{name: none for name in XEN}, PIXMAN: none, VIRGL: none, RUTABAGA: none, LIBBPF: none,
            BPF_LINK: skipped("libbpf", none), LIBXDP: none, GLIB: none, GTREE_LINK: skipped("glib-2.0", none),
            KEYUTILS: none}


# --cross-prefix=x86_64-w64-mingw32- (gcc-mingw-w64): no pkg-config for it, no libfdt, no getloadavg.
MINGW: Mapping[str, Answer] = {
    **_without_pkg_config("x86_64-w64-mingw32-pkg-config"),
    FDT: Answer(False, "missing", "library fdt not found"),
    GETLOADAVG: missing("getloadavg"),
    DLLTOOL: Answer(True, "found", "found /usr/bin/x86_64-w64-mingw32-dlltool",
                    value="/usr/bin/x86_64-w64-mingw32-dlltool"),
    **{header: found(header.split()[1]) for header in WHPX_HEADERS},
    **_COMPILER,
}

# --cross-prefix=aarch64-linux-gnu- (gcc-aarch64-linux-gnu) without arm64 development files.
AARCH64_CROSS: Mapping[str, Answer] = {
    **_without_pkg_config("aarch64-linux-gnu-pkg-config"),
    FDT: Answer(False, "missing", "library fdt not found"),
    GETLOADAVG: found("getloadavg"),
    PIE: links(),
    **_COMPILER,
}

# --cross-prefix=aarch64-linux-gnu- with the arm64 packages .ci/run installs (Debian multiarch, found by
# aarch64-linux-gnu-pkg-config) and libfdt for arm64 (libfdt-dev:arm64, or the sysroot of scripts/debian-sysroot).
AARCH64_MULTIARCH: Mapping[str, Answer] = {
    **{name: package(name.split()[1], version, triplet="aarch64-linux-gnu")
       for name, version in zip(XEN, ("4.17.0", "4.0", "1.4", "1.2", "1.2", "1.4"))},   # libxen-dev:arm64
    PIXMAN: package("pixman-1", "0.42.2", cflags=("-I/usr/include/pixman-1",), libs=("-lpixman-1",),
                    triplet="aarch64-linux-gnu"),
    VIRGL: package("virglrenderer", "0.10.4", cflags=("-I/usr/include/virgl",), libs=("-lvirglrenderer",),
                   triplet="aarch64-linux-gnu"),
    RUTABAGA: not_found("rutabaga_gfx_ffi", "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig"),
    LIBBPF: package("libbpf", "1.1.2", libs=("-lbpf",), triplet="aarch64-linux-gnu"),
    BPF_LINK: links(),
    LIBXDP: package("libxdp", "1.3.1", libs=("-lxdp",), triplet="aarch64-linux-gnu"),
    GLIB: package("glib-2.0", "2.74.6", cflags=("-I/usr/include/glib-2.0",
                                                "-I/usr/lib/aarch64-linux-gnu/glib-2.0/include"),
                  libs=("-lglib-2.0",), triplet="aarch64-linux-gnu"),
    GTREE_LINK: links(),
    KEYUTILS: package("libkeyutils", "1.6.3", libs=("-lkeyutils",), triplet="aarch64-linux-gnu"),
    FDT: found("library fdt", libs=("-lfdt",)),
    GETLOADAVG: found("getloadavg"),
    PIE: links(),
    **_COMPILER,
}

# gcc made to predefine Darwin's macros (its libraries are this machine's): no Hypervisor framework.
DARWIN: Mapping[str, Answer] = {
    **NATIVE,
    HVF_LINK: does_not_link(),
    OBJC: Answer(True, "found", "cc works", value="cc"),
}

# gcc made to predefine NetBSD's macros, with a libnvmm.so on its library path.
NETBSD: Mapping[str, Answer] = {**NATIVE, NVMM: found("library nvmm", libs=("-lnvmm",))}


class RecordedProber:
    """A Prober that runs nothing: a host's macros, and each probe's answer from a table.

    A probe the table does not answer is a test error, naming it: a new probe needs
    its answer recorded.  What was asked is kept, for tests about what is probed.
    """

    def __init__(self, macros: Mapping[str, str], answers: Mapping[str, Answer]) -> None:
        self.macros = dict(macros)
        self.answers = dict(answers)
        self.asked: list[str] = []          # every probe asked for, dependencies included, in order
        self.required: list[str] = []       # those whose failure would be an error
        self.static: bool | None = None
        self.toolchain: Toolchain | None = None

    def predefined_macros(self, toolchain: Toolchain) -> Mapping[str, str]:
        self.toolchain = toolchain
        return dict(self.macros)

    def check_compiler(self, toolchain: Toolchain, cpu_cflags: tuple[str, ...]) -> str | None:
        return None     # as when an earlier run showed that it works

    def run(self, toolchain: Toolchain, host: HostMachine, probes: Sequence[Probe], required: Sequence[Probe], *,
            static: bool) -> Mapping[Probe, ProbeOutcome]:
        self.static = static
        ordered = list(dict.fromkeys(d for p in probes for d in (*p.depends_on(), p)))
        self.asked += [p.describe() for p in ordered]
        self.required += [p.describe() for p in required]
        unknown = [p.describe() for p in ordered if p.describe() not in self.answers]
        if unknown:
            raise AssertionError(f"no recorded answer for: {', '.join(unknown)}")
        return {p: self.answers[p.describe()].outcome(p) for p in ordered}

    def consulted(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return (), (), ()


# --- deciding in this process ----------------------------------------------------------------------

BUILD_DIR = Path("/build")
ENVIRON: Mapping[str, str] = {"PATH": "/usr/local/bin:/usr/bin:/bin"}


@dataclass(frozen=True)
class Decider:
    """configure()'s deciding half: argv in, the Configuration (and the files it makes) out.

    It parses and decides as configure() does, with meson's builtin options read
    once (``shown``: those configure resolves with; ``every``: those spellings
    such as ``--bindir=`` are parsed with).
    """

    shown: tuple[MesonOption, ...]
    every: tuple[MesonOption, ...]
    environment: Mapping[str, str] = field(default_factory=lambda: dict(ENVIRON))

    def decide(self, argv: Sequence[str], prober: Prober, *, environ: Mapping[str, str] | None = None,
               source_dir: Path = REPO, build_dir: Path = BUILD_DIR,
               table: options.OptionTable | None = None) -> Configuration:
        """Decide as configure() does; ``table`` replaces the source tree's meson_options.txt."""
        table = options.load_option_table(source_dir) if table is None else table
        request = self.request(argv, table)
        env = Environment(source_dir=source_dir, build_dir=build_dir, python=str(build_dir / "pyvenv/bin/python3"),
                          meson=(str(build_dir / "pyvenv/bin/meson"),), ninja="/usr/bin/ninja",
                          environ=dict(self.environment if environ is None else environ))
        return decide(env, request, table, self.shown, prober)

    def request(self, argv: Sequence[str], table: options.OptionTable | None = None) -> options.ConfigureRequest:
        """argv parsed as configure() parses it (against this tree's option table unless given one)."""
        return options.parse_configure_args(argv, options.load_option_table(REPO) if table is None else table,
                                            self.every)

    def files(self, argv: Sequence[str], prober: Prober, **kwargs: object) -> dict[str, str]:
        """Every file configure would write, by its path in the build directory."""
        config = self.decide(argv, prober, **kwargs)  # type: ignore[arg-type]
        return {f.path: f.text for f in build_outputs(config, argv)}


def shown_builtins(every: Sequence[MesonOption]) -> tuple[MesonOption, ...]:
    """Of meson's builtin options, those configure shows in --help and resolves with."""
    return tuple(o for o in every if o.name in options.HELP_BUILTINS)
