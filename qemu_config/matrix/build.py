"""``qemu-config matrix --build``: configure, build and smoke-test each distinct build of a matrix.

Each class's representative is configured with the real ``./configure`` in
``BUILD/matrix/NAME`` (reused by later runs: an unchanged configuration
configures and builds as a no-op), built with ``make``, then smoke-tested
against what the matrix decided: every configured target has its binary, and
for native builds each binary's ``--build-config`` is the decided
config-host.h, and the extension's ``target_kconfig()`` is each target's
decided device selection.  ``--jobs`` bounds how many builds run at once; the
output of each goes to its ``matrix-build.log``.  Ctrl-C stops the builds
that are running and reports what finished.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import processes
from ..processes import ProcessTimeout
from .model import BuildClass, MatrixResult, Verdict

if TYPE_CHECKING:
    from .command import MatrixRequest

LOG_NAME = "matrix-build.log"


@dataclass(frozen=True)
class BuildOutcome:
    """One distinct build: whether it configured, built and passed its smoke test, and where its log is."""

    name: str
    ok: bool
    stage: str          # the last stage reached: configure | build | smoke | done
    detail: str         # what failed, or what the smoke test checked
    log: Path


class _Running:
    """The child processes of the builds in progress, so that Ctrl-C can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[str]] = set()
        self.stopping = False

    def run(self, cmd: list[str], cwd: Path, env: dict[str, str], log: TextIO) -> int:
        with self._lock:
            if self.stopping:
                return -signal.SIGINT
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, start_new_session=True)
            self._procs.add(proc)
            processes.started(proc.pid)      # a SIGTERM to the matrix stops the builds too
        log.write(f"$ {' '.join(cmd)}\n")
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
        code = proc.wait()
        processes.ended(proc.pid)
        with self._lock:
            self._procs.discard(proc)
        return code

    def stop(self) -> None:
        with self._lock:
            self.stopping = True
            for proc in self._procs:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except OSError:
                    pass


def _smoke(build: Path, verdict: Verdict, native: bool, running: _Running, env: dict[str, str],
           log: TextIO) -> tuple[bool, str]:
    """The binaries and the extension show what the matrix decided."""
    missing = [t.name for t in verdict.targets if not (build / f"qemu-system-{t.name.split('-')[0]}").exists()
               and not (build / f"qemu-system-{t.name.split('-')[0]}.exe").exists()]
    if missing:
        return False, "no binary for " + ", ".join(missing)
    if not native:
        return True, f"{len(verdict.targets)} binaries built (a cross build: not run here)"
    decided = dict(verdict.defines)
    for target in verdict.targets:
        exe = build / f"qemu-system-{target.name.split('-')[0]}"
        try:
            out = processes.run("emulator", [str(exe), "--build-config"], what="the binary's configuration")
        except (OSError, ProcessTimeout) as exc:
            return False, f"{exe.name} --build-config did not run: {getattr(exc, 'message', exc)}"
        log.write(f"$ {exe} --build-config: exit {out.returncode}\n")
        printed = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
        wrong = sorted(k for k in decided if printed.get(k) != " ".join(decided[k].split()))
        if out.returncode != 0 or wrong:
            return False, f"{exe.name} --build-config differs from the decision: {', '.join(wrong[:5])}"
    check = ("import json, sys; sys.path.insert(0, sys.argv[1]); import qemu_core; "
             "print(json.dumps({t: sorted(qemu_core.target_kconfig(t)) for t in qemu_core.targets}))")
    try:
        out = processes.run("python", [sys.executable, "-c", check, str(build)], what="loading the extension",
                            env=env)
    except ProcessTimeout as exc:
        return False, f"the extension did not load: {exc.message}"
    log.write(f"$ extension target_kconfig: exit {out.returncode}\n{out.stderr}")
    if out.returncode != 0:
        return False, "the extension did not load: " + (out.stderr.strip().splitlines() or ["?"])[-1]
    kconfig = json.loads(out.stdout)
    for target in verdict.targets:
        if sorted(kconfig.get(target.name, ())) != sorted(target.devices):
            return False, f"the extension's devices for {target.name} differ from the decision"
    return True, f"{len(verdict.targets)} binaries and the extension show the decided configuration"


def build_one(build_class: BuildClass, verdict: Verdict, source_dir: Path, root: Path,
              running: _Running) -> BuildOutcome:
    name = build_class.representative.name
    build = root / name
    build.mkdir(parents=True, exist_ok=True)
    log_path = build / LOG_NAME
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["PYTHON"] = sys.executable
    native = not any(a.startswith("--cross-prefix=") for a in build_class.representative.args)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"# {name}: stands for {', '.join(m.name for m in build_class.members)}\n")
        if running.run([str(source_dir / "configure"), *build_class.representative.args], build, env, log):
            return BuildOutcome(name, False, "configure", "./configure failed", log_path)
        if running.run(["make"], build, env, log):
            return BuildOutcome(name, False, "build", "make failed", log_path)
        ok, detail = _smoke(build, verdict, native, running, env, log)
        log.write(f"# smoke test: {'ok' if ok else 'FAILED'}: {detail}\n")
    return BuildOutcome(name, ok, "done" if ok else "smoke", detail, log_path)


def build_classes(result: MatrixResult, request: "MatrixRequest", *, stdout: TextIO, stderr: TextIO) -> int:
    """Build every distinct build, at most ``request.jobs`` at once; 0 when all pass, 1 when one fails."""
    root = request.build_dir / "matrix"
    verdicts = {v.combination.name: v for v in result.verdicts}
    running = _Running()
    outcomes: list[BuildOutcome] = []
    stdout.write(f"\nbuilding {len(result.classes)} distinct builds in {root}, {request.jobs} at a time\n")
    pool = ThreadPoolExecutor(max_workers=request.jobs)
    try:
        futures = {pool.submit(build_one, c, verdicts[c.representative.name], request.source_dir, root, running): c
                   for c in result.classes}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            stdout.write(f"  {'ok    ' if outcome.ok else 'FAILED'} {outcome.name}: {outcome.detail}\n")
            stdout.flush()
    except KeyboardInterrupt:
        running.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        stderr.write(f"ERROR: interrupted: {len(outcomes)} of {len(result.classes)} builds finished, "
                     "the others were stopped\n")
        return 130
    pool.shutdown(wait=True)
    failed = [o for o in outcomes if not o.ok]
    stdout.write(f"{len(outcomes) - len(failed)} of {len(outcomes)} builds passed\n")
    for outcome in sorted(failed, key=lambda o: o.name):
        stdout.write(f"  {outcome.name} failed at {outcome.stage}: {outcome.detail}; see {outcome.log}\n")
    return 1 if failed else 0
