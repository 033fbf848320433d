/*
 * util.c: the core's utilities from Python (relocated paths, load average, object pool).
 */
#include "qemu-core.h"
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/object-pool.h"
#include "ui/virgl.h"

static PyObject *py_relocated_path(PyObject *self, PyObject *args)
{
    const char *dir;
    if (!PyArg_ParseTuple(args, "s", &dir)) {
        return NULL;
    }
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
      "relocated_path(dir) -> str: where an installed directory is for this process (get_relocated_path)." },
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
