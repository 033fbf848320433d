"""Drop-in replacement for QEMU's ``scripts/minikconf.py`` command line.

Usage::

    python3 -m qemu_config.minikconf [--defconfig|--allnoconfig|--allyesconfig|--randconfig[=SEED]] \\
        OUTPUT DEPFILE [FILE | CONFIG_NAME=y|n]...

Same arguments, standard output, depfile and exit statuses as the original:
the enabled symbols (not those given on the command line) are printed as
``CONFIG_NAME=y``, sorted; DEPFILE gets ``OUTPUT: /abs/file`` (normalized)
each time a file is read, in order; exit 0, or 1 on any error.  Only the
first argument may be a mode.  Arguments matching
``CONFIG_[A-Z0-9_]+=(y|n|)`` are assignments, anything else is a file, all
taken in order.  Includes follow QEMU 10.2's rules: the path is the
including file's directory joined with the name as written, and is skipped
when that exact string is a file already read, so ``./x.kc`` after ``x.kc``
reads x.kc again (its clauses count again, the depfile lists it twice),
while ``x.kc`` after ``./x.kc`` does not.

An error in the inputs (syntax, include, undefined symbol, contradiction,
cycle) leaves stdout empty and writes no depfile, as in QEMU 10.2.

Differences: errors are one ``ERROR:`` message on stderr with the clauses and
``file:line`` involved, never a traceback (a contradiction's message holds
QEMU's ``The following clauses were found for X`` and each of those clauses,
with where it came from); a file reached again under another spelling
while it is still being read (``source ./self.kc``; ``a.kc`` sources
``sub/b.kc``, which sources ``../a.kc``) is an ``Inclusion loop`` error,
where QEMU reads on until its own loop check fires or it crashes (exit 1
either way); ``--randconfig`` is reproducible:
the seed comes from ``--randconfig=SEED`` or the environment variable
``KCONFIG_SEED`` (decimal or 0x-hex, as in Linux's kconfig), else a random one
that is reported on stderr as ``KCONFIG_SEED=0x...``.

This module owns only the command line; the work is done by
:mod:`qemu_config.kconfig`.  It imports nothing outside the standard library
and ``qemu_config``'s import-free modules.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, Sequence, TextIO

from qemu_config.kconfig import ExternalAssignment, KconfigError, KconfigUsageError, parse_kconfig

USAGE = ("usage: {prog} [--defconfig|--allnoconfig|--allyesconfig|--randconfig[=SEED]]"
         " OUTPUT DEPFILE [FILE|CONFIG_NAME=y|n]...")

_MODE_FLAGS = {"--defconfig": "defconfig", "--allnoconfig": "allnoconfig",
               "--allyesconfig": "allyesconfig", "--randconfig": "randconfig"}


def _parse_seed(text: str, origin: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise KconfigUsageError(f"invalid random seed {text!r} in {origin}",
                                "give a decimal or 0x-prefixed hexadecimal integer") from None


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO, environ: Mapping[str, str]) -> int:
    """The command; raises :class:`KconfigError` for errors found in the inputs."""
    args = list(argv)
    prog = args[0] if args else "minikconf"
    mode = "defconfig"
    seed: int | None = None
    if len(args) > 1:
        flag, _, value = args[1].partition("=")
        if args[1] in _MODE_FLAGS:
            mode = _MODE_FLAGS[args.pop(1)]
        elif flag == "--randconfig" and value:
            mode = "randconfig"
            seed = _parse_seed(value, "--randconfig=SEED")
            del args[1]
    if len(args) <= 1:
        raise KconfigUsageError(f"{prog}: at least one argument is required", USAGE.format(prog=prog))
    if args[1].startswith("-"):
        raise KconfigUsageError(f"{prog}: invalid option {args[1]}", USAGE.format(prog=prog))
    if len(args) < 3:
        raise KconfigUsageError(f"{prog}: missing DEPFILE after OUTPUT", USAGE.format(prog=prog))
    output, depfile = args[1], args[2]
    if mode == "randconfig" and seed is None and environ.get("KCONFIG_SEED"):
        seed = _parse_seed(environ["KCONFIG_SEED"], "KCONFIG_SEED")
    inputs: list[str | ExternalAssignment] = []
    for arg in args[3:]:
        assignment = ExternalAssignment.from_arg(arg)
        inputs.append(arg if assignment is None else assignment)
    result = parse_kconfig(inputs).solve(mode, seed=seed)
    if mode == "randconfig" and seed is None:
        stderr.write(f"KCONFIG_SEED={result.seed:#x}\n")
    stdout.write(result.config_text())
    stdout.flush()
    try:
        with open(depfile, "w", encoding="utf-8") as fp:
            fp.write(result.depfile_text(output))
    except OSError as exc:
        raise KconfigError(f"cannot write depfile {depfile}: {exc.strerror or exc}") from None
    return 0


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None,
         environ: Mapping[str, str] | None = None) -> int:
    """Run the command line; print errors as ``ERROR: ...`` and return the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        return run(list(sys.argv if argv is None else argv), out, err, os.environ if environ is None else environ)
    except KconfigError as exc:
        return exc.report(err)
    except KeyboardInterrupt:
        err.write("ERROR: interrupted\n")
        return 130
    except OSError as exc:  # e.g. stdout closed
        err.write(f"ERROR: {exc.strerror or exc}\n")
        return 1
    except Exception as exc:  # never a traceback for the user  # noqa: BLE001
        if os.environ.get("MINIKCONF_DEBUG"):
            raise
        err.write(f"ERROR: internal error in minikconf: {type(exc).__name__}: {exc}\n"
                  "       set MINIKCONF_DEBUG=1 to see the traceback, and please report it\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
