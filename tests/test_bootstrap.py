"""qemu_config.bootstrap: whether a --python names the interpreter configure runs on."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from qemu_config import bootstrap


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def test_the_running_interpreter_is_used() -> None:
    assert bootstrap.python_not_used(sys.executable, os.environ) is None


def test_a_wrapper_answers_for_the_interpreter_it_runs(tmp_path: Path) -> None:
    """pyenv's shims are shell scripts: what counts is the interpreter they run, found on PATH by name."""
    script(tmp_path / "shimmed-python", f'exec "{sys.executable}" "$@"')
    environ = {"PATH": str(tmp_path)}
    assert bootstrap.python_not_used("shimmed-python", environ) is None
    assert bootstrap.python_not_used(str(tmp_path / "shimmed-python"), environ) is None


def test_another_interpreter_is_named_with_the_running_one(tmp_path: Path) -> None:
    other = script(tmp_path / "other-python", "echo /opt/elsewhere/bin/python3.99")
    message = bootstrap.python_not_used(str(other), os.environ)
    assert message is not None
    assert message.startswith(f"--python={other} is not used (it is /opt/elsewhere/bin/python3.99): ")
    assert bootstrap.base_interpreter() in message and "remove pyvenv" in message


def test_a_missing_or_broken_interpreter(tmp_path: Path) -> None:
    missing = bootstrap.python_not_used(str(tmp_path / "nope"), os.environ)
    assert missing is not None and "(it is not found)" in missing
    broken = script(tmp_path / "broken-python", "exit 3")
    failed = bootstrap.python_not_used(str(broken), os.environ)
    assert failed is not None and "(it does not run)" in failed
