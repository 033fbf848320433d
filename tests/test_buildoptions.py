"""``python -m qemu_config.buildoptions``: QEMU's generated configure help, byte for byte,
the JSON listing, errors and exit codes; and the help layout rules on small tables.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import reference
from qemu_config import options

REPO = Path(__file__).resolve().parent.parent
QEMU_OPTIONS = reference.QEMU_OPTIONS
EXPECTED_HELP = reference.QEMU_CONFIGURE_HELP
needs_qemu_reference = reference.needs_reference(QEMU_OPTIONS, EXPECTED_HELP)
# QEMU's declarations of the options below, as the project's own test data (always present).
QEMU_OPTION_FACTS = Path(__file__).parent / "data" / "qemu-options" / "meson_options.txt"


def run(*args: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "qemu_config.buildoptions", *args], capture_output=True,
                          env=env, cwd=REPO)


# ---------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------

@needs_qemu_reference
def test_help_is_exactly_qemu_s(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run("--format", "help", str(QEMU_OPTIONS), cache=cache)  # cache miss: runs meson
    assert first.returncode == 0, first.stderr.decode()
    assert first.stdout == EXPECTED_HELP.read_bytes()
    assert first.stderr == b""
    assert any(cache.rglob("meson-builtins-*.json"))
    second = run(str(QEMU_OPTIONS), cache=cache)  # default format; cache hit
    assert second.returncode == 0 and second.stdout == EXPECTED_HELP.read_bytes()


@needs_qemu_reference
def test_help_from_a_source_directory(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(QEMU_OPTIONS, src / "meson_options.txt")
    proc = run(str(src), cache=tmp_path / "cache")
    assert proc.returncode == 0 and proc.stdout == EXPECTED_HELP.read_bytes()
    (src / "meson_options.txt").unlink()
    (src / "meson.options").write_text("option('only_new', type: 'feature', description: 'from meson.options')\n")
    proc = run(str(src), cache=tmp_path / "cache")
    assert proc.returncode == 0
    assert b"  only-new        from meson.options\n" in proc.stdout


def test_json_listing(tmp_path: Path) -> None:
    proc = run("--format", "json", str(QEMU_OPTION_FACTS), cache=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = json.loads(proc.stdout)
    names = [r["name"] for r in rows]
    assert names == sorted(names)
    table = options.load_option_table(QEMU_OPTION_FACTS)
    assert set(names) == set(table.names()) | options.HELP_BUILTINS
    by = {r["name"]: r for r in rows}
    assert by["kvm"] == {"name": "kvm", "type": "feature", "section": "user", "default": "auto",
                         "choices": ["enabled", "disabled", "auto"], "min": None, "max": None,
                         "description": "KVM accelerator",
                         "spellings": ["--enable-kvm", "--disable-kvm", "-Dkvm=VALUE"]}
    assert by["qemu_firmwarepath"]["default"] == ["share/qemu-firmware"]
    assert by["qemu_firmwarepath"]["spellings"][0] == "--firmwarepath=VALUES"
    assert by["fdt"]["spellings"] == ["--enable-fdt", "--disable-fdt", "--enable-fdt=CHOICE", "-Dfdt=VALUE"]
    assert by["malloc"]["spellings"] == ["--enable-malloc=CHOICE", "-Dmalloc=VALUE"]
    assert by["relocatable"]["default"] is True
    assert by["prefix"]["section"] == "directory" and by["prefix"]["spellings"][0] == "--prefix=VALUE"
    assert by["b_lto"]["spellings"][:2] == ["--enable-lto", "--disable-lto"]
    assert by["debug"]["spellings"][:2] == ["--enable-debug-info", "--disable-debug-info"]
    assert by["fuzzing_engine"]["spellings"] == ["-Dfuzzing_engine=VALUE"]
    again = run("--format", "json", str(QEMU_OPTION_FACTS), cache=tmp_path)
    assert again.stdout == proc.stdout  # deterministic


def _one_error(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    err = proc.stderr.decode()
    assert "Traceback" not in err and proc.stdout == b""
    lines = err.splitlines()
    assert lines[0].startswith("ERROR: ") and all(ln.startswith("       ") for ln in lines[1:])
    return lines


def test_bad_path_is_one_error_line(tmp_path: Path) -> None:
    proc = run(str(tmp_path / "missing.txt"), cache=tmp_path)
    assert proc.returncode == 1
    assert _one_error(proc) == [f"ERROR: {tmp_path / 'missing.txt'}: no such option file or source directory"]
    proc = run(str(tmp_path), cache=tmp_path)  # a directory without an option file
    assert proc.returncode == 1 and "no meson.options or meson_options.txt" in _one_error(proc)[0]


def test_malformed_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "meson_options.txt"
    bad.write_text("option('ok', type: 'string')\noption('x', type: 'combo', choices: ['a'], value: 'b')\n")
    proc = run(str(bad), cache=tmp_path)
    assert proc.returncode == 1
    lines = _one_error(proc)
    assert lines[0] == (f'ERROR: {bad}:2: Value "b" (of type "string") for option "x" is not one of the choices. '
                        'Possible choices are (as string): "a".')
    bad.write_text("option('x', type: 'string'\n")
    proc = run(str(bad), cache=tmp_path)
    # meson reports the end of file at the last token's line
    assert proc.returncode == 1 and _one_error(proc)[0] == f"ERROR: {bad}:1: Expecting rparen got eof."


@pytest.mark.parametrize("args", [[], ["--format", "xml", "x"], ["a", "b"], ["--bogus", "x"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    proc = run(*args, cache=tmp_path)
    assert proc.returncode == 2
    _one_error(proc)


def test_own_help_exits_0(tmp_path: Path) -> None:
    proc = run("--help", cache=tmp_path)
    assert proc.returncode == 0 and b"--format" in proc.stdout


# ---------------------------------------------------------------------------
# layout rules (scripts/meson-buildoptions.py print_help), on small tables
# ---------------------------------------------------------------------------

def row(left: str, text: str) -> str:
    """A section-1 row: the left part padded to column 27."""
    return ("  " + left).ljust(27) + text if left else " " * 27 + text


def help_of(text: str, builtins: tuple[options.MesonOption, ...] = ()) -> list[str]:
    table = options.parse_option_text(textwrap.dedent(text), "t.txt")
    return options.render_options_help(table, builtins).split("\n")


FEATURES_HEADER = [
    "",
    "Optional features, enabled with --enable-FEATURE and",
    "disabled with --disable-FEATURE, default is enabled if available",
    "(unless built with --without-default-features):",
    "",
]


def test_empty_table_has_only_the_features_header() -> None:
    assert help_of("") == [*FEATURES_HEADER, ""]


def test_defaults_in_brackets_and_sorted_choices() -> None:
    lines = help_of("""\
        option('s_empty', type: 'string', description: 'empty')
        option('s_auto', type: 'string', value: 'auto', description: 'auto')
        option('s', type: 'string', value: 'v', description: 'str')
        option('arr', type: 'array', value: ['x', 'y'], description: 'list')
        option('arrc', type: 'array', choices: ['z', 'b', 'a'], value: ['z', 'a'], description: 'list choices')
        option('cmb', type: 'combo', choices: ['zz', 'aa', 'auto'], value: 'auto', description: 'combo')
        option('num', type: 'integer', value: 42, description: 'number')
        """)
    assert lines[:7] == [
        row("--arr=VALUES", "list [x,y]"),
        row("--arrc=CHOICES", "list choices [z,a] (choices: a/b/z)"),
        row("--cmb=CHOICE", "combo (choices: aa/auto/zz)"),  # plain string sort
        row("--num=CHOICE", "number [42]"),
        row("--s=VALUE", "str [v]"),
        row("--s-auto=VALUE", "auto"),
        row("--s-empty=VALUE", "empty"),
    ]


def test_booleans_features_and_special_names() -> None:
    lines = help_of("""\
        option('on', type: 'boolean', value: true, description: 'default on')
        option('off', type: 'boolean', value: false, description: 'default off')
        option('plugins', type: 'boolean', value: false, description: 'auto boolean')
        option('gdb', type: 'string', description: 'configure prints its own')
        option('default_devices', type: 'boolean', description: 'skipped')
        option('fuzzing_engine', type: 'string', description: 'skipped too')
        option('feat', type: 'feature', value: 'disabled', description: 'a feature')
        option('fdt_like', type: 'combo', choices: ['enabled', 'disabled', 'auto', 'internal'],
               value: 'auto', description: 'takes a choice')
        option('no_enabled', type: 'combo', choices: ['disabled', 'x'], value: 'x', description: 'no enabled')
        option('pure', type: 'combo', choices: ['enabled', 'disabled'], value: 'enabled', description: 'pure')
        option('coroutine_backend', type: 'combo', choices: ['a', 'b'], description: 'renamed')
        """)
    text = "\n".join(lines)
    assert lines[:7] == [
        row("--disable-on", "default on"),
        "  --enable-fdt-like[=CHOICE]",
        row("", "takes a choice (choices:"),
        row("", "auto/disabled/enabled/internal)"),
        "  --enable-no-enabled=CHOICE",
        row("", "no enabled [x] (choices: disabled/x)"),
        row("--enable-off", "default off"),
    ]
    assert row("--with-coroutine=CHOICE", "renamed [a] (choices: a/b)") in lines
    section2 = lines[lines.index("(unless built with --without-default-features):") + 2:]
    assert section2 == ["  feat            a feature", "  plugins         auto boolean", "  pure            pure", ""]
    for hidden in ("gdb", "default-devices", "fuzzing", "configure prints its own", "skipped"):
        assert hidden not in text


def test_wrapping_like_textwrap() -> None:
    lines = help_of("""\
        option('a_rather_long_option_name', type: 'string', description: 'short')
        option('w', type: 'string', value: 'share/qemu-firmware-and-more',
               description: 'a description long enough to need a second line of help text here')
        option('long_choices', type: 'array', value: ['x'],
               choices: ['x', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'], description: 'c')
        option('a_feature_with_a_long_name', type: 'feature', description: 'on its own line')
        """)
    assert lines[:2] == ["  --a-rather-long-option-name=VALUE", row("", "short")]
    # a word longer than the line is broken to fill the line, as textwrap does
    assert lines[2:4] == [row("--long-choices=CHOICES", "c [x] (choices: " + "a" * 33),
                          row("", "a" * 28 + "/x)")]
    assert lines[4:6] == [row("--w=VALUE", "a description long enough to need a second line"),
                          row("", "of help text here [share/qemu-firmware-and-more]")]
    assert lines[-3:] == ["  a-feature-with-a-long-name", " " * 18 + "on its own line", ""]
    assert all(len(ln) <= 76 for ln in lines)


def test_builtins_render_with_meson_s_words() -> None:
    libdir = options.MesonOption("libdir", "string", "Library directory", "lib/x86_64-linux-gnu",
                                 section="directory")
    werror = options.MesonOption("werror", "boolean", "Treat warnings as errors", False, section="core")
    debug = options.MesonOption("debug", "boolean", "Enable debug symbols", True, section="core")
    hidden = options.MesonOption("optimization", "combo", "Optimization level", "0", ("0", "2"), section="core")
    lines = help_of("", (libdir, werror, debug, hidden))
    assert lines[:2] == [row("--disable-debug-info", "Enable debug symbols"),
                         row("--libdir=VALUE", "Library directory [system default]")]
    assert "  werror          Treat warnings as errors" in lines
    assert not any("optimization" in ln for ln in lines)


@needs_qemu_reference
def test_expected_file_exercises_the_tricky_rules() -> None:
    """The byte-for-byte test above covers long-word breaks, hyphen breaks and own-line lefts."""
    text = EXPECTED_HELP.read_text()
    assert "(choices: alsa/co\n" in text            # a long word broken to fill the line
    assert "[share/qemu-\n" in text                 # a break after a hyphen
    assert "  xen-pci-passthrough\n                  Xen" in text  # a left part on its own line
