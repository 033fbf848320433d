"""``python3 -m qemu_config.buildoptions [--format help|json] PATH``.

A drop-in for QEMU's scripts/meson-buildoptions.py, fed by an option file
instead of meson's introspection JSON: prints the option part of
``./configure --help`` exactly as QEMU generates it, or (``--format json``)
every configurable option with its default, choices and accepted spellings.
PATH is a ``meson.options`` / ``meson_options.txt`` file or a source directory
holding one.  A thin layer over :mod:`qemu_config.options`; owns only the
command line: a bad PATH or option file is one ``ERROR:`` line and exit 1,
bad usage of this command exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn, Sequence

from . import options
from .errors import UsageError, UserError


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are :class:`UsageError` (exit 2), not argparse's own output."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, f"usage: {self.format_usage().strip().removeprefix('usage: ')}", exit_code=2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python3 -m qemu_config.buildoptions",
                     description="Print the configure help part (or a JSON listing) of a meson option file.")
    parser.add_argument("--format", choices=("help", "json"), default="help",
                        help="help: QEMU's generated configure help (default); json: options and spellings")
    parser.add_argument("path", metavar="PATH", help="meson_options.txt / meson.options, or a source directory")
    return parser


def render(fmt: str, path: str) -> str:
    table = options.load_option_table(path)
    builtins = options.builtin_options()
    if fmt == "json":
        return json.dumps(options.options_json(table, builtins), indent=2, sort_keys=True) + "\n"
    return options.render_options_help(table, builtins)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.write(render(args.format, args.path))
    except UserError as err:
        return err.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
