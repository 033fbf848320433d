"""THE PROJECT'S DECLARATIONS: the facts about this emulator core, as data.

Everything specific to a feature, option, symbol or summary row lives here;
the engine modules walk these tables and know no feature by name.  Later
stages add probes and Kconfig host symbols to the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .host import BSD_OSES


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
