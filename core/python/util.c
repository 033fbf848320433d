/*
 * util.c: the core's utilities from Python (relocated paths, load average, object pool).
 */
#include "qemu-core.h"
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/object-pool.h"
#include "ui/virgl.h"

#ifndef CONFIG_WIN32
#include <unistd.h>
#endif

#ifndef QEMU_EXTENSION_TO_BINDIR
#error "QEMU_EXTENSION_TO_BINDIR must give the way from the extension's install directory to bindir (meson.build)"
#endif

/* An absolute, canonical path, or NULL when it does not exist. */
static char *canonical(const char *path)
{
#ifdef CONFIG_WIN32
    char *out = _fullpath(NULL, path, 0);
    if (out && access(out, F_OK) != 0) {
        free(out);
        out = NULL;
    }
    return out;
#else
    return realpath(path, NULL);
#endif
}

/*
 * The extension relocates from where it is installed, as a binary does from
 * bindir: the directory standing for the executable's is bindir, found from
 * the module's own file (QEMU_EXTENSION_TO_BINDIR, from its install
 * directory).  In a build tree (configure's qemu-config-build.mak beside the
 * module), or where that bindir does not exist, it is the module's own
 * directory, as for the binaries beside it.  Never the interpreter's
 * directory, which says nothing about where the core is.
 */
static void locate_exec_dir(PyObject *module)
{
    static int located;
    if (located) {
        return;
    }
    PyObject *file = PyModule_GetFilenameObject(module);
    if (!file) {
        PyErr_Clear();   /* no __file__ (embedded): the process's executable stands */
        return;
    }
    const char *path = PyUnicode_AsUTF8(file);
    char *here = path ? canonical(path) : NULL;
    Py_DECREF(file);
    if (!here) {
        PyErr_Clear();
        return;
    }
    char *slash = strrchr(here, '/');
#ifdef CONFIG_WIN32
    char *backslash = strrchr(here, '\\');
    if (backslash && (!slash || backslash > slash)) {
        slash = backslash;
    }
#endif
    if (slash) {
        *slash = '\0';
    }
    static const char build_marker[] = "qemu-config-build.mak";
    size_t size = strlen(here) + strlen(QEMU_EXTENSION_TO_BINDIR) + sizeof(build_marker) + 2;
    char *candidate = malloc(size);
    if (candidate) {
        snprintf(candidate, size, "%s/%s", here, build_marker);
        char *bindir = NULL;
        if (access(candidate, F_OK) != 0) {
            snprintf(candidate, size, "%s/%s", here, QEMU_EXTENSION_TO_BINDIR);
            bindir = canonical(candidate);
        }
        qemu_set_exec_dir(bindir ? bindir : here);
        free(bindir);
        free(candidate);
        located = 1;
    }
    free(here);
}

static PyObject *py_relocated_path(PyObject *self, PyObject *args)
{
    const char *dir;
    if (!PyArg_ParseTuple(args, "s", &dir)) {
        return NULL;
    }
    locate_exec_dir(self);
    char *path = get_relocated_path(dir);
    if (!path) {
        return PyErr_NoMemory();
    }
    PyObject *result = PyUnicode_FromString(path);
    free(path);
    return result;
}

static PyObject *py_getloadavg(PyObject *self, PyObject *unused)
{
    double avg[3];
    if (qemu_getloadavg(avg, 3) != 3) {
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(ddd)", avg[0], avg[1], avg[2]);
}

static PyObject *py_pool_cycles(PyObject *self, PyObject *args)
{
    unsigned long cycles;
    if (!PyArg_ParseTuple(args, "k", &cycles)) {
        return NULL;
    }
    ObjectPool *pool = object_pool_new(256, 64);
    if (!pool) {
        return PyErr_NoMemory();
    }
    for (unsigned long i = 0; i < cycles; i++) {
        void *object = object_pool_get(pool);
        if (!object) {
            object_pool_free(pool);
            return PyErr_NoMemory();
        }
        object_pool_put(pool, object);
    }
    size_t allocations = object_pool_allocations(pool);
    object_pool_free(pool);
    return PyLong_FromSize_t(allocations);
}

static PyObject *py_virgl_version(PyObject *self, PyObject *unused)
{
    const char *version = virgl_linked_version();
    if (!version) {
        Py_RETURN_NONE;
    }
    return PyUnicode_FromString(version);
}

static PyMethodDef util_methods[] = {
    { "virgl_version", py_virgl_version, METH_NOARGS,
      "virgl_version() -> str | None: the virglrenderer version linked in, None when built without it." },
    { "relocated_path", py_relocated_path, METH_VARARGS,
      "relocated_path(dir) -> str: where an installed directory is, relocated from where this extension is "
      "installed (get_relocated_path)." },
    { "getloadavg", py_getloadavg, METH_NOARGS,
      "getloadavg() -> (1, 5, 15 minute averages), or None where the host has no getloadavg." },
    { "pool_cycles", py_pool_cycles, METH_VARARGS,
      "pool_cycles(n) -> int: get and put one pooled object n times; returns how many were malloc'ed "
      "(1 when CONFIG_COROUTINE_POOL reuses them, n when it does not)." },
    { NULL, NULL, 0, NULL },
};

int qemu_core_init_util(PyObject *module)
{
    return PyModule_AddFunctions(module, util_methods);
}
