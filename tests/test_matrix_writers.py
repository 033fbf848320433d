"""qemu_config.matrix writers: the table, the progress display, JSON (against the shipped JSON Schema),
JUnit (read back with junitparser), the GitHub and GitLab pipelines (against check-jsonschema's vendored
schemas of both), and the diff of two verdicts.  The results are built here: the writers are pure."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import junitparser
import pytest
from ruamel.yaml import YAML

from qemu_config import options
from qemu_config.errors import UserError
from qemu_config.matrix.model import (MATRIX_SCHEMA_VERSION, BuildClass, Combination, ExportSettings,
                                      FeatureVerdict, MatrixResult, Verdict)
from qemu_config.matrix.pipelines import (COMBINATIONS_VARIABLE, export_pipeline, github_workflow,
                                          gitlab_pipeline)
from qemu_config.matrix.progress import Progress, progress_bar, progress_record
from qemu_config.matrix.spec import expand, load_spec
from qemu_config.matrix.writers import (MATRIX_SCHEMA_PATH, matrix_document, render_diff, render_json,
                                        render_junit, render_table, verdict_differences)

REPO = Path(__file__).resolve().parent.parent
AF_XDP_ERROR = ("ERROR: Feature af_xdp cannot be enabled\n"
                "       af_xdp requires bpf, which --disable-bpf turned off\n"
                "       next: build without it: --disable-af-xdp")


def combination(name: str, *args: str) -> Combination:
    """A combination of feature flags, with the axes a spec would give it (--enable-X: X = enabled)."""
    axes = tuple((arg.split("-", 3)[3], f"{arg.split('-')[2]}d") for arg in args)
    return Combination(name, args, axes)


def features(**enabled: bool) -> tuple[FeatureVerdict, ...]:
    return tuple(FeatureVerdict(name, on, f"{'enabled' if on else 'disabled'} by the test") for name, on in
                 enabled.items())


PIXMAN = combination("pixman", "--enable-pixman")
PIXMAN_AUTO = Combination("pixman-auto", (), (("pixman", "auto"),))
NO_PIXMAN = combination("no-pixman", "--disable-pixman")
AF_XDP_NO_BPF = combination("af-xdp-no-bpf", "--enable-af-xdp", "--disable-bpf")


def result() -> MatrixResult:
    """Four combinations: two that compile the same thing, one that differs, one that does not configure."""
    verdicts = (
        Verdict(PIXMAN, True, None, features(pixman=True, bpf=True), "digest-on", 0.25),
        Verdict(NO_PIXMAN, True, None, features(pixman=False, bpf=True), "digest-off", 0.5),
        Verdict(PIXMAN_AUTO, True, None, features(pixman=True, bpf=True), "digest-on", 0.125),
        Verdict(AF_XDP_NO_BPF, False, AF_XDP_ERROR, (), None, 0.0625),
    )
    return MatrixResult("matrix.toml", verdicts, (BuildClass(PIXMAN, (PIXMAN, PIXMAN_AUTO)),
                                                  BuildClass(NO_PIXMAN, (NO_PIXMAN,))))


def run_check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


# -- the table -----------------------------------------------------------------------------------------

def test_the_table_has_a_row_per_combination_with_its_verdict_and_build() -> None:
    lines = render_table(result()).splitlines()
    assert lines[0].split() == ["combination", "verdict", "builds", "as"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:5]}
    assert rows["pixman"] == ["ok", "pixman", "*"]
    assert rows["pixman-auto"] == ["ok", "pixman"]
    assert rows["no-pixman"] == ["ok", "no-pixman", "*"]
    assert rows["af-xdp-no-bpf"][:2] == ["FAILS", "error:"]
    assert "Feature af_xdp cannot be enabled" in lines[4]
    assert lines[-1].startswith("4 combinations: 3 configure, 1 fail; 2 distinct builds")


def test_a_narrow_terminal_shortens_only_the_last_column() -> None:
    narrow = render_table(result(), width=40).splitlines()
    failing = next(line for line in narrow if line.startswith("af-xdp-no-bpf"))
    # the name and verdict columns (13 and 7 wide, 2 apart) stay whole; the last keeps 24 characters
    assert failing.endswith("…") and len(failing) == 13 + 2 + 7 + 2 + 24 + 1
    assert render_table(result(), width=200) == render_table(result())


# -- the progress display --------------------------------------------------------------------------------

def test_progress_on_a_terminal_redraws_one_line() -> None:
    stream = io.StringIO()
    progress = Progress(4, stream, tty=True, width=80)
    for verdict in result().verdicts:
        progress.finished(verdict)
    progress.close()
    text = stream.getvalue()
    assert text.count("\r") == 4 and text.count("\n") == 1 and text.endswith("\n")
    last = text.rsplit("\r", 1)[1]
    assert last.startswith("[####################] 4/4  1 fail  af-xdp-no-bpf")


def test_progress_elsewhere_prints_a_plain_line_per_combination() -> None:
    stream = io.StringIO()
    progress = Progress(4, stream, tty=False)
    for verdict in result().verdicts:
        progress.finished(verdict)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[1/4] ok     pixman (0.25 s)"
    assert lines[3] == "[4/4] FAILS  af-xdp-no-bpf: Feature af_xdp cannot be enabled"
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_progress_counts_every_combination_finished_from_many_threads() -> None:
    stream = io.StringIO()
    progress = Progress(400, stream, tty=False)
    verdicts = result().verdicts
    threads = [threading.Thread(target=lambda: [progress.finished(v) for v in verdicts * 25]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 400 and progress.done == 400 and progress.failed == 100
    assert sorted(int(line[1:line.index("/")]) for line in lines) == list(range(1, 401))


def test_the_progress_bar_fills_and_fits() -> None:
    assert progress_bar(0, 128, 0, "a") == "[--------------------]   0/128  0 fail  a"
    assert progress_bar(64, 128, 3, "b").startswith("[##########----------]  64/128  3 fail  b")
    long = progress_bar(1, 2, 0, "x" * 200, width=60)
    assert len(long) == 60 and long.endswith("…")
    assert progress_record(2, 10, result().verdicts[1]) == "[ 2/10] ok     no-pixman (0.50 s)"


# -- JSON ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(MATRIX_SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_json_document_validates_against_the_shipped_schema(validator) -> None:
    document = json.loads(render_json(result()))
    validator.validate(document)
    assert document["schema_version"] == MATRIX_SCHEMA_VERSION == 1
    assert document["summary"] == {"combinations": 4, "configured": 3, "failed": 1, "classes": 2}
    by_name = {c["name"]: c for c in document["combinations"]}
    assert by_name["pixman-auto"]["class"] == "pixman" and by_name["pixman-auto"]["axes"] == {"pixman": "auto"}
    assert by_name["af-xdp-no-bpf"]["error"] == AF_XDP_ERROR and by_name["af-xdp-no-bpf"]["class"] is None
    assert by_name["pixman"]["features"][0] == {"name": "pixman", "enabled": True, "reason": "enabled by the test"}
    assert document["classes"][0] == {"representative": "pixman", "args": ["--enable-pixman"],
                                      "build_digest": "digest-on", "members": ["pixman", "pixman-auto"]}


@pytest.mark.parametrize("break_it", [
    lambda d: d.update(schema_version=2),
    lambda d: d["combinations"][0].update(error="ERROR: x"),          # ok, yet an error
    lambda d: d["combinations"][3].update(build_digest="d"),          # failed, yet a build
    lambda d: d["combinations"][0].update(name="has,comma"),          # not a CI job id
    lambda d: d["combinations"][0].pop("args"),
    lambda d: d["classes"][0].update(members=[]),
    lambda d: d.update(extra=True),
])
def test_the_schema_refuses_documents_that_break_its_rules(validator, break_it) -> None:
    document = copy.deepcopy(matrix_document(result()))
    break_it(document)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_the_schema_is_valid_for_check_jsonschema_too(tmp_path: Path) -> None:
    path = tmp_path / "matrix.json"
    path.write_text(render_json(result()))
    checked = run_check_jsonschema("--schemafile", MATRIX_SCHEMA_PATH, path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# -- JUnit ---------------------------------------------------------------------------------------------

def test_junit_has_a_testcase_per_combination_and_a_failure_carrying_the_error(tmp_path: Path) -> None:
    path = tmp_path / "matrix.xml"
    path.write_text(render_junit(result()))
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    assert (suite.name, suite.tests, suite.failures, suite.errors) == ("matrix.toml", 4, 1, 0)
    cases = {case.name: case for case in suite}
    assert list(cases) == ["pixman", "no-pixman", "pixman-auto", "af-xdp-no-bpf"]
    assert all(cases[n].is_passed for n in ("pixman", "no-pixman", "pixman-auto"))
    failed = cases["af-xdp-no-bpf"]
    assert not failed.is_passed
    [failure] = failed.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == "Feature af_xdp cannot be enabled" and failure.text == AF_XDP_ERROR
    assert failed.system_out == "./configure --enable-af-xdp --disable-bpf"
    assert cases["pixman-auto"].system_out == "./configure\nbuilds as: pixman"
    assert cases["no-pixman"].time == 0.5 and cases["no-pixman"].classname == "matrix"


# -- GitHub and GitLab pipelines -----------------------------------------------------------------------

SETTINGS = ExportSettings(build=("make", "make check"), github_runs_on="ubuntu-24.04",
                          github_setup=("sudo apt-get update", "sudo apt-get install -y libpixman-1-dev"),
                          gitlab_image="debian:12", gitlab_setup=("apt-get update",))


def load_yaml(text: str) -> dict:
    return YAML(typ="safe").load(text)


@pytest.mark.parametrize("ci, schema", [("github", "vendor.github-workflows"), ("gitlab", "vendor.gitlab-ci")])
def test_the_exported_pipelines_validate_against_the_ci_schemas(tmp_path: Path, ci: str, schema: str) -> None:
    path = tmp_path / f"{ci}.yml"
    path.write_text(export_pipeline(result(), ci, SETTINGS))
    checked = run_check_jsonschema("--builtin-schema", schema, path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # the validator is not one that takes anything: a job with commands that are not a list is refused
    broken = load_yaml(path.read_text())
    if ci == "github":
        broken["jobs"]["pixman"]["steps"] = "make"
    else:
        broken["pixman"]["script"] = 42
    path.write_text(json.dumps(broken))
    refused = run_check_jsonschema("--builtin-schema", schema, path)
    assert refused.returncode != 0


def test_a_job_id_github_would_refuse_is_refused_by_its_schema(tmp_path: Path) -> None:
    """Why the spec makes job names of letters, digits, '-' and '_' (spec.JOB_NAME)."""
    workflow = load_yaml(github_workflow(result(), SETTINGS))
    workflow["jobs"]["pixman,static"] = workflow["jobs"].pop("pixman")
    path = tmp_path / "github.yml"
    path.write_text(json.dumps(workflow))
    assert run_check_jsonschema("--builtin-schema", "vendor.github-workflows", path).returncode != 0


def test_the_shipped_spec_exports_pipelines_the_ci_schemas_take(tmp_path: Path) -> None:
    """matrix.toml's 128 combinations, decided here by a stand-in (af-xdp without bpf fails, the rest build
    as their static/host pair), through every writer."""
    spec = load_spec(REPO / "matrix.toml", options.load_option_table(REPO),
                     options.builtin_options(include_hidden=True, cache=tmp_path / "cache"))
    verdicts = []
    for c in expand(spec):
        fails = "--enable-af-xdp" in c.args and "--disable-bpf" in c.args
        digest = None if fails else f"{'--static' in c.args}-{any('cross' in a for a in c.args)}"
        verdicts.append(Verdict(c, not fails, AF_XDP_ERROR if fails else None, (), digest, 0.01))
    members: dict[str, list[Combination]] = {}
    for verdict in verdicts:
        if verdict.ok:
            members.setdefault(str(verdict.build_digest), []).append(verdict.combination)
    shipped = MatrixResult("matrix.toml", tuple(verdicts), tuple(BuildClass(m[0], tuple(m)) for m in members.values()))
    for ci, schema in (("github", "vendor.github-workflows"), ("gitlab", "vendor.gitlab-ci")):
        path = tmp_path / f"{ci}.yml"
        path.write_text(export_pipeline(shipped, ci, spec.export))
        checked = run_check_jsonschema("--builtin-schema", schema, path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    path = tmp_path / "matrix.json"
    path.write_text(render_json(shipped))
    assert run_check_jsonschema("--schemafile", MATRIX_SCHEMA_PATH, path).returncode == 0
    assert junitparser.JUnitXml.fromstring(render_junit(shipped)).failures == 32
    assert len(render_table(shipped).splitlines()) == 1 + 128 + 2


def test_the_github_workflow_builds_each_distinct_build_once() -> None:
    text = github_workflow(result(), SETTINGS)
    workflow = load_yaml(text)
    assert list(workflow["jobs"]) == ["pixman", "no-pixman"]
    job = workflow["jobs"]["pixman"]
    assert job["runs-on"] == "ubuntu-24.04"
    assert job["env"] == {COMBINATIONS_VARIABLE: "pixman pixman-auto"}
    runs = [step["run"] for step in job["steps"][1:]]
    assert runs == ["sudo apt-get update\nsudo apt-get install -y libpixman-1-dev", "./configure --enable-pixman",
                    "make", "make check"]
    assert job["steps"][0] == {"uses": "actions/checkout@v4"}
    assert workflow["on"] == ["push", "pull_request", "workflow_dispatch"]
    assert "# stands for 2 combinations: pixman, pixman-auto" in text
    assert "af-xdp-no-bpf" not in text.split("jobs:")[1]   # it does not configure: no job


def test_the_gitlab_pipeline_builds_each_distinct_build_once() -> None:
    text = gitlab_pipeline(result(), SETTINGS)
    pipeline = load_yaml(text)
    assert list(pipeline) == ["stages", "pixman", "no-pixman"]
    job = pipeline["no-pixman"]
    assert job == {"stage": "build", "image": "debian:12", "variables": {COMBINATIONS_VARIABLE: "no-pixman"},
                   "before_script": ["apt-get update"],
                   "script": ["./configure --disable-pixman", "make", "make check"]}
    assert "# stands for 1 combination: no-pixman" in text


def test_configure_arguments_are_quoted_for_the_shell() -> None:
    odd = Combination("odd", ("--with-pkgversion=ci build", "--extra-cflags=-DX='1'"))
    build = MatrixResult("m.toml", (Verdict(odd, True, None, (), "d"),), (BuildClass(odd, (odd,)),))
    script = load_yaml(gitlab_pipeline(build))["odd"]["script"][0]
    assert script == "./configure '--with-pkgversion=ci build' '--extra-cflags=-DX='\"'\"'1'\"'\"''"


def test_nothing_to_export_when_no_combination_configures() -> None:
    failing = MatrixResult("m.toml", (Verdict(AF_XDP_NO_BPF, False, AF_XDP_ERROR),), ())
    for ci in ("github", "gitlab"):
        with pytest.raises(UserError, match="no combination configures"):
            export_pipeline(failing, ci)
    with pytest.raises(UserError, match="unknown CI"):
        export_pipeline(result(), "jenkins")


# -- the diff of two verdicts ----------------------------------------------------------------------------

def test_the_diff_names_arguments_axes_features_and_the_build() -> None:
    on, off = result().verdicts[0], result().verdicts[1]
    found = {(d.what, d.a, d.b) for d in verdict_differences(on, off)}
    assert found == {
        ("argument", "--enable-pixman", None), ("argument", None, "--disable-pixman"),
        ("axis pixman", "enabled", "disabled"),
        ("features pixman.enabled", "true", "false"),
        ("features pixman.reason", "enabled by the test", "disabled by the test"),
        ("build_digest", "digest-on", "digest-off"),
    }
    text = render_diff(on, off)
    assert text.splitlines()[:4] == ["--- pixman", "+++ no-pixman", "-argument: --enable-pixman",
                                     "+argument: --disable-pixman"]
    assert text.endswith("they compile different things (the build digests differ)\n")


def test_the_diff_of_the_same_build_and_of_a_failure() -> None:
    verdicts = result().verdicts
    same = render_diff(verdicts[0], verdicts[2])
    assert same.endswith("they compile the same thing (equal build digests)\n")
    assert "-features" not in same
    failed = render_diff(verdicts[0], verdicts[3])
    assert "+error: ERROR: Feature af_xdp cannot be enabled\n+       " in failed
    assert "-features bpf: " in failed and "-ok: true\n+ok: false" in failed
    assert failed.endswith("af-xdp-no-bpf does not configure: no build to compare\n")


def test_the_diff_compares_detail_the_decider_adds_to_verdicts() -> None:
    @dataclass(frozen=True)
    class DetailedVerdict(Verdict):
        config_host: tuple[tuple[str, str], ...] = ()
        targets: tuple[str, ...] = ()

    a = DetailedVerdict(PIXMAN, True, None, (), "d", config_host=(("CONFIG_PIXMAN", "1"), ("CONFIG_FDT", "1")),
                        targets=("x86_64-softmmu",))
    b = DetailedVerdict(NO_PIXMAN, True, None, (), "d", config_host=(("CONFIG_FDT", "1"),),
                        targets=("x86_64-softmmu", "aarch64-softmmu"))
    found = {(d.what, d.a, d.b) for d in verdict_differences(a, b)}
    assert ("config_host CONFIG_PIXMAN", "1", None) in found
    assert ("targets", None, "aarch64-softmmu") in found
    assert not any(d.what == "config_host CONFIG_FDT" for d in verdict_differences(a, b))
