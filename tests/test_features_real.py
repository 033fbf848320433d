"""Features decided in this process from real probes: the installed Debian packages, and the stand-ins
fakelibs.py builds (missing, too old, not packaged by Debian).

decide() runs with the real MachineProber: pkg-config, the compiler, the linker and gdb answer for
real, through the tests' probe cache, with no venv, no configure process and no meson.  What the
decisions do with any answer is tested from recorded answers in test_decide.py; what only a whole
configure shows, in the *_e2e.py modules.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Mapping

import pytest

from e2e import configure_env, run
from fakelibs import old_glib, old_libfdt, rutabaga, write_pc
from qemu_config.cache import ProbeCache
from qemu_config.configure import probe_cache
from qemu_config.errors import UserError
from qemu_config.host import host_from_macros
from qemu_config.model import Configuration
from qemu_config.probes import LinkProbe, MachineProber, ProbeContext, ProbeRunner, probe_lines
from qemu_config.rules import FEATURES
from qemu_config.toolchain import select_toolchain
from recorded import LINUX_X86_64, Decider

pytestmark = pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config not installed")


def on_this_machine(decider: Decider, argv: list[str], extra: Mapping[str, str] | None = None) -> Configuration:
    """Decide ``argv`` as configure would on this machine (``extra`` added to the environment)."""
    environ = configure_env(extra)
    prober = MachineProber(environ, probe_cache(decider.request(argv), environ))
    return decider.decide(argv, prober, environ=environ)


def refused(decider: Decider, argv: list[str], extra: Mapping[str, str] | None = None) -> list[str]:
    with pytest.raises(UserError) as info:
        on_this_machine(decider, argv, extra)
    return info.value.render().splitlines()


def decision(config: Configuration, name: str):
    return next(d for d in config.features if d.name == name)


# --- hv-balloon: GLib's GTree node API, linked for real --------------------------------------------


def test_hv_balloon_with_the_real_glib(decider: Decider) -> None:
    config = on_this_machine(decider, ["--enable-hv-balloon", "--target-list=x86_64-softmmu"])
    hv = decision(config, "hv_balloon")
    assert hv.enabled and hv.reason.startswith('link test "GTree node API" links against glib-2.0 ')
    assert "CONFIG_HV_BALLOON_POSSIBLE" in config.host_kconfig


def test_hv_balloon_with_a_glib_without_the_node_api(decider: Decider, tmp_path: Path) -> None:
    environ = {"PKG_CONFIG_LIBDIR": str(old_glib(tmp_path))}
    lines = refused(decider, ["--enable-hv-balloon"], environ)
    assert lines[0] == "ERROR: could not enable hv-balloon, update your glib (found glib-2.0 2.66.0)"
    assert "       next: install the development files (Debian: apt-get install libglib2.0-dev)" in lines
    auto = on_this_machine(decider, ["--target-list=x86_64-softmmu"], environ)
    assert "could not find glib support for hv-balloon, disabling" in auto.warnings
    assert "CONFIG_HV_BALLOON_POSSIBLE" not in auto.host_kconfig
    assert decision(auto, "hv_balloon").reason == ('not usable on the x86_64 host: link test "GTree node API" '
                                                   "failed against glib-2.0 2.66.0 (needs glib-2.0 >= 2.68)")


# --- af_xdp and libbpf, by pkg-config ---------------------------------------------------------------


def test_af_xdp_too_old_names_both_versions(decider: Decider, tmp_path: Path) -> None:
    pcdir = tmp_path / "pc"
    write_pc(pcdir, "libxdp", "1.1.0", prefix=tmp_path / "xdp", libs="-lxdp")
    lines = refused(decider, ["--enable-af-xdp"], {"PKG_CONFIG_PATH": str(pcdir)})
    assert lines[0] == "ERROR: Feature af_xdp cannot be enabled"
    assert "       found: libxdp found 1.1.0 but >= 1.2.0 is needed" in lines


def test_af_xdp_without_libbpf(decider: Decider, tmp_path: Path) -> None:
    pcdir = tmp_path / "pc"
    write_pc(pcdir, "libxdp", "1.3.1", prefix=tmp_path / "xdp", libs="-lxdp")
    lines = refused(decider, ["--enable-af-xdp"], {"PKG_CONFIG_LIBDIR": str(pcdir)})
    assert lines[0] == "ERROR: libxdp requested, but libbpf is not available"
    assert lines[1].startswith("       because bpf is off (not found for the x86_64 host: pkg-config libbpf >=1.1.0: "
                               "Package libbpf was not found in the pkg-config search path")


# --- libraries Debian does not package, or packages too old -----------------------------------------


def test_rutabaga_found_when_built_here(decider: Decider, tmp_path: Path) -> None:
    config = on_this_machine(decider, ["--enable-rutabaga-gfx", "--target-list=x86_64-softmmu"],
                             {"PKG_CONFIG_PATH": str(rutabaga(tmp_path))})
    found = decision(config, "rutabaga_gfx")
    assert found.enabled and found.version == "0.1.3"
    assert "-lrutabaga_gfx_ffi" in [lib for o in found.probes for lib in o.libs]


def test_fdt_too_old(decider: Decider, tmp_path: Path) -> None:
    prefix = old_libfdt(tmp_path)
    flags = [f"--extra-cflags=-I{prefix}/include", f"--extra-ldflags=-L{prefix}/lib"]
    assert refused(decider, ["--enable-fdt", *flags])[0] == \
        "ERROR: system libfdt is too old (1.5.1 or newer required)"
    auto = decision(on_this_machine(decider, ["--target-list=x86_64-softmmu", *flags]), "fdt")
    assert not auto.enabled and auto.cause == "unusable"     # auto never falls back to an internal copy


def test_a_library_without_a_static_archive_in_a_static_build(decider: Decider) -> None:
    """Debian 12 ships no libvirglrenderer.a: --static cannot have virglrenderer."""
    lines = refused(decider, ["--static", "--enable-virglrenderer", "--target-list=x86_64-softmmu"])
    assert lines[0] == "ERROR: Feature virglrenderer cannot be enabled"
    assert any("its libraries do not link statically" in line for line in lines)
    assert any("leave out --static" in line for line in lines)


# --- compilers and gdb ------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed (CI installs it)")
def test_warning_flags_under_clang_drop_shadow_local(decider: Decider) -> None:
    config = on_this_machine(decider, ["--cc=clang", "--target-list=x86_64-softmmu"])
    assert "-Wshadow=local" not in config.warning_flags and "-Wvla" in config.warning_flags


def test_gdb_older_than_9_1_or_absent_is_not_used(decider: Decider, tmp_path: Path) -> None:
    old = tmp_path / "old-gdb"
    old.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'GNU gdb (GDB) 8.3'; exit 0; fi\n"
                   "echo 'Requires an argument. Valid arguments are i386, i386:x86-64, auto.' >&2\n")
    old.chmod(0o755)
    config = on_this_machine(decider, [f"--gdb={old}", "--target-list=x86_64-softmmu"])
    assert config.gdb.path == "" and f"{old} is gdb 8.3, older than 9.1: not used" in config.warnings
    absent = on_this_machine(decider, ["--gdb=/nonexistent/gdb", "--target-list=x86_64-softmmu"])
    assert absent.gdb.path == "" and any(w.startswith("--gdb: ") for w in absent.warnings)


DARWIN_OBJC = """#!/bin/sh
# gcc, compiling Objective-C sources as C (a stand-in for an Objective-C compiler).
for a in "$@"; do if [ "$a" = objective-c ]; then exec gcc $(printf "%s\\n" "$@" | sed "s/^objective-c$/c/"); fi; done
exec gcc "$@"
"""


def test_objective_c_link_probe(tmp_path: Path) -> None:
    objc = next(f for f in FEATURES if f.name == "objc").probes[0]
    assert isinstance(objc, LinkProbe) and objc.language == "objc"
    stand_in = tmp_path / "objc-cc"
    stand_in.write_text(DARWIN_OBJC)
    stand_in.chmod(0o755)
    gcc_objc = Path(run(["gcc", "-print-prog-name=cc1obj"]).stdout.strip()).is_absolute()   # gobjc installed
    for compiler, works in ((str(stand_in), True), ("gcc", gcc_objc)):
        tc = select_toolchain(cross_prefix=None, cc="gcc", cxx=None, objcc=compiler, host_cc=None, environ={})
        ctx = ProbeContext(toolchain=tc, host=host_from_macros(LINUX_X86_64), environ=configure_env(),
                           cache=ProbeCache(tmp_path / "cache", enabled=False))
        answer = ProbeRunner(ctx).run([objc])[objc]
        assert answer.ok is works, answer.log
        assert answer.detail == (f"{compiler} works" if works else f"{compiler} cannot build Objective-C")


# --- the probe cache, shared by runs and never trusted to refuse what was asked for -------------


def test_probe_cache_is_shared_and_never_refuses_a_required_feature(decider: Decider, tmp_path: Path) -> None:
    extra = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    argv = ["--target-list=x86_64-softmmu"]
    first = on_this_machine(decider, argv, extra)
    assert not any(o.cached for o in first.probes)
    second = on_this_machine(decider, argv, extra)
    assert all(o.cached for o in second.probes)
    assert "Checking for pkg-config pixman-1 >=0.21.8: YES " in "\n".join(probe_lines(second.probes))
    # Turn the cached pixman answer into a "not found": auto believes it, --enable-pixman probes again.
    for entry in (tmp_path / "cache").rglob("*.json"):
        data = json.loads(entry.read_text())
        if data.get("probe", "").startswith("pkg-config pixman-1"):
            data.update(ok=False, status="missing", detail="planted by the test")
            entry.write_text(json.dumps(data))
    auto = on_this_machine(decider, argv, extra)
    assert not decision(auto, "pixman").enabled
    assert "Checking for pkg-config pixman-1 >=0.21.8: NO (not found) (cached)" in probe_lines(auto.probes)
    assert decision(on_this_machine(decider, ["--enable-pixman", *argv], extra), "pixman").enabled
    assert not any(o.cached for o in on_this_machine(decider, ["--no-cache", *argv], extra).probes)
    on_this_machine(decider, ["--clear-cache", *argv], extra)
    assert "planted by the test" not in "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
