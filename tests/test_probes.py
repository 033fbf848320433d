"""probes.py: the runner knows no probe kind by name; one pool, ordered by what depends on what; the cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pytest

from qemu_config import probes
from qemu_config.cache import ProbeCache, make_key
from qemu_config.host import host_from_macros
from qemu_config.probes import (Consulted, FlagsProbe, GdbProbe, LinkProbe, ProbeContext, ProbeInputs, ProbeKind,
                                ProbeOutcome, ProbeRunner)
from qemu_config.rules import GTREE_NODE_API_TEST, PKG_GLIB, WARNING_FLAGS_PROBE, XEN_LIBRARIES
from qemu_config.toolchain import Toolchain, predefined_macros, select_toolchain

from fakelibs import write_pc

needs_glib = pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config not installed")


def toolchain(cc: str = "gcc") -> Toolchain:
    return select_toolchain(cross_prefix=None, cc=cc, cxx=None, objcc=None, host_cc=None, environ={})


def runner(tmp_path: Path, tc: Toolchain | None = None, environ: Mapping[str, str] | None = None,
           jobs: int | None = None) -> ProbeRunner:
    tc = tc or toolchain()
    host = host_from_macros(predefined_macros(tc.cc, tc.cflags))
    ctx = ProbeContext(toolchain=tc, host=host, environ=dict(os.environ if environ is None else environ),
                       cache=ProbeCache(tmp_path / "cache"))
    return ProbeRunner(ctx, jobs=jobs)


@dataclass(frozen=True)
class Stamp:
    """A probe kind of the test's own (the runner has never heard of it): when it ran, after what."""

    name: str
    after: tuple[object, ...] = ()
    seconds: float = 0.0
    quick: bool = False       # like a pkg-config lookup: runs beside the compiles

    def describe(self) -> str:
        return f"stamp {self.name}"

    def depends_on(self) -> tuple[object, ...]:
        return self.after

    def key(self, inputs: ProbeInputs) -> str:
        return make_key("stamp", self.name, time.monotonic())      # never answered from the cache

    def run(self, inputs: ProbeInputs) -> ProbeOutcome:
        start = time.monotonic()
        time.sleep(self.seconds)
        seen = {p.describe(): o.ok for p, o in inputs.dependencies.items()}
        return ProbeOutcome(self, True, "found", "ran", value=(start, time.monotonic(), seen))  # type: ignore[arg-type]

    def consulted(self, inputs: ProbeInputs) -> Consulted:
        return Consulted(programs=(f"/nonexistent/{self.name}",))

    def compiles(self) -> bool:
        return not self.quick


def test_every_kind_implements_the_protocol() -> None:
    kinds = probes.Probe.__args__            # type: ignore[attr-defined]
    assert len(kinds) == 8
    for kind in kinds:
        for method in ("describe", "depends_on", "key", "run", "consulted", "compiles"):
            assert callable(getattr(kind, method, None)), (kind.__name__, method)
    assert all(method in ProbeKind.__dict__
               for method in ("describe", "depends_on", "key", "run", "consulted", "compiles"))


@needs_glib
def test_a_probe_starts_as_soon_as_what_it_depends_on_is_answered(tmp_path: Path) -> None:
    # A slow probe asked first, on a pool with room for it and the rest: the real link test
    # against glib runs (after glib's lookup) while the slow probe is still running.
    link = LinkProbe("GTree node API", GTREE_NODE_API_TEST, uses=(PKG_GLIB,))
    slow = Stamp("slow", seconds=3.0)
    after_link = Stamp("after the link test", after=(link,))
    outcomes = runner(tmp_path, jobs=4).run([slow, after_link])
    assert set(outcomes) == {slow, PKG_GLIB, link, after_link}
    assert outcomes[PKG_GLIB].ok and outcomes[link].ok, outcomes[link].log
    slow_start, slow_end, _ = outcomes[slow].value          # type: ignore[misc]
    start, _, seen = outcomes[after_link].value             # type: ignore[misc]
    assert seen == {link.describe(): True}
    assert slow_start < start < slow_end


def test_quick_probes_run_beside_the_compiles_and_chains_start_first(tmp_path: Path) -> None:
    # One compile at a time: the two compiles take turns, the lookups do not wait for them, and the
    # lookup a compile waits for goes before the others.
    lookup = Stamp("glib lookup", quick=True)
    compile_a = Stamp("compile a", seconds=0.5)
    compile_b = Stamp("compile b", after=(lookup,), seconds=0.5)
    others = [Stamp(f"lookup {i}", quick=True, seconds=0.05) for i in range(3)]
    outcomes = runner(tmp_path, jobs=1).run([compile_a, *others, compile_b])
    a_start, a_end, _ = outcomes[compile_a].value                   # type: ignore[misc]
    b_start, b_end, _ = outcomes[compile_b].value                   # type: ignore[misc]
    assert a_end <= b_start or b_end <= a_start                     # never two compiles at once
    assert all(outcomes[o].value[0] < max(a_end, b_end) - 0.4 for o in others)   # type: ignore[index]
    assert outcomes[lookup].value[1] <= min(o.value[0] for o in (outcomes[x] for x in others))  # type: ignore


def test_dependencies_run_first_on_a_pool_of_one(tmp_path: Path) -> None:
    first = Stamp("first")
    second = Stamp("second", after=(first,))
    third = Stamp("third", after=(second, first))
    outcomes = runner(tmp_path, jobs=1).run([third])
    assert list(outcomes) == [first, second, third]
    assert outcomes[third].value[2] == {"stamp second": True, "stamp first": True}   # type: ignore[index]
    assert outcomes[first].value[1] <= outcomes[second].value[0]                      # type: ignore[index]


def test_consulted_collects_what_each_kind_names(tmp_path: Path) -> None:
    run = runner(tmp_path)
    run.run([Stamp("x"), GdbProbe(("no-such-gdb-xyz",))])
    programs, dirs, _ = run.consulted()
    assert programs[0] == "gcc" and "/nonexistent/x" in programs and "no-such-gdb-xyz" in programs
    assert dirs[:len(run.system_dirs())] == tuple(d for d, _ in run.system_dirs())


@needs_glib
def test_a_cached_failure_is_believed_unless_the_probe_is_required(tmp_path: Path) -> None:
    first = runner(tmp_path).run([PKG_GLIB])
    assert first[PKG_GLIB].ok and not first[PKG_GLIB].cached
    entries = list((tmp_path / "cache").rglob("*.json"))
    planted = [e for e in entries if json.loads(e.read_text()).get("probe") == PKG_GLIB.describe()]
    assert len(planted) == 1
    data = json.loads(planted[0].read_text())
    planted[0].write_text(json.dumps({**data, "ok": False, "status": "missing", "detail": "planted"}))
    believed = runner(tmp_path).run([PKG_GLIB])[PKG_GLIB]
    assert (believed.ok, believed.cached, believed.detail) == (False, True, "planted")
    required = runner(tmp_path).run([PKG_GLIB], required=[PKG_GLIB])[PKG_GLIB]
    assert required.ok and not required.cached
    again = runner(tmp_path).run([PKG_GLIB])[PKG_GLIB]       # the fresh answer replaced the planted one
    assert again.ok and again.cached


def counting_compiler(tmp_path: Path) -> tuple[Toolchain, Path]:
    """gcc behind a script that logs each of its runs (a real compiler, counted)."""
    log = tmp_path / "cc.log"
    script = tmp_path / "counting-gcc"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec gcc "$@"\n')
    script.chmod(0o755)
    return toolchain(str(script)), log


@needs_glib
def test_no_compiler_run_that_an_earlier_answer_makes_unnecessary(tmp_path: Path) -> None:
    tc, log = counting_compiler(tmp_path)
    link = LinkProbe("GTree node API", GTREE_NODE_API_TEST, uses=(PKG_GLIB,))
    pie = LinkProbe("PIE", "int main(void) { return 0; }\n", compile_args=("-Werror", "-fPIE"), link_args=("-pie",))
    asked = [link, pie, WARNING_FLAGS_PROBE]
    first = runner(tmp_path, tc, jobs=4).run(asked)
    assert all(o.ok for o in first.values())
    runs = log.read_text().splitlines()
    # One --version (identity), one -dM -E (the macros, with the include directories from -v),
    # one -print-search-dirs however many probes want the directories, and the checks themselves.
    assert sum("--version" in r for r in runs) == 1
    assert sum("-dM" in r for r in runs) == 1
    assert sum("-print-search-dirs" in r for r in runs) == 1
    assert not any("-E -v" in r for r in runs)
    flag_compiles = [r for r in runs if "-Wvla" in r or "-Wundef" in r]
    assert 1 <= len(flag_compiles) < len(WARNING_FLAGS_PROBE.flags) // 3
    # Everything cached: another runner starts no compiler at all.
    log.write_text("")
    second = runner(tmp_path, tc, jobs=4).run(asked)
    assert all(o.cached for o in second.values())
    assert log.read_text() == ""


def test_fallback_flags_are_compiled_only_when_a_preferred_flag_is_not_supported(tmp_path: Path) -> None:
    tc, log = counting_compiler(tmp_path)
    fallbacks = ("-fdebug-prefix-map=/a=/b", "-fmacro-prefix-map=/a=/b")
    has_it = FlagsProbe(("-ffile-prefix-map=/a=/b",), fallbacks=fallbacks)
    lacks_it = FlagsProbe(("-fno-such-prefix-map=/a=/b",), fallbacks=fallbacks)   # gcc rejects it by name
    outcomes = runner(tmp_path, tc).run([has_it, lacks_it])
    assert outcomes[has_it].value == ("-ffile-prefix-map=/a=/b",)
    assert outcomes[lacks_it].value == fallbacks
    assert outcomes[lacks_it].detail == "2 of 3 flags supported"
    compiles = [r for r in log.read_text().splitlines() if "prefix-map" in r]
    assert sum("-ffile-prefix-map" in r for r in compiles) == 1
    assert not any("-ffile-prefix-map" in r and "-fdebug-prefix-map" in r for r in compiles)
    # The fallbacks were compiled for the probe whose preferred flag failed, and for it only.
    assert sum("-fdebug-prefix-map" in r for r in compiles) == sum("-fno-such-prefix-map" in r for r in compiles) == 1
    assert has_it.describe() == "supported compiler flags (1 tested, 2 more if not)"


def test_xen_libraries_past_the_first_are_looked_up_only_when_it_is_found(tmp_path: Path) -> None:
    """Real pkg-config over .pc files of the test's own: without xencontrol, no lookup of the rest."""
    first, *rest = XEN_LIBRARIES
    pcdir = tmp_path / "pc"
    for probe in rest:
        write_pc(pcdir, probe.package, "4.17.0", prefix=tmp_path / "xen")
    pkg_config = shutil.which("pkg-config")
    assert pkg_config is not None
    log = tmp_path / "pkg-config.log"
    counting = tmp_path / "counting-pkg-config"
    counting.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec {pkg_config} "$@"\n')
    counting.chmod(0o755)
    environ = {"PATH": os.environ["PATH"], "PKG_CONFIG": str(counting), "PKG_CONFIG_LIBDIR": str(pcdir)}
    outcomes = runner(tmp_path / "without", environ=environ).run(XEN_LIBRARIES)
    assert outcomes[first].status == "missing"
    assert {outcomes[p].status for p in rest} == {"skipped"}
    assert outcomes[rest[0]].detail == "not looked up: xencontrol was not found"
    asked = log.read_text()
    assert "xencontrol" in asked and not any(p.package in asked for p in rest)
    # With xencontrol there, every one is looked up, and found.
    write_pc(pcdir, first.package, "4.17.0", prefix=tmp_path / "xen")
    outcomes = runner(tmp_path / "with", environ=environ).run(XEN_LIBRARIES)
    assert all(o.ok and o.version == "4.17.0" for o in outcomes.values())


def counting_gdb(tmp_path: Path, real: str) -> tuple[Path, Path]:
    log = tmp_path / "gdb.log"
    script = tmp_path / "counting-gdb"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    return script, log


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb not installed (CI installs it)")
def test_gdb_version_and_architectures_from_one_run(tmp_path: Path) -> None:
    gdb, log = counting_gdb(tmp_path, str(shutil.which("gdb")))
    outcome = runner(tmp_path).run([GdbProbe((str(gdb),))])[GdbProbe((str(gdb),))]
    first = subprocess.run([str(shutil.which("gdb")), "--version"], capture_output=True, text=True).stdout
    assert outcome.ok and outcome.version == first.splitlines()[0].split()[-1]
    assert outcome.value[1] and "auto" not in outcome.value[1]          # type: ignore[index]
    assert len(log.read_text().splitlines()) == 1


def test_a_gdb_that_does_not_say_its_version_is_asked_with_version(tmp_path: Path) -> None:
    old = tmp_path / "old-gdb"
    old.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'GNU gdb (GDB) 8.3'; exit 0; fi\n"
                   "echo 'Requires an argument. Valid arguments are i386, i386:x86-64, auto.' >&2\n")
    old.chmod(0o755)
    gdb, log = counting_gdb(tmp_path, str(old))
    outcome = runner(tmp_path).run([GdbProbe((str(gdb),))])[GdbProbe((str(gdb),))]
    assert (outcome.version, outcome.value) == ("8.3", (str(gdb), ("i386", "i386:x86-64")))
    assert len(log.read_text().splitlines()) == 2


def test_probes_that_depend_on_each_other_are_refused(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Loop(Stamp):
        def depends_on(self) -> tuple[object, ...]:
            return (Loop(self.name),)

    with pytest.raises(RuntimeError, match="depend on each other"):
        runner(tmp_path).run([Loop("a")])
