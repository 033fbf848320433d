"""The help text: QEMU's generated option help, byte for byte, and the whole ``./configure --help``.

Owns the layout: QEMU's scripts/meson-buildoptions.py ``print_help`` for the
meson options (:func:`render_options_help`), and configure's own page around
it (:func:`render_configure_help`) with its sections, wrapping at 76 columns
and the ``fold``-ed target list.  Must not: decide what an option means or
how it is spelled, or write a line of its own for an option (the lines come
from :mod:`.spellings` and :data:`.configure_options.CONFIGURE_OPTIONS`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from .configure_options import CONFIGURE_OPTIONS
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


def _shown_default(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render_configure_help(table: OptionTable | Iterable[MesonOption], builtins: Iterable[MesonOption], *,
                          available_targets: Sequence[str], cross_prefix: str, cc: str, host_cc: str,
                          static: bool, cpu: str) -> str:
    """The whole ``./configure --help`` text, in QEMU's layout.

    configure's own options come from :data:`CONFIGURE_OPTIONS`, in its order;
    ``cross_prefix`` ... ``cpu`` are the values shown in brackets after the
    lines of the options that set those fields.
    """
    options = list(table)
    names = {o.name for o in options}
    defaults: dict[str, object] = {"cross_prefix": cross_prefix, "cc": cc, "host_cc": host_cc, "static": static,
                                   "cpu": cpu}
    listed = [o for o in CONFIGURE_OPTIONS if o.help and (o.shown_with is None or o.shown_with in names)]

    def own_rows(section: str) -> list[str]:
        rows: list[str] = []
        for option in (o for o in listed if o.section == section):
            text = option.help
            if option.shows_default:
                text += f" [{_shown_default(defaults[str(option.field)])}]"
            indent = 18 if section == "features" else 27
            rows += _wrap_row("  " + option.help_label, text, indent, split_words=False)
            if option.lists_targets:
                rows += [" " * 27 + line for line in fold_words(
                    "Available targets: " + " ".join(available_targets) if available_targets
                    else "Available targets:", 53)]
        return rows

    out = ["", "Usage: configure [options]", "Options: [defaults in brackets after descriptions]", "",
           "Standard options:", *own_rows("standard"), "", "Advanced options (experts only):", *own_rows("advanced")]
    for opt in options:
        if opt.name in SKIP_OPTIONS and opt.name not in CONFIGURE_HELP and ":" not in opt.name:
            out += _wrap_row(f"  -D{opt.name}={metavar(opt)}", opt.description, 27, split_words=False)
    out += render_options_help(options, builtins).rstrip("\n").split("\n")
    out += [*own_rows("features"), "", "NOTE: object files are built in the directory configure runs in", ""]
    return "\n".join(out)
