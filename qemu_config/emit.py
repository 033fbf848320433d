"""Writing the build directory.

Owns every file configure writes: rendering the jinja2 templates in
``qemu_config/templates/`` (package data, so that an installed qemu-config
has them) and writing them atomically (temporary file + rename) and only
when their content changed, so a no-op reconfigure rebuilds nothing.  Also owns
the meson header format (banner, ``#pragma once``, sorted keys) that
config-host.h and the per-target headers share.  Takes the results of earlier
stages; decides nothing itself.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence, Union

from .errors import UserError
from .storage import remove_stale_temporaries, write_all_atomic, write_atomic

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

HeaderValue = Union[bool, int, str]


@dataclass(frozen=True)
class Quoted:
    """A string value written with quotes (meson's ``set_quoted``)."""

    text: str


@dataclass(frozen=True)
class QuotedList:
    """Strings written as C literals each followed by a comma (``"a", "b", ``): an initializer's entries."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class OutputFile:
    """One file for the build directory: its path relative to the build dir, its text, its mode."""

    path: str
    text: str
    executable: bool = False


def _unchanged(path: Path, data: bytes, mode: int) -> bool:
    """Whether ``path`` already holds ``data`` (a mode change alone is applied in place)."""
    try:
        if path.read_bytes() != data:
            return False
        if (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
        return True
    except OSError:
        return False


def write_if_changed(path: Path, text: str, *, executable: bool = False) -> bool:
    """Atomically write ``text`` to ``path`` unless it already holds exactly that.

    Returns True if the file was (re)written.  Mode changes alone are applied in place.
    """
    data = text.encode("utf-8")
    mode = 0o755 if executable else 0o644
    if _unchanged(path, data, mode):
        return False
    write_atomic(path, data, mode)
    return True


def write_outputs(build_dir: Path, outputs: Iterable[OutputFile]) -> list[str]:
    """Write every output that changed, all or none; return the relative paths that changed.

    All content is computed before this is called, so a failure in an earlier stage
    leaves the build directory as it was; so does a failure to write (a full disk, a
    read-only directory), which is one UserError.
    """
    pending: list[tuple[str, Path, bytes, int]] = []
    outputs = list(outputs)
    remove_stale_temporaries(build_dir / out.path for out in outputs)
    for out in outputs:
        path = build_dir / out.path
        data = out.text.encode("utf-8")
        mode = 0o755 if out.executable else 0o644
        if not _unchanged(path, data, mode):
            pending.append((out.path, path, data, mode))
    try:
        write_all_atomic([(path, data, mode) for _, path, data, mode in pending])
    except OSError as exc:
        raise UserError(f"cannot write the configuration into {build_dir}: {exc.strerror or exc}",
                        "nothing was changed there: the build directory is as it was",
                        "make room on its file system (or make it writable), then run configure again") from None
    return [rel for rel, _, _, _ in pending]


# Bytes written as themselves in a C string literal.
_C_PLAIN = frozenset(range(0x20, 0x7f)) - {ord("\\"), ord('"')}


def c_string(text: str) -> str:
    """A C string literal holding exactly the bytes of ``text`` (UTF-8; a byte that was not UTF-8, held
    as a lone surrogate, is that byte again).  Quotes and backslashes are escaped as meson's set_quoted
    escapes them, control and non-ASCII bytes are octal escapes, and a ``?`` after a ``?`` is ``\\?``
    so that no trigraph forms."""
    out = ['"']
    previous = 0
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte == ord("?") and previous == ord("?"):
            out.append("\\?")
        elif byte in _C_PLAIN:
            out.append(chr(byte))
        elif byte in (ord("\\"), ord('"')):       # as meson's set_quoted writes them
            out.append("\\" + chr(byte))
        else:
            out.append(f"\\{byte:03o}")
        previous = byte
    out.append('"')
    return "".join(out)


def header_lines(config: Mapping[str, HeaderValue | Quoted | QuotedList]) -> list[str]:
    """One ``#define``/``#undef`` line per key, sorted, in meson's configure_file format."""
    lines: list[str] = []
    for key in sorted(config):
        value = config[key]
        if value is True:
            lines.append(f"#define {key}")
        elif value is False:
            lines.append(f"#undef {key}")
        elif isinstance(value, Quoted):
            lines.append(f"#define {key} {c_string(value.text)}")
        elif isinstance(value, QuotedList):
            lines.append(f"#define {key} " + "".join(f"{c_string(item)}, " for item in value.items))
        else:
            lines.append(f"#define {key} {value}")
    return lines


def render_header(config: Mapping[str, HeaderValue | Quoted | QuotedList]) -> str:
    """A C header exactly as meson's ``configure_file(configuration: ...)`` writes it."""
    body = "".join(f"{line}\n\n" for line in header_lines(config))
    return ("/*\n * Autogenerated by the Meson build system.\n"
            " * Do not edit, your changes will be lost.\n */\n\n#pragma once\n\n" + body)


def meson_string(text: str) -> str:
    """A meson string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def meson_array(items: Sequence[str]) -> str:
    return "[" + ", ".join(meson_string(i) for i in items) + "]"


def shell_quote(text: str) -> str:
    """Quote for POSIX sh the way QEMU's quote_sh does: always single quotes."""
    return "'" + text.replace("'", "'\\''") + "'"


# What a makefile value may hold as it is; anything else is quoted for the shell (and escaped for make).
_MAKE_PLAIN = re.compile(r"[A-Za-z0-9_./+,=:@%^-]*\Z")


def make_command(words: str | Sequence[str]) -> str:
    """A makefile variable's value that a recipe runs (``$(NINJA)``, ``$(GDB)``): each word as it is
    when it holds only plain characters, else shell-quoted with make's ``$`` and ``#`` escaped, so
    that make expands nothing and the shell gets the word exactly.  A word with a line break cannot be
    a makefile value: that is a UserError."""
    quoted = []
    for word in ([words] if isinstance(words, str) else words):
        if "\n" in word or "\r" in word:
            raise UserError(f"{word!r} cannot be written into a makefile: it holds a line break",
                            "use a path without line breaks")
        quoted.append(word if _MAKE_PLAIN.match(word) else shell_quote(word).replace("$", "$$").replace("#", "\\#"))
    return " ".join(quoted)


_environment = None
_environment_lock = threading.Lock()


def _template_environment():
    """The jinja2 environment of ``qemu_config/templates/`` (jinja2 imported on first use: help and errors
    need none)."""
    global _environment
    with _environment_lock:
        if _environment is None:
            import jinja2

            environment = jinja2.Environment(
                loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                undefined=jinja2.StrictUndefined,
                keep_trailing_newline=True,
                trim_blocks=True,
                lstrip_blocks=True,
                autoescape=False,
            )
            environment.filters["meson_string"] = meson_string
            environment.filters["meson_array"] = meson_array
            environment.filters["shell_quote"] = shell_quote
            environment.filters["make_command"] = make_command
            _environment = environment
        return _environment


def _compile_templates() -> None:
    environment = _template_environment()
    for name in sorted(environment.list_templates()):
        environment.get_template(name)


def start_compiling_templates() -> threading.Thread:
    """Import jinja2 and compile every template in a background thread.

    A configure spends most of its time waiting for compiler processes; this lets the
    templates be ready when the outputs are rendered instead of compiling them afterwards.
    Rendering needs no join: the environment is built under a lock and jinja2's template
    cache is safe to share between threads.
    """
    thread = threading.Thread(target=_compile_templates, name="compile-templates", daemon=True)
    thread.start()
    return thread


def render_template(name: str, **context: object) -> str:
    """Render ``qemu_config/templates/<name>``."""
    return _template_environment().get_template(name).render(**context)
