"""qemu_config.bootstrap: whether a --python names the interpreter configure runs on; the test requirements
make check installs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qemu_config import bootstrap

REPO = Path(__file__).resolve().parent.parent


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


def test_the_test_requirements_are_pyprojects_test_extra_and_all_installed_here() -> None:
    specs = bootstrap.test_requirements(REPO)
    names = [spec.split(">=")[0] for spec in specs]
    assert {"pytest", "jsonschema", "junitparser", "check-jsonschema", "ruamel.yaml"} <= set(names)
    assert not [spec for spec in specs if bootstrap.distribution_missing(spec)]  # this suite is running
    assert bootstrap.install_test_requirements(REPO) == []                       # so nothing is installed


@pytest.mark.parametrize("spec, missing", [
    ("pytest", False), ("pytest>=1", False), ("pytest>=999", True), ("Pytest >= 1.0", False),
    ("no-such-distribution-here", True), (f"pytest=={__import__('pytest').__version__}", False),
    ("pytest==0.0.1", True),
])
def test_a_distribution_is_missing_when_absent_or_too_old(spec: str, missing: bool) -> None:
    assert bootstrap.distribution_missing(spec) is missing


def test_other_requirement_forms_are_refused() -> None:
    with pytest.raises(ValueError, match="only NAME"):
        bootstrap.distribution_missing("pytest<8")


def test_make_check_installs_the_test_requirements_before_running_the_tests() -> None:
    makefile = (REPO / "qemu_config" / "templates" / "Makefile.j2").read_text()
    recipe = makefile.split("\ncheck: all\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert "-m qemu_config.bootstrap --test-requirements $(SRC_PATH)" in recipe[0]
    assert "-m pytest" in recipe[1]
    run = subprocess.run([sys.executable, "-m", "qemu_config.bootstrap", "--test-requirements", str(REPO)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (0, "")
