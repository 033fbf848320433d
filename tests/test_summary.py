"""summary.py: meson's summary() layout."""

from __future__ import annotations

import pytest

from qemu_config.summary import SummaryEntry, render_summary


def test_keys_padded_to_longest_key_of_whole_summary() -> None:
    text = render_summary("qemu", "1.0", [
        SummaryEntry("Graphics backends", "VirGL support", "YES 0.10.4"),
        SummaryEntry("Graphics backends", "Rutabaga support", False),
        SummaryEntry("Dependencies", "Query Processing Library support", False),
        SummaryEntry("Dependencies", "genisoimage", ""),
        SummaryEntry("Dependencies", "list", ["a", "b"]),
    ])
    assert text.splitlines() == [
        "qemu 1.0",
        "",
        "  Graphics backends",
        "    VirGL support                   : YES 0.10.4",
        "    Rutabaga support                : NO",
        "",
        "  Dependencies",
        "    Query Processing Library support: NO",
        "    genisoimage                     : ",
        "    list                            : a",
        "                                      b",
    ]


def test_duplicate_key_is_refused() -> None:
    with pytest.raises(ValueError):
        render_summary("p", "1", [SummaryEntry("S", "k", True), SummaryEntry("S", "k", False)])
