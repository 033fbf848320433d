"""Running other programs: the one runner every subprocess call of the engine goes through (but the
builds of ``qemu-config matrix --build``, which take as long as a build takes and stop on Ctrl-C).

Owns how long each kind of program may take (:data:`TIMEOUTS`, overridable with
``QEMU_CONFIG_TIMEOUTS``), how a program that runs over its time is stopped (its
whole process group, so a wrapper script's children go too), and how its
output is read (text, a byte that is not UTF-8 replaced, never a decoding
error).  A program that runs over its time is one :class:`ProcessTimeout` (a
UserError) naming the program, what it was asked, the limit and how to raise
it.  No shell ever runs here: arguments are passed as a list.
Standard library only (the bootstrap uses it before anything is installed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from typing import Mapping, Sequence

from .errors import UserError

# Seconds each kind of program may run.  A real answer takes a fraction of that; a program that
# takes longer hangs (a broken compiler wrapper, a pkg-config waiting on a network file system).
TIMEOUTS: Mapping[str, float] = {
    "compiler": 60,          # one compile, link or preprocessor run of a check
    "pkg-config": 10,        # one pkg-config query
    "gdb": 30,               # gdb --version, gdb's architectures
    "program": 30,           # PROG --version of a program a probe looks for
    "python": 60,            # asking an interpreter (--python) which one it is, ensurepip
    "meson": 60,             # meson --version, meson introspect of its builtin options
    "meson setup": 120,      # meson setup of the build directory
    "ninja": 30,             # ninja --version
    "emulator": 60,          # a built binary's --build-config (qemu-config matrix --build)
    "pip": 900,              # pip installing the engine's packages (downloads)
}

# "KIND=SECONDS,KIND=SECONDS": other limits for some kinds (tests give a hanging program a second).
OVERRIDE_VARIABLE = "QEMU_CONFIG_TIMEOUTS"


class ProcessTimeout(UserError):
    """A program that ran longer than its kind may."""


class Stopped(BaseException):
    """The engine is being stopped (Ctrl-C, SIGTERM): a program's answer is not an answer.

    A BaseException, so that no probe takes the killed program's exit status for a failed check (and
    caches it) on the way out."""


# The process groups of the programs running now: each program runs in a group of its own (so that a
# hanging one goes with whatever it started), so a signal to the engine's group does not reach them,
# and the engine stops them itself when it is stopped.
_RUNNING: set[int] = set()
_RUNNING_LOCK = threading.Lock()
_stopping = False


def stop_running() -> None:
    """Kill every program the engine is running now, with whatever each started; run() then raises Stopped."""
    global _stopping
    with _RUNNING_LOCK:
        _stopping = True
        groups = list(_RUNNING)
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass


def started(group: int) -> bool:
    """Note a program started in a group of its own, for stop_running(); False if the engine is stopping."""
    with _RUNNING_LOCK:
        _RUNNING.add(group)
        return not _stopping


def ended(group: int) -> bool:
    """The program of ``group`` has ended; False if the engine was being stopped meanwhile."""
    with _RUNNING_LOCK:
        _RUNNING.discard(group)
        return not _stopping


def stop_on_termination() -> None:
    """On SIGTERM or SIGHUP (a cancelled CI job, a closed terminal), stop the programs running, then end
    as the signal ends a process.  Called at the start of a command; outside the main thread (a command
    run in-process by a test's thread) signals cannot be handled and nothing is installed."""
    global _stopping
    with _RUNNING_LOCK:
        _stopping = False
    if threading.current_thread() is not threading.main_thread():
        return

    def terminate(signum: int, _frame: object) -> None:
        stop_running()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, terminate)


def timeout_for(kind: str, environ: Mapping[str, str] | None = None) -> float:
    """The limit of ``kind``: :data:`TIMEOUTS`, or what ``QEMU_CONFIG_TIMEOUTS`` sets for it.

    A setting that is not ``KIND=SECONDS,...`` with known kinds and positive seconds is a UserError."""
    text = (os.environ if environ is None else environ).get(OVERRIDE_VARIABLE, "")
    limits = dict(TIMEOUTS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, seconds = item.partition("=")
        try:
            value = float(seconds) if sep else 0.0
        except ValueError:
            value = 0.0
        if name.strip() not in TIMEOUTS or not 0 < value < 1e6:
            raise UserError(f"{OVERRIDE_VARIABLE}: {item!r} is not KIND=SECONDS",
                            "KIND is one of: " + ", ".join(TIMEOUTS) + "; SECONDS a positive number",
                            f"for example {OVERRIDE_VARIABLE}='compiler=300,meson setup=600'")
        limits[name.strip()] = value
    return limits[kind]


def run(kind: str, argv: Sequence[str], *, what: str, input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (no shell) and return its exit status and output, as text.

    Standard input is ``input`` (or nothing: /dev/null).  ``what`` says in a few words what the
    program was asked ("the C compiler's predefined macros"), for the error of a program that runs
    over its :func:`timeout_for` ``kind``: then its process group is killed and ProcessTimeout is
    raised.  OSError (no such program, not executable) is the caller's to report.
    """
    limit = timeout_for(kind)
    with subprocess.Popen(list(argv), stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=None if env is None else dict(env), cwd=cwd, text=True, errors="replace",
                          start_new_session=True) as proc:
        try:
            if not started(proc.pid):
                _kill_group(proc)
            stdout, stderr = proc.communicate(input, timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            raise ProcessTimeout(
                f"{argv[0]} did not finish within {limit:g} s ({what})",
                f"the limit of a {kind} run; the command: {' '.join(argv)[:300]}",
                f"a program that hangs is a broken tool: fix or replace it, or allow it more time "
                f"with {OVERRIDE_VARIABLE}='{kind}=SECONDS'") from None
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            answered = ended(proc.pid)
    if not answered:
        raise Stopped(argv[0])
    return subprocess.CompletedProcess(list(argv), proc.returncode, stdout, stderr)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill the program and whatever it started (a shell script's sleep keeps the pipes open otherwise)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
