"""The help text: QEMU's generated option help, byte for byte, and the whole ``./configure --help``.

Owns the layout: QEMU's scripts/meson-buildoptions.py ``print_help`` for the
meson options (:func:`render_options_help`), and configure's own page around
it (:func:`render_configure_help`) with its sections, wrapping at 76 columns
and the ``fold``-ed target list.  Must not: decide what an option means or
how it is spelled (that is :mod:`.spellings`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from .model import MesonOption, OptionTable
from .spellings import (AUTO_OPTIONS, CONFIGURE_HELP, SKIP_OPTIONS, allows_argument, cli_name,
                        configurable_options, metavar, requires_argument)


HELP_WIDTH = 76


def _help_default(opt: MesonOption) -> str:
    if opt.name == "libdir":
        return "system default"
    if isinstance(opt.value, tuple):
        return ",".join(opt.value)
    if isinstance(opt.value, bool):
        return "enabled" if opt.value else "disabled"
    return str(opt.value)


def _wrap_row(left: str, text: str, indent: int, *, split_words: bool = True) -> list[str]:
    """One help row: ``left`` padded to ``indent`` (or alone on its line if too long), text wrapped at 76.

    ``split_words`` is textwrap's behaviour that QEMU's generated help has
    (long words broken, breaks after hyphens); configure's own rows keep words
    such as ``[aarch64-linux-gnu-gcc]`` whole.
    """
    pad = " " * indent
    lines: list[str] = []
    if len(left) >= indent:
        lines.append(left)
        left = pad
    else:
        left = (left + pad)[:indent]
    lines.extend(textwrap.wrap(text, width=HELP_WIDTH, initial_indent=left, subsequent_indent=pad,
                               break_long_words=split_words, break_on_hyphens=split_words))
    return lines


def _help_rows(left: str, opt: MesonOption, indent: int, long: bool) -> list[str]:
    text = opt.description
    if long:
        default = _help_default(opt)
        if default not in ("", "auto"):
            text += f" [{default}]"
        if opt.choices is not None:
            text += f" (choices: {'/'.join(sorted(opt.choices))})"
    return _wrap_row("  " + left, text, indent)


def _help_key(opt: MesonOption) -> str:
    key = cli_name(opt)
    if requires_argument(opt):
        return key
    if opt.type == "boolean" and opt.value:
        return f"disable-{key}"
    return f"enable-{key}"


def render_options_help(table: Iterable[MesonOption], builtins: Iterable[MesonOption] = ()) -> str:
    """What QEMU's generated ``meson_options_help`` prints for these options."""
    out: list[str] = []
    features: list[MesonOption] = []
    for opt in sorted(configurable_options(table, builtins), key=_help_key):
        key = _help_key(opt)
        if opt.name in CONFIGURE_HELP:
            continue
        if requires_argument(opt):
            out += _help_rows(f"--{key}={metavar(opt)}", opt, 27, True)
        elif opt.type == "boolean" and opt.name not in AUTO_OPTIONS:
            out += _help_rows(f"--{key}", opt, 27, False)
        elif allows_argument(opt):
            suffix = "[=CHOICE]" if "enabled" in (opt.choices or ()) else "=CHOICE"
            out += _help_rows(f"--{key}{suffix}", opt, 27, True)
        else:
            features.append(opt)
    out += [
        "",
        "Optional features, enabled with --enable-FEATURE and",
        "disabled with --disable-FEATURE, default is enabled if available",
        "(unless built with --without-default-features):",
        "",
    ]
    for opt in sorted(features, key=cli_name):
        out += _help_rows(cli_name(opt), opt, 18, False)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# ./configure --help
# ---------------------------------------------------------------------------


def fold_words(text: str, width: int) -> list[str]:
    """``fold -s -w WIDTH`` of one line: break after the last blank that fits, keep the blank."""
    lines: list[str] = []
    buf = ""
    for ch in text:
        if len(buf) + 1 > width:
            cut = buf.rfind(" ")
            if cut >= 0:
                lines.append(buf[:cut + 1])
                buf = buf[cut + 1:]
            else:
                lines.append(buf)
                buf = ""
            if len(buf) + 1 > width:
                lines.append(buf)
                buf = ""
        buf += ch
    if buf:
        lines.append(buf)
    return lines


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def render_configure_help(table: OptionTable | Iterable[MesonOption], builtins: Iterable[MesonOption], *,
                          available_targets: Sequence[str], cross_prefix: str, cc: str, host_cc: str,
                          static: bool, cpu: str) -> str:
    """The whole ``./configure --help`` text, in QEMU's layout."""
    options = list(table)
    names = {o.name for o in options}
    out = ["", "Usage: configure [options]", "Options: [defaults in brackets after descriptions]", "",
           "Standard options:"]

    def row(left: str, text: str) -> None:
        out.extend(_wrap_row("  " + left, text, 27, split_words=False))

    row("--help", "show this help and exit")
    row("--version", "print the version of the source tree and exit")
    row("--target-list=LIST", "build only these targets, comma separated (default: all available)")
    targets = fold_words("Available targets: " + " ".join(available_targets) if available_targets
                         else "Available targets:", 53)
    out.extend(" " * 27 + line for line in targets)
    row("--target-list-exclude=LIST", "leave these targets out of the default target list")
    out += ["", "Advanced options (experts only):"]
    row("-Dmesonoptname=val", "set a meson option (project or builtin) as is")
    row("--cross-prefix=PREFIX", f"prefix of the cross tools, may be empty [{cross_prefix}]")
    row("--cc=CC", f"C compiler for the emulator [{cc}]")
    row("--host-cc=CC", f"C compiler for programs run during the build, when cross compiling [{host_cc}]")
    row("--cxx=CXX", "C++ compiler, for meson's machine file (the core is C)")
    row("--objcc=OBJCC", "Objective-C compiler (required on Darwin hosts)")
    row("--extra-cflags=CFLAGS", "more C compiler flags (also used for C++ and Objective-C)")
    row("--extra-cxxflags=CXXFLAGS", "more C++ compiler flags")
    row("--extra-objcflags=OBJCFLAGS", "more Objective-C compiler flags")
    row("--extra-ldflags=LDFLAGS", "more linker flags")
    row("--python=PYTHON", "Python interpreter for the build")
    row("--ninja=NINJA", "ninja to run the build with")
    row("--static", f"link statically [{_yes_no(static)}]")
    row("--without-default-features", 'make every feature that is "auto" default to disabled')
    if "default_devices" in names:
        row("--without-default-devices", "leave out every device that is not needed to start a machine; "
            "name the wanted ones in configs/devices/")
    row("--with-devices-ARCH=NAME", "use configs/devices/ARCH-softmmu/NAME.mak as the device selection")
    row("--enable-debug", "debugging build: no optimization, extra runtime checks")
    row("--cpu=CPU", f"host CPU to build for [{cpu}]")
    row("--gdb=GDB-PATH", "gdb for the gdbstub tests")
    row("--disable-download", "never download subprojects")
    row("--no-cache", "do not read or write the probe cache")
    row("--clear-cache", "empty the probe cache before configuring")
    for opt in options:
        if opt.name in SKIP_OPTIONS and opt.name != "default_devices" and ":" not in opt.name:
            row(f"-D{opt.name}={metavar(opt)}", opt.description)
    out.extend(render_options_help(options, builtins).rstrip("\n").split("\n"))
    for word, text in (("system", "system emulation targets"), ("user", "user-mode emulation targets"),
                       ("linux-user", "Linux user-mode emulation targets"),
                       ("bsd-user", "BSD user-mode emulation targets"),
                       ("pie", "position independent executables")):
        out.extend(_wrap_row("  " + word, text, 18, split_words=False))
    out += ["", "NOTE: object files are built in the directory configure runs in", ""]
    return "\n".join(out)
