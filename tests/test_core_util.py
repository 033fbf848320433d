"""The core's util pieces, built for real: relocation, getloadavg, the object pool, osdep.h's fortify rule."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e import REPO, run

pytestmark = pytest.mark.slow


def extension(build_dir: Path, expr: str) -> str:
    out = run([sys.executable, "-c", f"import sys; sys.path.insert(0, sys.argv[1]); import qemu_core; print({expr})",
               str(build_dir)])
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def install_and_move(build_dir: Path, tmp: Path) -> Path:
    dest = tmp / "dest"
    proc = run(["meson", "install", "--no-rebuild", "-C", str(build_dir), "--destdir", str(dest)]) \
        if shutil.which("meson") else run([sys.executable, "-m", "mesonbuild.mesonmain", "install", "--no-rebuild",
                                           "-C", str(build_dir), "--destdir", str(dest)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    moved = tmp / "moved"
    shutil.move(str(dest / "opt" / "q"), str(moved))
    return moved


def test_relocatable_install_finds_its_data_where_it_was_moved(core_on: Path, tmp_path: Path) -> None:
    moved = install_and_move(core_on, tmp_path)
    out = run([str(moved / "bin" / "qemu-system-x86_64"), "-L", "help"])
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == f"{moved}/bin/../share/qemu"
    assert all(line.startswith(str(moved)) for line in lines)


def test_a_binary_beside_a_qemu_bundle_finds_its_data_there(core_on: Path, tmp_path: Path) -> None:
    """As QEMU's get_relocated_path(): <exec_dir>/qemu-bundle<dir>, when that directory is there."""
    shutil.copy2(core_on / "qemu-system-x86_64", tmp_path / "qemu-system-x86_64")
    (tmp_path / "qemu-bundle").mkdir()
    out = run([str(tmp_path / "qemu-system-x86_64"), "-L", "help"])
    assert out.stdout.splitlines() == [f"{tmp_path}/qemu-bundle/opt/q/share/qemu-firmware",
                                       f"{tmp_path}/qemu-bundle/opt/q/share/qemu"]


def test_non_relocatable_install_uses_the_configured_paths(core_off: Path, tmp_path: Path) -> None:
    moved = install_and_move(core_off, tmp_path)
    out = run([str(moved / "bin" / "qemu-system-x86_64"), "-L", "help"])
    assert out.stdout.splitlines() == ["/opt/q/share/qemu-firmware", "/opt/q/share/qemu"]


def test_accel_help_answers_from_what_was_compiled(core_on: Path) -> None:
    b = core_on
    assert run([str(b / "qemu-system-x86_64"), "-accel", "help"]).stdout.split()[-2:] == ["kvm", "tcg"]
    assert run([str(b / "qemu-system-aarch64"), "-accel", "help"]).stdout.split()[-1:] == ["tcg"]
    assert "kvm" not in run([str(b / "qemu-system-aarch64"), "-accel", "help"]).stdout.split()


def test_object_pool_follows_coroutine_pool(core_on: Path, core_off: Path) -> None:
    assert extension(core_on, "qemu_core.pool_cycles(1000)") == "1"
    assert extension(core_off, "qemu_core.pool_cycles(1000)") == "1000"   # --disable-coroutine-pool


def _compile_and_run(tmp: Path, header_dir: Path, extra: list[str]) -> subprocess.CompletedProcess[str]:
    main = tmp / "main.c"
    main.write_text('#include "qemu/osdep.h"\n#include "qemu/cutils.h"\n'
                    'int main(void) { double a[3]; printf("%d\\n", qemu_getloadavg(a, 3)); return 0; }\n')
    exe = tmp / "loadavg"
    cmd = ["cc", *extra, "-I", str(header_dir), "-I", str(REPO / "core" / "include"),
           str(main), str(REPO / "core" / "util" / "cutils.c"), "-o", str(exe)]
    proc = run(cmd)
    if proc.returncode != 0:
        return proc
    return run([str(exe)])


def test_getloadavg_and_its_fallback(core_on: Path, tmp_path: Path) -> None:
    b = core_on
    assert extension(b, "qemu_core.getloadavg() is not None") == "True"
    # The host has getloadavg; compile the wrapper as for a host without it: it must answer -1.
    headers = tmp_path / "no-getloadavg"
    headers.mkdir()
    text = (b / "config-host.h").read_text().replace("#define CONFIG_GETLOADAVG\n", "#undef CONFIG_GETLOADAVG\n")
    (headers / "config-host.h").write_text(text)
    (headers / "config-poison.h").write_text("")
    assert _compile_and_run(tmp_path, headers, ["-O2"]).stdout.strip() == "-1"
    (headers / "config-host.h").write_text((b / "config-host.h").read_text())
    assert _compile_and_run(tmp_path, headers, ["-O2"]).stdout.strip() == "3"


def test_osdep_fortifies_only_optimised_builds(core_on: Path, tmp_path: Path) -> None:
    b = core_on
    headers = tmp_path / "h"
    headers.mkdir()
    (headers / "config-host.h").write_text((b / "config-host.h").read_text())
    (headers / "config-poison.h").write_text("")
    probe = tmp_path / "fortify.c"
    probe.write_text('#include "qemu/osdep.h"\n'
                     "#ifdef _FORTIFY_SOURCE\nint main(void) { printf(\"%d\\n\", _FORTIFY_SOURCE); return 0; }\n"
                     "#else\nint main(void) { printf(\"off\\n\"); return 0; }\n#endif\n")

    def fortify(*flags: str) -> str:
        exe = tmp_path / "fortify"
        proc = run(["cc", *flags, "-Wall", "-Werror", "-I", str(headers), "-I", str(REPO / "core" / "include"),
                    str(probe), "-o", str(exe)])
        assert proc.returncode == 0, proc.stderr     # -O0 -Werror included: osdep.h compiles cleanly
        return run([str(exe)]).stdout.strip()

    assert fortify("-O0") == "off"
    assert fortify("-O2") == "2"
    assert fortify("-O2", "-D_FORTIFY_SOURCE=1") == "1"   # the user's definition wins
