"""``qemu-config matrix``: read a spec, decide every combination, write what was asked for.

A thin layer over the package: :mod:`.spec` reads and expands, :mod:`.decide`
decides, :mod:`.writers` and :mod:`.pipelines` write, :mod:`.build` builds.
Owns the order of those steps and which output goes where.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import bootstrap, options
from ..cache import ProbeCache, default_cache_dir
from ..emit import write_if_changed
from ..errors import UsageError, UserError
from .decide import MatrixContext, SharedProber, decide_matrix
from .model import MatrixResult
from .pipelines import export_pipeline
from .progress import Progress
from .spec import expand, load_spec
from .writers import find_verdict, render_diff, render_json, render_junit, render_table

DEFAULT_SPEC = "matrix.toml"


@dataclass(frozen=True)
class MatrixRequest:
    """What the command line asked of ``qemu-config matrix``."""

    spec: str | None
    source_dir: Path
    build_dir: Path
    jobs: int
    output_format: str = "table"       # table | json
    junit: str | None = None
    export: str | None = None          # github | gitlab
    diff: tuple[str, str] | None = None
    build: bool = False
    no_cache: bool = False


def find_spec(request: MatrixRequest) -> Path:
    """The spec named, else matrix.toml in the current directory, else the source tree's."""
    if request.spec is not None:
        return Path(request.spec)
    for candidate in (Path(DEFAULT_SPEC), request.source_dir / DEFAULT_SPEC):
        if candidate.is_file():
            return candidate
    raise UserError(f"no {DEFAULT_SPEC} here or in {request.source_dir}",
                    "next: name a spec (qemu-config matrix SPEC), see README's 'Feature matrix'")


def run_matrix(request: MatrixRequest, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    spec_path = find_spec(request)
    table = options.load_option_table(request.source_dir)
    builtins = options.builtin_options()
    spec = load_spec(spec_path, table, builtins)
    combinations = expand(spec)
    if request.diff is not None:
        missing = [name for name in request.diff if name not in {c.name for c in combinations}]
        if missing:
            raise UsageError(f"--diff: no combination named {missing[0]} in {spec_path}",
                             "next: run qemu-config matrix to list the combinations' names")
    environ = dict(os.environ)
    prober = SharedProber(environ, ProbeCache(default_cache_dir(environ), enabled=not request.no_cache))
    ctx = MatrixContext(source_dir=request.source_dir, build_root=request.build_dir / "matrix", table=table,
                        builtins=builtins, environ=environ, prober=prober,
                        meson=tuple(bootstrap.meson_command()), ninja=bootstrap.find_ninja() or "ninja")
    progress = Progress(len(combinations), stderr)
    try:
        result = decide_matrix(str(spec_path), combinations, ctx, on_verdict=progress.finished)
    finally:
        progress.close()
    write_results(request, result, spec.export, stdout)
    if request.build:
        from .build import build_classes

        return build_classes(result, request, stdout=stdout, stderr=stderr)
    return 0


def write_results(request: MatrixRequest, result: MatrixResult, export_settings: object, stdout: TextIO) -> None:
    if request.junit is not None:
        write_if_changed(Path(request.junit), render_junit(result))
    if request.diff is not None:
        a, b = (find_verdict(result, name) for name in request.diff)
        assert a is not None and b is not None
        stdout.write(render_diff(a, b))
    elif request.export is not None:
        stdout.write(export_pipeline(result, request.export, export_settings))  # type: ignore[arg-type]
    elif request.output_format == "json":
        stdout.write(render_json(result))
    else:
        stdout.write(render_table(result, width=shutil.get_terminal_size().columns))
