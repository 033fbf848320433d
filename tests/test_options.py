"""qemu_config.options, the option-file half: meson's grammar, defaults and validation,
proven equal to meson 1.12.1 itself, and the builtin-option cache.

Two oracles, both the pinned meson run as a subprocess:
  * ``meson introspect --buildoptions`` on a temp project (name, type, value,
    choices, description of every user option), batched: one call per file;
  * meson's own option interpreter (mesonbuild.optinterpreter) run over many files
    in one process, for what introspect does not show (min, max, deprecated, yield)
    and for the many invalid files (each must be refused by meson and by us).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import reference
from e2e import tool_env
from qemu_config import bootstrap, options
from qemu_config.options import meson_builtins
from qemu_config.errors import UsageError, UserError

REPO = Path(__file__).resolve().parent.parent
QEMU_OPTIONS = reference.QEMU_OPTIONS
needs_qemu_options = reference.needs_reference(QEMU_OPTIONS)


def _meson() -> list[str]:
    try:
        return bootstrap.meson_command()
    except UserError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"pinned meson not available: {exc.message}")


# ---------------------------------------------------------------------------
# oracles
# ---------------------------------------------------------------------------

def introspect_user(text: str, tmp: Path) -> list[dict[str, Any]]:
    """meson introspect --buildoptions of a project whose option file is ``text``: the user options."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "meson.build").write_text("project('x', 'c')\n", encoding="utf-8")
    (tmp / "meson_options.txt").write_text(text, encoding="utf-8")
    proc = subprocess.run([*_meson(), "introspect", "--buildoptions", str(tmp / "meson.build")],
                          capture_output=True, text=True, cwd=tmp, env=tool_env())
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return [e for e in json.loads(proc.stdout) if e["section"] == "user"]


ORACLE_SCRIPT = r"""
import json, os, sys
import mesonbuild.interpreter  # import order matters for meson's own modules
from mesonbuild import optinterpreter, options
out = []
for path in sys.argv[1:]:
    oi = optinterpreter.OptionInterpreter(options.OptionStore(False), '')
    try:
        oi.process(path)
    except BaseException as exc:
        out.append({'ok': False, 'error': str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    'line': getattr(exc, 'lineno', None)})
        continue
    opts = []
    for key, opt in oi.options.items():
        dep = opt.deprecated
        opts.append({'name': key.name, 'value': opt.value, 'description': opt.description,
                     'yield': opt.yielding, 'deprecated': dep,
                     'min': getattr(opt, 'min_value', None), 'max': getattr(opt, 'max_value', None)})
    out.append({'ok': True, 'options': opts})
with open(os.environ['ORACLE_OUT'], 'w') as f:
    json.dump(out, f)
"""


def meson_interpreter(paths: list[Path], tmp: Path) -> list[dict[str, Any]]:
    """meson's OptionInterpreter over each file (one process for all of them)."""
    meson = _meson()
    out = tmp / "oracle.json"
    proc = subprocess.run([meson[0], "-c", ORACLE_SCRIPT, *map(str, paths)], capture_output=True, text=True,
                          env=tool_env({"ORACLE_OUT": str(out)}))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def ours_as_introspect(table: options.OptionTable) -> list[dict[str, Any]]:
    return sorted((o.introspect_entry() for o in table), key=lambda e: e["name"])


def theirs_comparable(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("name", "section", "type", "value", "description", "choices")
    return sorted(({k: e[k] for k in keep if k in e} for e in entries), key=lambda e: e["name"])


class _Empty:
    def __eq__(self, other: object) -> bool:
        return other == [] or other == {}


EMPTY = _Empty()


def deprecated_as_meson(dep: Any) -> Any:
    """Our frozen ``deprecated`` back in meson's shape (dict pairs -> dict)."""
    if dep == ():
        return EMPTY  # meson keeps [] or {}; both mean "no deprecated values"
    if isinstance(dep, tuple):
        if isinstance(dep[0], tuple):
            return {k: v for k, v in dep}
        return list(dep)
    return dep


# ---------------------------------------------------------------------------
# a generator of large, valid, awkward option files
# ---------------------------------------------------------------------------

EDGE_STRINGS = [
    r"'plain description'",
    r"''",
    r"'tab\tnewline\nquote\' backslash\\ bell\a'",
    r"'hex \x41 octal \101 \0 \7 \777 unicode \u00e9 \U0001F600 named \N{BULLET}'",
    r"'unknown escapes stay: \d \q \8 \9 \%'",
    r"'''triple 'quoted' \n not escaped'''",
    "'''multi\nline\n  description'''",
    r"f'format @x@ string \t'",
    "f'''multi f\nstring'''",
    r"'hash # inside' + ' and (parens) [brackets] {curls}'",
    r"'con' + 'cat' + 'enated'",
    r"('paren' + ('thesized'))",
    r"'non-ascii: ünïcödé – “quotes” 日本'",
    r"'a very long description that goes on and on, with-hyphenated-words-that-are-long and a URL https://example.org/some/very/long/path/that/never/ends'",
    r"'semi; colon: comma, equals= dollar$ backtick` star*'",
]

RESERVED_PREFIXES = ("b_", "backend_", "c_", "cpp_", "rust_", "objc_", "d_", "vala_", "java_", "cs_", "cuda_")


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        first = rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789")
        rest = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(rng.randint(0, 14)))
        name = first + rest
        if name in used or options.is_reserved_name(name) or name.startswith(RESERVED_PREFIXES):
            continue
        used.add(name)
        return name


def _qs(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _choice_word(rng: random.Random) -> str:
    return rng.choice(["a", "b", "auto", "enabled", "disabled", "x-y", "1", "0", "with space", "ünï", "q'uote",
                       "", "system", "internal"]) + rng.choice(["", "", "", str(rng.randint(0, 99))])


def _int_literal(rng: random.Random, n: int) -> str:
    forms = [str(abs(n)), hex(abs(n)), oct(abs(n)).replace("0o", "0o"), bin(abs(n))]
    lit = rng.choice(forms)
    if n < 0:
        return rng.choice([f"-{lit}", f"- {lit}", f"-({lit})"])
    return rng.choice([lit, f"({lit})"])


def _deprecated(rng: random.Random) -> str | None:
    return rng.choice([None, None, None, "true", "false", "'new_name'", "['old', 'older',]", "[]", "{}",
                       "{'old': 'new', 'x': 'y'}", "{'a' : 'b'}", "f'renamed'"])


def _option(rng: random.Random, name: str) -> str:
    kind = rng.choice(["feature", "boolean", "combo", "string", "array", "integer"])
    kw: list[tuple[str, str]] = []
    if kind == "feature":
        if rng.random() < 0.7:
            kw.append(("value", rng.choice(["'auto'", "'enabled'", "'disabled'", "('auto')"])))
    elif kind == "boolean":
        if rng.random() < 0.8:
            kw.append(("value", rng.choice(["true", "false", "'true'", "'false'", "not true", "not false",
                                            "(true)", "not (not true)"])))
    elif kind == "combo":
        choices = list(dict.fromkeys(_choice_word(rng) for _ in range(rng.randint(1, 6))))
        if rng.random() < 0.1:
            choices.append(choices[0])  # duplicated choice: allowed
        kw.append(("choices", "[" + ", ".join(_qs(c) for c in choices) + rng.choice(["", ","]) + "]"))
        if rng.random() < 0.7:
            kw.append(("value", _qs(rng.choice(choices))))
    elif kind == "string":
        if rng.random() < 0.8:
            kw.append(("value", rng.choice(EDGE_STRINGS + [_qs(_choice_word(rng))])))
    elif kind == "array":
        choices = list(dict.fromkeys(c for c in (_choice_word(rng) for _ in range(rng.randint(0, 5)))))
        if choices and rng.random() < 0.8:
            kw.append(("choices", "[" + ", ".join(_qs(c) for c in choices) + "]"))
        else:
            choices = []
        r = rng.random()
        if r < 0.6:
            pool = choices or [_choice_word(rng) for _ in range(4)]
            items = rng.sample(pool, rng.randint(0, len(pool)))
            body = ", ".join(_qs(i) for i in items)
            extra = rng.choice(["", "", ",", ", k: 'ignored'", ", k: x.y()"]) if items else ""
            kw.append(("value", f"[{body}{extra}]"))
        elif r < 0.7:
            pool = choices or ["a", "b"]
            items = rng.sample(pool, rng.randint(0, len(pool)))
            kw.append(("value", _qs("[" + ", ".join(json.dumps(i) for i in items) + "]")))
    else:  # integer
        low = rng.choice([None, None, rng.randint(-50, 50)])
        high = rng.choice([None, None, rng.randint(60, 10 ** 12)])
        if low is not None:
            kw.append(("min", _int_literal(rng, low)))
        if high is not None:
            kw.append(("max", _int_literal(rng, high)))
        lo = -(10 ** 6) if low is None else low
        hi = 10 ** 6 if high is None else high
        r = rng.random()
        if r < 0.6:
            kw.append(("value", _int_literal(rng, rng.randint(lo, min(hi, lo + 10 ** 6)))))
        elif r < 0.75:
            v = rng.randint(lo, min(hi, lo + 1000))
            kw.append(("value", _qs(rng.choice([str(v), f" {v} ", f"+{v}" if v >= 0 else str(v)]))))
        elif r < 0.85 and lo <= 1 <= hi:
            kw.append(("value", "true"))
        elif lo <= 1 <= hi:
            pass  # no value: meson's default is 1
        else:
            kw.append(("value", str(lo)))
    if rng.random() < 0.8:
        kw.append(("description", rng.choice(EDGE_STRINGS)))
    dep = _deprecated(rng)
    if dep is not None:
        kw.append(("deprecated", dep))
    if rng.random() < 0.15:
        kw.append(("yield", rng.choice(["true", "false"])))
    kw.append(("type", _qs(kind)))
    rng.shuffle(kw)
    if rng.random() < 0.05:
        kw.insert(0, ("type", "'string'"))  # repeated keyword: the last one wins
    name_arg = _qs(name) if rng.random() < 0.9 else f"{_qs(name[:1])} + {_qs(name[1:])}"
    seps = [", ", ",\n    ", " ,\t", ",  # comment\n  ", ",\n\n  "]
    colons = [": ", " : ", ":", " :\n\t"]
    parts = [name_arg] + [f"{k}{rng.choice(colons)}{v}" for k, v in kw]
    body = parts[0]
    for part in parts[1:]:
        body += rng.choice(seps) + part
    close = rng.choice(["", ",", ",\n", "\n"])
    return f"option({body}{close})"


def generate_option_file(seed: int, count: int) -> str:
    rng = random.Random(seed)
    used: set[str] = set()
    lines = ["# generated by tests/test_options.py", ""]
    names: list[str] = []
    for _ in range(count):
        if names and rng.random() < 0.02:
            name = rng.choice(names)  # a redefinition: meson keeps the last one
        else:
            name = _name(rng, used)
            names.append(name)
        lines.append(_option(rng, name))
        lines.append(rng.choice(["", "", "# a comment line", "   \t", "  # indented comment \\"]))
    lines.append(rng.choice(["", "# last line without newline"]))
    return "\n".join(lines) + rng.choice(["", "\n"])


# ---------------------------------------------------------------------------
# differential tests against meson introspect
# ---------------------------------------------------------------------------

DIFF_FILES = {
    "project": lambda: (REPO / "meson_options.txt").read_text(encoding="utf-8"),
    "qemu-option-facts": lambda: (Path(__file__).parent / "data/qemu-options/meson_options.txt").read_text(
        encoding="utf-8"),
    "generated-1": lambda: generate_option_file(1, 400),
    "generated-2": lambda: generate_option_file(2, 400),
    "generated-3": lambda: generate_option_file(3, 250),
}
# QEMU's whole file, where its reference copy is beside the repository; a skipped case (saying why) if not.
_QEMU_MISSING = reference.missing_reason(QEMU_OPTIONS)
if _QEMU_MISSING is None:
    DIFF_FILES["qemu-10.2.50"] = lambda: QEMU_OPTIONS.read_text(encoding="utf-8")
DIFF_KEYS = [*DIFF_FILES] + ([pytest.param("qemu-10.2.50", marks=pytest.mark.skip(reason=_QEMU_MISSING))]
                             if _QEMU_MISSING else [])


@pytest.fixture(scope="module")
def differential(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, list, list, dict]]:
    """For each file: text, our introspect view, meson's, and meson's interpreter view (min/max/...)."""
    tmp = tmp_path_factory.mktemp("diff")
    result = {}
    paths = []
    for key, make in DIFF_FILES.items():
        text = make()
        path = tmp / f"{key}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        result[key] = (text, introspect_user(text, tmp / key))
    interp = meson_interpreter(paths, tmp)
    return {key: (*result[key], interp[i]) for i, key in enumerate(DIFF_FILES)}


@pytest.mark.parametrize("key", DIFF_KEYS)
def test_equal_to_meson_introspect(differential: dict, key: str) -> None:
    text, theirs, _ = differential[key][0], differential[key][1], differential[key][2]
    table = options.parse_option_text(text, key)
    assert len(theirs) == len(table)
    assert ours_as_introspect(table) == theirs_comparable(theirs)


@pytest.mark.parametrize("key", DIFF_KEYS)
def test_equal_to_meson_interpreter_min_max_deprecated_yield(differential: dict, key: str) -> None:
    text, _, interp = differential[key]
    assert interp["ok"], interp
    table = options.parse_option_text(text, key)
    theirs = {o["name"]: o for o in interp["options"]}
    assert list(theirs) == list(table.names())  # same order: first definition's place
    for opt in table:
        o = theirs[opt.name]
        assert (opt.min, opt.max) == (o["min"], o["max"]), opt.name
        assert opt.yield_ == o["yield"], opt.name
        assert deprecated_as_meson(opt.deprecated) == o["deprecated"], opt.name


def test_generated_files_cover_every_type_and_form() -> None:
    """The generator really exercises what the differential test claims."""
    text = generate_option_file(1, 400) + generate_option_file(2, 400)
    table = options.parse_option_text(generate_option_file(1, 400))
    assert {o.type for o in table} == set(options.OPTION_TYPES)
    assert len(table) > 350
    for needle in ("'''", "f'", "\\x41", "\\N{BULLET}", " + ", "- ", "0x", "0o", "0b", "deprecated", "yield",
                   "k: x.y()", "not (not true)", "'[", "# comment"):
        assert needle in text, needle
    assert any(o.type == "integer" and o.min is not None and o.max is not None for o in table)
    assert any(isinstance(o.deprecated, tuple) and o.deprecated and isinstance(o.deprecated[0], tuple)
               for o in table)


@needs_qemu_options
def test_qemu_inventory() -> None:
    """§2.1: 179 options: 132 feature, 24 boolean, 16 string, 4 combo, 3 array."""
    table = options.load_option_table(QEMU_OPTIONS)
    counts: dict[str, int] = {}
    for opt in table:
        counts[opt.type] = counts.get(opt.type, 0) + 1
    assert counts == {"feature": 132, "boolean": 24, "string": 16, "combo": 4, "array": 3}
    assert table["fdt"].choices == ("disabled", "enabled", "auto", "system", "internal")
    assert table["qemu_firmwarepath"].value == ("share/qemu-firmware",)
    assert table["tcg"].value == "enabled"
    assert table["x86_version"].value == "1"


# ---------------------------------------------------------------------------
# small files: accepted / refused exactly as meson does
# ---------------------------------------------------------------------------

VALID_SNIPPETS = [
    "option('x', type: 'string')",
    "option('x', type : 'string', value : 'v', description : 'd')",
    "option('x',\n  type: 'string',\n  value: 'v',\n)",
    "option('-x', type: 'boolean')",
    "option('9', type: 'feature')",
    "option('X_y-z', type: 'feature', value: 'disabled')",
    "option('x', type: 'integer')",
    "option('x', type: 'integer', value: -true, min: -5)",
    "option('x', type: 'integer', value: '\u0663')",
    "option('x', type: 'integer', value: ' 12 ', max: 12)",
    "option('x', type: 'integer', value: '1_000')",
    "option('x', type: 'integer', value: 0b101, max: 0x10, min: -0o7)",
    "option('x', type: 'integer', min: 3, max: 3, value: 3)",
    "option('x', type: 'integer', value: 99999999999999999999999999)",
    "option('x', type: 'integer', min: true, max: 2)",
    "option('x', type: 'boolean', value: 'false')",
    "option('x', type: 'boolean', value: not (not true))",
    "option('x', type: 'combo', choices: ['z', 'y'])",
    "option('x', type: 'combo', choices: ['a', 'a'], value: 'a', deprecated: ['a'])",
    "option('x', type: 'combo', choices: ['enabled', 'disabled', 'auto'], value: 'auto')",
    "option('x', type: 'array')",
    "option('x', type: 'array', choices: ['b', 'c'])",
    "option('x', type: 'array', value: ['a', 'a'])",
    "option('x', type: 'array', value: '[\"a\" \"b\", r\"c\"]')",
    "option('x', type: 'array', value: ['a', k: 'b'])",
    "option('x', type: 'array', value: [k: x.y(), 'a'])",
    "option('x', type: 'array', value: [k:])",
    "option('x', type: 'array', value: [k: a ? b : c, j: a == b, i: a = b, h: not in, g: f()[0]])",
    "option('x', type: 'array', choices: [], value: [])",
    "option('x', type: 'string', value: f'@x@')",
    "option('x', type: 'string', value: '''a\\nb''')",
    "option('x', type: 'string', value: ('a'))",
    "option('x', type: 'string', value: 'a' + 'b' + 'c', description: ('x' + ('y')))",
    "option('a' + 'b', type: 'string')",
    "option('x', type: 'string', deprecated: {'a': 'b', 'a': 'c'})",
    "option('x', type: 'string', deprecated: [])",
    "option('x', type: 'string', deprecated: {})",
    "option('x', type: 'string', deprecated: 'true', yield: true)",
    "option('x', type: 'string', type: 'integer')",
    "option('x', type: 'string', value: 'a\\tb\\\\c\\d\\0\\8\\u00e9\\U0001F600\\x41\\101\\a\\'')",
    "option('x', type: 'string', value: 'a\nb')",  # a raw newline in '...': only a warning
    "option('x', type : 'string') # comment",
    "option('x', \\\n type: 'string')",
    "option('x', type: 'string')\\\n",
    "option('x', type: 'string', value: 'a')  \\  # continued\n",
    "option('x', type: 'string')\r\noption('y', type: 'string')\r\n",
    "option('x', type: 'string')\noption('x', type: 'integer', value: 4)\noption('a', type: 'string')",
    "",
    "# only a comment",
    "\n\n\n",
    "option('cpp', type: 'string')",
    "option('x', type: 'string', description: '')",
]

INVALID_SNIPPETS = [
    "option('', type: 'string')",
    "option('x y', type: 'string')",
    "option('x.y', type: 'string')",
    "option('x:y', type: 'string')",
    "option('c_foo', type: 'string')",
    "option('b_x', type: 'string')",
    "option('backend_x', type: 'string')",
    "option('auto_features', type: 'string')",
    "option('prefix', type: 'string')",
    "option('rust_x', type: 'boolean')",
    "option('x')",
    "option(type: 'string')",
    "option('x', 'y', type: 'string')",
    "option(type: 'string', 'x')",
    "option(1, type: 'string')",
    "option('x', type: 'bool')",
    "option('x', type: 1)",
    "option('x', type: 'string', choices: ['a'])",
    "option('x', type: 'string', foo: 1)",
    "option('x', type: 'string', valeu: 'a')",
    "option('x', type: 'feature', choices: ['a'])",
    "option('x', type: 'feature', value: 'x')",
    "option('x', type: 'feature', value: true)",
    "option('x', type: 'combo', choices: ['a'], value: 'b')",
    "option('x', type: 'combo', choices: [])",
    "option('x', type: 'combo')",
    "option('x', type: 'combo', choices: ['a', 1])",
    "option('x', type: 'combo', choices: ['a'], value: 'a', min: 1)",
    "option('x', type: 'integer', min: 5)",
    "option('x', type: 'integer', value: 5, min: 6)",
    "option('x', type: 'integer', value: 7, max: 6)",
    "option('x', type: 'integer', min: 5, max: 2, value: 3)",
    "option('x', type: 'integer', value: '0x10')",
    "option('x', type: 'integer', value: 'q')",
    "option('x', type: 'integer', value: '5 ', min: '1')",
    "option('x', type: 'integer', value: 1.5)",
    "option('x', type: 'integer', value: 007)",
    "option('x', type: 'integer', value: 0o17 + 1)",
    "option('x', type: 'boolean', value: 'TRUE')",
    "option('x', type: 'boolean', value: 1)",
    "option('x', type: 'boolean', value: not not true)",
    "option('x', type: 'boolean', value: not 'a')",
    "option('x', type: 'array', value: '')",
    "option('x', type: 'array', value: 'a,b')",
    "option('x', type: 'array', value: '[b\"a\"]')",
    "option('x', type: 'array', value: '[1, 2]')",
    "option('x', type: 'array', value: '[\"a\"')",
    "option('x', type: 'array', value: ['a'], choices: ['b'])",
    "option('x', type: 'array', value: ['a', 'b', 'c'], choices: ['b'])",
    "option('x', type: 'array', value: [1])",
    "option('x', type: 'array', value: ['a', f()])",
    "option('x', type: 'array', value: ['a'] + ['b'])",
    "option('x', type: 'string', value: {'a': 'b'})",
    "option('x', type: 'string', value: -'a')",
    "option('x', type: 'string', value: 'a' * 2)",
    "option('x', type: 'string', value: 'a' - 'b')",
    "option('x', type: 'string', value: 'a' 'b')",
    "option('x', type: 'string', value: \"a\")",
    "option('x', type: 'string', value: 'a\\\nb')",
    "option('x', type: 'string', value: '\\U00110000')",
    "option('x', type: 'string', value: '\\N{NO SUCH NAME}')",
    "option('x', type: 'string', value: x)",
    "option('x', type: 'string', value: 'a'.to_upper())",
    "option('x', type: 'string', value: 'abc'[0])",
    "option('x', type: 'string', value: true ? 'a' : 'b')",
    "option('x', type: 'string', value: 'a' == 'b')",
    "option('x', type: 'string', value: )",
    "option('x', type: 'string', deprecated: {'a': 1})",
    "option('x', type: 'string', deprecated: {'a' + 'b': 'c'})",
    "option('x', type: 'string', deprecated: {('a'): 'c'})",
    "option('x', type: 'string', deprecated: 1)",
    "option('x', type: 'string', deprecated: [1])",
    "option('x', type: 'string', description: not true)",
    "option('x', type: 'string', yield: 'true')",
    "option('x', type: 'string', 'type': 'string')",
    "option('x', type: 'string') option('y', type: 'string')",
    "option('x', type: 'string',",
    "option('x',, type: 'string')",
    "option('x', type: 'string'))",
    "option('x', type: 'string').foo()",
    "option('x', type: 'string')[0]",
    "options('x', type: 'string')",
    "x = 1",
    "'x'",
    "if true\noption('x', type: 'string')\nendif",
    "foreach x : []\nendforeach",
    "option('x', type: 'string', value: 'a') + 1",
    "\ufeffoption('x', type: 'string')",
    "option('x', type: 'string',\x0cvalue: 'a')",
    "option('x', type: 'string', value: 'a$')$",
    "option('x', type: 'string', value: ['a'])",
    "option('x', type: 'string', value: 1)",
    "option('x', type: 'string', description: ['a'])",
    "option('x', type: 'integer', value: [1])",
    "option('x', type: 'integer', value: 1, min: 'a')",
    "option('x', type: 'string')\noption('y', type: 'string', value: 'q' + 1)",
]


@pytest.fixture(scope="module")
def snippet_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("snippets")
    paths = []
    for i, text in enumerate(VALID_SNIPPETS + INVALID_SNIPPETS):
        path = tmp / f"s{i}.txt"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    verdicts = meson_interpreter(paths, tmp)
    return {text: v for text, v in zip(VALID_SNIPPETS + INVALID_SNIPPETS, verdicts)}


def _parse_like_meson(text: str) -> options.OptionTable:
    """Parse the text as meson reads a file (universal newlines)."""
    return options.parse_option_text(text.replace("\r\n", "\n").replace("\r", "\n"), "t.txt")


@pytest.mark.parametrize("text", VALID_SNIPPETS)
def test_valid_snippet_accepted_like_meson(snippet_verdicts: dict, text: str) -> None:
    verdict = snippet_verdicts[text]
    assert verdict["ok"], f"meson refuses it: {verdict}"
    table = _parse_like_meson(text)
    theirs = verdict["options"]
    assert [o.name for o in table] == [o["name"] for o in theirs]
    for ours, o in zip(table, theirs):
        value = list(ours.value) if isinstance(ours.value, tuple) else ours.value
        assert (value, ours.description, ours.min, ours.max, ours.yield_) == \
            (o["value"], o["description"], o["min"], o["max"], o["yield"])
        assert deprecated_as_meson(ours.deprecated) == o["deprecated"]


@pytest.mark.parametrize("text", INVALID_SNIPPETS)
def test_invalid_snippet_refused_by_both(snippet_verdicts: dict, text: str) -> None:
    verdict = snippet_verdicts[text]
    assert not verdict["ok"], f"meson accepts it: {verdict}"
    with pytest.raises(UsageError) as info:
        _parse_like_meson(text)
    assert info.value.message.startswith("t.txt:")


def test_error_messages_use_meson_wording(snippet_verdicts: dict) -> None:
    """Where meson's message is stable text, ours is the same text (after the file:line: prefix)."""
    same = [
        "option('x', type: 'combo', choices: ['a'], value: 'b')",
        "option('x', type: 'integer', min: 5)",
        "option('x', type: 'integer', value: 7, max: 6)",
        "option('x', type: 'string', choices: ['a'])",
        "option('x', type: 'string', valeu: 'a')",
        "option('x', type: 'bool')",
        "option('c_foo', type: 'string')",
        "option('x y', type: 'string')",
        "option('x', type: 'array', value: ['a', 'b', 'c'], choices: ['b'])",
        "option('x', type: 'array', value: '')",
        "option('x', type: 'combo', choices: [])",
        "option('x', type: 'feature', value: 'x')",
        "option('x', type: 'string', deprecated: {'a': 1})",
        "option('x', 'y', type: 'string')",
        "option(type: 'string', 'x')",
        "option('x', type: 'string', value: -'a')",
        "option('x', type: 'boolean', value: not 'a')",
        "option('x', type: 'integer', value: 0o17 + 1)",
        "option('x', type: 'string', deprecated: {'a' + 'b': 'c'})",
        "option('x', type: 'string', value: x)",
        "options('x', type: 'string')",
        "x = 1",
        "option('x', type: 'string', value: \"a\")",
        "option('x', type: 'string', value: 'a' 'b')",
        "option('x', type: 'string') option('y', type: 'string')",
        "option('x', type: 'integer', value: 'q')",
    ]
    for text in same:
        with pytest.raises(UsageError) as info:
            _parse_like_meson(text)
        ours = info.value.message.split(": ", 1)[1]
        assert ours == snippet_verdicts[text]["error"], text


MUTATION_TOKENS = ["(", ")", "[", "]", "{", "}", ",", ":", "'", "'''", "+", "-", "not ", "true", "0", "07",
                   "1.5", "\n", " ", "#", "\\\n", "x", ".", "?", "=", "f'a'", "'a'", '"', "and", "if", "==", "k:",
                   "[]", "{}"]


def test_mutants_accepted_and_refused_like_meson(tmp_path: Path) -> None:
    """Random one- or two-edit mutants of valid options: same verdict (and values) as meson."""
    rng = random.Random(20260205)
    base = [_option(random.Random(i), f"n{i}") for i in range(100)] + VALID_SNIPPETS
    mutants = []
    for _ in range(1500):
        text = rng.choice(base)
        for _ in range(rng.randint(1, 2)):
            pos = rng.randint(0, len(text))
            op = rng.random()
            if op < 0.4:
                text = text[:pos] + text[pos + rng.randint(1, 3):]
            elif op < 0.8:
                text = text[:pos] + rng.choice(MUTATION_TOKENS) + text[pos:]
            else:
                text = text[:pos] + rng.choice(MUTATION_TOKENS) + text[pos + 1:]
        mutants.append(text)
    paths = []
    for i, text in enumerate(mutants):
        paths.append(tmp_path / f"m{i}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    verdicts = meson_interpreter(paths, tmp_path)
    accepted = 0
    for text, verdict in zip(mutants, verdicts):
        try:
            table = _parse_like_meson(text)
        except UsageError as exc:
            assert not verdict["ok"], f"meson accepts, we refuse ({exc.message}): {text!r}"
            continue
        assert verdict["ok"], f"meson refuses ({verdict['error']}), we accept: {text!r}"
        accepted += 1
        ours = [(o.name, list(o.value) if isinstance(o.value, tuple) else o.value, o.description) for o in table]
        assert ours == [(o["name"], o["value"], o["description"]) for o in verdict["options"]], text
    assert 200 < accepted < 1300  # both outcomes are well represented


@pytest.mark.slow
def test_invalid_files_fail_meson_setup(tmp_path: Path) -> None:
    """The real ``meson setup`` refuses what we refuse (a sample; the oracle covers the rest)."""
    for i, text in enumerate(["option('x', type: 'combo', choices: ['a'], value: 'b')",
                              "option('b_x', type: 'string')",
                              "option('x', type: 'string', value: 'a' 'b')"]):
        src = tmp_path / f"src{i}"
        src.mkdir()
        (src / "meson.build").write_text("project('x', 'c')\n")
        (src / "meson_options.txt").write_text(text + "\n")
        proc = subprocess.run([*_meson(), "setup", str(tmp_path / f"b{i}"), str(src)],
                              capture_output=True, text=True, env=tool_env())
        assert proc.returncode != 0
        with pytest.raises(UsageError):
            options.parse_option_file(src / "meson_options.txt")


# ---------------------------------------------------------------------------
# defaults, data model, error positions, files
# ---------------------------------------------------------------------------

def test_defaults_when_value_is_absent() -> None:
    table = options.parse_option_text(textwrap.dedent("""\
        option('f', type: 'feature')
        option('b', type: 'boolean')
        option('c', type: 'combo', choices: ['second', 'first'])
        option('s', type: 'string')
        option('a', type: 'array', choices: ['p', 'q'])
        option('a2', type: 'array')
        option('i', type: 'integer')
        """))
    assert [(o.name, o.value) for o in table] == [
        ("f", "auto"), ("b", True), ("c", "second"), ("s", ""), ("a", ("p", "q")), ("a2", ()), ("i", 1)]
    assert table["f"].choices == ("enabled", "disabled", "auto")
    assert table["a2"].choices is None and table["b"].choices is None
    assert table["s"].description == "s"  # no description: the name


def test_option_table_lookup_and_order() -> None:
    table = options.parse_option_text("option('b', type: 'string')\noption('a', type: 'feature')\n")
    assert table.names() == ("b", "a")
    assert "a" in table and "zz" not in table
    assert table["a"].type == "feature" and table.get("zz") is None
    assert [o.name for o in table] == ["b", "a"] and len(table) == 2
    with pytest.raises(KeyError):
        table["zz"]


def test_option_is_frozen_and_records_its_line() -> None:
    table = options.parse_option_text("\n# c\noption('x',\n type: 'string')\n\noption('y', type: 'string')\n")
    assert (table["x"].line, table["y"].line) == (3, 6)
    with pytest.raises(AttributeError):
        table["x"].name = "z"  # type: ignore[misc]
    assert table["x"].default == table["x"].value


def test_redefinition_keeps_first_place_and_last_definition() -> None:
    table = options.parse_option_text(
        "option('x', type: 'string')\noption('a', type: 'string')\noption('x', type: 'integer', value: 4)\n")
    assert table.names() == ("x", "a")
    assert (table["x"].type, table["x"].value, table["x"].line) == ("integer", 4, 3)


def test_errors_name_file_and_line() -> None:
    text = "option('ok', type: 'string')\n\noption('x', type: 'combo',\n  choices: ['a'], value: 'b')\n"
    with pytest.raises(UsageError) as info:
        options.parse_option_text(text, "dir/meson_options.txt")
    assert info.value.message.startswith("dir/meson_options.txt:3: Value \"b\"")
    with pytest.raises(UsageError) as info:
        options.parse_option_text("option('x', type: 'string')\n\n\noption('y' type: 'string')\n", "f")
    assert info.value.message == "f:4: Expecting rparen got id."
    assert info.value.details == ("option('y' type: 'string')", " " * 11 + "^")
    assert "Traceback" not in info.value.render()


def test_lexer_error_line_after_multiline_string() -> None:
    text = "option('x', type: 'string', description: '''one\ntwo\nthree''')\noption('y', type: 'string', value: $)\n"
    with pytest.raises(UsageError) as info:
        options.parse_option_text(text, "f")
    assert info.value.message == "f:4: lexer: unrecognized token '$'"


def test_find_option_file_prefers_meson_options(tmp_path: Path) -> None:
    (tmp_path / "meson_options.txt").write_text("option('old', type: 'string')\n")
    assert options.load_option_table(tmp_path).names() == ("old",)
    (tmp_path / "meson.options").write_text("option('new', type: 'string')\n")
    with pytest.raises(UsageError, match="both exist"):
        options.load_option_table(tmp_path)
    (tmp_path / "meson_options.txt").unlink()
    assert options.load_option_table(tmp_path).names() == ("new",)
    os.symlink(tmp_path / "meson.options", tmp_path / "meson_options.txt")  # the same file: fine
    assert options.load_option_table(tmp_path).names() == ("new",)
    assert options.load_option_table(tmp_path / "meson_options.txt").names() == ("new",)


def test_missing_paths_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no meson.options or meson_options.txt"):
        options.load_option_table(tmp_path)
    with pytest.raises(UsageError, match="no such option file"):
        options.load_option_table(tmp_path / "nope.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"option('x', type: 'string', value: '\xff')\n")
    with pytest.raises(UsageError, match="not UTF-8"):
        options.parse_option_file(bad)


def test_reserved_names() -> None:
    for name in ("prefix", "debug", "b_lto", "backend_max_links", "c_args", "cpp_std", "objcpp_x", "werror"):
        assert options.is_reserved_name(name), name
    for name in ("cpp", "b", "bx_y", "c-foo", "debug_tcg", "strip_x"):
        assert not options.is_reserved_name(name), name


# ---------------------------------------------------------------------------
# builtin options: from meson, cached per meson version
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def introspect_builtins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("builtins")
    (tmp / "meson.build").write_text("project('x', 'c')\n")
    proc = subprocess.run([*_meson(), "introspect", "--buildoptions", str(tmp / "meson.build")],
                          capture_output=True, text=True, check=True, env=tool_env())
    return {e["name"]: e for e in json.loads(proc.stdout) if e["section"] != "user"}


def test_builtins_are_meson_s(tmp_path: Path, introspect_builtins: dict) -> None:
    shown = options.builtin_options(cache=tmp_path)
    assert [o.name for o in shown] == sorted(options.HELP_BUILTINS)
    for opt in shown:
        entry = introspect_builtins[opt.name]
        assert opt.description == entry["description"]
        assert opt.value == entry["value"] and opt.type == entry["type"] and opt.section == entry["section"]
    everything = {o.name: o for o in options.builtin_options(cache=tmp_path, include_hidden=True)}
    assert {"optimization", "auto_features", "prefer_static", "wrap_mode", "buildtype"} <= set(everything)
    assert everything["optimization"].choices == tuple(introspect_builtins["optimization"]["choices"])


def test_builtin_cache_miss_writes_and_hit_needs_no_meson(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = options.builtin_options()
    files = list((tmp_path / "xdg" / "qemu-config").iterdir())
    assert len(files) == 1 and bootstrap.MESON_VERSION in files[0].name

    def no_meson(*args: object, **kwargs: object) -> None:
        raise AssertionError("meson was run although the cache holds the answer")

    monkeypatch.setattr(bootstrap, "meson_command", no_meson)
    monkeypatch.setattr(meson_builtins.processes, "run", no_meson)
    assert options.builtin_options() == first


def test_builtin_cache_is_keyed_by_meson_version(tmp_path: Path) -> None:
    first = options.builtin_options(cache=tmp_path)
    path = next(tmp_path.iterdir())
    data = json.loads(path.read_text())
    data["options"] = [dict(e, description="FROM CACHE") for e in data["options"]]
    path.write_text(json.dumps(data))
    assert {o.description for o in options.builtin_options(cache=tmp_path)} == {"FROM CACHE"}
    # a meson that says it is another version gets its own cache entry, not the doctored one
    wrapper = tmp_path.parent / "other-meson.py"
    wrapper.write_text("import os, sys\n"
                       "if sys.argv[1:] == ['--version']:\n    print('9.9.9')\n    sys.exit(0)\n"
                       "os.execv(sys.executable, [sys.executable, '-m', 'mesonbuild.mesonmain', *sys.argv[1:]])\n")
    assert options.builtin_options([_meson()[0], str(wrapper)], cache=tmp_path) == first
    assert sorted(p.name.split("-")[2] for p in tmp_path.iterdir()) == [bootstrap.MESON_VERSION, "9.9.9"]


def test_builtin_cache_corrupt_or_unwritable(tmp_path: Path) -> None:
    good = options.builtin_options(cache=False)
    cache = tmp_path / "c"
    options.builtin_options(cache=cache)
    path = next(cache.iterdir())
    path.write_text("{not json")
    assert options.builtin_options(cache=cache) == good
    assert json.loads(path.read_text())["meson_version"] == bootstrap.MESON_VERSION  # rebuilt
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    assert options.builtin_options(cache=blocker / "sub") == good
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        assert options.builtin_options(cache=readonly) == good
    finally:
        readonly.chmod(0o700)


def test_builtins_with_explicit_meson_command(tmp_path: Path) -> None:
    shown = options.builtin_options(_meson(), cache=tmp_path)
    assert [o.name for o in shown] == sorted(options.HELP_BUILTINS)
    assert any(bootstrap.MESON_VERSION in p.name for p in tmp_path.iterdir())


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert options.cache_dir() == tmp_path / "qemu-config"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")
    assert options.cache_dir() == Path.home() / ".cache" / "qemu-config"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert options.cache_dir() == Path.home() / ".cache" / "qemu-config"


def test_meson_failure_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        options.builtin_options([sys.executable, "-c", "import sys; sys.exit(3)"], cache=tmp_path)
    with pytest.raises(UserError):
        options.builtin_options([str(tmp_path / "no-such-meson")], cache=tmp_path)


# ---------------------------------------------------------------------------
# the package: one module a concern, no cycles, no meson
# ---------------------------------------------------------------------------

def _package_imports() -> dict[str, set[str]]:
    """Each module of qemu_config/options and the sibling modules it imports."""
    import ast

    package = REPO / "qemu_config" / "options"
    graph: dict[str, set[str]] = {}
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        siblings = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                siblings |= {node.module} if node.module else {a.name for a in node.names}
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if getattr(node, "module", None) else [])
                assert not any(str(n).startswith("mesonbuild") for n in names), path.name
        graph[path.stem] = siblings
        doc = ast.get_docstring(tree) or ""
        assert path.stem == "__init__" or "Must not" in doc, f"{path.name}: its docstring says what it must not touch"
    return graph


def test_package_modules_import_without_cycles() -> None:
    graph = {name: deps for name, deps in _package_imports().items() if name != "__init__"}
    assert set().union(*graph.values()) <= set(graph)
    done: list[str] = []
    while len(done) < len(graph):
        ready = sorted(n for n, deps in graph.items() if n not in done and deps <= set(done))
        assert ready, f"import cycle among {sorted(set(graph) - set(done))}"
        done += ready
    assert done.index("syntax") < done.index("optionfile") < done.index("resolution")


def _options_attributes(tree: "ast.AST") -> set[str]:
    """The X of every ``options.X`` in ``tree`` where ``options`` is not a local name of its function."""
    import ast

    found: set[str] = set()

    def visit(scope: ast.AST, shadowed: bool) -> None:
        for node in ast.iter_child_nodes(scope):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                local = any(isinstance(n, ast.Name) and n.id == "options" and isinstance(n.ctx, ast.Store)
                            or isinstance(n, ast.arg) and n.arg == "options" for n in ast.walk(node))
                visit(node, shadowed or local)
                continue
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "options" and not shadowed):
                found.add(node.attr)
            visit(node, shadowed)

    visit(tree, False)
    return found


def test_every_name_used_as_options_x_is_re_exported() -> None:
    """``options.X`` in the engine, the tests and the benchmarks names something the package gives."""
    import ast

    used: set[str] = set()
    for folder in ("qemu_config", "tests", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imports_it = any(isinstance(n, ast.ImportFrom) and n.module in ("qemu_config", None) and
                             any(a.name == "options" and a.asname is None for a in n.names) for n in ast.walk(tree))
            if imports_it:
                used |= _options_attributes(tree)
    assert {"parse_configure_args", "render_configure_help", "builtin_options", "ConfigureRequest"} <= used
    missing = sorted(name for name in used if not hasattr(options, name))
    assert missing == []
