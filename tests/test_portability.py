"""The project names no absolute path of any machine: a clone works wherever it is put."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Home and work directories of the machines the project was written and tested on, and their kin.
MACHINE_PATH = re.compile(r"(?<![\w.-])/(?:work|root|home|Users|mnt)/[\w.-]+")


def test_no_tracked_file_names_a_machine_path() -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    found = []
    for rel in files:
        path = REPO / rel
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "absolute paths of a machine:\n" + "\n".join(found)


def test_the_pattern_catches_what_it_should() -> None:
    root = "/"   # the samples are assembled so that this file does not match itself
    assert MACHINE_PATH.search(f'Path("{root}work/shared/reference/qemu")')
    assert MACHINE_PATH.search(f"cd {root}home/user/qemu")
    assert not MACHINE_PATH.search("/usr/include/glib-2.0 and ../shared/reference and a/work/b")
