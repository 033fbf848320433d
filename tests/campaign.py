"""The reliability campaigns' sizes, their Hypothesis settings, and their tally.

``make check`` runs every campaign bounded, with a fixed sequence of examples (the same inputs
on every run, so a failure is reproducible by re-running); ``QEMU_CONFIG_CAMPAIGNS=full`` runs the
full campaigns with fresh random inputs.  Each campaign counts what it tried in :data:`TALLY`,
and the session prints the counts at its end (tests/conftest.py), for the README's figures.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps what it learns of the code in a directory of its own: not in the checkout.
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "qemu-config-hypothesis"))

FULL = os.environ.get("QEMU_CONFIG_CAMPAIGNS", "") == "full"

# campaign -> what was counted ("inputs", "kills", "runs", "tracebacks", ...) -> how many
TALLY: defaultdict[str, Counter[str]] = defaultdict(Counter)


def size(bounded: int, full: int) -> int:
    """How many inputs (or kills, or rounds) a campaign tries in this run."""
    return full if FULL else bounded


def count(campaign: str, what: str = "inputs", n: int = 1) -> None:
    TALLY[campaign][what] += n


def fuzz_settings(bounded: int, full: int) -> settings:
    """Hypothesis settings of a fuzz campaign: no deadline (the machine is shared), no example database
    (nothing written into the checkout), and in the bounded run the same examples every time."""
    return settings(max_examples=size(bounded, full), deadline=None, database=None, derandomize=not FULL,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],   # no patch files written
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])


def summary_lines() -> list[str]:
    """One line per campaign: what it counted."""
    return [f"{name}: " + ", ".join(f"{what} {n}" for what, n in sorted(counts.items()))
            for name, counts in sorted(TALLY.items())]


def assert_one_error(text: str) -> None:
    """One ``ERROR:`` line, then only indented detail lines."""
    lines = text.rstrip("\n").split("\n")      # a terminal breaks lines at \n only
    assert lines and lines[0].startswith("ERROR: "), text
    assert all(line.startswith("       ") for line in lines[1:]), f"a line that is not indented detail:\n{text}"
    assert "internal error" not in text, text
