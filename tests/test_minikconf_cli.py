"""Tests for ``python3 -m qemu_config.minikconf``, the drop-in for QEMU's scripts/minikconf.py.

The differential tests at the end run QEMU's own script beside ours and compare standard output
and depfile (errors included: both print nothing and write no depfile), exit status, and for a
contradiction that our report holds QEMU's header and each of its clauses.  They need the script
on disk (QEMU 10.2's, run by this Python):

* ``QEMU_MINIKCONF=/path/to/qemu/scripts/minikconf.py``: compares an edge-case corpus, the include
  cases, the data tree under tests/data/kconfig and generated QEMU-shaped trees;
* plus ``QEMU_KCONFIG_TREE=/path/to/qemu`` (a QEMU source tree): compares every
  ``configs/devices/*/*.mak`` with the command line QEMU's meson.build passes (reference §7.4),
  in defconfig and allnoconfig; ``QEMU_KCONFIG_HOST`` may replace the host symbols (space
  separated ``CONFIG_X=y``; the default is what an x86_64 Linux host with the usual libraries passes).

Without them those tests are skipped, saying which variable is missing.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import pytest

from qemu_config import minikconf

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "kconfig" / "tree"
HOST_ARGS = ["CONFIG_LINUX=y", "CONFIG_FDT=y", "CONFIG_PIXMAN=y", "CONFIG_VHOST_USER=y", "CONFIG_TCG=y"]


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str
    depfile: str | None


def run(args: Sequence[str], tmp_path: Path, environ: Mapping[str, str] | None = None,
        output: str = "out.mak") -> Run:
    """Run the command line in-process with OUTPUT=``output`` and a fresh depfile in ``tmp_path``."""
    depfile = tmp_path / "out.mak.d"
    if depfile.exists():
        depfile.unlink()
    out, err = io.StringIO(), io.StringIO()
    status = minikconf.main(["minikconf", *args[:1], output, str(depfile), *args[1:]]
                            if args and args[0].startswith("--") else ["minikconf", output, str(depfile), *args],
                            stdout=out, stderr=err, environ=environ or {})
    return Run(status, out.getvalue(), err.getvalue(), depfile.read_text() if depfile.exists() else None)


def run_raw(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    status = minikconf.main(["minikconf", *argv], stdout=out, stderr=err, environ=environ or {})
    return Run(status, out.getvalue(), err.getvalue(), None)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- usage -------------------------------------------------------------------------


def test_no_arguments() -> None:
    result = run_raw([])
    assert result.status == 1
    assert result.stderr.startswith("ERROR: minikconf: at least one argument is required\n")
    assert result.stdout == ""


def test_only_a_mode() -> None:
    result = run_raw(["--defconfig"])
    assert result.status == 1
    assert "minikconf: at least one argument is required" in result.stderr


@pytest.mark.parametrize("argv, bad", [
    (["-x", "o", "d"], "-x"),
    (["--defconfig", "--allnoconfig", "o", "d"], "--allnoconfig"),
    (["--oldconfig", "o", "d"], "--oldconfig"),
])
def test_invalid_option(argv: list[str], bad: str) -> None:
    result = run_raw(argv)
    assert result.status == 1
    assert result.stderr.startswith(f"ERROR: minikconf: invalid option {bad}\n")


def test_missing_depfile() -> None:
    result = run_raw(["out.mak"])
    assert result.status == 1
    assert "missing DEPFILE" in result.stderr and "Traceback" not in result.stderr


def test_only_output_and_depfile_prints_nothing(tmp_path: Path) -> None:
    result = run([], tmp_path)
    assert (result.status, result.stdout, result.depfile) == (0, "", "")


# -- success -----------------------------------------------------------------------


def test_output_and_depfile_format(tmp_path: Path) -> None:
    top = write(tmp_path, "top.mak", "include inc.kc\nCONFIG_F=y\n")
    write(tmp_path, "inc.kc", "config F\nconfig G\n    default y if F\nconfig H\n")
    result = run([str(top), "CONFIG_H=y"], tmp_path, output="aarch64-softmmu-config-devices.mak")
    assert result.status == 0
    assert result.stdout == "CONFIG_F=y\nCONFIG_G=y\n"  # H is external: not printed
    assert result.stderr == ""
    assert result.depfile == (f"aarch64-softmmu-config-devices.mak: {top}\n"
                              f"aarch64-softmmu-config-devices.mak: {tmp_path / 'inc.kc'}\n")


def test_modes(tmp_path: Path) -> None:
    kconfig = write(tmp_path, "Kconfig", "config A\n    bool\n    imply B\nconfig B\n    bool\n")
    assert run(["--defconfig", str(kconfig), "CONFIG_A=y"], tmp_path).stdout == "CONFIG_B=y\n"
    assert run([str(kconfig), "CONFIG_A=y"], tmp_path).stdout == "CONFIG_B=y\n"
    assert run(["--allnoconfig", str(kconfig), "CONFIG_A=y"], tmp_path).stdout == ""
    assert run(["--allyesconfig", str(kconfig)], tmp_path).stdout == "CONFIG_A=y\nCONFIG_B=y\n"


def test_assignment_arguments(tmp_path: Path) -> None:
    kconfig = write(tmp_path, "Kconfig", "config A\n    default y\nconfig B\n    default y if !A\n")
    # "CONFIG_A=" means n; the symbol is external, so not printed.
    assert run([str(kconfig), "CONFIG_A="], tmp_path).stdout == "CONFIG_B=y\n"
    # Not the assignment spelling (lower case): taken as a file name.
    result = run([str(kconfig), "CONFIG_a=y"], tmp_path)
    assert result.status == 1
    assert "ERROR: No such file or directory: CONFIG_a=y" in result.stderr


def test_arguments_are_taken_in_order(tmp_path: Path) -> None:
    first = write(tmp_path, "first.kc", "config A\n")
    second = write(tmp_path, "second.kc", "CONFIG_A=n\n")
    result = run([str(first), "CONFIG_A=y", str(second)], tmp_path)
    assert result.status == 1
    lines = result.stderr.splitlines()
    assert lines[2].strip().startswith("CONFIG_A=y  (sets A=y, from the command line)")
    assert lines[3].strip().startswith(f"CONFIG_A=n  (sets A=n, from {second}:1)")


def test_data_tree_like_meson_calls_it(tmp_path: Path) -> None:
    mak = DATA / "configs/devices/x86_64-softmmu/default.mak"
    result = run(["--defconfig", str(mak), str(DATA / "Kconfig"), *HOST_ARGS, "CONFIG_X86_64=y",
                  "CONFIG_TARGET_BIG_ENDIAN=n"], tmp_path)
    assert result.status == 0
    assert result.stdout.splitlines() == [f"CONFIG_{s}=y" for s in (
        "EDU", "I386", "ISAPC", "MSI_NONBROKEN", "PC", "PCI", "PCI_DEVICES", "PCI_EXPRESS", "Q35",
        "TEST_DEVICES", "VGA", "VGA_PCI", "VHOST_USER_GPU", "VIRTIO_GPU")]
    assert result.depfile is not None
    assert result.depfile.splitlines()[:3] == [
        f"out.mak: {mak}", f"out.mak: {DATA / 'configs/devices/i386-softmmu/default.mak'}",
        f"out.mak: {DATA / 'Kconfig'}"]


# -- errors: one ERROR: message, exit 1, never a traceback -------------------------------------

ERROR_CASES = {
    "contradiction": ("config A\n  select B\nconfig B\n  depends on C\nconfig C\n", ["CONFIG_A=y"],
                      "contradiction between clauses when setting B"),
    "cycle": ("config A\n  depends on B\nconfig B\n  depends on A\n", [], "cycle found including B"),
    "undefined": ("config A\n  select Z\n", ["CONFIG_Q=y"], "there were undefined symbols: Z, Q"),
    "parse": ('config A\n    bool "prompt"\n', [], ':2:10: invalid input before """'),
    "include loop": ("source Kconfig\nconfig A\nsource sub.kc\n", [], "Inclusion loop for Kconfig"),
    "missing include": ("source nope.kc\n", [], "No such file or directory: nope.kc"),
    "no file name": ("source   \n", [], 'Expected file name after "source"'),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_errors(tmp_path: Path, name: str) -> None:
    text, assignments, message = ERROR_CASES[name]
    kconfig = write(tmp_path, "Kconfig", text)
    write(tmp_path, "sub.kc", "source Kconfig\n")
    result = run([str(kconfig), *assignments], tmp_path)
    assert result.status == 1
    assert result.stderr.startswith("ERROR: ")
    assert result.stderr.count("ERROR:") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # QEMU 10.2 prints nothing on stdout when it fails
    assert result.depfile is None


def test_contradiction_report_holds_qemus_header_and_every_clause(tmp_path: Path) -> None:
    kconfig = write(tmp_path, "Kconfig", "config A\n  select B\nconfig B\n  depends on C\nconfig C\n")
    result = run([str(kconfig), "CONFIG_A=y"], tmp_path)
    assert (result.status, result.stdout, result.depfile) == (1, "", None)
    # QEMU 10.2 writes on stderr the header, then "    " + each clause that set B, in the order
    # applied, up to the one that contradicts: "    select B if A", "    config B depends on C".
    assert result.stderr.splitlines()[:4] == [
        "ERROR: contradiction between clauses when setting B",
        "       The following clauses were found for B:",
        f"           select B if A  (sets B=y, from {kconfig}:2; A=y)",
        f"           config B depends on C  (sets B=n, from {kconfig}:4; C=n)",
    ]
    assert all(line.startswith("       ") for line in result.stderr.splitlines()[1:])


# -- includes, as QEMU 10.2 reads them -------------------------------------------------------
# Each case: files ("{D}" is the case's directory), the arguments after OUTPUT DEPFILE, stdout, and
# the depfile's files in order.  A file is read again when its include is spelled differently.  The
# files read twice hold assignments only: these cases are in the differential corpus too, and
# minikconf.py versions differ on a `config X` seen twice (QEMU 10.2 merges it, reference §10 item 59).

INCLUDE_CASES: dict[str, tuple[dict[str, str], list[str], str, list[str]]] = {
    "same spelling twice: read once": (
        {"t.kc": "config X\nsource x.mak\nsource x.mak\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "x.mak"]),
    "./x.mak after x.mak: read again": (
        {"t.kc": "config X\nsource x.mak\nsource ./x.mak\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "x.mak", "x.mak"]),
    "x.mak after ./x.mak: read once": (
        {"t.kc": "config X\nsource ./x.mak\nsource x.mak\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "x.mak"]),
    "./x.mak twice: read twice": (
        {"t.kc": "config X\nsource ./x.mak\nsource ./x.mak\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "x.mak", "x.mak"]),
    "sub/../x.mak after x.mak: read again": (
        {"t.kc": "config X\nsource x.mak\nsource sub/../x.mak\n", "x.mak": "CONFIG_X=y\n", "sub/y.mak": ""},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "x.mak", "x.mak"]),
    "absolute spellings: // reads again": (
        {"t.kc": "config X\nsource x.mak\nsource {D}/x.mak\nsource {D}//x.mak\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "x.mak", "x.mak"]),
    "../x.mak from a subdirectory: read again": (
        {"t.kc": "config X\nconfig Y\nsource x.mak\nsource x.mak\nsource sub/y.mak\n", "x.mak": "CONFIG_X=y\n",
         "sub/y.mak": "source ../x.mak\nCONFIG_Y=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\nCONFIG_Y=y\n", ["t.kc", "x.mak", "sub/y.mak", "x.mak"]),
    "the same file from two subdirectories: read twice": (
        {"t.kc": "config X\nsource l/l.mak\nsource r/r.mak\n", "l/l.mak": "source ../x.mak\n",
         "r/r.mak": "source ../x.mak\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/t.kc"], "CONFIG_X=y\n", ["t.kc", "l/l.mak", "x.mak", "r/r.mak", "x.mak"]),
    "a file sourcing itself: skipped": (
        {"s.kc": "source s.kc\nconfig S\n default y\n"}, ["{D}/s.kc"], "CONFIG_S=y\n", ["s.kc"]),
    "named twice on the command line: read twice, its include once": (
        {"k": "config X\nconfig Y\n", "x.mak": "source y.mak\nCONFIG_X=y\n", "y.mak": "CONFIG_Y=y\n"},
        ["{D}/k", "{D}/x.mak", "{D}/x.mak"], "CONFIG_X=y\nCONFIG_Y=y\n", ["k", "x.mak", "y.mak", "x.mak"]),
    "named on the command line as ./x.mak and x.mak: read twice": (
        {"k": "config X\n", "x.mak": "CONFIG_X=y\n"},
        ["{D}/k", "{D}/./x.mak", "{D}/x.mak"], "CONFIG_X=y\n", ["k", "x.mak", "x.mak"]),
    "named on the command line, then sourced as a.mak (skipped) and ./a.mak (read again)": (
        {"k": "config A\n", "a.mak": "CONFIG_A=y\n", "b.mak": "source a.mak\nsource ./a.mak\n"},
        ["{D}/k", "{D}/a.mak", "{D}/b.mak"], "CONFIG_A=y\n", ["k", "a.mak", "b.mak", "a.mak"]),
}


def materialize(directory: Path, files: Mapping[str, str], args: Sequence[str]) -> list[str]:
    """Write ``files`` below ``directory`` ("{D}" in a text stands for it); return ``args`` with "{D}" filled in."""
    for name, text in files.items():
        write(directory, name, text.replace("{D}", str(directory)))
    return [arg.replace("{D}", str(directory)) for arg in args]


@pytest.mark.parametrize("name", list(INCLUDE_CASES))
def test_includes_read_as_qemu_does(tmp_path: Path, name: str) -> None:
    files, args, stdout, read = INCLUDE_CASES[name]
    result = run(materialize(tmp_path, files, args), tmp_path)
    assert (result.status, result.stdout, result.stderr) == (0, stdout, "")
    assert result.depfile == "".join(f"out.mak: {tmp_path / file}\n" for file in read)


# Each case: files, the file on the command line, and the error report ("{D}": the case's directory).
INCLUDE_ERROR_CASES: dict[str, tuple[dict[str, str], str, list[str]]] = {
    "loop, spelled as the includer (QEMU's check)": (
        {"a.kc": "source b.kc\nconfig A\n", "b.kc": "source a.kc\nconfig B\n"}, "a.kc",
        ["ERROR: {D}/b.kc:1:1: Inclusion loop for a.kc",
         "       In file included from {D}/a.kc:1:",
         "       inclusion chain: {D}/a.kc -> {D}/b.kc -> a.kc",
         "       a.kc is {D}/a.kc, a file still being read: remove one of the source lines in this chain"]),
    "loop through ../ (QEMU finds it on the second round)": (
        {"a.kc": "source sub/b.kc\nconfig A\n", "sub/b.kc": "source ../a.kc\nconfig B\n"}, "a.kc",
        ["ERROR: {D}/sub/b.kc:1:1: Inclusion loop for ../a.kc",
         "       In file included from {D}/a.kc:1:",
         "       inclusion chain: {D}/a.kc -> {D}/sub/b.kc -> ../a.kc",
         "       ../a.kc is {D}/a.kc, a file still being read: remove one of the source lines in this chain"]),
    "a file sourcing itself as ./ (QEMU recurses until it crashes)": (
        {"s.kc": "config S\nsource ./s.kc\n"}, "s.kc",
        ["ERROR: {D}/s.kc:2:1: Inclusion loop for ./s.kc",
         "       inclusion chain: {D}/s.kc -> ./s.kc",
         "       ./s.kc is {D}/s.kc, a file still being read: remove one of the source lines in this chain"]),
    "three files, the last sourcing the middle one as ./ (QEMU recurses until it crashes)": (
        {"a.kc": "source b.kc\n", "b.kc": "source c.kc\n", "c.kc": "source ./b.kc\n"}, "a.kc",
        ["ERROR: {D}/c.kc:1:1: Inclusion loop for ./b.kc",
         "       In file included from {D}/a.kc:1:",
         "       In file included from {D}/b.kc:1:",
         "       inclusion chain: {D}/a.kc -> {D}/b.kc -> {D}/c.kc -> ./b.kc",
         "       ./b.kc is {D}/b.kc, a file still being read: remove one of the source lines in this chain"]),
    "sub/../x.mak without a sub directory": (
        {"t.kc": "config X\nsource sub/../x.mak\n", "x.mak": "CONFIG_X=y\n"}, "t.kc",
        ["ERROR: {D}/t.kc:2:1: No such file or directory: sub/../x.mak",
         "       the name is opened as spelled, {D}/sub/../x.mak, not normalized: write x.mak to read {D}/x.mak"]),
    "a trailing slash": (
        {"t.kc": "config X\nsource x.mak/\n", "x.mak": "CONFIG_X=y\n"}, "t.kc",
        ["ERROR: {D}/t.kc:2:1: Not a directory: x.mak/",
         "       the name is opened as spelled, {D}/x.mak/, not normalized: write x.mak to read {D}/x.mak"]),
    "a file read again counts again": (
        {"t.kc": "config A\nsource a.mak\nsource ./a.mak\nCONFIG_A=n\n", "a.mak": "CONFIG_A=y\n"}, "t.kc",
        ["ERROR: contradiction between clauses when setting A",
         "       The following clauses were found for A:",
         "           CONFIG_A=y  (sets A=y, from {D}/a.mak:1)",
         "           CONFIG_A=y  (sets A=y, from {D}/a.mak:1)",
         "           CONFIG_A=n  (sets A=n, from {D}/t.kc:4)"]),
}


@pytest.mark.parametrize("name", list(INCLUDE_ERROR_CASES))
def test_include_errors(tmp_path: Path, name: str) -> None:
    files, top, report = INCLUDE_ERROR_CASES[name]
    materialize(tmp_path, files, [])
    result = run([str(tmp_path / top)], tmp_path)
    assert (result.status, result.stdout, result.depfile) == (1, "", None)
    assert result.stderr == "".join(line.replace("{D}", str(tmp_path)) + "\n" for line in report)


def test_missing_input_file(tmp_path: Path) -> None:
    result = run([str(tmp_path / "nope.kc")], tmp_path)
    assert (result.status, result.stdout) == (1, "")
    assert result.stderr == f"ERROR: No such file or directory: {tmp_path / 'nope.kc'}\n"


def test_unwritable_depfile(tmp_path: Path) -> None:
    kconfig = write(tmp_path, "Kconfig", "config A\n  default y\n")
    result = run_raw(["out.mak", str(tmp_path / "no/such/dir/dep"), str(kconfig)])
    assert result.status == 1
    assert result.stdout == "CONFIG_A=y\n"  # printed first, as the original does
    assert result.stderr.startswith(f"ERROR: cannot write depfile {tmp_path / 'no/such/dir/dep'}:")


def test_internal_error_is_reported_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(minikconf, "parse_kconfig", broken)
    monkeypatch.delenv("MINIKCONF_DEBUG", raising=False)
    result = run([str(write(tmp_path, "Kconfig", ""))], tmp_path)
    assert result.status == 1
    assert result.stderr.startswith("ERROR: internal error in minikconf: RuntimeError: boom\n")


# -- randconfig -----------------------------------------------------------------------


@pytest.fixture()
def wide(tmp_path: Path) -> Path:
    return write(tmp_path, "Kconfig", "".join(f"config S{i:02}\n    default y\n" for i in range(40)))


def test_randconfig_seed_option_and_environment(tmp_path: Path, wide: Path) -> None:
    first = run(["--randconfig=42", str(wide)], tmp_path)
    again = run(["--randconfig=42", str(wide)], tmp_path)
    from_env = run(["--randconfig", str(wide)], tmp_path, environ={"KCONFIG_SEED": "42"})
    assert first.status == 0 and first.stderr == ""
    assert first.stdout == again.stdout == from_env.stdout
    assert 0 < first.stdout.count("\n") < 40
    hexa = run(["--randconfig=0x2a", str(wide)], tmp_path)
    assert hexa.stdout == first.stdout


def test_randconfig_without_seed_reports_it(tmp_path: Path, wide: Path) -> None:
    result = run(["--randconfig", str(wide)], tmp_path)
    match = re.fullmatch(r"KCONFIG_SEED=(0x[0-9a-f]+)\n", result.stderr)
    assert match is not None
    replay = run(["--randconfig", str(wide)], tmp_path, environ={"KCONFIG_SEED": match.group(1)})
    assert replay.stdout == result.stdout and replay.stderr == ""


def test_randconfig_bad_seed(tmp_path: Path, wide: Path) -> None:
    result = run(["--randconfig", str(wide)], tmp_path, environ={"KCONFIG_SEED": "soon"})
    assert result.status == 1
    assert "ERROR: invalid random seed 'soon' in KCONFIG_SEED" in result.stderr


# -- plain python3, standard library only ----------------------------------------------------


def plain_python() -> str:
    return shutil.which("python3") or sys.executable


def test_runs_with_plain_python_without_site_packages(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "")}
    mak = DATA / "configs/devices/aarch64-softmmu/default.mak"
    argv = [plain_python(), "-S", "-m", "qemu_config.minikconf", "--defconfig", "out.mak", str(tmp_path / "dep"),
            str(mak), str(DATA / "Kconfig"), *HOST_ARGS, "CONFIG_AARCH64=y"]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "CONFIG_ARM_VIRT=y\n" in proc.stdout
    assert (tmp_path / "dep").read_text().startswith(f"out.mak: {mak}\n")
    check = subprocess.run([plain_python(), "-S", "-c",
                            "import sys, qemu_config.minikconf\n"
                            "print(' '.join(sorted(m for m in sys.modules if m.startswith('qemu_config'))))"],
                           env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    loaded = set(check.stdout.split())
    assert loaded <= {"qemu_config", "qemu_config.errors", "qemu_config.limits", "qemu_config.minikconf"} | {
        f"qemu_config.kconfig{suffix}" for suffix in ("", ".errors", ".expr", ".model", ".parser", ".solver",
                                                       ".tree")}


def test_error_exit_status_from_a_real_process(tmp_path: Path) -> None:
    kconfig = write(tmp_path, "Kconfig", "config A\n  select B\nconfig B\n  depends on C\nconfig C\n")
    proc = subprocess.run([plain_python(), "-S", "-m", "qemu_config.minikconf", "o", str(tmp_path / "d"),
                           str(kconfig), "CONFIG_A=y"], env={"PYTHONPATH": str(REPO)},
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout == ""  # QEMU 10.2 writes its "The following clauses" header on stderr
    assert proc.stderr.startswith("ERROR: contradiction between clauses when setting B\n")
    assert "    The following clauses were found for B" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "    select B if A  (sets B=y" in proc.stderr


# -- differential tests against QEMU's scripts/minikconf.py ------------------------------------

QEMU_MINIKCONF = os.environ.get("QEMU_MINIKCONF", "")
QEMU_KCONFIG_TREE = os.environ.get("QEMU_KCONFIG_TREE", "")
needs_minikconf = pytest.mark.skipif(
    not (QEMU_MINIKCONF and Path(QEMU_MINIKCONF).is_file()),
    reason="set QEMU_MINIKCONF to QEMU's scripts/minikconf.py to compare against the original")
needs_qemu_tree = pytest.mark.skipif(
    not (QEMU_KCONFIG_TREE and (Path(QEMU_KCONFIG_TREE) / "Kconfig").is_file()
         and QEMU_MINIKCONF and Path(QEMU_MINIKCONF).is_file()),
    reason="set QEMU_MINIKCONF (scripts/minikconf.py) and QEMU_KCONFIG_TREE (a QEMU source tree) to compare"
           " every configs/devices/*/*.mak against the original")

# The host symbols meson.build passes on an x86_64 Linux host with TPM, pixman, eventfd, gnutls,
# libfdt, vhost and virtfs available (reference §7.4), in its order.
DEFAULT_QEMU_HOST = ("CONFIG_TPM=y CONFIG_PIXMAN=y CONFIG_IVSHMEM=y CONFIG_GNUTLS=y CONFIG_FDT=y"
                     " CONFIG_VHOST_USER=y CONFIG_VHOST_VDPA=y CONFIG_VHOST_KERNEL=y CONFIG_VIRTFS=y"
                     " CONFIG_LINUX=y CONFIG_MULTIPROCESS_ALLOWED=y CONFIG_HV_BALLOON_POSSIBLE=y")


def missing_clauses(theirs: str, ours: str) -> list[str]:
    """QEMU's contradiction report (its header and each clause) lines that our stderr lacks."""
    lines = theirs.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("The following clauses were found for ")]
    if not headers:
        return []
    missing = [] if lines[headers[0]] in ours else [lines[headers[0]]]
    clauses = [line[4:] for line in itertools.takewhile(lambda l: l.startswith("    "), lines[headers[0] + 1:])]
    ours_clauses = [line.strip() for line in ours.splitlines()]
    for clause, wanted in Counter(clauses).items():
        if sum(line.startswith(f"{clause}  (") for line in ours_clauses) < wanted:
            missing.append(f"    {clause} (x{wanted})")
    return missing


def compare(args: Sequence[str], tmp_path: Path, output: str = "out.mak") -> list[str]:
    """Run both implementations with OUTPUT DEPFILE ARGS (a mode may lead); return the differences."""
    mode = [args[0]] if args and args[0].startswith("--") else []
    rest = list(args[len(mode):])
    theirs_dep, ours_dep = tmp_path / "theirs.d", tmp_path / "ours.d"
    for dep in (theirs_dep, ours_dep):
        if dep.exists():
            dep.unlink()
    proc = subprocess.run([sys.executable, QEMU_MINIKCONF, *mode, output, str(theirs_dep), *rest],
                          capture_output=True, text=True, cwd=tmp_path)
    out, err = io.StringIO(), io.StringIO()
    status = minikconf.main(["minikconf", *mode, output, str(ours_dep), *rest], stdout=out, stderr=err, environ={})
    problems = []
    label = " ".join(args)
    if proc.returncode != status:
        problems.append(f"{label}: exit status {proc.returncode} (QEMU) != {status} (ours)\n"
                        f"  QEMU: {proc.stderr.strip().splitlines()[-1:]}\n  ours: {err.getvalue().strip()[:300]}")
    # Random values differ; on an error both print nothing.
    if proc.stdout != out.getvalue() and not (mode == ["--randconfig"] and status == 0):
        problems.append(f"{label}: stdout differs\n  QEMU: {proc.stdout[:300]!r}\n  ours: {out.getvalue()[:300]!r}")
    theirs_text = theirs_dep.read_text() if theirs_dep.exists() else None
    ours_text = ours_dep.read_text() if ours_dep.exists() else None
    if theirs_text != ours_text:
        problems.append(f"{label}: depfile differs\n  QEMU: {theirs_text!r}\n  ours: {ours_text!r}")
    missing = missing_clauses(proc.stderr, err.getvalue())
    if missing:
        problems.append(f"{label}: our error lacks QEMU's contradiction lines:\n  " + "\n  ".join(missing))
    return problems


# Each case: files to write (name -> text) and the arguments after OUTPUT DEPFILE.
DIFFERENTIAL_CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"k": "config A\n  bool\n  imply B\nconfig B\n  bool\n"}, ["k", "CONFIG_A=y"]),
    ({"k": "config A\n  bool\n  imply B\nconfig B\n  bool\n"}, ["--allnoconfig", "k", "CONFIG_A=y"]),
    ({"k": "config A\n  bool\n  imply B\nconfig B\n  bool\n"}, ["--allyesconfig", "k"]),
    ({"k": "config A\n  select B\nconfig B\n  depends on C\nconfig C\n"}, ["k", "CONFIG_A=y"]),
    ({"k": "config A\nconfig C\nconfig D\nconfig B\n  depends on A && C || D\n"}, ["k", "CONFIG_B=y", "CONFIG_D=y"]),
    ({"k": "config A\nconfig C\nconfig D\nconfig B\n  depends on A && C || D\n"}, ["k", "CONFIG_A=y", "CONFIG_D=y"]),
    ({"k": "config E\nconfig D\n  default n if E\n  default y\n"}, ["k", "CONFIG_E=y"]),
    ({"k": "config E\nconfig D\n  default n if E\n  default y\n"}, ["k", "CONFIG_E=n"]),
    ({"top.mak": "include inc.kc\nCONFIG_F=y\n", "inc.kc": "config F\nconfig G\n  default y if F\n"}, ["top.mak"]),
    ({"k": "config A\n  select Z\n"}, ["k"]),
    ({"k": "config A\n  depends on B\nconfig B\n  depends on A\n"}, ["k"]),
    ({"k": 'config A\n    bool "prompt"\n'}, ["k"]),
    ({"k": "FOO=y\n"}, ["k"]),
    ({"k": "config A\n default y\nconfig A\n select B\nconfig B\n"}, ["k"]),
    ({"k": "config Ä1\n default y\nconfig é_x\n select Ä1\n\f\u00a0\n"}, ["k"]),
    ({"k": "config defaults\n default y\nconfig ifx\n select defaults\nconfig iff\n"}, ["k"]),
    ({"k": "config A\r\n default y\r\nconfig B\r select A\r"}, ["k"]),
    ({"k": "config A\n default y # c"}, ["k"]),
    ({"k": ""}, ["k"]),
    ({"k": "CONFIG_=y\n"}, ["k"]),
    ({"k": "config A\n default y if !!!B\nconfig B\n"}, ["k"]),
    ({"k": "config A\n select B if C || D && E\nconfig B\n depends on F\nconfig C\nconfig D\nconfig E\nconfig F\n"},
     ["k", "CONFIG_A=y", "CONFIG_E=y", "CONFIG_C=y"]),
    ({"k": "config A\n select B if C\n select B if D\nconfig B\nconfig C\nconfig D\n"},
     ["k", "CONFIG_A=y", "CONFIG_C=y", "CONFIG_B=n"]),
    ({"k": "config A\n select A\n"}, ["k"]),
    ({"k": "config A\n imply B if C\nconfig B\nconfig C\n default y\n"}, ["--randconfig", "k", "CONFIG_A=n"]),
    ({"a.kc": "source sub/b.kc\nconfig A\n", "sub/b.kc": "source ../a.kc\nconfig B\n"}, ["a.kc"]),
    ({"s.kc": "source s.kc\nconfig S\n default y\n"}, ["s.kc"]),
    ({"m.kc": "source nope.kc\n"}, ["m.kc"]),
    ({"x.kc": "config X\n default y\n"}, ["x.kc", "x.kc"]),
    ({"t.kc": "source x.kc\nsource x.kc\n", "x.kc": "config X\n"}, ["t.kc"]),
    ({"t.kc": "source\n\nx.kc\nconfig Z\n", "x.kc": "config X\n"}, ["t.kc"]),
    ({"k": "config A\n"}, ["k", "CONFIG_A="]),
    ({"k": "config A\n"}, ["k", "CONFIG_a=y"]),
    ({}, ["missing.kc"]),
    ({}, []),
]


@needs_minikconf
def test_differential_edge_cases(tmp_path: Path) -> None:
    problems = []
    for index, (files, args) in enumerate(DIFFERENTIAL_CASES):
        case = tmp_path / f"case{index}"
        case.mkdir()
        for name, text in files.items():
            (case / name).parent.mkdir(parents=True, exist_ok=True)
            (case / name).write_bytes(text.encode("utf-8"))
        absolute = [a if a.startswith("-") or a.startswith("CONFIG_") else str(case / a) for a in args]
        problems += compare(absolute, tmp_path)
    assert not problems, "\n".join(problems)


@needs_minikconf
def test_differential_includes(tmp_path: Path) -> None:
    """The include tables above, run by QEMU's script too: same status, stdout and depfile."""
    cases = [(files, args) for files, args, _, _ in INCLUDE_CASES.values()]
    cases += [(files, ["{D}/" + top]) for files, top, _ in INCLUDE_ERROR_CASES.values()]
    problems = []
    for index, (files, args) in enumerate(cases):
        case = tmp_path / f"case{index}"
        case.mkdir()
        problems += compare(materialize(case, files, args), tmp_path)
    assert not problems, "\n".join(problems)


@needs_minikconf
def test_differential_data_tree(tmp_path: Path) -> None:
    problems = []
    for mak in sorted((DATA / "configs/devices").glob("*/*.mak")):
        arch = mak.parent.name.split("-")[0].upper()
        for mode in ("--defconfig", "--allnoconfig", "--allyesconfig"):
            problems += compare([mode, str(mak), str(DATA / "Kconfig"), *HOST_ARGS, f"CONFIG_{arch}=y",
                                 "CONFIG_TARGET_BIG_ENDIAN=n"], tmp_path, output=f"{mak.parent.name}.mak")
    assert not problems, "\n".join(problems)


def _bench_module():  # the tree generator lives with the benchmark
    spec = importlib.util.spec_from_file_location("kconfig_bench", REPO / "bench" / "kconfig_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("kconfig_bench", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@needs_minikconf
@pytest.mark.parametrize("seed", [1, 2])
def test_differential_generated_trees(tmp_path: Path, seed: int) -> None:
    tree = _bench_module().generate_tree(tmp_path / "src", symbols=400, files=40, targets=8, seed=seed)
    problems = []
    for target in tree.targets:
        for mode in ("--defconfig", "--allnoconfig", "--allyesconfig"):
            problems += compare([mode, str(target.mak), str(tree.kconfig), *target.argv_assignments()], tmp_path,
                                output=f"{target.name}-config-devices.mak")
    assert not problems, "\n".join(problems)


def _keyval(path: Path) -> dict[str, str]:
    """meson's keyval.load: strip comments, split on the first '='."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def _qemu_invocations(src: Path) -> Iterator[tuple[str, list[str]]]:
    """(OUTPUT, arguments) for every device .mak, as meson.build would run minikconf (reference §7.4)."""
    host = os.environ.get("QEMU_KCONFIG_HOST", DEFAULT_QEMU_HOST).split()
    for mak in sorted((src / "configs/devices").glob("*-softmmu/*.mak")):
        target = mak.parent.name
        facts = _keyval(src / "configs/targets" / f"{target}.mak")
        arch = facts.get("TARGET_ARCH", target.split("-")[0])
        endian = "y" if facts.get("TARGET_BIG_ENDIAN") == "y" else "n"
        accels = [["CONFIG_TCG=y"]]
        if target in ("i386-softmmu", "x86_64-softmmu"):
            accels.append(["CONFIG_KVM=y", "CONFIG_TCG=y"])
        for accel in accels:
            target_kconfig = [*accel, f"CONFIG_{arch.upper()}=y", f"CONFIG_TARGET_BIG_ENDIAN={endian}"]
            for mode in ("--defconfig", "--allnoconfig"):
                yield f"{target}-config-devices.mak", [mode, str(mak), str(src / "Kconfig"), *host, *target_kconfig]


@needs_qemu_tree
def test_differential_qemu_tree(tmp_path: Path) -> None:
    src = Path(QEMU_KCONFIG_TREE).resolve()
    invocations = list(_qemu_invocations(src))
    assert invocations, f"no configs/devices/*-softmmu/*.mak under {src}"
    problems = []
    for output, args in invocations:
        problems += compare(args, tmp_path, output=output)
    assert not problems, "\n".join(problems)
