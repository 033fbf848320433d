"""QEMU's reference files for the tests that compare against them byte for byte.

They are not part of the project: they live beside the repository, in
``../shared/reference`` (or wherever ``QEMU_REFERENCE_DIR`` points, a directory
holding ``qemu-10.2.50/``).  Where they are absent, the tests that need them
skip and say which file was missing and how to provide it; nothing names an
absolute path of any machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(os.environ.get("QEMU_REFERENCE_DIR") or REPO.parent / "shared" / "reference")
QEMU_REFERENCE = REFERENCE_DIR / "qemu-10.2.50"
QEMU_OPTIONS = QEMU_REFERENCE / "meson_options.txt"
QEMU_CONFIGURE_HELP = QEMU_REFERENCE / "expected-configure-help.txt"


def missing_reason(*paths: Path) -> str | None:
    """Why the reference files cannot be used, or None when they are all there."""
    absent = [p for p in paths if not p.is_file()]
    if not absent:
        return None
    return (f"QEMU's reference file {absent[0]} is absent: put the reference directory beside the repository"
            " (../shared/reference) or set QEMU_REFERENCE_DIR to it")


def needs_reference(*paths: Path) -> pytest.MarkDecorator:
    """Skip (with the reason) unless every one of ``paths`` is present."""
    reason = missing_reason(*paths)
    return pytest.mark.skipif(reason is not None, reason=reason or "")
