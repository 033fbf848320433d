"""``qemu-config matrix``: every combination decided in-process as ./configure decides it, the machine asked
once for the whole matrix, combinations grouped by what they compile, the command's outputs, and --build.

The decisions are checked against the real ./configure run on the same arguments (its error text, or the
files it writes), and the compiler processes are counted with a compiler that logs each run.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import junitparser
import pytest

from e2e import run_configure
from qemu_config import options
from qemu_config.cache import ProbeCache
from qemu_config.matrix.command import MatrixRequest, run_matrix
from qemu_config.matrix.decide import (MatrixContext, SharedProber, build_inputs, decide_combination,
                                       decide_matrix)
from qemu_config.matrix.model import Combination
from qemu_config.matrix.spec import expand, load_spec
from qemu_config.matrix.writers import MATRIX_SCHEMA_PATH

REPO = Path(__file__).resolve().parent.parent
TARGET = "--target-list=x86_64-softmmu"


@pytest.fixture(scope="module")
def table() -> options.OptionTable:
    return options.load_option_table(REPO)


@pytest.fixture(scope="module")
def builtins() -> tuple[options.MesonOption, ...]:
    return options.builtin_options()


def context(table, builtins, tmp: Path, environ: dict[str, str] | None = None, cache: bool = True) -> MatrixContext:
    env = dict(os.environ if environ is None else environ)
    prober = SharedProber(env, ProbeCache(tmp / "cache", enabled=cache))
    return MatrixContext(REPO, tmp / "builds", table, builtins, env, prober)


def write_logging_cc(directory: Path) -> tuple[Path, Path]:
    """A real C compiler that appends one line per run to a log: what counts the processes started."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "cc.log"
    cc = directory / "cc-logged"
    cc.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec gcc "$@"\n')
    cc.chmod(0o755)
    return cc, log


# --- the machine is asked once for the whole matrix --------------------------------------------------

def test_the_compiler_runs_for_the_matrix_as_for_one_configure(table, builtins, tmp_path: Path) -> None:
    # two compilers of their own (new paths: nothing this process asked before applies to them)
    cc_one, log_one = write_logging_cc(tmp_path / "one")
    cc_four, log_four = write_logging_cc(tmp_path / "four")
    decide_matrix("one", [Combination("one", (f"--cc={cc_one}", TARGET))],
                  context(table, builtins, tmp_path / "a", cache=False))
    four = [Combination(f"c{i}", (f"--cc={cc_four}", TARGET, pixman, pool))
            for i, (pixman, pool) in enumerate([(p, q) for p in ("--enable-pixman", "--disable-pixman")
                                                 for q in ("--enable-coroutine-pool", "--disable-coroutine-pool")])]
    ctx = context(table, builtins, tmp_path / "b", cache=False)
    result = decide_matrix("four", four, ctx)
    assert all(v.ok for v in result.verdicts), [v.error for v in result.verdicts]
    # four combinations start no more compiler processes than one: every probe ran once for all of them
    alone = len(log_one.read_text().splitlines())
    assert alone > 5 and len(log_four.read_text().splitlines()) == alone
    assert ctx.prober.runs == 1


def test_a_static_build_is_probed_apart(table, builtins, tmp_path: Path) -> None:
    ctx = context(table, builtins, tmp_path)
    result = decide_matrix("s", [Combination("dyn", (TARGET,)), Combination("static", (TARGET, "--static"))], ctx)
    static = {f.name: f for f in result.verdicts[1].features}
    assert static["virglrenderer"].enabled is False and "do not link statically" in static["virglrenderer"].reason
    assert ctx.prober.runs == 2


# --- the same decisions as ./configure ---------------------------------------------------------------

def test_a_refused_combination_shows_configure_s_error(table, builtins, tmp_path: Path) -> None:
    args = (TARGET, "--enable-af-xdp", "--disable-bpf")
    verdict = decide_combination(Combination("af-xdp-no-bpf", args), context(table, builtins, tmp_path))
    assert not verdict.ok and verdict.build_digest is None
    real = run_configure(tmp_path / "real", *args, check=False)
    assert real.returncode == 1
    assert verdict.error == real.stderr


def _normalised(text: str) -> str:
    """A build input's text without the line naming the engine's interpreter (each build dir has its own venv)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("python = "))


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    (TARGET,),
    ("--target-list=x86_64-softmmu,aarch64-softmmu", "--disable-pixman", "--disable-coroutine-pool"),
    (TARGET, "--static", "--disable-pie"),
    ("--cross-prefix=x86_64-w64-mingw32-", TARGET),
])
def test_an_accepted_combination_writes_what_configure_writes(table, builtins, tmp_path: Path,
                                                            args: tuple[str, ...]) -> None:
    from qemu_config.bootstrap import python_install_paths
    from qemu_config.configure import decide
    from qemu_config.model import Environment
    from qemu_config.outputs import build_outputs

    ctx = context(table, builtins, tmp_path)
    verdict = decide_combination(Combination("c", args), ctx)
    assert verdict.ok, verdict.error
    real = tmp_path / "real"
    run_configure(real, *args)
    platlib, site_dirs = python_install_paths()        # the host's Python, as configure() asks it
    env = Environment(REPO, ctx.build_root / "c", sys.executable, ("meson",), "ninja", ctx.environ,
                      python_platlib=platlib, python_site_dirs=site_dirs)
    config = decide(env, options.parse_configure_args(args, table, builtins), table, builtins, ctx.prober)
    for f in build_inputs(build_outputs(config, args)):
        assert _normalised(f.text) == _normalised((real / f.path).read_text()), f.path
    report = json.loads((real / "qemu-config-report.json").read_text())
    assert {f.name: f.enabled for f in verdict.features} == \
        {name: data["resolved"] == "enabled" for name, data in report["features"].items()}
    assert sorted(t.name for t in verdict.targets) == sorted(report["targets"])
    for target in verdict.targets:
        assert list(target.devices) == report["targets"][target.name]["devices"]


# --- grouping ----------------------------------------------------------------------------------------

def test_combinations_that_compile_the_same_thing_are_one_build(table, builtins, tmp_path: Path) -> None:
    combos = [Combination("auto", (TARGET,)), Combination("pixman", (TARGET, "--enable-pixman")),
              Combination("no-pixman", (TARGET, "--disable-pixman")),
              Combination("no-pool", (TARGET, "--disable-coroutine-pool")),
              Combination("bad", (TARGET, "--enable-af-xdp", "--disable-bpf"))]
    result = decide_matrix("g", combos, context(table, builtins, tmp_path))
    # pixman is found here: asking for it changes nothing that is compiled
    assert [[m.name for m in c.members] for c in result.classes] == [["auto", "pixman"], ["no-pixman"], ["no-pool"]]
    assert result.classes[0].representative.name == "auto"


# --- the command -------------------------------------------------------------------------------------

SMALL_SPEC = """\
[axis.pixman]
feature = "pixman"
values = ["enabled", "disabled"]

[axis.xdp]
feature = "af_xdp"
values = ["auto", "enabled"]

[axis.bpf]
feature = "bpf"
values = ["auto", "disabled"]

[axis.targets]
argument = "--target-list"
values = ["x86_64-softmmu"]
"""


def matrix(tmp: Path, *extra: str, spec: str = SMALL_SPEC, **kw: object) -> tuple[int, str, str]:
    path = tmp / "matrix.toml"
    path.write_text(spec)
    out, err = io.StringIO(), io.StringIO()
    fields = {"spec": str(path), "source_dir": REPO, "build_dir": tmp, "jobs": 2, **kw}
    code = run_matrix(MatrixRequest(**fields), stdout=out, stderr=err)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def test_json_junit_and_the_table(tmp_path: Path) -> None:
    code, out, err = matrix(tmp_path, output_format="json", junit=str(tmp_path / "junit.xml"))
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads(MATRIX_SCHEMA_PATH.read_text()))
    assert doc["summary"] == {"combinations": 8, "configured": 6, "failed": 2, "classes": 4}
    failing = [c for c in doc["combinations"] if not c["ok"]]
    assert {c["name"] for c in failing} == {"pixman-xdp-no-bpf-targets-x86_64-softmmu",
                                            "no-pixman-xdp-no-bpf-targets-x86_64-softmmu"}
    assert all(c["error"].startswith("ERROR: libxdp requested, but libbpf is not available") for c in failing)
    ok = next(c for c in doc["combinations"] if c["ok"])
    assert ok["defines"]["CONFIG_LINUX"] == "y" and ok["targets"][0]["name"] == "x86_64-softmmu"
    assert "core/system/main.c" in ok["targets"][0]["files"]
    suite = junitparser.JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    cases = [case for s in suite for case in s]
    assert len(cases) == 8 and sum(1 for case in cases if not case.is_passed) == 2
    code, table, _ = matrix(tmp_path)
    assert code == 0 and "8 combinations: 6 configure, 2 fail; 4 distinct builds" in table


def test_diff_and_export(tmp_path: Path) -> None:
    code, out, _ = matrix(tmp_path, diff=("pixman-targets-x86_64-softmmu", "no-pixman-targets-x86_64-softmmu"))
    assert code == 0 and "pixman" in out
    code, workflow, _ = matrix(tmp_path, export="github")
    assert code == 0
    (tmp_path / "workflow.yml").write_text(workflow)
    check = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                            str(tmp_path / "workflow.yml")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert workflow.count("./configure") == 4     # one job per distinct build


def test_unknown_diff_name_is_one_error(tmp_path: Path) -> None:
    from qemu_config.errors import UserError

    with pytest.raises(UserError, match="^--diff: no combination named nosuch in "):
        matrix(tmp_path, diff=("nosuch", "pixman-targets-x86_64-softmmu"))


def test_the_shipped_matrix_is_decided(table, builtins, tmp_path: Path) -> None:
    spec = load_spec(REPO / "matrix.toml", table, builtins)
    combos = expand(spec)
    result = decide_matrix("matrix.toml", combos, context(table, builtins, tmp_path))
    assert len(result.verdicts) == 128
    refused = [v for v in result.verdicts if "--enable-af-xdp" in v.combination.args
               and "--disable-bpf" in v.combination.args]
    assert refused and not any(v.ok for v in refused)
    native = [v for v in refused if not any(a.startswith("--cross-prefix=") for a in v.combination.args)]
    assert native and all((v.error or "").startswith("ERROR: libxdp requested, but libbpf is not available")
                          for v in native)
    assert 1 < len(result.classes) < 128


# --- --build -----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_build_builds_each_distinct_build_once_and_reuses_it(tmp_path: Path) -> None:
    # pixman is found here, so enabled and auto build alike: 4 combinations, 2 builds
    spec = ('[axis.pixman]\nfeature = "pixman"\nvalues = ["enabled", "auto"]\n\n'
            '[axis.pool]\noption = "coroutine_pool"\nvalues = [true, false]\n\n'
            '[axis.targets]\nargument = "--target-list"\nvalues = ["x86_64-softmmu"]\n')
    code, out, _ = matrix(tmp_path, spec=spec, build=True)
    assert code == 0, out
    assert "building 2 distinct builds" in out and "2 of 2 builds passed" in out
    logs = sorted((tmp_path / "matrix").glob("*/matrix-build.log"))
    assert len(logs) == 2 and all("# smoke test: ok" in log.read_text() for log in logs)
    code, out, _ = matrix(tmp_path, spec=spec, build=True)
    assert code == 0
    # the second run reuses the build directories: configure sees nothing changed
    assert all("Nothing that configure reads has changed" in log.read_text() for log in logs)


@pytest.mark.slow
def test_ctrl_c_stops_the_builds_and_says_what_finished(tmp_path: Path) -> None:
    import signal
    import time

    spec = tmp_path / "matrix.toml"
    spec.write_text('[axis.pool]\noption = "coroutine_pool"\nvalues = [true, false]\n\n'
                    '[axis.targets]\nargument = "--target-list"\nvalues = ["x86_64-softmmu,aarch64-softmmu"]\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "qemu_config", "matrix", str(spec), "-C", str(tmp_path),
                             "--build", "--jobs", "2"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    logs = tmp_path / "matrix"
    while time.monotonic() < deadline and not any(logs.glob("*/matrix-build.log")):
        time.sleep(0.2)
    time.sleep(1.0)                      # the builds are under way
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, out + err
    assert "ERROR: interrupted:" in err and "of 2 builds finished, the others were stopped" in err
    assert "ERROR: interrupted: 2 of 2" not in err and "Traceback" not in err
    # the builds under way were stopped, not waited for: a stopped one never reached its smoke test
    assert any("# smoke test" not in log.read_text() for log in logs.glob("*/matrix-build.log"))
    time.sleep(0.5)
    assert _processes_working_in(logs) == [], "build processes left running"


def _processes_working_in(directory: Path) -> list[str]:
    """The processes whose working directory is inside ``directory`` (configure, make, ninja, cc...)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == str(directory) or cwd.startswith(str(directory) + "/"):
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name} {command[:80]}")
    return found
