"""The command-line front end: ``qemu-config`` and ``python -m qemu_config``.

A thin layer over the pipeline: parses the subcommand, runs it, prints its
results and turns :class:`~qemu_config.errors.UserError` into one ``ERROR:``
line and an exit status.  Subcommand usage errors exit 2; configure keeps
QEMU's exit 1 for its own usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from . import processes
from .errors import UsageError, UserError


def _nothing_changed(source_dir: Path, build_dir: Path, argv: list[str]) -> bool:
    """The no-op re-run: print the last summary when nothing configure reads has changed."""
    import json
    import os

    from . import fingerprint

    from .storage import killed_run_left_temporaries

    recorded = fingerprint.load(build_dir)
    if recorded is None or not (build_dir / "build.ninja").exists() or killed_run_left_temporaries(build_dir):
        return False
    if not fingerprint.unchanged(recorded, argv=argv, environ=os.environ, source_dir=source_dir.resolve(),
                                 build_dir=build_dir):
        return False
    try:
        summary = (build_dir / "qemu-config-summary.txt").read_text(encoding="utf-8")
        warnings = json.loads((build_dir / "qemu-config-report.json").read_text(encoding="utf-8"))["warnings"]
    except (OSError, ValueError, KeyError):
        return False
    print("Nothing that configure reads has changed since its last run: the configuration stands.\n")
    sys.stdout.write(summary)
    for line in warnings:
        print(f"WARNING: {line}", file=sys.stderr)
    return True


# What makes a directory a source tree qemu-config can configure.
SOURCE_TREE_MARKERS: tuple[str, ...] = ("meson.build", "meson_options.txt", "VERSION")


def source_tree(given: str | None, command: str) -> Path:
    """The source tree a command works on: --source-dir, else the checkout this package lives in.

    An installed qemu-config (pip install, a wheel) lives in site-packages, beside no source tree:
    then --source-dir is required.
    """
    if given:
        missing = [name for name in SOURCE_TREE_MARKERS if not (Path(given) / name).is_file()]
        if missing:
            raise UserError(f"--source-dir {given}: not a source tree qemu-config can configure "
                            f"(no {', '.join(missing)} there)",
                            "give the emulator's source tree: the directory with meson.build and meson_options.txt")
        return Path(given)
    checkout = Path(__file__).resolve().parent.parent
    if all((checkout / name).is_file() for name in SOURCE_TREE_MARKERS):
        return checkout
    raise UserError(f"qemu-config {command} needs --source-dir: this qemu-config is installed "
                    f"(in {checkout}), not run from a source tree",
                    f"run it from the build directory as: qemu-config {command} --source-dir DIR [-- OPTIONS]",
                    "where DIR is the emulator's source tree (the directory with meson.build and meson_options.txt)")


def _configure(args: argparse.Namespace) -> int:
    from .processes import timeout_for

    source_dir = source_tree(args.source_dir, "configure")
    timeout_for("compiler")       # a malformed QEMU_CONFIG_TIMEOUTS is refused even when nothing changed
    if _nothing_changed(source_dir, Path.cwd(), args.configure_args):
        return 0

    from .configure import configure
    from .outputs import render_config_summary

    outcome = configure(args.configure_args, source_dir=source_dir, build_dir=Path.cwd())
    if isinstance(outcome, str):
        sys.stdout.write(outcome)
        return 0
    from .probes import probe_lines

    for line in probe_lines(outcome.configuration.probes):
        print(line)
    print()
    sys.stdout.write(render_config_summary(outcome.configuration))
    for line in outcome.configuration.warnings:
        print(f"WARNING: {line}", file=sys.stderr)
    if outcome.meson_ran:
        print(f"\nmeson setup: done in {outcome.meson_seconds:.1f} s")
    return 0


SOURCE_DIR_HELP = ("the source tree (default: the checkout this package lives in; required when qemu-config is "
                   "installed)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qemu-config", description="Configure engine for a QEMU-style emulator core.")
    parser.add_argument("--version", action="version", version="qemu-config " + __import__("qemu_config").__version__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    conf = sub.add_parser("configure", help="configure the current directory as a build directory",
                          description="Run configure with QEMU's option spellings; the build directory is the current one.")
    conf.add_argument("--source-dir", help=SOURCE_DIR_HELP)
    conf.add_argument("configure_args", nargs=argparse.REMAINDER, help="configure options (after --)")
    conf.set_defaults(handler=_configure)
    exp = sub.add_parser("explain", help="say why a feature is on or off",
                         description="Print a feature's decision and its reasons, from the last configure.")
    exp.add_argument("feature", help="option name (hyphens or underscores) or a CONFIG_ symbol")
    exp.add_argument("-C", dest="build_dir", default=".", help="the build directory (default: the current one)")
    exp.add_argument("--target", help="explain a device Kconfig symbol (CONFIG_X) of this target")
    exp.set_defaults(handler=_explain)
    src = sub.add_parser("sources", help="list the files that compile, or why one does",
                         description="List the source files the sourcesets selected in the last configure.")
    which = src.add_mutually_exclusive_group(required=True)
    which.add_argument("--target", help="the files linked into this target's binary")
    which.add_argument("--all", action="store_true", help="every list: util, system, extension, each target")
    src.add_argument("--why", metavar="FILE", help="print the rule and condition that put FILE in the list")
    src.add_argument("-C", dest="build_dir", default=".", help="the build directory (default: the current one)")
    src.set_defaults(handler=_sources)
    mat = sub.add_parser("matrix", help="decide every combination of a feature matrix, and group the builds",
                         description="Decide every combination of a matrix spec in-process (no meson), group the "
                                     "combinations that compile the same thing, and write a table, JSON, JUnit or a "
                                     "CI pipeline; --build builds the distinct ones.")
    mat.add_argument("spec", nargs="?", help="the spec (default: matrix.toml here, else the source tree's)")
    mat.add_argument("-C", dest="build_dir", default=".", help="where --build builds (in BUILD/matrix/NAME)")
    mat.add_argument("--source-dir", help=SOURCE_DIR_HELP)
    mat.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel builds for --build")
    mat.add_argument("--format", dest="output_format", choices=("table", "json"), default="table")
    mat.add_argument("--junit", metavar="FILE", help="also write a JUnit report, one testcase per combination")
    mat.add_argument("--export", choices=("github", "gitlab"), help="print a CI pipeline with a job per build")
    mat.add_argument("--diff", nargs=2, metavar=("A", "B"), help="what differs between two combinations")
    mat.add_argument("--build", action="store_true", help="configure, build and smoke-test each distinct build")
    mat.add_argument("--no-cache", action="store_true", help="do not read or write the probe cache")
    mat.set_defaults(handler=_matrix)
    return parser


def _matrix(args: argparse.Namespace) -> int:
    from .matrix.command import MatrixRequest, run_matrix

    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give 1 or more", exit_code=2)
    source_dir = source_tree(args.source_dir, "matrix")
    return run_matrix(MatrixRequest(spec=args.spec, source_dir=source_dir.resolve(),
                                    build_dir=Path(args.build_dir).resolve(), jobs=args.jobs,
                                    output_format=args.output_format, junit=args.junit, export=args.export,
                                    diff=tuple(args.diff) if args.diff else None, build=args.build,
                                    no_cache=args.no_cache))


def _sources(args: argparse.Namespace) -> int:
    from .explain import list_sources

    sys.stdout.write(list_sources(Path(args.build_dir), args.target, args.why))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain, explain_device_symbol

    if args.target:
        sys.stdout.write(explain_device_symbol(Path(args.build_dir), args.feature, args.target))
    else:
        sys.stdout.write(explain(Path(args.build_dir), args.feature))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if getattr(args, "configure_args", None) and args.configure_args[:1] == ["--"]:
        args.configure_args = args.configure_args[1:]
    processes.stop_on_termination()
    try:
        return int(args.handler(args))
    except UserError as err:
        return err.report()
    except (KeyboardInterrupt, processes.Stopped):
        processes.stop_running()
        print("ERROR: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one ERROR line, the traceback only on request
        import os

        if os.environ.get("QEMU_CONFIG_DEBUG"):
            raise
        print(f"ERROR: internal error in qemu-config: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("       this is a bug; re-run with QEMU_CONFIG_DEBUG=1 to see the traceback, and report it",
              file=sys.stderr)
        return 1
