"""THE PROJECT'S DECLARATIONS: the facts about this emulator core, as data.

Everything specific to a feature, option, symbol or summary row lives here;
the engine modules walk these tables and know no feature by name.  Later
stages add probes and Kconfig host symbols to the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Union

from .host import BSD_OSES
from .probes import FlagsProbe, FunctionProbe, LibraryProbe, LinkProbe, PkgConfigProbe, ProgramProbe


@dataclass(frozen=True)
class SummaryRow:
    """Where a decision shows in the configure summary."""

    section: str
    key: str


@dataclass(frozen=True)
class BooleanOption:
    """A boolean option of meson_options.txt that becomes a config-host.h symbol."""

    option: str
    symbol: str
    summary: SummaryRow | None = None


BOOLEAN_OPTIONS: tuple[BooleanOption, ...] = (
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
class Feature:
    """One optional part of the core: when it is on, what proves it can be, what it emits.

    ``option`` is the meson option it follows (feature, boolean or combo); None means
    it is not optional: it is probed on every host it exists on (``only_on``) and is on
    when its probes succeed, or required there when ``required_on`` says so.
    """

    name: str
    option: str | None
    probes: tuple[Union[PkgConfigProbe, LinkProbe, FunctionProbe, LibraryProbe, ProgramProbe], ...] = ()
    requires: tuple[Requirement, ...] = ()
    only_on: frozenset[str] | None = None
    config_host: tuple[str, ...] = ()
    host_kconfig: tuple[str, ...] = ()
    version_major_symbol: str | None = None      # e.g. VIRGL_VERSION_MAJOR, from the first pkg-config probe
    summary: SummaryRow | None = None
    summary_shows: str = "yes-no"                 # "yes-no", "version" ("YES 0.10.4") or "objc-compiler"
    debian_packages: tuple[str, ...] = ()         # what to install when it is missing
    remedy: str | None = None                     # what to do instead, when Debian has no package
    failure: str | None = None                    # message when asked for and a probe failed
    failure_by_status: tuple[tuple[str, str], ...] = ()   # probe status -> message (e.g. too-old)
    auto_warning: str | None = None               # warning when auto and a probe failed
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

FEATURES: tuple[Feature, ...] = (
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
        version_major_symbol="VIRGL_VERSION_MAJOR",
        summary=SummaryRow("Graphics backends", "VirGL support"), summary_shows="version",
        debian_packages=("libvirglrenderer-dev",),
    ),
    Feature(
        "rutabaga_gfx", "rutabaga_gfx",
        probes=(PkgConfigProbe("rutabaga_gfx_ffi"),),
        summary=SummaryRow("Graphics backends", "Rutabaga support"), summary_shows="version",
        remedy="Debian 12 does not package rutabaga_gfx_ffi: build it from the crosvm sources and "
               "add the directory of rutabaga_gfx_ffi.pc to PKG_CONFIG_PATH",
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
        note="QEMU asks for libxdp >= 1.4.0, but every xsk call the core's AF_XDP backend makes "
             "(xsk_umem__create, xsk_socket__create, xsk_setup_xdp_prog, xsk_socket__update_xskmap "
             "and the XSK_LIBBPF_FLAGS__INHIBIT_PROG_LOAD flag) is in libxdp since 1.2.0 "
             "(symbol version LIBXDP_1.2.0); Debian 12 ships 1.3.1, so 1.2.0 is what is required.",
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
        refused_values=(("internal", "fdt=internal builds libfdt from the dtc subproject, which needs a "
                                     "download this build cannot make; install libfdt-dev and use "
                                     "--enable-fdt=system"),),
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

# gdb, for the per-target GDB= variable: the first of these on PATH unless --gdb is given.
GDB_PROGRAMS: tuple[str, ...] = ("gdb-multiarch", "gdb")
GDB_MINIMUM_VERSION = "9.1"
