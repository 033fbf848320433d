"""THE PROJECT'S DECLARATIONS: the facts about this emulator core, as data.

Everything specific to a feature, option, symbol or summary row lives here;
the engine modules walk these tables and know no feature by name.  Later
stages add probes and Kconfig host symbols to the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Union

from .host import BSD_OSES
from .probes import FlagsProbe, FunctionProbe, HeaderProbe, LibraryProbe, LinkProbe, PkgConfigProbe, ProgramProbe


@dataclass(frozen=True)
class SummaryRow:
    """Where a decision shows in the configure summary."""

    section: str
    key: str


@dataclass(frozen=True)
class BooleanOption:
    """A boolean option of meson_options.txt that becomes a config-host.h symbol."""

    option: str
    symbol: str | None            # None: it decides what is installed, not what is compiled
    summary: SummaryRow | None = None


BOOLEAN_OPTIONS: tuple[BooleanOption, ...] = (
    BooleanOption("install_blobs", None, SummaryRow("Configurable features", "Install blobs")),
    BooleanOption("relocatable", "CONFIG_RELOCATABLE", SummaryRow("Configurable features", "Relocatable install")),
    BooleanOption("coroutine_pool", "CONFIG_COROUTINE_POOL", SummaryRow("Block layer support", "coroutine pool")),
    BooleanOption("debug_tcg", "CONFIG_DEBUG_TCG", SummaryRow("Targets and accelerators", "TCG debug enabled")),
    BooleanOption("debug_mutex", "CONFIG_DEBUG_MUTEX", SummaryRow("Compilation", "mutex debugging")),
    BooleanOption("debug_graph_lock", "CONFIG_DEBUG_GRAPH_LOCK", SummaryRow("Compilation", "debug graph lock")),
)

# config-host.h OS symbols: defined when the host OS is in the set, #undef otherwise.
_ALL_OSES = frozenset({"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly",
                       "sunos", "haiku", "gnu/kfreebsd", "emscripten"})
OS_SYMBOLS: tuple[tuple[str, frozenset[str]], ...] = (
    ("CONFIG_BSD", BSD_OSES),
    ("CONFIG_DARWIN", frozenset({"darwin"})),
    ("CONFIG_FREEBSD", frozenset({"freebsd"})),
    ("CONFIG_LINUX", frozenset({"linux"})),
    ("CONFIG_POSIX", _ALL_OSES - {"windows"}),
    ("CONFIG_SOLARIS", frozenset({"sunos"})),
    ("CONFIG_WIN32", frozenset({"windows"})),
)

# Option defaults that differ by host OS (QEMU's configs/meson/<os>.txt).
HOST_OS_OPTION_DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "windows": {"bindir": "", "qemu_suffix": ""},
}

# Install directories: config-host.h symbol -> (base directory option, sub-path).
# A sub-path of "{suffix}" means the qemu_suffix option; None means the option itself.
INSTALL_DIR_SYMBOLS: tuple[tuple[str, str, str | None], ...] = (
    ("CONFIG_BINDIR", "bindir", None),
    ("CONFIG_QEMU_CONFDIR", "sysconfdir", "{suffix}"),
    ("CONFIG_QEMU_DATADIR", "datadir", "{suffix}"),
    ("CONFIG_QEMU_DESKTOPDIR", "datadir", "applications"),
    ("CONFIG_QEMU_HELPERDIR", "libexecdir", None),
    ("CONFIG_QEMU_ICONDIR", "datadir", "icons"),
    ("CONFIG_QEMU_LOCALEDIR", "localedir", None),
    ("CONFIG_QEMU_LOCALSTATEDIR", "localstatedir", None),
    ("CONFIG_QEMU_MODDIR", "libdir", "{suffix}"),
    ("CONFIG_SYSCONFDIR", "sysconfdir", None),
)

# The directory options configure passes to meson explicitly, so meson and the engine agree.
DIRECTORY_OPTIONS: tuple[str, ...] = (
    "prefix", "bindir", "datadir", "includedir", "libdir", "libexecdir",
    "localedir", "localstatedir", "mandir", "sysconfdir",
)


# --- conditions a feature can require -------------------------------------------------


@dataclass(frozen=True)
class FeatureOn:
    """Another feature (declared earlier) must be on."""

    feature: str


@dataclass(frozen=True)
class OptionIsNot:
    """An option must not have this value (e.g. tcg must not be disabled)."""

    option: str
    value: object


@dataclass(frozen=True)
class NotStatic:
    """The build must not be static (--static)."""


@dataclass(frozen=True)
class OnHostOs:
    """``condition`` only matters on these host OSes; elsewhere it holds."""

    oses: frozenset[str]
    condition: "Condition"


@dataclass(frozen=True)
class ProbeOk:
    """A probe (not otherwise one of the feature's own) must succeed."""

    probe: Union[PkgConfigProbe, LinkProbe, FunctionProbe, LibraryProbe, ProgramProbe]


Condition = Union[FeatureOn, OptionIsNot, NotStatic, OnHostOs, ProbeOk]


@dataclass(frozen=True)
class Requirement:
    condition: Condition
    message: str           # the error when the feature was asked for and the condition fails


# --- features --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecutableFlags:
    """Compile and link flags of the emulator binaries (not the Python extension) for one outcome
    of a feature, in a static build or not."""

    enabled: bool
    static: bool
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...]


@dataclass(frozen=True)
class Feature:
    """One optional part of the core: when it is on, what proves it can be, what it emits.

    ``option`` is the meson option it follows (feature, boolean or combo); None means
    it is not optional: it is probed on every host it exists on (``only_on``) and is on
    when its probes succeed, or required there when ``required_on`` says so.
    """

    name: str
    option: str | None
    probes: tuple[Union[PkgConfigProbe, LinkProbe, FunctionProbe, HeaderProbe, LibraryProbe, ProgramProbe], ...] = ()
    static_probes: tuple[LinkProbe, ...] | None = None   # the probes instead, in a static build (--static)
    configure_word: bool = False                  # option is one of configure's own words (pie), not meson's
    executable_flags: tuple["ExecutableFlags", ...] = ()  # flags of the emulator binaries, by decision
    requires: tuple[Requirement, ...] = ()
    only_on: frozenset[str] | None = None
    unavailable: str | None = None                # error when asked for on a host outside only_on
    config_host: tuple[str, ...] = ()
    host_kconfig: tuple[str, ...] = ()
    version_major_symbol: str | None = None      # e.g. VIRGL_VERSION_MAJOR, from the first pkg-config probe
    version_symbol: str | None = None            # e.g. CONFIG_VIRGL_VERSION "0.10.4" (quoted), when found
    summary: SummaryRow | None = None
    summary_shows: str = "yes-no"                 # "yes-no", "version" ("YES 0.10.4"), "objc-compiler", or
                                                  # "accelerator" (YES if some configured target got it)
    debian_packages: tuple[str, ...] = ()         # what to install when it is missing (the build machine's
                                                  # architecture's names: remedies qualifies them for the host)
    remedy: str | None = None                     # what to do instead, when Debian has no package
    failure: str | None = None                    # message when asked for and a probe failed
    failure_by_status: tuple[tuple[str, str], ...] = ()   # probe status -> message (e.g. too-old)
    auto_warning: str | None = None               # warning when auto and a test ran and failed
    refused_values: tuple[tuple[str, str], ...] = ()      # option value -> why it cannot be had
    required_values: tuple[str, ...] = ("enabled",)       # option values that make it required
    auto_by_default: bool = False                 # a boolean whose unset value means "auto" (plugins)
    resolved_value_on: str | None = None          # combo options: the value an "on" decision stands for
    note: str = ""                                # why it is declared this way


PKG_GLIB = PkgConfigProbe("glib-2.0", (">=2.66.0",))
PKG_LIBBPF = PkgConfigProbe("libbpf", (">=1.1.0",))

GTREE_NODE_API_TEST = """#include <string.h>
#include <glib.h>

int main(void)
{
    GTree *tree = g_tree_new((GCompareFunc)strcmp);
    GTreeNode *node;

    g_tree_insert(tree, (gpointer)"key", (gpointer)"value");
    node = g_tree_node_first(tree);
    node = g_tree_node_next(node);
    (void)g_tree_node_last(tree);
    (void)g_tree_lookup_node(tree, "key");
    (void)g_tree_upper_bound(tree, "key");
    (void)g_tree_lower_bound(tree, "key");
    g_tree_destroy(tree);
    return node != NULL;
}
"""

LIBBPF_SKELETON_TEST = """#include <bpf/libbpf.h>
#include <linux/bpf.h>

int main(void)
{
    int flags = BPF_F_MMAPABLE;
    bpf_object__destroy_skeleton(NULL);
    return flags == 0;
}
"""

LIBFDT_API_TEST = """#include <libfdt.h>
#include <libfdt_env.h>

int main(void)
{
    uint32_t phandle;
    return fdt_find_max_phandle(NULL, &phandle);
}
"""

DLLTOOL = ProgramProbe(("dlltool",), prefixed=True)

PIE_TEST = "int main(void) { return 0; }\n"

HVF_TEST = """\
#include <Hypervisor/hv.h>

int main(void)
{
    return hv_vm_create(0) != HV_SUCCESS;
}
"""

_XENCONTROL = PkgConfigProbe("xencontrol")
XEN_LIBRARIES: tuple[PkgConfigProbe, ...] = (_XENCONTROL, *(
    PkgConfigProbe(name, after=_XENCONTROL)      # as QEMU: the others are looked for when xencontrol is there
    for name in ("xenstore", "xenforeignmemory", "xengnttab", "xenevtchn", "xendevicemodel")))

FEATURES: tuple[Feature, ...] = (
    # Accelerators first: targets and the device Kconfig depend on them.
    Feature(
        "kvm", "kvm", only_on=frozenset({"linux"}), unavailable="KVM not available on this platform",
        summary=SummaryRow("Targets and accelerators", "KVM support"), summary_shows="accelerator",
    ),
    Feature(
        "whpx", "whpx", only_on=frozenset({"windows"}), unavailable="WHPX not available on this platform",
        probes=(HeaderProbe("winhvplatform.h"), HeaderProbe("winhvemulation.h")),
        summary=SummaryRow("Targets and accelerators", "WHPX support"), summary_shows="accelerator",
        remedy="install a Windows SDK (or mingw-w64 headers) with winhvplatform.h",
    ),
    Feature(
        "hvf", "hvf", only_on=frozenset({"darwin"}), unavailable="HVF not available on this platform",
        probes=(LinkProbe("Hypervisor framework", HVF_TEST, link_args=("-framework", "Hypervisor")),),
        summary=SummaryRow("Targets and accelerators", "HVF support"), summary_shows="accelerator",
        remedy="install Xcode's command line tools (the Hypervisor framework)",
    ),
    Feature(
        "nvmm", "nvmm", only_on=frozenset({"netbsd"}), unavailable="NVMM not available on this platform",
        probes=(LibraryProbe("nvmm"),),
        summary=SummaryRow("Targets and accelerators", "NVMM support"), summary_shows="accelerator",
        remedy="NVMM ships with NetBSD >= 9: check that libnvmm is installed",
    ),
    Feature(
        "tcg", "tcg",
        summary=SummaryRow("Targets and accelerators", "TCG support"), summary_shows="accelerator",
        config_host=(),
    ),
    Feature(
        "xen", "xen",
        probes=XEN_LIBRARIES,
        summary=SummaryRow("Targets and accelerators", "Xen support"), summary_shows="version",
        debian_packages=("libxen-dev",),
        failure="could not find the Xen libraries",
    ),
    Feature(
        "docs", "docs",
        summary=SummaryRow("Configurable features", "Documentation"),
        note="No probe: the documentation is the man page qemu.1 and docs/core/qemu-core.txt, installed as they "
             "are (meson.build: the 'man' and 'doc' install tags); off, nothing of it is installed.",
    ),
    Feature(
        "vhost_user", "vhost_user",
        only_on=frozenset({"linux"}), unavailable="vhost-user is only available on Linux hosts",
        config_host=("CONFIG_VHOST_USER",), host_kconfig=("CONFIG_VHOST_USER",),
        summary=SummaryRow("Configurable features", "vhost-user support"),
        note="No probe: the protocol needs only what every Linux host has (eventfd, unix sockets).",
    ),
    Feature(
        "pixman", "pixman",
        probes=(PkgConfigProbe("pixman-1", (">=0.21.8",)),),
        config_host=("CONFIG_PIXMAN",), host_kconfig=("CONFIG_PIXMAN",),
        summary=SummaryRow("User interface", "pixman"), summary_shows="version",
        debian_packages=("libpixman-1-dev",),
    ),
    Feature(
        "virglrenderer", "virglrenderer",
        probes=(PkgConfigProbe("virglrenderer"),),
        version_major_symbol="VIRGL_VERSION_MAJOR", version_symbol="CONFIG_VIRGL_VERSION",
        summary=SummaryRow("Graphics backends", "VirGL support"), summary_shows="version",
        debian_packages=("libvirglrenderer-dev",),
    ),
    Feature(
        "rutabaga_gfx", "rutabaga_gfx",
        probes=(PkgConfigProbe("rutabaga_gfx_ffi"),),
        summary=SummaryRow("Graphics backends", "Rutabaga support"), summary_shows="version",
        remedy="Debian 12 does not package rutabaga_gfx_ffi: build it from the crosvm sources",
    ),
    Feature(
        "bpf", "bpf",
        probes=(PKG_LIBBPF, LinkProbe("libbpf skeleton/mmaping", LIBBPF_SKELETON_TEST, uses=(PKG_LIBBPF,))),
        config_host=("CONFIG_EBPF",),
        summary=SummaryRow("Dependencies", "bpf support"), summary_shows="version",
        debian_packages=("libbpf-dev",),
        failure_by_status=(("failed", "libbpf skeleton/mmaping test failed"),),
        auto_warning="libbpf skeleton/mmaping test failed, disabling",
    ),
    Feature(
        "af_xdp", "af_xdp",
        probes=(PkgConfigProbe("libxdp", (">=1.2.0",)),),
        requires=(Requirement(FeatureOn("bpf"), "libxdp requested, but libbpf is not available"),),
        config_host=("CONFIG_AF_XDP",),
        summary=SummaryRow("Network backends", "AF_XDP support"), summary_shows="version",
        debian_packages=("libxdp-dev", "libbpf-dev"),
        note="QEMU asks for libxdp >= 1.4.0 (for xsk_umem__create_with_fd); the core's AF_XDP backend "
             "registers the UMEM on caller-given sockets itself, and every libxdp call it makes "
             "(xsk_umem__create, xsk_socket__create with XSK_LIBBPF_FLAGS__INHIBIT_PROG_LOAD, "
             "xsk_socket__update_xskmap, xdp_program__find_file) is at symbol version LIBXDP_1.2.0, "
             "and its libbpf calls (bpf_xdp_attach/detach/query) at LIBBPF_0.7.0 or older; "
             "Debian 12 ships libxdp 1.3.1, so 1.2.0 is what is required.",
    ),
    Feature(
        "hv_balloon", "hv_balloon",
        probes=(LinkProbe("GTree node API", GTREE_NODE_API_TEST, uses=(PKG_GLIB,), needs="glib-2.0 >= 2.68"),),
        host_kconfig=("CONFIG_HV_BALLOON_POSSIBLE",),
        summary=SummaryRow("Dependencies", "hv-balloon support"),
        debian_packages=("libglib2.0-dev",),
        failure="could not enable hv-balloon, update your glib",
        auto_warning="could not find glib support for hv-balloon, disabling",
        note="The GTree node API (g_tree_node_first, ...) is GLib 2.68's; a link test proves it "
             "rather than trusting the version number.",
    ),
    Feature(
        "libkeyutils", "libkeyutils",
        probes=(PkgConfigProbe("libkeyutils"),),
        config_host=("CONFIG_KEYUTILS",),
        summary=SummaryRow("Crypto", "Linux keyutils"), summary_shows="version",
        debian_packages=("libkeyutils-dev",),
    ),
    Feature(
        "fdt", "fdt",
        probes=(LibraryProbe("fdt", header_test=LIBFDT_API_TEST, title="fdt_find_max_phandle"),),
        config_host=("CONFIG_FDT",), host_kconfig=("CONFIG_FDT",),
        summary=SummaryRow("Dependencies", "fdt support"),
        debian_packages=("libfdt-dev",),
        required_values=("enabled", "system"),
        resolved_value_on="system",
        failure_by_status=(("too-old", "system libfdt is too old (1.5.1 or newer required)"),),
        refused_values=(("internal", "it builds libfdt from the dtc subproject, which needs a download "
                                     "this build cannot make"),),
        note="auto never falls back to the internal copy: without a usable system libfdt, fdt is off.",
    ),
    Feature(
        "getloadavg", None,
        probes=(FunctionProbe("getloadavg"),),
        config_host=("CONFIG_GETLOADAVG",),
    ),
    Feature(
        "plugins", "plugins",
        requires=(
            Requirement(OptionIsNot("tcg", "disabled"), "Can't enable plugins on non-TCG builds"),
            Requirement(NotStatic(), "static and plugins are mutually incompatible"),
            Requirement(OnHostOs(frozenset({"windows"}), ProbeOk(DLLTOOL)),
                        "TCG plugins requires dlltool to build on Windows platforms"),
        ),
        config_host=("CONFIG_PLUGIN",),
        summary=SummaryRow("Targets and accelerators", "TCG plugins"),
        auto_by_default=True,
        note="A boolean in meson_options.txt, but like QEMU's configure it is on unless something "
             "rules it out (or --without-default-features is given).",
    ),
    Feature(
        "pie", "pie", configure_word=True,
        probes=(LinkProbe("PIE", PIE_TEST, compile_args=("-Werror", "-fPIE"), link_args=("-pie",)),),
        static_probes=(LinkProbe("static PIE", PIE_TEST, compile_args=("-Werror", "-fPIE"),
                                 link_args=("-static-pie",)),),
        only_on=_ALL_OSES - {"windows", "emscripten"}, unavailable="PIE not available due to missing OS support",
        summary=SummaryRow("Compilation", "PIE"),
        failure="PIE not available due to missing toolchain support",
        auto_warning="Disabling PIE due to missing toolchain support",
        remedy="use a compiler and linker that support -fPIE and -pie (-static-pie with --static)",
        executable_flags=(
            ExecutableFlags(True, False, ("-fPIE",), ("-pie",)),
            ExecutableFlags(True, True, ("-fPIE",), ("-static-pie",)),
            ExecutableFlags(False, False, ("-fno-pie",), ("-no-pie",)),
            ExecutableFlags(False, True, ("-fno-pie",), ("-static", "-no-pie")),
        ),
        note="configure's --enable-pie / --disable-pie, as QEMU's: on unless the toolchain cannot link a "
             "position independent executable (or the host has none).  The flags go to the emulator "
             "binaries only; the Python extension is a shared object, and the internal libraries are "
             "compiled PIC for both.",
    ),
    Feature(
        "objc", None,
        probes=(LinkProbe("Objective-C compiler", "int main(void) { return 0; }\n", language="objc"),),
        only_on=frozenset({"darwin"}),
        required_values=("always",),
        summary=SummaryRow("Compilation", "Objective-C compiler"), summary_shows="objc-compiler",
        failure="an Objective-C compiler is required on Darwin hosts",
        remedy="install Xcode's command line tools, or name the compiler with --objcc",
    ),
)

# QEMU's warning flags (meson.build), each kept only where the compiler accepts it.
WARNING_FLAGS: tuple[str, ...] = (
    "-Wempty-body", "-Wendif-labels", "-Wexpansion-to-defined", "-Wformat-security",
    "-Wformat-y2k", "-Wignored-qualifiers", "-Wimplicit-fallthrough=2", "-Winit-self",
    "-Wmissing-format-attribute", "-Wmissing-prototypes", "-Wnested-externs",
    "-Wold-style-declaration", "-Wold-style-definition", "-Wredundant-decls", "-Wshadow=local",
    "-Wstrict-prototypes", "-Wtype-limits", "-Wundef", "-Wvla", "-Wwrite-strings",
    "-Wno-gnu-variable-sized-type-not-at-end", "-Wno-initializer-overrides",
    "-Wno-missing-include-dirs", "-Wno-psabi", "-Wno-shift-negative-value", "-Wno-string-plus-int",
    "-Wno-tautological-type-limit-compare", "-Wno-typedef-redefinition",
)
WARNING_FLAGS_PROBE = FlagsProbe(WARNING_FLAGS)

# Reproducible builds: the flags that keep the build directory's and the source tree's paths out of
# what is compiled (DW_AT_comp_dir and the file names of the debug info, __FILE__ in the models'
# .source), each given OLD=NEW (outputs.path_map_flags() says which pairs).  Probed with a placeholder
# pair; -ffile-prefix-map (gcc >= 8, clang >= 10) is used when the compiler has it, else the other two
# as it has them: __FILE__ needs -fmacro-prefix-map, -fdebug-prefix-map alone does not change it.
PATH_MAP_FLAG = "-ffile-prefix-map"
PATH_MAP_FALLBACKS: tuple[str, ...] = ("-fdebug-prefix-map", "-fmacro-prefix-map")
PATH_MAP_PLACEHOLDER = "/qemu-config-old=/qemu-config-new"
PATH_MAP_PROBE = FlagsProbe((f"{PATH_MAP_FLAG}={PATH_MAP_PLACEHOLDER}",), purpose="path-mapping flags",
                            fallbacks=tuple(f"{flag}={PATH_MAP_PLACEHOLDER}" for flag in PATH_MAP_FALLBACKS))

# gdb, for the per-target GDB= variable: the first of these on PATH unless --gdb is given.
GDB_PROGRAMS: tuple[str, ...] = ("gdb-multiarch", "gdb")
GDB_MINIMUM_VERSION = "9.1"


@dataclass(frozen=True)
class Accelerator:
    """An accelerator: the feature that makes it available, its symbol, and the targets it serves."""

    feature: str
    symbol: str
    targets_by_cpu: Mapping[str, tuple[str, ...]] | None   # host cpu family -> targets; None: every target


_X86 = ("i386-softmmu", "x86_64-softmmu")

# QEMU's order (meson.build's accelerators list) and accelerator_targets table.
ACCELERATORS: tuple[Accelerator, ...] = (
    Accelerator("kvm", "CONFIG_KVM", {
        "x86_64": _X86, "aarch64": ("aarch64-softmmu",), "s390x": ("s390x-softmmu",),
        "ppc64": ("ppc-softmmu", "ppc64-softmmu"), "riscv64": ("riscv64-softmmu",),
        "mips64": ("mips-softmmu", "mipsel-softmmu", "mips64-softmmu", "mips64el-softmmu"),
        "loongarch64": ("loongarch64-softmmu",),
    }),
    Accelerator("whpx", "CONFIG_WHPX", {"x86_64": _X86, "aarch64": ("aarch64-softmmu",)}),
    Accelerator("hvf", "CONFIG_HVF", {"x86_64": ("x86_64-softmmu",), "aarch64": ("aarch64-softmmu",)}),
    Accelerator("nvmm", "CONFIG_NVMM", {"x86_64": _X86}),
    Accelerator("tcg", "CONFIG_TCG", None),
    # Xen: qemu-system-aarch64 only on an Arm host; i386/x86_64 on x86 and Arm hosts.
    Accelerator("xen", "CONFIG_XEN", {"x86_64": _X86, "aarch64": _X86 + ("aarch64-softmmu",)}),
)

# QEMU's configure words for the kinds of emulator binary.  The core builds system emulation binaries
# (qemu-system-*, the configs/targets/*-softmmu.mak targets) only: --disable-system leaves no target,
# and the user-mode words can turn user mode off (there is none to build) but never on.
SYSTEM_WORD = "system"
SYSTEM_DISABLED = ("--disable-system: the core's targets are all system emulation targets, so no emulator binary "
                   "is configured; only the target-independent parts are built")
USER_MODE_WORDS: tuple[str, ...] = ("user", "linux-user", "bsd-user")
USER_MODE_ABSENT = ("the core builds system emulation binaries (qemu-system-*, the *-softmmu targets) only: "
                    "it has no user-mode emulation, and configs/targets has no *-linux-user or *-bsd-user target")
TARGET_KIND_SUMMARY: tuple[tuple[tuple[str, ...], SummaryRow], ...] = (
    (("softmmu",), SummaryRow("Configurable features", "system-mode emulation")),
    (("linux-user", "bsd-user"), SummaryRow("Configurable features", "user-mode emulation")),
)

# The feature whose absence drops (or refuses) targets with TARGET_NEED_FDT=y.
FDT_FEATURE = "fdt"

# Disassemblers: CONFIG_<NAME>_DIS when the host arch or the target's base arch starts with the key.
DISASSEMBLERS: tuple[tuple[str, str], ...] = (
    ("alpha", "CONFIG_ALPHA_DIS"), ("avr", "CONFIG_AVR_DIS"), ("hexagon", "CONFIG_HEXAGON_DIS"),
    ("hppa", "CONFIG_HPPA_DIS"), ("i386", "CONFIG_I386_DIS"), ("x86_64", "CONFIG_I386_DIS"),
    ("loongarch", "CONFIG_LOONGARCH_DIS"), ("m68k", "CONFIG_M68K_DIS"), ("microblaze", "CONFIG_MICROBLAZE_DIS"),
    ("mips", "CONFIG_MIPS_DIS"), ("or1k", "CONFIG_OPENRISC_DIS"), ("ppc", "CONFIG_PPC_DIS"),
    ("riscv", "CONFIG_RISCV_DIS"), ("rx", "CONFIG_RX_DIS"), ("s390", "CONFIG_S390_DIS"),
    ("sh4", "CONFIG_SH4_DIS"), ("sparc", "CONFIG_SPARC_DIS"), ("xtensa", "CONFIG_XTENSA_DIS"),
)

# gdb's architecture names -> the TARGET_ARCH values they debug.
GDB_ARCHES: Mapping[str, tuple[str, ...]] = {
    "i386": ("i386",), "i386:x86-64": ("x86_64",), "aarch64": ("aarch64",), "arm": ("arm",),
    "riscv:rv64": ("riscv64",), "riscv:rv32": ("riscv32",), "s390:64-bit": ("s390x",),
    "powerpc:common64": ("ppc64",), "powerpc:common": ("ppc",), "mips": ("mips", "mipsel"),
    "mips:isa64": ("mips64", "mips64el"), "loongarch64": ("loongarch64",),
}

# Symbols config-poison.h never poisons (code compiled once for all targets may test them).
UNPOISONED: tuple[str, ...] = ("CONFIG_TCG", "CONFIG_USER_ONLY", "CONFIG_SOFTMMU",
                               "TARGET_NOT_USING_LEGACY_LDST_PHYS_API",
                               "TARGET_NOT_USING_LEGACY_NATIVE_ENDIAN_API")
