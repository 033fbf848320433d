"""meson's builtin options (prefix, libdir, b_lto, optimization, ...), as the pinned meson describes them.

Owns running ``meson introspect --buildoptions`` on a throw-away project, the
per-user cache of its answer (one file per meson version and platform), and
:data:`HELP_BUILTINS`, the builtins QEMU's configure shows.  meson is only
run, as a subprocess, never imported.  Must not: know configure's spellings or
resolve values.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, cast

from .. import processes
from ..errors import UserError
from ..storage import user_cache_dir, write_atomic
from .model import MesonOption, OptionType


#: The builtins QEMU's configure exposes (scripts/meson-buildoptions.py BUILTIN_OPTIONS).
HELP_BUILTINS: frozenset[str] = frozenset({
    "b_coverage", "b_lto", "bindir", "datadir", "debug", "includedir", "libdir", "libexecdir",
    "localedir", "localstatedir", "mandir", "prefix", "strip", "sysconfdir", "werror",
})

#: meson's directory defaults that depend on the prefix (its "Built-in options" documentation):
#: with prefix /usr, configuration goes to /etc and state to /var; with /usr/local, state to
#: /var/local; under any other prefix, to <prefix>/etc, <prefix>/var and <prefix>/com.  (meson
#: introspect reports the /usr/local values as the defaults: its throw-away project has that prefix.)
#: They apply to the options the command line did not set.
_OTHER_PREFIX = {"sysconfdir": "etc", "localstatedir": "var", "sharedstatedir": "com"}
PREFIX_DIRECTORY_DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "/usr": {"sysconfdir": "/etc", "localstatedir": "/var", "sharedstatedir": "/var/lib"},
    "/usr/local": {**_OTHER_PREFIX, "localstatedir": "/var/local", "sharedstatedir": "/var/local/lib"},
}


def prefix_directory_defaults(prefix: str) -> Mapping[str, str]:
    """meson's defaults for the prefix-dependent directory options, for ``prefix``."""
    return PREFIX_DIRECTORY_DEFAULTS.get(prefix.rstrip("/") or "/", _OTHER_PREFIX)

_CACHE_FORMAT = 1


def cache_dir() -> Path | None:
    """Where meson's builtin options are cached: the user's cache directory (:func:`storage.user_cache_dir`);
    None (not cached) when the user has none."""
    return user_cache_dir()


def _builtins_cache_path(directory: Path, meson_version: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", meson_version)
    return directory / f"meson-builtins-{safe}-{sys.platform}.json"


def _option_from_introspect(entry: Mapping[str, object]) -> MesonOption:
    value = entry.get("value")
    if isinstance(value, list):
        value = tuple(str(v) for v in value)
    choices = entry.get("choices")
    return MesonOption(
        name=str(entry["name"]),
        type=cast(OptionType, str(entry["type"])),
        description=str(entry.get("description", "")),
        value=value,  # type: ignore[arg-type]
        choices=tuple(str(c) for c in choices) if isinstance(choices, list) else None,
        section=str(entry.get("section", "core")),
    )


def introspect_buildoptions(meson_cmd: Sequence[str], option_text: str | None = None) -> list[dict[str, object]]:
    """Run ``meson introspect --buildoptions`` on a throw-away ``project('x', 'c')``.

    ``option_text`` becomes its ``meson_options.txt``.  Returns meson's JSON list.
    """
    with tempfile.TemporaryDirectory(prefix="qemu-config-introspect-") as tmp:
        (Path(tmp) / "meson.build").write_text("project('x', 'c')\n", encoding="utf-8")
        if option_text is not None:
            (Path(tmp) / "meson_options.txt").write_text(option_text, encoding="utf-8")
        cmd = [*meson_cmd, "introspect", "--buildoptions", str(Path(tmp) / "meson.build")]
        try:
            proc = processes.run("meson", cmd, what="meson's builtin options", cwd=tmp)
        except OSError as exc:
            raise UserError("could not run meson to list its builtin options", f"{' '.join(cmd)}: {exc}") from None
    if proc.returncode != 0:
        tail = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()][-3:]
        raise UserError("meson introspect --buildoptions failed", *tail)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise UserError("meson introspect --buildoptions printed no JSON", proc.stdout[:200]) from None
    if not isinstance(data, list):
        raise UserError("meson introspect --buildoptions printed unexpected JSON")
    return data


def _meson_version_of(meson_cmd: Sequence[str]) -> str:
    try:
        proc = processes.run("meson", [*meson_cmd, "--version"], what="meson's version")
    except OSError as exc:
        raise UserError("could not run meson", f"{' '.join(meson_cmd)} --version: {exc}") from None
    if proc.returncode != 0 or not proc.stdout.strip():
        raise UserError("could not run meson", f"{' '.join(meson_cmd)} --version exited {proc.returncode}")
    return proc.stdout.strip().splitlines()[0]


def _read_builtins_cache(path: Path, meson_version: str) -> tuple[MesonOption, ...] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _CACHE_FORMAT or data.get("meson_version") != meson_version:
            return None
        return tuple(_option_from_introspect(e) for e in data["options"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_builtins_cache(path: Path, meson_version: str, entries: list[dict[str, object]]) -> None:
    """Atomic write; a cache that cannot be written is simply not written."""
    payload = json.dumps({"format": _CACHE_FORMAT, "meson_version": meson_version, "options": entries},
                         indent=1, sort_keys=True)
    try:
        write_atomic(path, payload.encode("utf-8"))
    except OSError:
        pass


def builtin_options(meson_cmd: Sequence[str] | None = None, *, include_hidden: bool = False,
                    cache: str | os.PathLike[str] | None | Literal[False] = None) -> tuple[MesonOption, ...]:
    """Meson's builtin options, as the pinned meson describes them.

    By default only the ones QEMU's configure shows (:data:`HELP_BUILTINS`);
    ``include_hidden=True`` gives every builtin a project can set with -D
    (optimization, auto_features, wrap_mode, c_args, ...).  Sorted by name.

    The list comes from ``meson introspect --buildoptions`` and is cached in
    ``cache`` (default :func:`cache_dir`; ``False`` disables the cache) under a
    file keyed by meson version (the pinned one when ``meson_cmd`` is None; else
    what ``meson_cmd --version`` says).  A missing, stale or corrupt cache is
    rebuilt; one that cannot be written is skipped.  A result that lacks some of
    QEMU's builtins (no C compiler, so no b_* options) is returned but not cached.
    """
    from .. import bootstrap

    version = bootstrap.MESON_VERSION if meson_cmd is None else _meson_version_of(meson_cmd)
    directory = None if cache is False else Path(cache) if cache is not None else cache_dir()
    path = _builtins_cache_path(directory, version) if directory is not None else None
    found = _read_builtins_cache(path, version) if path is not None else None
    if found is None:
        command = list(meson_cmd) if meson_cmd is not None else bootstrap.meson_command()
        entries = [e for e in introspect_buildoptions(command)
                   if e.get("section") != "user" and ":" not in str(e.get("name", ""))
                   and e.get("machine", "any") in ("any", "host")]
        unique: dict[str, dict[str, object]] = {}
        for entry in entries:
            unique.setdefault(str(entry["name"]), entry)
        found = tuple(_option_from_introspect(e) for e in unique.values())
        if path is not None and HELP_BUILTINS <= {o.name for o in found}:
            _write_builtins_cache(path, version, list(unique.values()))
    chosen = found if include_hidden else tuple(o for o in found if o.name in HELP_BUILTINS)
    return tuple(sorted(chosen, key=lambda o: o.name))

