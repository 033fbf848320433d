/*
 * qemu_core: the core as a CPython extension module.
 *
 * Exposes what configure decided, as compiled into this build:
 *   qemu_core.version        the core's version string
 *   qemu_core.targets        the configured targets (tuple of str; see targets.c)
 *   qemu_core.build_config() {name: value} for every key of config-host.h:
 *                            True (#define KEY), False (#undef KEY), int for
 *                            a decimal number, str for a string literal,
 *                            otherwise the expansion text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "qemu/osdep.h"
#include "qemu/build-config.h"
#include "hw/hyperv/hv-balloon.h"

#include "qemu-core.h"

/* Decode a single C string literal; NULL if text is not exactly one literal. */
static PyObject *decode_c_string(const char *text)
{
    size_t len = strlen(text);
    if (len < 2 || text[0] != '"' || text[len - 1] != '"') {
        return NULL;
    }
    char *buf = PyMem_Malloc(len);
    if (!buf) {
        return PyErr_NoMemory();
    }
    size_t out = 0;
    for (size_t i = 1; i < len - 1; i++) {
        char c = text[i];
        if (c == '"') {          /* a second literal: not a single string */
            PyMem_Free(buf);
            return NULL;
        }
        if (c == '\\' && i + 1 < len - 1) {
            c = text[++i];
        }
        buf[out++] = c;
    }
    PyObject *result = PyUnicode_DecodeUTF8(buf, out, "strict");
    PyMem_Free(buf);
    return result;
}

PyObject *qemu_core_raise(int err, char *msg, const char *fallback)
{
    PyObject *type = err == -ENOSYS ? PyExc_RuntimeError
                   : err == -ENOMEM ? PyExc_MemoryError : PyExc_ValueError;
    PyErr_SetString(type, msg ? msg : fallback);
    free(msg);
    return NULL;
}

PyObject *qemu_core_string_tuple(const char *const *items, size_t count)
{
    PyObject *tuple = PyTuple_New((Py_ssize_t)count);
    for (size_t i = 0; tuple && i < count; i++) {
        PyObject *item = PyUnicode_FromString(items[i]);
        if (!item) {
            Py_CLEAR(tuple);
            break;
        }
        PyTuple_SET_ITEM(tuple, (Py_ssize_t)i, item);
    }
    return tuple;
}

static PyObject *config_value(const QemuConfigEntry *e)
{
    switch (e->kind) {
    case QEMU_CONFIG_UNDEFINED:
        Py_RETURN_FALSE;
    case QEMU_CONFIG_DEFINED:
        Py_RETURN_TRUE;
    case QEMU_CONFIG_VALUE:
        break;
    }
    const char *text = e->text;
    char *end = NULL;
    errno = 0;
    long long number = strtoll(text, &end, 10);
    if (end != text && *end == '\0' && errno == 0) {
        return PyLong_FromLongLong(number);
    }
    PyObject *str = decode_c_string(text);
    if (str || PyErr_Occurred()) {
        return str;
    }
    return PyUnicode_FromString(text);
}

static PyObject *core_build_config(PyObject *self, PyObject *unused)
{
    size_t count;
    const QemuConfigEntry *entries = qemu_build_config(&count);
    PyObject *dict = PyDict_New();
    if (!dict) {
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        PyObject *value = config_value(&entries[i]);
        if (!value || PyDict_SetItemString(dict, entries[i].name, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(dict);
            return NULL;
        }
        Py_DECREF(value);
    }
    return dict;
}

static PyObject *core_hv_balloon(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(hv_balloon_implementation());
}

static PyMethodDef core_methods[] = {
    { "hv_balloon", core_hv_balloon, METH_NOARGS,
      "hv_balloon() -> str: which hv-balloon implementation was compiled in (the real one or the stub)." },
    { "build_config", core_build_config, METH_NOARGS,
      "build_config() -> dict: every key of config-host.h as compiled into this build." },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "qemu_core",
    .m_doc = "The qemu-config emulator core, as configured and built.",
    .m_size = -1,
    .m_methods = core_methods,
};

PyMODINIT_FUNC PyInit_qemu_core(void);

PyMODINIT_FUNC PyInit_qemu_core(void)
{
    PyObject *module = PyModule_Create(&core_module);
    if (!module) {
        return NULL;
    }
    if (qemu_core_init_targets(module) < 0
        || PyModule_AddStringConstant(module, "version", qemu_core_version()) < 0
        || qemu_core_init_balloon(module) < 0
        || qemu_core_init_util(module) < 0
        || qemu_core_init_console(module) < 0
        || qemu_core_init_net(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
