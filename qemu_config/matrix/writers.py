"""What ``qemu-config matrix`` writes about a decided matrix: the table, JSON, JUnit, and the diff of two verdicts.

Pure functions from a :class:`MatrixResult` (or two :class:`Verdict`\\ s) to
text: they read nothing, print nothing and need nothing the decider has not
put in the records.  The JSON document's schema is ``matrix.schema.json``
beside this module (:data:`MATRIX_SCHEMA_PATH`), versioned by
``MATRIX_SCHEMA_VERSION``.  The CI pipelines are :mod:`.pipelines`, the
progress display :mod:`.progress`.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from .model import MATRIX_SCHEMA_VERSION, BuildClass, Combination, MatrixResult, Verdict

#: The JSON Schema of the document :func:`render_json` writes.
MATRIX_SCHEMA_PATH = Path(__file__).with_name("matrix.schema.json")


def configure_command(combination: Combination) -> str:
    """The shell command that configures ``combination``: ``./configure ARGS``, quoted for sh."""
    return " ".join(["./configure", *(shlex.quote(arg) for arg in combination.args)])


def class_of(result: MatrixResult) -> dict[str, BuildClass]:
    """Combination name -> the class it belongs to (combinations that do not configure are in none)."""
    return {member.name: build for build in result.classes for member in build.members}


def error_headline(error: str | None) -> str:
    """The first line of configure's error, without its ``ERROR:``."""
    first = (error or "").strip().splitlines()[:1]
    return first[0].removeprefix("ERROR:").strip() if first else "configure failed"


def summary_line(result: MatrixResult) -> str:
    total = len(result.verdicts)
    ok = sum(v.ok for v in result.verdicts)
    return (f"{total} combination{'s' if total != 1 else ''}: {ok} configure, {total - ok} fail; "
            f"{len(result.classes)} distinct build{'s' if len(result.classes) != 1 else ''}")


# -- the terminal table ---------------------------------------------------------------------------------

_LAST_COLUMN_MIN = 24  # a narrow terminal wraps rather than leave less of the last column

def render_table(result: MatrixResult, width: int | None = None) -> str:
    """One row per combination, in spec order: its name, its verdict, and the combination it builds as.

    A combination that configures names its class's representative (``*``:
    it is the representative); one that fails shows the first line of its
    error.  ``width`` (a terminal's) shortens the last column to fit.  The
    last line counts combinations, failures and distinct builds.
    """
    classes = class_of(result)
    rows = [("combination", "verdict", "builds as")]
    for verdict in result.verdicts:
        name = verdict.combination.name
        if verdict.ok:
            build = classes.get(name)
            representative = build.representative.name if build is not None else "?"
            rows.append((name, "ok", representative + (" *" if representative == name else "")))
        else:
            rows.append((name, "FAILS", "error: " + error_headline(verdict.error)))
    first = max(len(r[0]) for r in rows)
    second = max(len(r[1]) for r in rows)
    lines = []
    for name, verdict_text, last in rows:
        line = f"{name:<{first}}  {verdict_text:<{second}}  {last}"
        if width is not None:  # the last column gives way, down to _LAST_COLUMN_MIN characters
            limit = max(width, first + second + 4 + _LAST_COLUMN_MIN + 1)
            if len(line) > limit:
                line = line[:limit - 1] + "…"
        lines.append(line.rstrip())
    lines.append("")
    lines.append(summary_line(result) + ("; * marks the combination each build is named after"
                                         if result.classes else ""))
    return "\n".join(lines) + "\n"


# -- JSON ----------------------------------------------------------------------------------------------

def _combination_json(verdict: Verdict, build: BuildClass | None) -> dict[str, object]:
    combination = verdict.combination
    return {
        "name": combination.name,
        "args": list(combination.args),
        "axes": dict(combination.axes),
        "ok": verdict.ok,
        "error": verdict.error,
        "build_digest": verdict.build_digest,
        "class": build.representative.name if build is not None else None,
        "seconds": round(verdict.seconds, 3),
        "features": [{"name": f.name, "enabled": f.enabled, "reason": f.reason} for f in verdict.features],
        "targets": [{"name": t.name, "devices": list(t.devices), "files": list(t.files)} for t in verdict.targets],
        "defines": dict(verdict.defines),
    }


def matrix_document(result: MatrixResult) -> dict[str, object]:
    """The matrix as the JSON document of schema version MATRIX_SCHEMA_VERSION (``matrix.schema.json``)."""
    classes = class_of(result)
    digests = {v.combination.name: v.build_digest for v in result.verdicts}
    ok = sum(v.ok for v in result.verdicts)
    return {
        "schema_version": MATRIX_SCHEMA_VERSION,
        "spec": result.spec,
        "summary": {"combinations": len(result.verdicts), "configured": ok, "failed": len(result.verdicts) - ok,
                    "classes": len(result.classes)},
        "combinations": [_combination_json(v, classes.get(v.combination.name)) for v in result.verdicts],
        "classes": [{"representative": c.representative.name, "args": list(c.representative.args),
                     "build_digest": digests.get(c.representative.name),
                     "members": [m.name for m in c.members]} for c in result.classes],
    }


def render_json(result: MatrixResult) -> str:
    """``--format json``: :func:`matrix_document`, indented, keys in a fixed order."""
    return json.dumps(matrix_document(result), indent=2, ensure_ascii=False) + "\n"


# -- JUnit ---------------------------------------------------------------------------------------------

def render_junit(result: MatrixResult) -> str:
    """``--junit FILE``: one testcase per combination; one that does not configure is a failure with its error.

    The suite is named after the spec; each testcase's output is its configure
    command and, when it configures, the combination it builds as.
    """
    classes = class_of(result)
    failures = sum(not v.ok for v in result.verdicts)
    total_time = f"{sum(v.seconds for v in result.verdicts):.3f}"
    suite_name = Path(result.spec).name or "matrix"
    classname = Path(result.spec).stem or "matrix"
    suites = ElementTree.Element("testsuites", name="qemu-config matrix", tests=str(len(result.verdicts)),
                                 failures=str(failures), errors="0", time=total_time)
    suite = ElementTree.SubElement(suites, "testsuite", name=suite_name, tests=str(len(result.verdicts)),
                                   failures=str(failures), errors="0", skipped="0", time=total_time)
    for verdict in result.verdicts:
        combination = verdict.combination
        case = ElementTree.SubElement(suite, "testcase", classname=classname, name=combination.name,
                                      time=f"{verdict.seconds:.3f}")
        output = [configure_command(combination)]
        if verdict.ok:
            build = classes.get(combination.name)
            if build is not None:
                output.append(f"builds as: {build.representative.name}")
        else:
            failure = ElementTree.SubElement(case, "failure", message=error_headline(verdict.error), type="configure")
            failure.text = verdict.error or "configure failed"
        ElementTree.SubElement(case, "system-out").text = "\n".join(output)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


# -- the difference between two verdicts ----------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    """One way two verdicts differ: what (``argument``, ``axis pixman``, ``features pixman.reason``, a
    field of Verdict), its text in A and in B (None: A or B has no such thing)."""

    what: str
    a: str | None
    b: str | None


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _keyed(items: Iterable[object]) -> dict[str, object] | None:
    """Records with a ``name`` or (key, value) pairs, by key; None for anything else."""
    items = list(items)
    if all(dataclasses.is_dataclass(i) and hasattr(i, "name") for i in items):
        return {str(getattr(i, "name")): i for i in items}
    if all(isinstance(i, tuple) and len(i) == 2 for i in items):
        return {str(k): v for k, v in items}  # type: ignore[misc]
    return None


def _compare(what: str, a: object, b: object, found: list[Difference]) -> None:
    """Append how ``a`` and ``b`` (the same field of two verdicts) differ, item by item for collections."""
    if a == b:
        return
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b) and type(a) is type(b):
        for f in dataclasses.fields(a):
            _compare(f"{what}.{f.name}", getattr(a, f.name), getattr(b, f.name), found)
        return
    if isinstance(a, tuple) and isinstance(b, tuple):
        keyed_a, keyed_b = _keyed(a), _keyed(b)
        if keyed_a is not None and keyed_b is not None:
            for key in [*keyed_a, *(k for k in keyed_b if k not in keyed_a)]:
                if key not in keyed_b:
                    found.append(Difference(f"{what} {key}", _text(keyed_a[key]), None))
                elif key not in keyed_a:
                    found.append(Difference(f"{what} {key}", None, _text(keyed_b[key])))
                else:
                    item_a, item_b = keyed_a[key], keyed_b[key]
                    if dataclasses.is_dataclass(item_a) and type(item_a) is type(item_b):
                        for f in dataclasses.fields(item_a):  # type: ignore[arg-type]
                            if f.name != "name":
                                _compare(f"{what} {key}.{f.name}", getattr(item_a, f.name),
                                         getattr(item_b, f.name), found)
                    else:
                        _compare(f"{what} {key}", item_a, item_b, found)
            return
        found.extend(Difference(what, _text(item), None) for item in a if item not in b)
        found.extend(Difference(what, None, _text(item)) for item in b if item not in a)
        return
    found.append(Difference(what, _text(a), _text(b)))


def verdict_differences(a: Verdict, b: Verdict) -> tuple[Difference, ...]:
    """Every way ``b`` differs from ``a``: arguments, axis values, then each field of Verdict in turn.

    Fields are walked generically, so detail the decider adds to Verdict (or
    to a subclass both verdicts are) is compared too: records with a ``name`` (features) and (key, value) pairs
    item by item, other tuples as sets, other values as they are.  The
    combination's name and the time taken are not differences.
    """
    found: list[Difference] = []
    _compare("argument", a.combination.args, b.combination.args, found)
    _compare("axis", a.combination.axes, b.combination.axes, found)
    for f in dataclasses.fields(a if type(a) is type(b) else Verdict):
        if f.name not in ("combination", "seconds"):
            _compare(f.name, getattr(a, f.name), getattr(b, f.name), found)
    return tuple(found)


def _diff_lines(sign: str, what: str, text: str) -> list[str]:
    head, *rest = text.splitlines() or [""]
    pad = " " * (len(what) + 2)
    return [f"{sign}{what}: {head}", *(f"{sign}{pad}{line}" for line in rest)]


def render_diff(a: Verdict, b: Verdict) -> str:
    """``--diff A B``: the differences, as a unified diff reads (``-`` A's side, ``+`` B's), then the verdict on
    the builds: the same, different, or not comparable because one does not configure."""
    lines = [f"--- {a.combination.name}", f"+++ {b.combination.name}"]
    for difference in verdict_differences(a, b):
        if difference.a is not None:
            lines.extend(_diff_lines("-", difference.what, difference.a))
        if difference.b is not None:
            lines.extend(_diff_lines("+", difference.what, difference.b))
    if not (a.ok and b.ok):
        failing = [v.combination.name for v in (a, b) if not v.ok]
        lines.append(f"{' and '.join(failing)} {'does' if len(failing) == 1 else 'do'} not configure: "
                     "no build to compare")
    elif a.build_digest is not None and a.build_digest == b.build_digest:
        lines.append("they compile the same thing (equal build digests)")
    else:
        lines.append("they compile different things (the build digests differ)")
    return "\n".join(lines) + "\n"


def find_verdict(result: MatrixResult, name: str) -> Verdict | None:
    """The verdict of the combination called ``name``."""
    return next((v for v in result.verdicts if v.combination.name == name), None)
