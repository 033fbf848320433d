"""Reliability campaign: a hostile machine.

A compiler that is missing or always fails, a source tree that is read-only, a build directory
whose file system fills up while configure writes, and a pkg-config search path full of malformed
and cyclic .pc files.  Each ends in success or in one ERROR line and exit 1 (never a traceback,
never a hang), and a failed re-configure leaves the build directory exactly as it was.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from campaign import assert_one_error, count
from e2e import REPO, configure_env, copy_source_tree, run_configure
from test_reliability_kill import engine_files

TIME_LIMIT = 120     # seconds: far more than any of these takes; reaching it is a hang


def configure(build: Path, *args: str, env: dict[str, str] | None = None,
              script: Path | None = None) -> subprocess.CompletedProcess[str]:
    build.mkdir(parents=True, exist_ok=True)
    count("hostile environment", "configures")
    return subprocess.run([str(script or REPO / "configure"), *args], cwd=build, capture_output=True, text=True,
                          timeout=TIME_LIMIT, env=configure_env(env))


def assert_refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    error = proc.stderr[proc.stderr.index("ERROR:"):]
    assert_one_error(error)
    for word in words:
        assert word in error, error


def everything(build: Path) -> dict[str, bytes]:
    """Every file of a build directory but the venv (which configure does not rewrite)."""
    return {str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*"))
            if p.is_file() and not p.is_symlink() and "pyvenv" not in p.relative_to(build).parts}


@pytest.mark.slow
@pytest.mark.parametrize("cc", ["/nonexistent/bin/cc", "false", "true"])
def test_a_compiler_that_is_missing_or_fails_is_one_error_and_changes_nothing(tmp_path: Path, cc: str) -> None:
    build = tmp_path / "build"
    run_configure(build, "--target-list=x86_64-softmmu")
    before = everything(build)
    proc = configure(build, "--target-list=x86_64-softmmu", f"--cc={cc}")
    assert_refused(proc, "compiler")
    assert everything(build) == before


def _bind_read_only(source: Path) -> None:
    mounted = subprocess.run(["mount", "--bind", str(source), str(source)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here ({mounted.stderr.strip()}): a read-only tree needs root")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(source)], check=True)


@pytest.mark.slow
def test_a_read_only_source_tree_configures_and_builds_out_of_tree(tmp_path: Path) -> None:
    source = copy_source_tree(tmp_path / "src")
    _bind_read_only(source)
    try:
        assert not os.access(source, os.W_OK) or subprocess.run(["touch", str(source / "x")]).returncode != 0
        build = tmp_path / "build"
        proc = configure(build, "--target-list=x86_64-softmmu", script=source / "configure")
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        make = subprocess.run(["make", "-C", str(build)], capture_output=True, text=True, timeout=900,
                              env=configure_env())
        assert make.returncode == 0, make.stdout[-2000:] + make.stderr[-2000:]
        # In the tree itself there is nowhere to build: one error, saying what to do.
        assert_refused(configure(source, "--target-list=x86_64-softmmu", script=source / "configure"), "build")
    finally:
        subprocess.run(["umount", str(source)], check=False)


@pytest.mark.slow
def test_a_full_disk_while_writing_leaves_the_build_directory_as_it_was(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): a full disk needs root")
    try:
        build = disk / "build"
        run_configure(build, "--target-list=x86_64-softmmu", "--with-pkgversion=before")
        before = everything(build)
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as handle:       # fill the file system to its last byte
            try:
                while True:
                    handle.write(b"\0" * 65536)
            except OSError:
                pass
            try:
                while True:
                    handle.write(b"\0")
            except OSError:
                pass
        proc = configure(build, "--target-list=x86_64-softmmu", "--with-pkgversion=after")
        assert_refused(proc, "No space left on device", "as it was")
        assert everything(build) == before
        filler.unlink()
        proc = configure(build, "--target-list=x86_64-softmmu", "--with-pkgversion=after")
        assert proc.returncode == 0, proc.stderr
        assert b"after" in (build / "config-host.h").read_bytes()
        assert not list(build.rglob(".*.tmp"))
    finally:
        subprocess.run(["umount", str(disk)], check=False)


BROKEN_PC = {
    # cycles: pixman-1 needs a, a needs pixman-1; glib-2.0 needs itself
    "pixman-1.pc": "Name: pixman\nDescription: d\nVersion: 0.42.2\nRequires: cyc-a\nLibs: -lpixman-1\n",
    "cyc-a.pc": "Name: a\nDescription: d\nVersion: 1\nRequires: pixman-1\n",
    "glib-2.0.pc": "Name: glib\nDescription: d\nVersion: 2.74.0\nRequires: glib-2.0\n",
    # malformed: no Name, a bad version, a variable that expands into itself, garbage
    "libkeyutils.pc": "Description: d\nVersion: 1.6\n",
    "virglrenderer.pc": "Name: v\nDescription: d\nVersion: >=\nCflags: '\n",
    "libbpf.pc": "x=${x}${x}\nName: b\nDescription: d\nVersion: ${x}\n",
    "libxdp.pc": "\x00\x01\x02 not a pc file \xff\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("asked", [(), ("--enable-pixman",)])
def test_malformed_and_cyclic_pc_files_end_in_success_or_one_error(tmp_path: Path, asked: tuple[str, ...]) -> None:
    pcdir = tmp_path / "pc"
    pcdir.mkdir()
    for name, text in BROKEN_PC.items():
        (pcdir / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    for index in range(200):        # and many more that nothing asks for
        (pcdir / f"junk{index}.pc").write_text(f"Requires: junk{(index + 1) % 200}\n")
    proc = configure(tmp_path / "build", "--target-list=x86_64-softmmu", *asked,
                     env={"PKG_CONFIG_PATH": str(pcdir), "PKG_CONFIG_LIBDIR": str(pcdir)})
    # pkg-config breaks the cycles itself (pkgconf does), so pixman may well be found: then it is used
    if not asked:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    elif proc.returncode != 0:
        assert_refused(proc, "pixman")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


