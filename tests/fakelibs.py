"""Real stand-in libraries for tests: .pc files, headers and shared libraries compiled here.

They let a test put configure in front of a "too old", "missing" or "not packaged
by Debian" library without mocking any probe: pkg-config, the compiler and the
linker all run for real against what this module builds.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Mapping


def write_pc(pcdir: Path, name: str, version: str, *, prefix: Path, libs: str = "", cflags: str = "",
             requires: str = "") -> Path:
    pcdir.mkdir(parents=True, exist_ok=True)
    text = (f"prefix={prefix}\nincludedir=${{prefix}}/include\nlibdir=${{prefix}}/lib\n\n"
            f"Name: {name}\nDescription: test stand-in for {name}\nVersion: {version}\n")
    if requires:
        text += f"Requires: {requires}\n"
    text += f"Libs: -L${{libdir}} {libs}\nCflags: -I${{includedir}} {cflags}\n"
    path = pcdir / f"{name}.pc"
    path.write_text(text)
    return path


def build_library(prefix: Path, libname: str, headers: Mapping[str, str], source: str) -> Path:
    """Compile ``source`` into prefix/lib/lib<libname>.so and install ``headers`` under prefix/include."""
    inc = prefix / "include"
    lib = prefix / "lib"
    for rel, text in headers.items():
        (inc / rel).parent.mkdir(parents=True, exist_ok=True)
        (inc / rel).write_text(text)
    lib.mkdir(parents=True, exist_ok=True)
    src = prefix / f"{libname}.c"
    src.write_text(source)
    out = lib / f"lib{libname}.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-I", str(inc), "-o", str(out), str(src)], check=True)
    return out


# A GLib 2.66 look-alike: GTree without the node API that GLib 2.68 added.
OLD_GLIB_HEADER = """\
#ifndef FAKE_GLIB_H
#define FAKE_GLIB_H
typedef void *gpointer;
typedef const void *gconstpointer;
typedef int gint;
typedef gint (*GCompareFunc)(gconstpointer a, gconstpointer b);
typedef struct _GTree GTree;
typedef struct _GTreeNode GTreeNode;
GTree *g_tree_new(GCompareFunc key_compare_func);
void g_tree_insert(GTree *tree, gpointer key, gpointer value);
gpointer g_tree_lookup(GTree *tree, gconstpointer key);
void g_tree_destroy(GTree *tree);
#endif
"""

OLD_GLIB_SOURCE = """\
#include <stdlib.h>
#include <glib.h>
struct _GTree { GCompareFunc cmp; gpointer key, value; };
GTree *g_tree_new(GCompareFunc cmp) { GTree *t = calloc(1, sizeof(*t)); t->cmp = cmp; return t; }
void g_tree_insert(GTree *t, gpointer k, gpointer v) { t->key = k; t->value = v; }
gpointer g_tree_lookup(GTree *t, gconstpointer k) { return t->key && !t->cmp(t->key, k) ? t->value : 0; }
void g_tree_destroy(GTree *t) { free(t); }
"""


def old_glib(root: Path) -> Path:
    """A PKG_CONFIG_LIBDIR holding glib-2.0 2.66.0 without the GTree node API; returns the .pc dir."""
    prefix = root / "glib-2.66"
    build_library(prefix, "glib-2.0", {"glib.h": OLD_GLIB_HEADER}, OLD_GLIB_SOURCE)
    pcdir = root / "pc-old-glib"
    write_pc(pcdir, "glib-2.0", "2.66.0", prefix=prefix, libs="-lglib-2.0")
    return pcdir


def rutabaga(root: Path, version: str = "0.1.3") -> Path:
    """rutabaga_gfx_ffi (not packaged by Debian 12) as a tiny real library; returns the .pc dir."""
    prefix = root / "rutabaga"
    build_library(prefix, "rutabaga_gfx_ffi",
                  {"rutabaga_gfx/rutabaga_gfx_ffi.h": "int rutabaga_init(void);\n"},
                  "int rutabaga_init(void) { return 0; }\n")
    pcdir = root / "pc-rutabaga"
    write_pc(pcdir, "rutabaga_gfx_ffi", version, prefix=prefix, libs="-lrutabaga_gfx_ffi")
    return pcdir


def old_libfdt(root: Path) -> Path:
    """A libfdt older than 1.5.1 (no fdt_find_max_phandle); returns the prefix (include/, lib/)."""
    prefix = root / "libfdt-old"
    header = ("#include <stdint.h>\nint fdt_check_header(const void *fdt);\n")
    build_library(prefix, "fdt", {"libfdt.h": header, "libfdt_env.h": "#include <stdint.h>\n"},
                  "int fdt_check_header(const void *fdt) { return fdt ? 0 : -1; }\n")
    return prefix
