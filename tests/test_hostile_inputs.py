"""Reproducers of issue 16 (reliability defects found with hostile inputs) and of issue 14's
"no shell sees a user string" and "a compiler that hangs".

Each runs the real ./configure (or the part of the engine the input reaches) on real parts: gcc,
pkg-config, .pc files in a temporary PKG_CONFIG_LIBDIR, wrapper scripts that hang.  Each ends in
success with the right output, or in one ``ERROR:`` line and exit 1 with the build directory as it
was, within seconds: never an internal error, a traceback or a hang.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from campaign import assert_one_error
from e2e import REPO, configure_env, run_configure
from test_reliability_environment import everything
from test_reliability_fuzz import c_strings
from qemu_config.limits import UNSAFE_PATH_CHARACTERS

TARGET = "--target-list=x86_64-softmmu"
TIME_LIMIT = 60          # seconds: every reproducer ends far sooner; reaching it is a hang


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One configured build directory that the refused runs must leave as it is."""
    directory = tmp_path_factory.mktemp("hostile") / "build"
    run_configure(directory, TARGET)
    return directory


def configure(build: Path, *args: str, env: dict[str, str] | None = None,
              timeout: float = TIME_LIMIT) -> subprocess.CompletedProcess[bytes]:
    """The real ./configure in ``build``; output kept as bytes (a hostile value need not be text)."""
    return subprocess.run([str(REPO / "configure"), TARGET, *args], cwd=build, capture_output=True,
                          timeout=timeout, env=configure_env(env))


def assert_refused(build: Path, *args: str, words: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
    """configure with ``args`` is one ERROR (naming ``words``) and exit 1, and leaves ``build`` as it was."""
    before = everything(build)
    proc = configure(build, *args, env=env)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, proc.stdout.decode("utf-8", "replace")[-2000:] + stderr[-2000:]
    assert "Traceback" not in stderr, stderr
    error = stderr[stderr.index("ERROR:"):]
    assert_one_error(error)
    for word in words:
        assert word in error, error
    assert everything(build) == before
    return error


# --- 1. C strings --------------------------------------------------------------------------------

STRING_CASES = {
    "--with-pkgversion": ("a\nb", "QEMU_PKGVERSION", " (a\nb)"),
    "--bindir": ("\n", "CONFIG_BINDIR", "/opt/q/\n"),
    "--prefix": ('/opt/a"b', "CONFIG_PREFIX", '/opt/a"b'),
    "--datadir": ("d\\n??=\t\x01é", "CONFIG_QEMU_DATADIR", "/opt/q/d\\n??=\t\x01é/qemu"),
}


def test_every_string_reaches_c_as_exactly_the_literal_given(build: Path, tmp_path: Path) -> None:
    for option, (value, symbol, expected) in STRING_CASES.items():
        prefix = () if option == "--prefix" else ("--prefix=/opt/q",)
        proc = configure(build, *prefix, f"{option}={value}", '--firmwarepath=/fw", "/injected:two')
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        seen = c_strings(build / "config-host.h", [symbol], tmp_path)
        assert (symbol, expected.encode()) in seen, seen
        firmware = [v for name, v in seen if name == "CONFIG_QEMU_FIRMWAREPATH"]
        root = value if option == "--prefix" else "/opt/q"
        assert firmware == [b'/fw", "/injected', f"{root}/two".encode()], firmware


# --- 2. bytes that are not UTF-8 -----------------------------------------------------------------

@pytest.mark.parametrize("args, env, word", [
    ((b"--with-pkgversion=\xff",), {}, "--with-pkgversion"),
    ((b"--extra-cflags=\xfe",), {}, "--extra-cflags"),
    ((), {"PKG_CONFIG_PATH": b"/x\xff"}, "PKG_CONFIG_PATH"),
])
def test_bytes_that_are_not_utf8_are_one_error(build: Path, args: tuple[bytes, ...], env: dict[str, bytes],
                                               word: str) -> None:
    decoded = {k: os.fsdecode(v) for k, v in env.items()}
    error = assert_refused(build, *(os.fsdecode(a) for a in args), words=(word, "UTF-8"), env=decoded)
    assert "0x" in error


# --- 3. compiler words and names too long --------------------------------------------------------

@pytest.mark.parametrize("args, env, words", [
    (("--cc=\"",), {}, ("--cc", "quote")),
    ((), {"CC": 'gcc "x'}, ("CC", "quote")),
    (("--cc= ",), {}, ("--cc", "no program")),
    (("--host-cc='",), {}, ("--host-cc",)),
    (("--with-devices-x86_64=" + "a" * 256,), {}, ("--with-devices-x86_64",)),
])
def test_bad_compiler_words_and_long_names_are_one_error(build: Path, args: tuple[str, ...], env: dict[str, str],
                                                         words: tuple[str, ...]) -> None:
    assert_refused(build, *args, words=words, env=env)


# --- 10. nonsense that was accepted --------------------------------------------------------------

@pytest.mark.parametrize("arg, words", [
    ("--with-devices-X86_64=../default", ("X86_64", "x86_64")),
    ("--with-devices-x86_64=../default", ("../default",)),
    ("--with-devices-nosuch=default", ("nosuch",)),
])
def test_device_sets_must_name_an_architecture_and_a_file(build: Path, arg: str, words: tuple[str, ...]) -> None:
    assert_refused(build, arg, words=words)


# --- 5. meson_options.txt nested too deeply, or not UTF-8 ----------------------------------------

def _option_file_error(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "meson_options.txt"
    path.write_bytes(data)
    proc = subprocess.run([sys.executable, "-m", "qemu_config.buildoptions", str(path)], capture_output=True,
                          text=True, timeout=TIME_LIMIT, cwd=REPO)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert_one_error(proc.stderr)
    return proc.stderr


@pytest.mark.parametrize("text, words", [
    ("option('a', type: 'boolean', value: true)\noption('x', type: 'array', value: " + "[" * 90 + "]" * 90 + ")\n",
     (":2:", "nested more than")),
    ("option('x', type: 'integer', value: " + "-" * 5000 + "1)\n", (":1:", "nested too deeply")),
    ("option('x', type: 'string', value: 'a'" + " + 'a'" * 5000 + ")\n", (":1:", "nested too deeply")),
])
def test_option_files_nested_too_deeply_are_one_error_with_a_line(tmp_path: Path, text: str,
                                                                  words: tuple[str, ...]) -> None:
    error = _option_file_error(tmp_path, text.encode())
    for word in words:
        assert word in error, error


def test_an_option_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    error = _option_file_error(tmp_path, b"option('a', type: 'boolean', value: true)\n# \xff\n")
    assert "meson_options.txt:2:" in error and "0xff" in error, error


# --- 6. Kconfig sources that are not files, or too big -------------------------------------------

@pytest.mark.parametrize("source", ["/dev/zero", "fifo.kc", "big.kc", "directory"])
def test_kconfig_sources_that_are_not_regular_files_or_too_big_are_one_error(tmp_path: Path, source: str) -> None:
    os.mkfifo(tmp_path / "fifo.kc")
    (tmp_path / "directory").mkdir()
    with open(tmp_path / "big.kc", "wb") as big:
        big.truncate(5 * 1024 * 1024)
    (tmp_path / "Kconfig").write_text(f"config A\n    bool\nsource {source}\n")
    (tmp_path / "default.mak").write_text("CONFIG_A=y\n")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "qemu_config.minikconf", "out", "out.d", "default.mak", "Kconfig"],
                          capture_output=True, text=True, timeout=TIME_LIMIT, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=_limit_memory)
    assert time.monotonic() - started < 10
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert_one_error(proc.stderr)
    assert source in proc.stderr and "Kconfig:3" in proc.stderr, proc.stderr


def _limit_memory() -> None:
    """1 GiB of address space: a reader that grows without bound fails instead of taking the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


# --- 9. versions with thousands of digits --------------------------------------------------------

def test_a_pc_version_of_thousands_of_digits_is_compared_not_refused(tmp_path: Path) -> None:
    from qemu_config import pkgconfig

    tool = pkgconfig.find_pkg_config(None, os.environ)
    if tool is None:
        pytest.skip("no pkg-config on PATH: install pkgconf")
    (tmp_path / "big.pc").write_text(f"Name: big\nDescription: d\nVersion: 1.{'9' * 5000}\n")
    environ = {"PATH": os.environ["PATH"], "PKG_CONFIG_LIBDIR": str(tmp_path)}
    assert pkgconfig.lookup(tool, "big", [">=1.2"], environ=environ).status == "found"
    assert pkgconfig.lookup(tool, "big", [f">=1.{'9' * 4999}8"], environ=environ).status == "found"
    assert pkgconfig.lookup(tool, "big", [f">=2.{'0' * 5000}"], environ=environ).status == "too-old"
    assert pkgconfig.version_compare("1.0" + "0" * 5000 + "7", ">=1.7")


# --- 8. programs that hang -----------------------------------------------------------------------

HANG_LIMIT = 15          # seconds: a hang must be stopped after the (test's) timeout, not after minutes


def wrapper(directory: Path, name: str, hang_when: str, then: str) -> Path:
    """A real program that hangs (sleeps, in a child, as a wrapper script's tool would) when its arguments
    match the shell pattern ``hang_when``, and otherwise runs ``then`` with them."""
    path = directory / name
    path.write_text(f'#!/bin/sh\ncase " $* " in\n  {hang_when}) sleep 600 ;;\nesac\nexec {then} "$@"\n')
    path.chmod(0o755)
    return path


def assert_stopped(build: Path, *args: str, env: dict[str, str], words: tuple[str, ...]) -> str:
    started = time.monotonic()
    error = assert_refused(build, "--no-cache", *args, words=words, env=env)
    assert time.monotonic() - started < HANG_LIMIT, error
    assert "QEMU_CONFIG_TIMEOUTS" in error, error
    return error


def test_a_compiler_that_hangs_in_a_probe_is_stopped_and_the_probe_named(build: Path, tmp_path: Path) -> None:
    cc = wrapper(tmp_path, "cc-hangs-on-flags", "*-Wvla*", "gcc")
    assert_stopped(build, f"--cc={cc}", env={"QEMU_CONFIG_TIMEOUTS": "compiler=2"},
                   words=("supported compiler flags", "2 s", "compiler"))


def test_a_compiler_that_always_hangs_is_stopped_at_its_first_question(build: Path, tmp_path: Path) -> None:
    cc = wrapper(tmp_path, "cc-hangs", "*", "gcc")
    assert_stopped(build, f"--cc={cc}", env={"QEMU_CONFIG_TIMEOUTS": "pkg-config=5,compiler=1"},
                   words=(str(cc), "the compiler's version", "1 s"))


def test_a_pkg_config_that_hangs_is_stopped_and_named(build: Path, tmp_path: Path) -> None:
    pkg_config = wrapper(tmp_path, "pkg-config-hangs", "*", "pkg-config")
    assert_stopped(build, env={"PKG_CONFIG": str(pkg_config), "QEMU_CONFIG_TIMEOUTS": "pkg-config=1"},
                   words=(str(pkg_config), "1 s"))


def test_meson_setup_that_hangs_is_stopped_and_the_build_directory_kept(build: Path, tmp_path: Path) -> None:
    # gcc answers the engine; only meson's own compiler sanity check hangs, so only meson setup does.
    cc = wrapper(tmp_path, "cc-hangs-in-meson", "*sanity_check_for_c*", "gcc")
    assert_stopped(build, f"--cc={cc}", env={"QEMU_CONFIG_TIMEOUTS": "meson setup=3"},
                   words=("meson", "3 s"))
    make = subprocess.run(["make", "-C", str(build)], capture_output=True, text=True, timeout=600,
                          env=configure_env())
    assert make.returncode == 0, make.stdout[-2000:] + make.stderr[-2000:]


def test_configure_terminated_while_a_compiler_hangs_stops_the_compiler_too(tmp_path: Path) -> None:
    # Each program runs in a process group of its own (so that a hanging one goes with its children),
    # which a SIGTERM to configure's group (a cancelled CI job, matrix --build stopping a build) does not
    # reach: configure must stop them itself before it ends.
    cc = wrapper(tmp_path, "cc-hangs-on-flags", "*-Wvla*", "gcc")
    build = tmp_path / "build"
    build.mkdir()
    proc = subprocess.Popen([str(REPO / "configure"), TARGET, "--no-cache", f"--cc={cc}"], cwd=build,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=configure_env())
    deadline = time.monotonic() + TIME_LIMIT
    hanging = (str(cc), "-Wvla")        # the compiler's command line (configure's own names cc too)
    while time.monotonic() < deadline and not _running(*hanging):
        time.sleep(0.05)
    assert _running(*hanging), "the compiler never got to hang"
    proc.terminate()
    assert proc.wait(timeout=TIME_LIMIT) == -signal.SIGTERM
    time.sleep(0.5)
    assert _running(*hanging) == [], "configure ended and left the compiler running"


def _running(*words: str) -> list[str]:
    """The processes whose command line holds all of ``words``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.name.isdigit() and all(word in command for word in words):
            found.append(f"{entry.name} {command[:100]}")
    return found


def test_nested_pc_variables_are_expanded_in_linear_time(tmp_path: Path) -> None:
    from qemu_config import pkgconfig

    lines = ["x0=a"] + [f"x{i}=${{x{i - 1}}}${{x{i - 1}}}${{x{i - 1}}}" for i in range(1, 60)]
    (tmp_path / "deep.pc").write_text("\n".join(lines) + "\nName: deep\nDescription: d\nVersion: 1\n"
                                      "Requires: ${x59}\n")
    started = time.monotonic()
    assert pkgconfig._required_packages(str(tmp_path / "deep.pc"))
    assert time.monotonic() - started < 2


# --- 4. paths that the scripts configure writes cannot hold ---------------------------------------

@pytest.mark.parametrize("char", sorted(UNSAFE_PATH_CHARACTERS), ids=lambda c: f"0x{ord(c):02x}")
def test_a_build_directory_whose_path_breaks_scripts_is_refused_before_anything_is_written(tmp_path: Path,
                                                                                           char: str) -> None:
    build = tmp_path / f"build{char}dir"
    build.mkdir()
    proc = subprocess.run([str(REPO / "configure"), TARGET], cwd=build, capture_output=True, text=True,
                          timeout=TIME_LIMIT, env=configure_env())
    assert proc.returncode == 1, proc.stdout[-1000:] + proc.stderr[-1000:]
    assert_one_error(proc.stderr)
    assert "build directory" in proc.stderr
    assert list(build.iterdir()) == []


@pytest.mark.slow
def test_a_build_directory_whose_path_is_unicode_configures_builds_and_replays(tmp_path: Path) -> None:
    # Not every unusual character is refused: non-ASCII letters break no script, so they are kept,
    # written into config-host.h, the Makefile and config.status, and used by meson and make.
    build = tmp_path / "bûild-日本-é"
    build.mkdir()
    run_configure(build, TARGET)
    assert f"PYTHON='{build}/pyvenv/bin/python3'" in (build / "config-host.mak").read_text()   # quoted
    make = subprocess.run(["make", "-C", str(build)], capture_output=True, text=True, timeout=900,
                          env=configure_env())
    assert make.returncode == 0, make.stdout[-2000:] + make.stderr[-2000:]
    assert (build / "qemu-system-x86_64").exists()
    replay = subprocess.run(["./config.status"], cwd=build, capture_output=True, text=True, timeout=TIME_LIMIT,
                            env=configure_env())
    assert replay.returncode == 0 and "Traceback" not in replay.stderr, replay.stderr[-2000:]


def test_the_engine_refuses_such_a_path_too(tmp_path: Path) -> None:
    from qemu_config.configure import configure as run_engine
    from qemu_config.errors import UserError

    build = tmp_path / "a:b"
    build.mkdir()
    with pytest.raises(UserError) as refused:
        run_engine([TARGET], source_dir=REPO, build_dir=build)
    assert_one_error(refused.value.render())
    assert list(build.iterdir()) == []


# --- 10. a --ninja that cannot be used ------------------------------------------------------------

@pytest.mark.parametrize("ninja", ["/nonexistent/ninja", "", "/bin/true", "no-such-ninja-program"])
def test_an_unusable_ninja_is_one_error_not_replaced(build: Path, ninja: str) -> None:
    assert_refused(build, f"--ninja={ninja}", words=("--ninja", "ninja-build"))


# --- issue 14: no shell sees a user string --------------------------------------------------------

HOSTILE_NAME = "h$(touch PWNED1)`touch PWNED2`;touch PWNED3 #x'q\"z$$w&|<>"


def test_hostile_values_are_replayed_exactly_by_make_and_config_status_and_run_nothing(tmp_path: Path) -> None:
    tools = tmp_path / HOSTILE_NAME
    tools.mkdir()
    ninja = subprocess.run(["sh", "-c", "command -v ninja"], capture_output=True, text=True).stdout.strip()
    gdb = subprocess.run(["sh", "-c", "command -v gdb"], capture_output=True, text=True).stdout.strip()
    if not ninja or not gdb:
        pytest.skip("needs ninja and gdb on PATH (Debian: apt-get install ninja-build gdb)")
    (tools / "ninja").symlink_to(ninja)
    (tools / "gdb").symlink_to(gdb)
    build = tmp_path / "build"
    args = [f"--ninja={tools}/ninja", f"--gdb={tools}/gdb", f"--with-pkgversion={HOSTILE_NAME}",
            f"--prefix=/opt/{HOSTILE_NAME.replace('$$', '')}", "--extra-cflags=-DHOSTILE=$(touch${IFS}PWNED4)"]
    run_configure(build, TARGET, *args, env={"CFLAGS": "-O2 '-DQ=`touch PWNED5`'"})
    header = (build / "config-host.h").read_bytes()

    (build / "show.mk").write_text("include config-host.mak\nshow:\n\t@printf '%s\\n' $(GDB) $(NINJA)\n")
    shown = subprocess.run(["make", "-s", "-f", "show.mk", "show"], cwd=build, capture_output=True, text=True,
                           timeout=TIME_LIMIT, env=configure_env())
    assert shown.stdout.splitlines() == [f"{tools}/gdb", f"{tools}/ninja"], shown.stdout + shown.stderr

    make = subprocess.run(["make"], cwd=build, capture_output=True, text=True, timeout=900, env=configure_env())
    assert make.returncode == 0, make.stdout[-2000:] + make.stderr[-2000:]
    status = subprocess.run(["./config.status"], cwd=build, capture_output=True, text=True, timeout=TIME_LIMIT,
                            env=configure_env())
    assert status.returncode == 0, status.stdout[-2000:] + status.stderr[-2000:]
    assert (build / "config-host.h").read_bytes() == header
    assert "# Configured with: " in (build / "config.log").read_text()
    seen = c_strings(build / "config-host.h", ["QEMU_PKGVERSION", "CONFIG_PREFIX"], tmp_path)
    assert ("QEMU_PKGVERSION", f" ({HOSTILE_NAME})".encode()) in seen
    assert ("CONFIG_PREFIX", f"/opt/{HOSTILE_NAME.replace('$$', '')}".encode()) in seen
    assert not [p for p in tmp_path.rglob("PWNED*")] and not list(REPO.glob("PWNED*"))


# --- 2. compiler output that is not UTF-8 ---------------------------------------------------------

def test_compiler_output_that_is_not_utf8_is_read(build: Path, tmp_path: Path) -> None:
    # Only to the engine's own runs (its checks, its sanity check, its -v -dM): meson, which is not
    # ours, decodes a compiler's output strictly and fails on such bytes in its own sanity check.
    cc = tmp_path / "cc-says-bytes"
    cc.write_text("#!/bin/sh\ncase \" $* \" in *qemu-config-probe-*|*qemu-conf.c*|*' -v -dM '*)\n"
                  "    printf 'warning: \\376\\377 bytes\\n' >&2 ;;\nesac\nexec gcc \"$@\"\n")
    cc.chmod(0o755)
    proc = configure(build, f"--cc={cc}", "--no-cache")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    assert "warning: \ufffd\ufffd bytes" in (build / "config.log").read_text()
    run_configure(build, TARGET)        # back to the fixture's configuration


# --- 7. probe cache entries of the wrong shape -----------------------------------------------------

@pytest.mark.parametrize("damage", [
    lambda entry: {**entry, "ok": "false"},
    lambda entry: {k: v for k, v in entry.items() if k != "status"},
    lambda entry: {k: v for k, v in entry.items() if k != "ok"},
    lambda entry: {**entry, "cflags": 7},
    lambda entry: {**entry, "macros": ["not", "a", "mapping"]},
    lambda entry: {**entry, "dirs": "/usr/include"},
], ids=["ok is a string", "status missing", "ok missing", "cflags a number", "macros a list", "dirs a string"])
def test_cache_entries_of_the_wrong_shape_are_misses(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    build = tmp_path / "build"
    run_configure(build, TARGET, env={"XDG_CACHE_HOME": str(cache)})
    clean = {name: (build / name).read_bytes() for name in ("config-host.h", "qemu-config-build.mak")}
    entries = sorted(cache.rglob("probes/*/*.json"))
    for path in entries:
        entry = json.loads(path.read_text())
        if isinstance(entry, dict) and entry:
            path.write_text(json.dumps(damage(entry)))
    proc = run_configure(build, TARGET, "--with-pkgversion=again", env={"XDG_CACHE_HOME": str(cache)})
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    run_configure(build, TARGET, env={"XDG_CACHE_HOME": str(cache)})
    assert {name: (build / name).read_bytes() for name in clean} == clean
    log = (build / "config.log").read_text()
    assert "(cached)" in log


@pytest.mark.parametrize("setting", ["compiler=abc", "compiler", "nosuch=3", "pkg-config=-1", "compiler=1e9"])
def test_a_malformed_timeout_setting_is_one_error(build: Path, setting: str) -> None:
    assert_refused(build, env={"QEMU_CONFIG_TIMEOUTS": setting}, words=("QEMU_CONFIG_TIMEOUTS", "KIND=SECONDS"))
