"""Reliability campaign: fuzzed inputs (Hypothesis) end in success or in one ERROR line, never an internal error.

Every input the engine reads from a user is generated here: configure's argv, meson_options.txt,
Kconfig and .mak files through the minikconf drop-in, .pc files through the pkg-config probe,
sources.toml declarations and matrix specs.  An input either succeeds or raises UserError (printed
as one ``ERROR:`` line and indented details); anything else is an internal error and fails the
test.  A hang fails too: each input runs under an alarm.  Accepted string values must then reach
config-host.h as exactly the C literal the user gave (compiled and printed back) and config.status
so that it replays them exactly (run, with configure replaced by a recorder).

``make check`` runs a bounded campaign with the same inputs each time; ``QEMU_CONFIG_CAMPAIGNS=full``
runs the full one (tests/campaign.py).
"""

from __future__ import annotations

import io
import json
import os
import shlex
import signal
import string
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from campaign import assert_one_error, count, fuzz_settings
from qemu_config import minikconf, options, pkgconfig
from qemu_config.emit import Quoted, shell_quote
from qemu_config.errors import UserError
from qemu_config.matrix.spec import expand, load_spec
from qemu_config.outputs import build_outputs, config_host_data
from qemu_config.sources import load_declarations, plan_sources
from recorded import LINUX_X86_64, NATIVE, REPO, Decider, RecordedProber

TABLE = options.load_option_table(REPO)
HANG_SECONDS = 20      # one input that takes this long is a hang


@contextmanager
def no_hang(what: str) -> Iterator[None]:
    """Fail (instead of waiting for ever) when one input takes more than HANG_SECONDS."""
    def expired(signum: int, frame: object) -> None:
        raise AssertionError(f"hang: {what} still running after {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(campaign: str, run: Callable[[], object]) -> object:
    """Run one input: its result, or None after a well-formed UserError.  Other exceptions fail the test."""
    count(campaign)
    with no_hang(campaign):
        try:
            return run()
        except UserError as err:
            assert_one_error(err.render())
            count(campaign, "refused")
            return None


# --- text that users type ------------------------------------------------------------------------

# What a shell hands over: no NUL; bytes that are not UTF-8 arrive as lone surrogates.
HOSTILE_PIECES = ("$(touch pwned)", "`id`", "'", '"', "\\", "\n", " ", "${HOME}", "$$", "%s", "#", ";", "&&", "\t",
                  "\x7f", "\x1b[31m", "\udcff", "\udcfe", "é", "\u2028", "*", "?", "[", "]", "..", "/", ",", "=",
                  "\r", "\\n", '\\"', "*/", "/*", "??=", "\x01")
hostile_text = st.one_of(
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30),
    st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=6).map("".join),
    st.tuples(st.sampled_from(HOSTILE_PIECES), st.integers(300, 5000)).map(lambda t: t[0] * t[1]),
)
# Values configure accepts in the end, for the exactness properties: printable, no surrogates.
accepted_text = st.one_of(
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=30),
    st.lists(st.sampled_from([p for p in HOSTILE_PIECES if not ("\udc80" <= p[:1] <= "\udcff")]),
             min_size=1, max_size=6).map("".join),
)


def _spellings() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """configure's spellings: (words that take no value, prefixes a value follows)."""
    flags = [f.text for o in options.CONFIGURE_OPTIONS for f in o.flags]
    prefixes = [o.prefix for o in options.CONFIGURE_OPTIONS if o.prefix]
    for opt in TABLE.options:
        word = opt.name.replace("_", "-")
        if opt.type in ("feature", "boolean"):
            flags += [f"--enable-{word}", f"--disable-{word}"]
        else:
            prefixes.append(f"--{word}=")
    prefixes += [f"--{name}=" for name in ("prefix", "bindir", "libdir", "datadir", "sysconfdir", "localstatedir",
                                           "libexecdir", "includedir", "mandir", "docdir", "firmwarepath",
                                           "with-pkgversion", "with-suffix", "buildtype", "optimization")]
    return tuple(sorted(set(flags))), tuple(sorted(set(prefixes)))


FLAGS, PREFIXES = _spellings()
# These make the recorded machine answer probes it has no record of (another compiler, gdb, a
# static link), or run a program (--python): the real configure tests cover them.
NOT_IN_PROCESS = ("--cross-prefix=", "--cc=", "--host-cc=", "--cxx=", "--objcc=", "--gdb=", "--python=", "--static",
                  "--extra-cflags=", "--extra-ldflags=", "--cpu=", "--host=")
TARGETS = ("x86_64-softmmu", "aarch64-softmmu", "s390x-softmmu", "riscv64-softmmu", "i386-softmmu", "x86_64-linux-user")

option_word = st.one_of(
    st.sampled_from(FLAGS),
    st.tuples(st.sampled_from(PREFIXES), hostile_text).map("".join),
    st.tuples(st.sampled_from(FLAGS + PREFIXES), st.integers(1, 12)).map(lambda t: t[0][:t[1]]),   # truncated
    st.tuples(st.sampled_from([o.name for o in TABLE.options] + ["buildtype", "b_lto", "prefix", "nosuch", ""]),
              st.sampled_from(["", "=", "=yes", "=auto", "=maybe", "=1", "=[", "=-1", "=a,b"]), hostile_text)
      .map(lambda t: f"-D{t[0]}{t[1]}{t[2]}"),
    st.lists(st.one_of(st.sampled_from(TARGETS), hostile_text), max_size=4)
      .map(lambda ts: "--target-list=" + ",".join(ts)),
    hostile_text,
)


def in_process(word: str) -> bool:
    return not word.startswith(NOT_IN_PROCESS)


def native() -> RecordedProber:
    return RecordedProber(LINUX_X86_64, NATIVE)


def decide_in_process(decider: Decider, argv: list[str]) -> object:
    """configure() up to the files it would write (no meson): help and version included."""
    request = decider.request(argv)
    if request.show_version:
        return "version"
    if request.show_help:
        return options.render_configure_help(TABLE, decider.shown, available_targets=list(TARGETS),
                                             cross_prefix=request.cross_prefix or "", cc=request.cc or "cc",
                                             host_cc=request.host_cc or "cc", static=request.static,
                                             cpu=request.cpu or "")
    try:
        config = decider.decide(argv, native())
    except AssertionError as exc:
        if "no recorded answer" in str(exc):
            reject()     # a probe this machine has no record of: not what this campaign tests
        raise
    return config, build_outputs(config, argv)


@fuzz_settings(bounded=100, full=10000)
@given(argv=st.lists(option_word.filter(in_process), max_size=8))
def test_configure_argv_ends_in_success_or_one_error(decider: Decider, argv: list[str]) -> None:
    outcome("configure argv", lambda: decide_in_process(decider, argv))


# --- what accepted strings become ----------------------------------------------------------------

C_PRINTER = r"""
#include <stdio.h>
#include "config-host.h"
static void show(const char *name, const char *s)
{
    printf("%s ", name);
    for (; *s; s++) {
        printf("%02x", (unsigned char)*s);
    }
    printf("\n");
}
int main(void)
{
    static const char *firmware[] = { CONFIG_QEMU_FIRMWAREPATH NULL };
    for (int i = 0; firmware[i]; i++) {
        show("CONFIG_QEMU_FIRMWAREPATH", firmware[i]);
    }
%s
    return 0;
}
"""

STRING_OPTIONS = ("--with-pkgversion=", "--prefix=/", "--bindir=", "--libdir=", "--datadir=", "--sysconfdir=",
                  "--localstatedir=", "--libexecdir=", "--firmwarepath=", "--with-suffix=", "--docdir=")


def c_strings(header: Path, keys: list[str], workdir: Path) -> list[tuple[str, bytes]]:
    """The string macros of ``header`` as a C compiler reads them: (name, bytes), in order."""
    source = workdir / "show.c"
    source.write_text(C_PRINTER.replace("%s\n    return", "".join(f'    show("{k}", {k});\n' for k in keys)
                                        + "    return", 1))
    exe = workdir / "show"
    subprocess.run(["cc", "-std=gnu11", "-Werror", "-I", str(header.parent), "-o", str(exe), str(source)],
                   check=True, capture_output=True, text=True, timeout=60)
    out = subprocess.run([str(exe)], check=True, capture_output=True, timeout=60).stdout.decode()
    return [(name, bytes.fromhex(hexed)) for name, _, hexed in (line.partition(" ") for line in out.splitlines())]


@fuzz_settings(bounded=40, full=2000)
@given(values=st.lists(st.tuples(st.sampled_from(STRING_OPTIONS), accepted_text), min_size=1, max_size=4))
def test_accepted_strings_reach_c_as_exactly_their_literal(decider: Decider, values: list[tuple[str, str]]) -> None:
    argv = [spelling + value for spelling, value in values]
    decided = outcome("string values in config-host.h", lambda: decider.decide(argv, native()))
    if decided is None:
        return
    data = config_host_data(decided)  # type: ignore[arg-type]
    quoted = {key: value.text for key, value in data.items() if isinstance(value, Quoted)}
    files = {f.path: f.text for f in build_outputs(decided, argv)}  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="qemu-config-fuzz-") as tmp:
        header = Path(tmp) / "config-host.h"
        header.write_text(files["config-host.h"], encoding="utf-8")
        seen = c_strings(header, sorted(quoted), Path(tmp))
    firmware = [value for name, value in seen if name == "CONFIG_QEMU_FIRMWAREPATH"]
    assert firmware == [p.encode() for p in decided.dirs.firmware_list()]  # type: ignore[attr-defined]
    assert {name: value for name, value in seen if name != "CONFIG_QEMU_FIRMWAREPATH"} == \
        {key: text.encode() for key, text in quoted.items()}


RECORDER = """#!{python}
import json, os, sys
json.dump({{"argv": sys.argv[1:], "environ": {{k: os.environ.get(k) for k in {names!r}}}}},
          open(os.environ["RECORDED_TO"], "w"))
"""


@fuzz_settings(bounded=40, full=2000)
@given(argv=st.lists(st.tuples(st.sampled_from(STRING_OPTIONS), accepted_text).map("".join), max_size=4),
       environ=st.dictionaries(st.sampled_from(["CFLAGS", "LDFLAGS", "CPPFLAGS", "PKG_CONFIG_PATH", "XDG_CACHE_HOME"]),
                               accepted_text.filter(lambda t: "\x00" not in t), max_size=3))
def test_config_status_replays_argv_and_environment_exactly(decider: Decider, argv: list[str],
                                                            environ: dict[str, str]) -> None:
    from qemu_config.environment import RECORDED_ENVIRONMENT

    full_environ = {**decider.environment, **environ}
    decided = outcome("config.status replay", lambda: decider.decide(argv, native(), environ=full_environ))
    if decided is None:
        return
    script = next(f.text for f in build_outputs(decided, argv) if f.path == "config.status")  # type: ignore[arg-type]
    configure = "exec " + shell_quote(str(REPO / "configure")) + " "
    assert configure in script
    with tempfile.TemporaryDirectory(prefix="qemu-config-fuzz-") as tmp:
        recorder = Path(tmp) / "recorder"
        recorder.write_text(RECORDER.format(python=sys.executable, names=list(RECORDED_ENVIRONMENT)))
        recorder.chmod(0o755)
        status = Path(tmp) / "config.status"
        status.write_text(script.replace(configure, "exec " + shell_quote(str(recorder)) + " "))
        record = Path(tmp) / "record.json"
        # What the user's shell had then is gone now: config.status must set (or unset) all of it itself.
        stale = {name: "stale" for name in RECORDED_ENVIRONMENT if name != "PATH"}
        subprocess.run(["/bin/sh", str(status)], check=True, timeout=60,
                       env={**stale, "PATH": os.environ["PATH"], "RECORDED_TO": str(record)})
        replayed = json.loads(record.read_text())
    assert replayed["argv"] == argv
    assert replayed["environ"] == {name: full_environ.get(name) for name in RECORDED_ENVIRONMENT}


# --- meson_options.txt ---------------------------------------------------------------------------

OPTION_FILE_PIECES = ("option(", ")", "'", "'x'", "'name'", "type", ":", ",", "'feature'", "'string'", "'combo'",
                      "'array'", "'boolean'", "'integer'", "value", "choices", "[", "]", "true", "false", "'auto'",
                      "description", "min", "max", "deprecated", "yield", "#", "\n", " ", "\\", "'''", "{", "}",
                      "-1", "99999999999999999999", "\t", "+", "'a' + 'b'", "\udcff", "é")
option_file_text = st.one_of(
    st.lists(st.sampled_from(OPTION_FILE_PIECES), max_size=40).map("".join),
    st.text(max_size=200),
    st.integers(1, 300).map(lambda n: "option('x', type: 'array', value: " + "[" * n + "]" * n + ")\n"),
)


@fuzz_settings(bounded=300, full=20000)
@given(text=option_file_text, real_lines=st.integers(0, 40))
def test_option_files_end_in_a_table_or_one_error(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                  real_lines: int) -> None:
    lines = (REPO / "meson_options.txt").read_text().splitlines(keepends=True)
    path = tmp_path_factory.mktemp("options") / "meson_options.txt"
    path.write_bytes(("".join(lines[:real_lines]) + text).encode("utf-8", "surrogateescape"))
    outcome("meson_options.txt", lambda: options.parse_option_file(path))


# --- Kconfig and .mak through the minikconf drop-in ----------------------------------------------

KCONFIG_PIECES = ("config A\n", "config B\n", "config C\n", "    bool\n", "    default y\n", "    default n\n",
                  "    depends on A\n", "    depends on !B && (A || C)\n", "    select B\n", "    select A if C\n",
                  "    imply C\n", "source other.kc\n", "source self.kc\n", "source missing.kc\n",
                  "source /dev/zero\n", "source /\n", "source ../../../../etc/passwd\n", "if A\n", "endif\n",
                  "menu x\n", "(", ")", "&&", "||", "!", "=", "y", "n", "#", "\n", " ", "\t", "\\\n", "\udcff",
                  "config ", "é", "CONFIG_", "default", "depends on", "on", "select", "if")
MAK_PIECES = ("CONFIG_A=y\n", "CONFIG_B=n\n", "CONFIG_C=y\n", "CONFIG_A=x\n", "A=y\n", "include other.mak\n",
              "include self.mak\n", "include missing.mak\n", "include /dev/zero\n", "# c\n", "\n", "=", "y",
              "CONFIG_", " ", "\udcff", "\\\n")
kconfig_text = st.lists(st.sampled_from(KCONFIG_PIECES), max_size=30).map("".join)
mak_text = st.lists(st.sampled_from(MAK_PIECES), max_size=12).map("".join)


@fuzz_settings(bounded=300, full=20000)
@given(kconfig=kconfig_text, other=kconfig_text, mak=mak_text, other_mak=mak_text,
       mode=st.sampled_from(["", "--defconfig", "--allyesconfig", "--allnoconfig", "--randconfig=7", "--randconfig=x",
                             "--oldconfig"]),
       assignments=st.lists(st.sampled_from(["A=y", "B=n", "C=y", "A=maybe", "=y", "D=y", "A"]), max_size=3))
def test_minikconf_inputs_end_in_output_or_one_error(tmp_path_factory: pytest.TempPathFactory, kconfig: str,
                                                     other: str, mak: str, other_mak: str, mode: str,
                                                     assignments: list[str]) -> None:
    work = tmp_path_factory.mktemp("kconfig")
    for name, text in (("self.kc", kconfig), ("other.kc", other), ("self.mak", mak), ("other.mak", other_mak)):
        (work / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    argv = ["minikconf", *([mode] if mode else []), str(work / "out"), str(work / "out.d"), str(work / "self.mak"),
            str(work / "self.kc"), *assignments]
    stdout, stderr = io.StringIO(), io.StringIO()
    count("minikconf")
    with no_hang("minikconf"):
        status = minikconf.main(argv, stdout, stderr, environ={})
    if status != 0:
        count("minikconf", "refused")
        assert status == 1
        assert stdout.getvalue() == ""
        assert_one_error(stderr.getvalue())


# --- .pc files through the pkg-config probe ------------------------------------------------------

PC_PIECES = ("prefix=/usr\n", "libdir=${prefix}/lib\n", "includedir=${prefix}/include\n", "a=${b}\n", "b=${a}\n",
             "x=${x}${x}\n", "y=${x}${x}${x}${x}\n", "Name: p\n", "Description: d\n", "Version: 1.2\n",
             "Version: 99999999999999999999999999\n", "Version: \n", "Version: 1.2.3a~b\n", "Requires: q\n",
             "Requires: p\n", "Requires: q >= 2\n", "Requires: q >\n", "Requires.private: q\n",
             "Cflags: -I${includedir}\n", "Libs: -L${libdir} -lp\n", "Libs: '\n", "Cflags: \"\n", "Conflicts: q\n",
             ":", "=", "$", "${", "}", "\n", " ", "#", "\\\n", "\udcff", "é")
pc_text = st.one_of(st.lists(st.sampled_from(PC_PIECES), max_size=20).map("".join),
                    st.integers(1, 5000).map(lambda n: f"Name: p\nDescription: d\nVersion: 1.{'9' * n}\n"))


@pytest.fixture(scope="module")
def pkg_config_tool() -> pkgconfig.PkgConfigTool:
    tool = pkgconfig.find_pkg_config(None, os.environ)
    if tool is None:
        pytest.skip("no pkg-config on PATH: install pkgconf (Debian: apt-get install pkgconf)")
    return tool


@fuzz_settings(bounded=150, full=5000)
@given(p=pc_text, q=pc_text, constraints=st.lists(st.sampled_from([">=1", ">= 1.2", "<2", "==1.2", ">=", "~1",
                                                                   ">=99999999999999999999999999999"]), max_size=2))
def test_pc_files_end_in_an_answer_or_one_error(tmp_path_factory: pytest.TempPathFactory,
                                                pkg_config_tool: pkgconfig.PkgConfigTool, p: str, q: str,
                                                constraints: list[str]) -> None:
    libdir = tmp_path_factory.mktemp("pc")
    (libdir / "p.pc").write_bytes(p.encode("utf-8", "surrogateescape"))
    (libdir / "q.pc").write_bytes(q.encode("utf-8", "surrogateescape"))
    environ = {"PATH": os.environ["PATH"], "PKG_CONFIG_LIBDIR": str(libdir)}
    result = outcome(".pc files", lambda: pkgconfig.lookup(pkg_config_tool, "p", constraints, environ=environ))
    if result is not None:
        assert result.status in ("found", "missing", "too-old", "wrong-version", "failed", "no-static")  # type: ignore[attr-defined]


# --- sources.toml --------------------------------------------------------------------------------

TOML_PIECES = ('set = "system"\n', 'set = "hw_arch"\n', 'set = "nonsense"\n', 'arch = "arm"\n', 'arch = 3\n',
               "[[rule]]\n", 'sources = ["a.c"]\n', 'sources = "a.c"\n', 'sources = [1]\n',
               'when = ["CONFIG_A"]\n', 'when = ["dep:pixman"]\n', 'when = ["dep:nosuch"]\n',
               'if_true = ["b.c", "dep:glib"]\n', 'if_false = ["c.c"]\n', 'if_true = ["../../../x.c"]\n',
               'unknown = 1\n', "[rule]\n", "rule = 3\n", "=", "[", "]", '"', "\n", "\udcff")
REAL_DECLARATIONS = tuple(p.read_text() for p in sorted((REPO / "core").rglob("sources.toml")))
toml_text = st.one_of(
    st.lists(st.sampled_from(TOML_PIECES), max_size=14).map("".join),
    st.tuples(st.sampled_from(REAL_DECLARATIONS), st.lists(st.sampled_from(TOML_PIECES), max_size=3).map("".join))
      .map(lambda t: t[0] + t[1]),
)


@fuzz_settings(bounded=200, full=10000)
@given(declarations=st.lists(toml_text, min_size=1, max_size=3),
       features=st.dictionaries(st.sampled_from(["pixman", "glib", "fdt", "nosuch"]), st.booleans()))
def test_source_declarations_end_in_a_plan_or_one_error(tmp_path_factory: pytest.TempPathFactory,
                                                        declarations: list[str], features: dict[str, bool]) -> None:
    tree = tmp_path_factory.mktemp("tree")
    for index, text in enumerate(declarations):
        directory = tree / "core" / f"part{index}"
        directory.mkdir(parents=True)
        (directory / "sources.toml").write_bytes(text.encode("utf-8", "surrogateescape"))
    keys = {"TARGET_BASE_ARCH": "arm", "CONFIG_A": "y"}

    def plan() -> object:
        load_declarations(tree)
        return plan_sources(tree, features, [("aarch64-softmmu", "arm", keys)])
    outcome("sources.toml", plan)


# --- matrix specs --------------------------------------------------------------------------------

SPEC_PIECES = ("[matrix]\n", "[[axis]]\n", 'name = "a"\n', 'name = "pixman"\n', 'option = "pixman"\n',
               'option = "nosuch"\n', 'values = ["enabled", "disabled"]\n', 'values = ["maybe"]\n', "values = []\n",
               'values = [1, true]\n', 'args = ["--enable-pixman"]\n', 'args = ["--bogus"]\n', 'args = "x"\n',
               "[[include]]\n", "[[exclude]]\n", 'a = "enabled"\n', 'pixman = "auto"\n', 'job = "{a}-{b}"\n',
               'job = "{"\n', "[defaults]\n", 'targets = ["x86_64-softmmu"]\n', 'targets = ["nosuch"]\n',
               "=", "[", "]", '"', "\n", "\udcff", "é")
spec_text = st.lists(st.sampled_from(SPEC_PIECES), max_size=20).map("".join)


REAL_SPEC_LINES = (REPO / "matrix.toml").read_text().splitlines(keepends=True)
# The project's own spec with lines left out or replaced: mostly valid, near the edge of valid.
mutated_spec = st.lists(st.one_of(st.integers(0, len(REAL_SPEC_LINES) - 1).map(lambda i: ("drop", i, "")),
                                  st.tuples(st.just("put"), st.integers(0, len(REAL_SPEC_LINES) - 1),
                                            st.sampled_from(SPEC_PIECES))),
                        max_size=4).map(lambda edits: _edit(REAL_SPEC_LINES, edits))


def _edit(lines: list[str], edits: list[tuple[str, int, str]]) -> str:
    result = list(lines)
    for kind, index, piece in edits:
        result[index] = "" if kind == "drop" else piece
    return "".join(result)


@fuzz_settings(bounded=200, full=10000)
@given(text=st.one_of(spec_text, mutated_spec))
def test_matrix_specs_end_in_combinations_or_one_error(decider: Decider, tmp_path_factory: pytest.TempPathFactory,
                                                       text: str) -> None:
    path = tmp_path_factory.mktemp("spec") / "matrix.toml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    outcome("matrix spec", lambda: expand(load_spec(path, TABLE, decider.every)))
