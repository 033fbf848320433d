"""The configure summary, in meson's ``summary()`` format.

Owns the layout (project line, sections in first-use order, keys padded to the
longest key of the whole summary, YES/NO for booleans, lists on continuation
lines).  Callers build the rows from stage results; this module only renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence, Union

SummaryValue = Union[bool, int, str, Sequence[str], None]


@dataclass(frozen=True)
class SummaryEntry:
    section: str
    key: str
    value: SummaryValue


def format_value(value: SummaryValue) -> list[str]:
    """Rendered lines of one value (meson: bool_yn booleans, lists one item a line)."""
    if value is None:
        return ["NO"]
    if value is True:
        return ["YES"]
    if value is False:
        return ["NO"]
    if isinstance(value, (int, str)):
        return [str(value)]
    return [str(v) for v in value]


def render_summary(project: str, version: str, entries: Iterable[SummaryEntry]) -> str:
    sections: dict[str, list[SummaryEntry]] = {}
    for entry in entries:
        rows = sections.setdefault(entry.section, [])
        if any(r.key == entry.key for r in rows):
            raise ValueError(f"Summary section {entry.section!r} already has key {entry.key!r}")
        rows.append(entry)
    width = max((len(e.key) for rows in sections.values() for e in rows), default=0)
    out = [f"{project} {version}"]
    for name, rows in sections.items():
        out.append("")
        out.append(f"  {name}")
        for entry in rows:
            lines = format_value(entry.value)
            head = f"    {entry.key.ljust(width)}:"
            if not lines:
                out.append(head)
                continue
            out.append(f"{head} {lines[0]}")
            pad = " " * (len(head) + 1)
            out.extend(pad + line for line in lines[1:])
    return "\n".join(out) + "\n"
