"""Packaging: what a distribution's build of the core needs (issue 13, points 3-5).

In-process: the summary's array options, config.status without PATH, where the
Python extension goes, docs and firmware as decisions, the path-mapping flags,
pip without a cache when HOME is unusable.  End to end (slow): the Debian-style
install against the README's list, DESTDIR, install tags, strip, --version,
the extension relocated from where it is installed, a second build in another
directory installing byte-identical files, make -jN/V=1, uninstall, distclean,
dist, and qemu-config itself installed by pip and from a wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from e2e import REPO, configure_env, copy_source_tree, parse_header_text, run, run_configure
from qemu_config import bootstrap
from qemu_config.installdirs import python_module_dir, resolve_install_dirs
from qemu_config.rules import PATH_MAP_PLACEHOLDER
from recorded import NATIVE, PATH_MAP, LINUX_X86_64, Answer, Decider, RecordedProber


def native(changes: dict[str, Answer] | None = None) -> RecordedProber:
    return RecordedProber(LINUX_X86_64, {**NATIVE, **(changes or {})})


ONE_TARGET = ["--target-list=x86_64-softmmu"]


def path_flags(text: str) -> list[str]:
    """The flags of qemu-config-paths.mak: PATH_MAP_FLAG_COUNT, then PATH_MAP_FLAG_0 ..."""
    values = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return [values[f"PATH_MAP_FLAG_{i}"] for i in range(int(values["PATH_MAP_FLAG_COUNT"]))]


def mak_value(text: str, key: str) -> list[str]:
    """The words of KEY=... in a generated .mak file."""
    found = re.search(rf"^{key}=(.*)$", text, re.M)
    assert found, f"no {key}= in:\n{text}"
    return found.group(1).split()


def section(summary: str, name: str) -> str:
    return summary.split(f"\n  {name}\n", 1)[1].split("\n\n", 1)[0]


# --- in-process ----------------------------------------------------------------------------------

def test_summary_prints_an_array_option_one_item_a_line(decider: Decider) -> None:
    summary = decider.files([*ONE_TARGET, "--firmwarepath=/usr/share/qemu:/usr/share/seabios"],
                            native())["qemu-config-summary.txt"]
    user = section(summary, "User defined options")
    assert '"""' not in summary
    lines = user.splitlines()
    first = next(i for i, line in enumerate(lines) if "qemu_firmwarepath" in line)
    assert lines[first].endswith(": /usr/share/qemu")
    assert lines[first + 1].strip() == "/usr/share/seabios"
    assert lines[first + 1].index("/") == lines[first].index("/")     # aligned under the first item


def test_config_status_does_not_record_path(decider: Decider) -> None:
    files = decider.files(ONE_TARGET, native(), environ={"PATH": "/opt/odd/bin:/usr/bin", "CC": "gcc"})
    status = files["config.status"]
    assert "/opt/odd/bin" not in status and not re.search(r"^(unset )?PATH\b", status, re.M)
    assert "CC='gcc'\nexport CC\n" in status


def test_docs_and_install_blobs_decide_what_is_installed(decider: Decider) -> None:
    on = decider.files(ONE_TARGET, native())
    features_on = mak_value(on["qemu-config-build.mak"], "FEATURES_ON")
    assert "docs" in features_on and "install_blobs" in features_on
    off = decider.files([*ONE_TARGET, "--disable-docs", "--disable-install-blobs"], native())
    features_off = mak_value(off["qemu-config-build.mak"], "FEATURES_ON")
    assert set(features_on) - set(features_off) == {"docs", "install_blobs"}
    summary = section(off["qemu-config-summary.txt"], "Configurable features")
    assert re.search(r"Documentation\s*: NO", summary) and re.search(r"Install blobs\s*: NO", summary)
    assert on["config-host.h"] == off["config-host.h"]      # installed or not, nothing compiles differently


def test_path_mapping_flags_map_the_tree_and_the_build_directory(decider: Decider) -> None:
    paths = decider.files(ONE_TARGET, native(), build_dir=Path("/b/deep/build"))["qemu-config-paths.mak"]
    flags = path_flags(paths)
    relative = os.path.relpath(REPO, "/b/deep/build")
    assert flags == [f"-ffile-prefix-map={REPO}/=", f"-ffile-prefix-map={relative}/=",
                     "-ffile-prefix-map=/b/deep/build=."]
    # A compiler without -ffile-prefix-map: the two it implies, as the compiler has them.
    older = native({PATH_MAP: Answer(True, "found", "2 of 3 flags supported", value=tuple(
        f"{flag}={PATH_MAP_PLACEHOLDER}" for flag in ("-fdebug-prefix-map", "-fmacro-prefix-map")))})
    paths = decider.files(ONE_TARGET, older, build_dir=Path("/b/build"))["qemu-config-paths.mak"]
    flags = path_flags(paths)
    assert [f.split("=")[0] for f in flags] == ["-fdebug-prefix-map"] * 3 + ["-fmacro-prefix-map"] * 3
    # Blanks are kept (one flag a key); a path holding '=' cannot be mapped and is left out.
    odd = path_flags(decider.files(ONE_TARGET, native(), build_dir=Path("/b/x=y/a b"))["qemu-config-paths.mak"])
    assert "-ffile-prefix-map=/b/x=y/a b=." not in odd
    assert odd == [f"-ffile-prefix-map={REPO}/=", f"-ffile-prefix-map={os.path.relpath(REPO, '/b/x=y/a b')}/="]
    # The same configuration in another directory compiles the same thing: the paths are in their own file.
    a = decider.files(ONE_TARGET, native(), build_dir=Path("/a/build"))
    b = decider.files(ONE_TARGET, native(), build_dir=Path("/b/x/y/build"))
    assert a["qemu-config-build.mak"] == b["qemu-config-build.mak"] and a["config-host.h"] == b["config-host.h"]


DEBIAN_SITE = ("/usr/local/lib/python3.11/dist-packages", "/usr/lib/python3/dist-packages",
               "/usr/lib/python3.11/dist-packages")


@pytest.mark.parametrize("prefix, option, platlib, site, expected, searched", [
    # Debian's python3: its deb_system scheme for /usr; the directory it searches below /usr/local.
    ("/usr", "", "lib/python3/dist-packages", DEBIAN_SITE, "lib/python3/dist-packages", True),
    ("/usr/local", "", "lib/python3/dist-packages", DEBIAN_SITE, "lib/python3.11/dist-packages", True),
    # A Python of its own prefix (pyenv, /opt/python): nothing it searches is below /opt/q.
    ("/opt/q", "", "lib/python3.12/site-packages", ("/opt/python/lib/python3.12/site-packages",),
     "lib/python3.12/site-packages", False),
    ("/opt/python", "", "lib/python3.12/site-packages", ("/opt/python/lib/python3.12/site-packages",),
     "lib/python3.12/site-packages", True),
    # The option wins, relative to the prefix or absolute.
    ("/usr", "lib/qemu/python", "lib/python3/dist-packages", DEBIAN_SITE, "lib/qemu/python", False),
    ("/opt/q", "/usr/lib/python3/dist-packages", "lib/python3/dist-packages", DEBIAN_SITE,
     "/usr/lib/python3/dist-packages", True),
])
def test_where_the_python_extension_goes(prefix: str, option: str, platlib: str, site: tuple[str, ...],
                                         expected: str, searched: bool) -> None:
    dirs = resolve_install_dirs({"prefix": prefix, "bindir": "bin", "datadir": "share", "includedir": "include",
                                 "libdir": "lib", "libexecdir": "libexec", "localedir": "share/locale",
                                 "localstatedir": "var", "mandir": "share/man", "sysconfdir": "etc"})
    where = python_module_dir(dirs, option, platlib, site)
    assert (where.path, where.searched) == (expected, searched)


def test_the_host_pythons_paths_are_not_the_venvs() -> None:
    platlib, site = bootstrap.python_install_paths()
    assert not os.path.isabs(platlib) and platlib.endswith(("site-packages", "dist-packages"))
    assert site and not any(d.startswith(sys.prefix + os.sep) for d in site if sys.prefix != sys.base_prefix)


def test_pip_keeps_no_cache_when_home_is_unusable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bootstrap's pip runs with --no-cache-dir when there is no cache directory (HOME=/nonexistent)."""
    argv_file = tmp_path / "argv"
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {argv_file}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("HOME", "/nonexistent")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    bootstrap._pip_install(str(fake), ["example==1"], purpose=None, then="configure")
    assert "--no-cache-dir" in argv_file.read_text().split("\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    bootstrap._pip_install(str(fake), ["example==1"], purpose=None, then="configure")
    assert "--no-cache-dir" not in argv_file.read_text().split("\n")


# --- end to end ----------------------------------------------------------------------------------

DEBIAN_OPTIONS = (
    "--prefix=/usr", "--sysconfdir=/etc", "--localstatedir=/var", "--libdir=/usr/lib/x86_64-linux-gnu",
    "--libexecdir=/usr/lib/qemu", "--datadir=/usr/share", "--docdir=/usr/share/doc", "--mandir=/usr/share/man",
    "--firmwarepath=/usr/share/qemu:/usr/share/seabios", "--with-suffix=qemu-core",
    "--with-pkgversion=Debian 1:10.2+ds-1", "--python-sitedir=/usr/lib/python3/dist-packages",
    "--target-list=x86_64-softmmu,aarch64-softmmu",
)
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
README_SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def make(build: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in configure_env(env).items() if not k.startswith("MAKE")}
    proc = subprocess.run(["make", "-C", str(build), *args], capture_output=True, text=True, env=environ,
                          timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def installed(destdir: Path) -> list[str]:
    return sorted(str(p.relative_to(destdir)) for p in destdir.rglob("*") if p.is_file() or p.is_symlink())


def readme_installed_files() -> list[str]:
    """The list the README's "Installed files" documents, with this Python's extension suffix."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("### Installed files", 1)[1].split("```\n", 2)[1]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return sorted(line.replace(README_SUFFIX, suffix) for line in block.splitlines() if line)


def debian_build(root: Path) -> Path:
    """The README's Debian-style build, configured and built in ROOT/build with an empty HOME."""
    home = root / "home"
    home.mkdir(parents=True)
    build = root / "build"
    run_configure(build, *DEBIAN_OPTIONS, env={"HOME": str(home), **EPOCH})
    make(build, "-j2", env=EPOCH)
    return build


@pytest.fixture(scope="module")
def debian(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The Debian-style build, and its install (make install DESTDIR=...)."""
    build = debian_build(tmp_path_factory.mktemp("a"))
    destdir = tmp_path_factory.mktemp("destdir")
    make(build, "install", f"DESTDIR={destdir}")
    return build, destdir


@pytest.mark.slow
def test_debian_install_is_the_readme_list_inside_destdir(debian: tuple[Path, Path]) -> None:
    build, destdir = debian
    assert installed(destdir) == readme_installed_files()
    log = (build / "meson-logs" / "install-log.txt").read_text().splitlines()
    assert all(line.startswith(str(destdir) + "/") for line in log if not line.startswith("#"))
    assert not Path("/usr/share/qemu-core").exists() and not Path("/usr/share/doc/qemu-core").exists()


@pytest.mark.slow
def test_debian_install_honours_every_option(debian: tuple[Path, Path]) -> None:
    build, destdir = debian
    binary = destdir / "usr/bin/qemu-system-x86_64"
    version = run([str(binary), "--version"]).stdout
    assert version.splitlines()[0] == "QEMU emulator version 0.1.0 (Debian 1:10.2+ds-1)"
    keys = dict(line.split("=", 1) for line in run([str(binary), "--build-config"]).stdout.splitlines())
    assert keys["CONFIG_PREFIX"] == '"/usr"' and keys["CONFIG_BINDIR"] == '"/usr/bin"'
    assert keys["CONFIG_SYSCONFDIR"] == '"/etc"' and keys["CONFIG_QEMU_CONFDIR"] == '"/etc/qemu-core"'
    assert keys["CONFIG_QEMU_LOCALSTATEDIR"] == '"/var"' and keys["CONFIG_QEMU_HELPERDIR"] == '"/usr/lib/qemu"'
    assert keys["CONFIG_QEMU_MODDIR"] == '"/usr/lib/x86_64-linux-gnu/qemu-core"'
    assert keys["CONFIG_QEMU_DATADIR"] == '"/usr/share/qemu-core"'
    assert keys["CONFIG_QEMU_FIRMWAREPATH"].split() == ['"/usr/share/qemu",', '"/usr/share/seabios",']
    # Not stripped (Debian strips into its -dbgsym packages itself): the debug info is installed.
    assert ".debug_info" in run(["readelf", "-S", str(binary)]).stdout
    # The manual page: the version, no date.
    manpage = (destdir / "usr/share/man/man1/qemu.1").read_text()
    assert '"qemu-config core 0.1.0"' in manpage and "@VERSION@" not in manpage
    summary = (build / "qemu-config-summary.txt").read_text()
    assert re.search(r"Python extension dir\s*: /usr/lib/python3/dist-packages\b", summary)


@pytest.mark.slow
def test_the_installed_extension_relocates_from_where_it_is(debian: tuple[Path, Path], tmp_path: Path) -> None:
    _, destdir = debian
    moved = tmp_path / "moved"
    shutil.copytree(destdir / "usr", moved, symlinks=True)
    code = "import qemu_core; print(qemu_core.__file__); print(qemu_core.relocated_path('/usr/share/qemu-core'))"
    proc = run([sys.executable, "-c", code], cwd=tmp_path,
               env={**os.environ, "PYTHONPATH": str(moved / "lib/python3/dist-packages")})
    assert proc.returncode == 0, proc.stderr
    where, relocated = proc.stdout.splitlines()
    assert where.startswith(str(moved))
    assert relocated == f"{moved}/bin/../share/qemu-core"   # from bindir, as the binary finds it
    binary = run([str(moved / "bin/qemu-system-x86_64"), "-L", "help"]).stdout.splitlines()
    assert binary[-1] == relocated


@pytest.mark.slow
def test_install_tags_split_the_install(debian: tuple[Path, Path], tmp_path: Path) -> None:
    build, _ = debian
    parts: dict[str, list[str]] = {}
    for tag in ("runtime", "python-runtime", "man", "doc"):
        make(build, "install", f"INSTALL_TAGS={tag}", f"DESTDIR={tmp_path / tag}")
        parts[tag] = installed(tmp_path / tag)
    assert parts["runtime"] == ["usr/bin/qemu-system-aarch64", "usr/bin/qemu-system-x86_64",
                                "usr/share/qemu-core/qemu-core-bios.bin"]
    assert [Path(p).parent.as_posix() for p in parts["python-runtime"]] == ["usr/lib/python3/dist-packages"]
    assert parts["man"] == ["usr/share/man/man1/qemu.1"] and parts["doc"] == ["usr/share/doc/qemu-core/qemu-core.txt"]
    assert sorted(p for files in parts.values() for p in files) == readme_installed_files()


@pytest.mark.slow
def test_a_build_in_another_directory_installs_the_same_bytes(debian: tuple[Path, Path], tmp_path: Path) -> None:
    """Reproducible builds: the same configuration in a build directory of another path and depth."""
    _, destdir = debian
    other = debian_build(tmp_path / "another" / "deeper" / "place")
    other_dest = tmp_path / "destdir"
    make(other, "install", f"DESTDIR={other_dest}")
    assert installed(other_dest) == installed(destdir)
    differ = [rel for rel in installed(destdir) if (destdir / rel).read_bytes() != (other_dest / rel).read_bytes()]
    assert differ == []
    for rel in installed(destdir):        # and neither build's path is in them
        data = (destdir / rel).read_bytes()
        assert str(other).encode() not in data and str(REPO).encode() not in data, rel


@pytest.mark.slow
def test_a_path_change_reconfigures_only_when_a_program_it_finds_changes(tmp_path: Path) -> None:
    build = tmp_path / "build"
    env = {"HOME": str(tmp_path)}
    run_configure(build, "--target-list=x86_64-softmmu", env=env)
    assert not re.search(r"^(unset )?PATH\b", (build / "config.status").read_text(), re.M)
    empty = tmp_path / "empty"
    empty.mkdir()
    moved = {**env, "PATH": f"{empty}{os.pathsep}{os.environ['PATH']}"}
    assert run_configure(build, "--target-list=x86_64-softmmu", env=moved).stdout.startswith("Nothing")
    wrapper = empty / "cc"           # now cc is another program: configure runs in full
    wrapper.write_text(f"#!/bin/sh\nexec {shutil.which('cc')} \"$@\"\n")
    wrapper.chmod(0o755)
    again = run_configure(build, "--target-list=x86_64-softmmu", env=moved)
    assert not again.stdout.startswith("Nothing")


@pytest.mark.slow
def test_make_passes_jobs_and_verbosity_to_ninja(debian: tuple[Path, Path]) -> None:
    build, _ = debian
    dry = make(build, "-n", "-j3", "V=1", "all").stdout
    assert re.search(r"ninja\S* -v -j3\s*$", dry, re.M), dry
    quiet = make(build, "-n", "all").stdout
    assert re.search(r"ninja\S*\s*$", quiet, re.M), quiet


@pytest.mark.slow
def test_no_docs_no_blobs_uninstall_and_distclean(tmp_path: Path) -> None:
    """--disable-docs and --disable-install-blobs install less, --enable-strip strips; configured with
    HOME=/nonexistent (no cache); make uninstall removes what make install wrote; make distclean what
    configure wrote."""
    build = tmp_path / "build"
    env = {"HOME": "/nonexistent", "XDG_CACHE_HOME": ""}
    run_configure(build, "--target-list=x86_64-softmmu", "--prefix=/opt/q", "--disable-docs",
                  "--disable-install-blobs", "--enable-strip", env=env)
    assert "probe cache: none" in (build / "config.log").read_text() and not Path("/nonexistent").exists()
    make(build, "-j2")
    destdir = tmp_path / "destdir"
    make(build, "install", f"DESTDIR={destdir}")
    files = installed(destdir)
    assert "opt/q/bin/qemu-system-x86_64" in files
    assert not [f for f in files if "/man/" in f or "/doc/" in f or f.endswith(".bin")]
    for rel in files:         # stripped when installed; the build tree keeps its symbols
        assert ".symtab" not in run(["readelf", "-S", str(destdir / rel)]).stdout, rel
    assert ".symtab" in run(["readelf", "-S", str(build / "qemu-system-x86_64")]).stdout
    make(build, "uninstall")
    assert installed(destdir) == []
    make(build, "distclean")
    left = sorted(p.name for p in build.iterdir())
    assert left == ["pyvenv"], left


@pytest.mark.slow
def test_make_dist_writes_a_tarball_that_configures_and_builds(tmp_path: Path) -> None:
    tree = copy_source_tree(tmp_path / "tree")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "tree"]):
        subprocess.run([*git, *cmd], cwd=tree, check=True, capture_output=True)
    build = tmp_path / "build"
    run_configure(build, "--target-list=x86_64-softmmu", configure=tree / "configure")
    proc = make(build, "dist", "DISTCHECK_CONFIGURE_FLAGS=--target-list=x86_64-softmmu")
    version = (tree / "VERSION").read_text().strip()
    tarball = build / "meson-dist" / f"qemu-{version}.tar.xz"
    assert f"{tarball}: configures and builds" in proc.stdout
    listing = run(["tar", "-tJf", str(tarball)]).stdout.split()
    assert f"qemu-{version}/qemu_config/templates/Makefile.j2" in listing
    assert f"qemu-{version}/pc-bios/qemu-core-bios.bin" in listing


# --- qemu-config as a Python package ---------------------------------------------------------------

def new_user(root: Path) -> dict[str, str]:
    """A new user's environment: empty HOME and XDG_CACHE_HOME, nothing inherited from a venv."""
    (root / "home").mkdir()
    (root / "cache").mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHON", "QEMU_CONFIG_BUILD_DIR")
           and not k.startswith("MAKE")}
    env.update(HOME=str(root / "home"), XDG_CACHE_HOME=str(root / "cache"))
    return env


def fresh_venv(path: Path) -> Path:
    """A venv of the host's Python (not of the test's venv) with pip; returns its python."""
    subprocess.run([bootstrap.base_interpreter(), "-m", "venv", str(path)], check=True, capture_output=True)
    return path / "bin" / "python"


def one_error(proc: subprocess.CompletedProcess[str]) -> list[str]:
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1 and len([ln for ln in lines if ln.startswith("ERROR:")]) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines


@pytest.mark.slow
def test_pip_install_of_a_checkout_gives_a_qemu_config_that_configures(tmp_path: Path) -> None:
    env = new_user(tmp_path)
    tree = copy_source_tree(tmp_path / "tree")
    python = fresh_venv(tmp_path / "venv")
    proc = run([str(python), "-m", "pip", "install", "--no-cache-dir", "-q", str(tree)], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (tree / "build").exists()        # setuptools worked in .setuptools-build/
    qemu_config = tmp_path / "venv" / "bin" / "qemu-config"
    build = tmp_path / "b"
    build.mkdir()
    lines = one_error(run([str(qemu_config), "configure"], cwd=build, env=env))
    assert lines[0].startswith("ERROR: qemu-config configure needs --source-dir") and "--source-dir DIR" in lines[1]
    lines = one_error(run([str(qemu_config), "configure", "--source-dir", str(tmp_path)], cwd=build, env=env))
    assert "not a source tree" in lines[0]
    proc = run([str(qemu_config), "configure", "--source-dir", str(tree), "--", "--target-list=x86_64-softmmu"],
               cwd=build, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (build / "config-host.h").exists() and (build / "build.ninja").exists()
    status = (build / "config.status").read_text()
    assert f"'-m' 'qemu_config' 'configure' '--source-dir' '{tree}' '--' '--target-list=x86_64-softmmu'" in status
    # make re-runs configure when the installed engine changes, not the tree's copy of it.
    engine = re.search(r"^ENGINE_DIR := (.*)$", (build / "Makefile").read_text(), re.M)
    assert engine is not None
    engine_dir = engine.group(1)
    assert engine_dir.startswith(str(tmp_path / "venv")) and engine_dir.endswith("site-packages/qemu_config")
    # The checkout's own ./configure still works in-tree: pip left no build/ in its way.
    proc = run(["./configure", "--target-list=x86_64-softmmu"], cwd=tree, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_a_wheel_from_python_m_build_configures_and_builds(tmp_path: Path) -> None:
    env = new_user(tmp_path)
    tree = copy_source_tree(tmp_path / "tree")
    proc = run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist"), str(tree)], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = next((tmp_path / "dist").glob("qemu_config-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    templates = ("Makefile.j2", "config-host.mak.j2", "config.status.j2")
    assert {f"qemu_config/templates/{name}" for name in templates} <= set(names)
    assert not any(n.startswith(("tests/", "core/")) for n in names)
    python = fresh_venv(tmp_path / "venv")
    proc = run([str(python), "-m", "pip", "install", "--no-cache-dir", "-q", str(wheel)], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = tmp_path / "b"
    build.mkdir()
    proc = run([str(tmp_path / "venv/bin/qemu-config"), "configure", "--source-dir", str(tree), "--",
                "--target-list=x86_64-softmmu", "--prefix=/opt/q"], cwd=build, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    make(build, "-j2", env=env)
    assert run([str(build / "qemu-system-x86_64"), "--version"]).returncode == 0
    header = parse_header_text((build / "config-host.h").read_text())
    assert header["CONFIG_PREFIX"] == '"/opt/q"'
