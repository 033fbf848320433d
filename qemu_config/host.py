"""The host machine model: what machine the build is *for*.

Owns host OS, CPU, endianness and pointer size, all read from the target C
compiler's predefined macros (``cc -dM -E``, asked through
:func:`qemu_config.toolchain.predefined_macros`), never from the Python running
the engine, so cross builds model the machine they build for.  Also owns the
canonical CPU table (meson cpu_family, QEMU host_arch, linux_arch, CPU_CFLAGS).
Runs nothing itself, and does not print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .errors import UserError
from .toolchain import predefined_macros

# First match wins, in this order (QEMU's configure).
_OS_BY_MACRO: tuple[tuple[tuple[str, ...], str], ...] = (
    (("__linux__",), "linux"),
    (("_WIN32",), "windows"),
    (("__OpenBSD__",), "openbsd"),
    (("__sun__",), "sunos"),
    (("__HAIKU__",), "haiku"),
    (("__FreeBSD__",), "freebsd"),
    (("__FreeBSD_kernel__", "__GLIBC__"), "gnu/kfreebsd"),
    (("__DragonFly__",), "dragonfly"),
    (("__NetBSD__",), "netbsd"),
    (("__APPLE__",), "darwin"),
    (("EMSCRIPTEN",), "emscripten"),
)

BSD_OSES = frozenset({"gnu/kfreebsd", "freebsd", "netbsd", "openbsd", "dragonfly", "darwin"})
SUPPORTED_OSES = frozenset({"windows", "freebsd", "netbsd", "openbsd", "darwin", "sunos", "linux", "emscripten"})
SUPPORTED_CPUS = frozenset({"ppc64", "s390x", "riscv64", "x86_64", "aarch64", "loongarch64", "mips64", "sparc64", "wasm64"})


@dataclass(frozen=True)
class CpuInfo:
    """One row of the canonical CPU table."""

    cpu: str                 # QEMU's cpu name (also meson's cpu)
    cpu_family: str          # meson's cpu_family
    linux_arch: str | None   # directory under linux-headers/
    cpu_cflags: tuple[str, ...] = ()


_CPU_TABLE: Mapping[str, CpuInfo] = {
    "aarch64": CpuInfo("aarch64", "aarch64", "arm64"),
    "loongarch64": CpuInfo("loongarch64", "loongarch64", "loongarch"),
    "mips64": CpuInfo("mips64", "mips64", "mips"),
    "ppc64": CpuInfo("ppc64", "ppc64", "powerpc", ("-m64", "-mbig-endian")),
    "ppc64le": CpuInfo("ppc64", "ppc64", "powerpc", ("-m64", "-mlittle-endian")),
    "riscv64": CpuInfo("riscv64", "riscv64", "riscv"),
    "s390": CpuInfo("s390", "s390", "s390", ("-m31",)),
    "s390x": CpuInfo("s390x", "s390x", "s390", ("-m64",)),
    "sparc": CpuInfo("sparc", "sparc", None, ("-m32", "-mv8plus", "-mcpu=ultrasparc")),
    "sparc64": CpuInfo("sparc64", "sparc64", None, ("-m64", "-mcpu=ultrasparc")),
    "x32": CpuInfo("x86_64", "x86_64", "x86", ("-mx32",)),
    "x86_64": CpuInfo("x86_64", "x86_64", "x86", ("-m64",)),
    "i386": CpuInfo("i386", "x86", "x86", ()),
    "arm": CpuInfo("arm", "arm", "arm", ()),
    "wasm64": CpuInfo("wasm64", "wasm64", None, ("-m64",)),
}
_CPU_ALIASES = {"amd64": "x86_64", "i486": "i386", "i586": "i386", "i686": "i386", "ppc64el": "ppc64le"}


@dataclass(frozen=True)
class HostMachine:
    """The machine the configured binaries run on."""

    os: str                   # meson host_machine.system(): linux, windows, darwin, ...
    cpu: str                  # meson host_machine.cpu()
    cpu_family: str           # meson host_machine.cpu_family()
    host_arch: str            # cpu if QEMU supports it as a host, else 'unknown'
    linux_arch: str | None
    endian: str               # 'little' or 'big'
    pointer_size: int
    cpu_cflags: tuple[str, ...] = ()
    macros: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_bsd(self) -> bool:
        return self.os in BSD_OSES

    @property
    def is_posix(self) -> bool:
        return self.os != "windows"

    @property
    def exe_suffix(self) -> str:
        return ".exe" if self.os == "windows" else ""

    @property
    def dso_suffix(self) -> str:
        return {"windows": ".dll", "darwin": ".dylib"}.get(self.os, ".so")


def host_os_from_macros(macros: Mapping[str, str]) -> str | None:
    for required, os_name in _OS_BY_MACRO:
        if all(m in macros for m in required):
            return os_name
    return None


def cpu_from_macros(macros: Mapping[str, str]) -> str | None:
    def has(name: str) -> bool:
        return name in macros

    if has("__x86_64__"):
        return "x32" if has("__ILP32__") else "x86_64"
    if has("__i386__"):
        return "i386"
    if has("__sparc__"):
        return "sparc64" if has("__arch64__") else "sparc"
    if has("_ARCH_PPC64"):
        return "ppc64le" if has("_LITTLE_ENDIAN") else "ppc64"
    if has("__mips64"):
        return "mips64"
    if has("__s390__"):
        return "s390x" if has("__s390x__") else "s390"
    if has("__riscv") and has("_LP64"):
        return "riscv64"
    if has("__aarch64__"):
        return "aarch64"
    if has("__arm__"):
        return "arm"
    if has("__loongarch64"):
        return "loongarch64"
    return None


def canonical_cpu(name: str) -> CpuInfo | None:
    name = _CPU_ALIASES.get(name, name)
    if name.startswith("loongarch"):
        name = "loongarch64"
    elif name.startswith(("mips64", "mipsisa64")):
        name = "mips64"
    elif name in ("sun4c", "sun4d", "sun4m", "sun4u", "sun4v"):
        name = "sparc"
    return _CPU_TABLE.get(name)


def host_from_macros(macros: Mapping[str, str], *, cpu_override: str | None = None,
                     compiler: str = "cc") -> HostMachine:
    """Build the host model from predefined macros (pure; tested without a compiler)."""
    os_name = host_os_from_macros(macros)
    if os_name is None:
        raise UserError(
            f"Unrecognized host OS (the C compiler {compiler!r} defines none of the known OS macros)",
            "check that --cc / --cross-prefix name a compiler for a supported host OS",
        )
    if cpu_override:
        info = canonical_cpu(cpu_override)
        if info is None:
            raise UserError(f"unknown CPU {cpu_override!r} given with --cpu",
                            "known CPUs: " + ", ".join(sorted(_CPU_TABLE)))
    else:
        detected = cpu_from_macros(macros)
        if detected is None:
            raise UserError(
                f"unrecognized host CPU for the C compiler {compiler!r}",
                "pass --cpu=CPU to name it; known CPUs: " + ", ".join(sorted(_CPU_TABLE)),
            )
        info = canonical_cpu(detected)
        assert info is not None
    order = macros.get("__BYTE_ORDER__")
    if order is not None and order == macros.get("__ORDER_BIG_ENDIAN__"):
        endian = "big"
    elif order is not None and order == macros.get("__ORDER_LITTLE_ENDIAN__"):
        endian = "little"
    elif "__BIG_ENDIAN__" in macros or "_BIG_ENDIAN" in macros:
        endian = "big"
    else:
        endian = "little"
    try:
        pointer_size = int(macros.get("__SIZEOF_POINTER__", "8"))
    except ValueError:
        pointer_size = 8
    host_arch = info.cpu if info.cpu in SUPPORTED_CPUS else "unknown"
    return HostMachine(
        os=os_name, cpu=info.cpu, cpu_family=info.cpu_family, host_arch=host_arch,
        linux_arch=info.linux_arch, endian=endian, pointer_size=pointer_size,
        cpu_cflags=info.cpu_cflags, macros=dict(macros),
    )


def detect_host(cc: Sequence[str], cflags: Sequence[str] = (), cpu_override: str | None = None) -> HostMachine:
    return host_from_macros(predefined_macros(cc, cflags), cpu_override=cpu_override, compiler=" ".join(cc))
