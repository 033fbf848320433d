"""The engine's own runtime: which Python packages and tools it needs, and where they come from.

Owns the pins (meson 1.12.1, ninja, jinja2) and the ``pyvenv`` a build
directory carries, as QEMU's mkvenv does.  Standard library only: this runs
before anything else is known to be importable.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import processes
from .errors import UserError
from .processes import ProcessTimeout
from .storage import user_cache_dir

MESON_VERSION = "1.12.1"
NINJA_MINIMUM = (1, 8, 2)


@dataclass(frozen=True)
class Requirement:
    """One thing the engine needs at run time."""

    pip_spec: str       # what pip installs when it is missing
    module: str | None  # importable module that proves it is present
    version: str | None = None  # exact version required (meson only)


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(f"meson=={MESON_VERSION}", "mesonbuild", MESON_VERSION),
    Requirement("jinja2>=3.0", "jinja2"),
) + ((Requirement("tomli>=1.1", "tomli"),) if sys.version_info < (3, 11) else ())


def installed_meson_version() -> str | None:
    """The version of the importable ``mesonbuild`` package, without importing meson itself."""
    spec = importlib.util.find_spec("mesonbuild")
    if spec is None or not spec.submodule_search_locations:
        return None
    coredata = Path(list(spec.submodule_search_locations)[0]) / "coredata.py"
    try:
        for line in coredata.read_text(encoding="utf-8").splitlines():
            if line.startswith("version = "):
                return line.split("=", 1)[1].strip().strip("'\"")
    except OSError:
        return None
    return None


def meson_command() -> list[str]:
    """argv prefix that runs the pinned meson with this interpreter."""
    found = installed_meson_version()
    if found != MESON_VERSION:
        have = f"meson {found} is installed" if found else "meson is not installed"
        raise UserError(
            f"meson {MESON_VERSION} is required, but {have} for {sys.executable}",
            "run ./configure (it bootstraps meson into <build>/pyvenv),",
            f"or: {sys.executable} -m pip install meson=={MESON_VERSION}",
        )
    return [sys.executable, "-m", "mesonbuild.mesonmain"]


def _version_tuple(text: str) -> tuple[int, ...]:
    """The version a program's first line of ``--version`` starts with ("1.11.1" -> (1, 11, 1)); () when it
    does not start with one (``true --version`` says "true (GNU coreutils) 9.1": not a ninja)."""
    lines = text.strip().splitlines()
    found = re.match(r"(\d{1,9})((?:\.\d{1,9})*)", lines[0].strip()) if lines else None
    if found is None:
        return ()
    return tuple(int(part) for part in found.group(0).split("."))


def ninja_usable(path: str) -> bool:
    try:
        out = processes.run("ninja", [path, "--version"], what="ninja's version")
    except (OSError, ProcessTimeout):
        return False
    return out.returncode == 0 and _version_tuple(out.stdout) >= NINJA_MINIMUM


def find_ninja(explicit: str | None = None) -> str | None:
    """The ninja to use: --ninja (which must be usable: a UserError otherwise), then $NINJA, the venv's,
    then the first usable on PATH."""
    candidates: list[str] = []
    if explicit is not None:
        resolved = shutil.which(explicit) if explicit else None
        if resolved is None or not ninja_usable(resolved):
            found = "not found (neither a path to a program nor a name on PATH)" if resolved is None else \
                f"{resolved} does not run, or is older than {'.'.join(map(str, NINJA_MINIMUM))}"
            raise UserError(f"--ninja={explicit}: not a usable ninja: {found}",
                            "name a ninja >= " + ".".join(map(str, NINJA_MINIMUM))
                            + " (Debian: apt-get install ninja-build), or leave --ninja out to use the one on PATH")
        return resolved
    env = os.environ.get("NINJA")
    if env:
        candidates.append(env)
    venv_ninja = Path(sysconfig.get_path("scripts")) / "ninja"
    candidates.append(str(venv_ninja))
    for name in ("ninja", "ninja-build", "samu"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    for cand in candidates:
        resolved = shutil.which(cand) or (cand if os.path.exists(cand) else None)
        if resolved and ninja_usable(resolved):
            return resolved
    return None


def missing_requirements() -> list[Requirement]:
    missing: list[Requirement] = []
    for req in REQUIREMENTS:
        if req.version is not None:
            if installed_meson_version() != req.version:
                missing.append(req)
        elif req.module and importlib.util.find_spec(req.module) is None:
            missing.append(req)
    return missing


def _parent_site_packages() -> list[str]:
    """Site directories the running interpreter sees beyond its base installation.

    When configure runs under a venv (a developer's, or a test run from another
    build's pyvenv), the new venv sees them too, through a .pth file, as QEMU's
    mkvenv arranges: packages already installed there need no download.
    """
    if sys.prefix == sys.base_prefix:
        return []
    base = os.path.realpath(sys.base_prefix)
    seen: list[str] = []
    for entry in sys.path:
        if not entry.endswith("site-packages") or not os.path.isdir(entry):
            continue
        if os.path.realpath(entry).startswith(base + os.sep) or entry in seen:
            continue
        seen.append(entry)
    return seen


def create_venv(venv_dir: Path) -> Path:
    """Create ``venv_dir`` (system site packages visible, no pip of its own); return its python."""
    import venv

    python = venv_dir / "bin" / "python3"
    if python.exists():
        return python
    builder = venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=os.name != "nt")
    builder.create(str(venv_dir))
    parents = _parent_site_packages()
    if parents:
        out = processes.run("python", [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                            what="the new venv's site-packages")
        if out.returncode != 0:
            raise OSError(f"{python} could not name its site-packages: {out.stderr.strip()[-200:]}")
        Path(out.stdout.strip(), "qemu-config-parent-venv.pth").write_text("\n".join(parents) + "\n")
    return python


_BASE_INTERPRETER = "import os, sys; print(os.path.realpath(getattr(sys, '_base_executable', sys.executable)))"


def base_interpreter() -> str:
    """The interpreter the running one is (for a venv: the one the venv was made from), links resolved."""
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def python_install_paths() -> tuple[str, tuple[str, ...]]:
    """Where the host's Python (the interpreter the build's venv was made from) installs and finds
    extension modules: its install scheme's platlib relative to any prefix (Debian's ``deb_system``,
    ``lib/python3/dist-packages``, where it has one, as meson's python module chooses; else
    ``posix_prefix``), and the site directories it searches (absolute).  A venv's own scheme is never
    the answer: the extension is for the host's Python, not for the build's venv."""
    import site

    schemes = sysconfig.get_scheme_names()
    scheme = "deb_system" if "deb_system" in schemes else "posix_prefix" if "posix_prefix" in schemes \
        else sysconfig.get_default_scheme()
    platlib = sysconfig.get_path("platlib", scheme, vars={"base": "", "platbase": "", "installed_base": "",
                                                           "installed_platbase": ""})
    searched = getattr(site, "getsitepackages", None)     # absent from some old virtualenvs' site.py
    site_dirs = tuple(d for d in (searched([sys.base_prefix]) if searched else ())
                      if os.path.basename(d) in ("site-packages", "dist-packages"))
    return platlib.lstrip("/\\"), site_dirs


def python_not_used(requested: str, environ: Mapping[str, str]) -> str | None:
    """Why ``--python=requested`` is not the interpreter configure runs on, or None when it is.

    ./configure takes ``--python`` only when it creates the build directory's
    venv; a venv that exists keeps its interpreter.  ``requested`` is asked
    which interpreter it is (a wrapper such as pyenv's shim answers for the
    one it runs), with ``environ``'s PATH.
    """
    running = base_interpreter()
    found = shutil.which(requested, path=environ.get("PATH", os.defpath))
    answer = None
    if found is not None:
        try:
            proc = processes.run("python", [found, "-c", _BASE_INTERPRETER], what="which interpreter it is",
                                 env=environ)
            answer = proc.stdout.strip() if proc.returncode == 0 else None
        except (OSError, ProcessTimeout):
            answer = None
    if answer == running:
        return None
    what = f"it is {answer}" if answer else "it does not run" if found else "it is not found"
    return (f"--python={requested} is not used ({what}): the build directory's venv runs {running}; "
            "--python chooses the interpreter only when configure creates the venv (remove pyvenv to choose again)")


def _pip_install(python: str, specs: list[str], *, purpose: str | None, then: str) -> None:
    """pip-install ``specs`` into the running venv, or fail saying what to do (``then``: what to re-run)."""
    if importlib.util.find_spec("pip") is None:
        processes.run("python", [python, "-m", "ensurepip", "--default-pip"], what="installing pip")
    # pip keeps its cache where ours would be (XDG_CACHE_HOME, else ~/.cache): none when there is no such place.
    no_cache = ["--no-cache-dir"] if user_cache_dir() is None else []
    cmd = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", *no_cache, *specs]
    print("qemu-config: installing " + " ".join(specs) + " into " + sys.prefix, file=sys.stderr)
    proc = processes.run("pip", cmd, what="installing " + " ".join(specs))
    if proc.returncode != 0:
        raise UserError(
            "could not install " + " ".join(specs) + " into " + sys.prefix,
            *proc.stderr.strip().splitlines()[-3:],
            *((f"they are needed now because {purpose}",) if purpose else ()),
            "check the network or the package index (pip's settings: PIP_INDEX_URL, PIP_FIND_LINKS),",
            f"or install them yourself ({python} -m pip install {' '.join(specs)}) and re-run {then}",
        )
    importlib.invalidate_caches()


def install_missing(python: str = sys.executable, *, purpose: str | None = None) -> list[str]:
    """pip-install whatever the engine lacks into the running venv; return what was installed.

    Does nothing (and needs no network) when everything is present.  ``purpose``
    says, in the error, why they are needed now (e.g. what --help shows).
    """
    specs = [req.pip_spec for req in missing_requirements()]
    if find_ninja() is None:
        specs.append("ninja>=1.8.2")
    if specs:
        _pip_install(python, specs, purpose=purpose, then="configure")
    return specs


def test_requirements(source_dir: Path) -> tuple[str, ...]:
    """What the test suite needs, as pip specs: ``[project.optional-dependencies] test`` of pyproject.toml."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: configure has installed tomli (REQUIREMENTS)
        import tomli as tomllib  # type: ignore[no-redef]
    data = tomllib.loads((source_dir / "pyproject.toml").read_text(encoding="utf-8"))
    return tuple(data["project"]["optional-dependencies"]["test"])


_DISTRIBUTION_SPEC = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(>=|==)\s*([0-9][0-9.]*))?\s*")


def distribution_missing(spec: str) -> bool:
    """Whether the distribution a pip spec names is not installed, or is older than (``>=``) or not (``==``)
    the version it gives.  Only ``NAME``, ``NAME>=VERSION`` and ``NAME==VERSION`` are understood."""
    match = _DISTRIBUTION_SPEC.fullmatch(spec)
    if match is None:
        raise ValueError(f"{spec!r}: only NAME, NAME>=VERSION and NAME==VERSION are understood")
    name, operator, wanted = match.groups()
    try:
        found = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return True
    if operator is None:
        return False
    have, need = _version_tuple(found), _version_tuple(wanted)
    return have < need if operator == ">=" else have != need


def install_test_requirements(source_dir: Path, python: str = sys.executable) -> list[str]:
    """pip-install the test requirements that are missing (``make check`` runs this); return what was installed.

    Does nothing, and needs no network, when they are all present.
    """
    specs = [spec for spec in test_requirements(source_dir) if distribution_missing(spec)]
    if specs:
        _pip_install(python, specs, purpose="make check runs the test suite", then="make check")
    return specs


def write_venv_script(venv_dir: Path, script: Path, body: str) -> None:
    """An executable script run by the venv's python: ``body`` imports a ``main``, which it exits with.

    Rewritten only when its text changed.
    """
    text = f"#!{venv_dir / 'bin' / 'python3'}\nimport sys\n{body}sys.exit(main())\n"
    if not script.exists() or script.read_text(encoding="utf-8") != text:
        script.write_text(text, encoding="utf-8")
        script.chmod(0o755)


def ensure_meson_script(venv_dir: Path) -> Path:
    """``<venv>/bin/meson``: pip's console script, or a wrapper when meson comes from a parent site."""
    script = venv_dir / "bin" / "meson"
    if not script.exists():
        write_venv_script(venv_dir, script, "from mesonbuild.mesonmain import main\n")
    return script


def ensure_engine_script(venv_dir: Path, source_dir: Path) -> Path:
    """``<venv>/bin/qemu-config``: the engine's command (explain, sources, ...) for this build's source tree."""
    script = venv_dir / "bin" / "qemu-config"
    write_venv_script(venv_dir, script,
                      "# Written by configure: qemu-config from the source tree this build was configured from.\n"
                      f"sys.path.insert(0, {str(source_dir)!r})\nfrom qemu_config.cli import main\n")
    return script


def main(argv: list[str]) -> int:
    """``python -m qemu_config.bootstrap VENV_DIR``: create the build dir's venv (used by ./configure);
    ``python -m qemu_config.bootstrap --test-requirements SOURCE_DIR``: install what the tests need
    (used by ``make check``)."""
    if len(argv) == 2 and argv[0] == "--test-requirements":
        try:
            install_test_requirements(Path(argv[1]))
        except UserError as err:
            return err.report()
        return 0
    if len(argv) != 1:
        print("usage: python -m qemu_config.bootstrap VENV_DIR | --test-requirements SOURCE_DIR", file=sys.stderr)
        return 2
    try:
        create_venv(Path(argv[0]))
    except OSError as exc:
        return UserError(f"python venv creation failed in {argv[0]}: {exc}",
                         "install python3-venv (Debian) or pass --python=/path/to/python3").report()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
