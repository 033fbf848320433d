/*
 * targets.c: each configured target's selection, carried as data.
 *
 * The extension is compiled once, from the union of the targets' device
 * selections; configure's qemu-core-targets.h tells it what each target has.
 *
 *   qemu_core.targets                 the configured targets (tuple of str)
 *   qemu_core.devices(target=None)    [(name, bus, description)] of the models
 *                                     compiled in (the union), or of the models
 *                                     that target's binary links
 *   qemu_core.target_kconfig(target)  the CONFIG_ symbols of the target's
 *                                     config-devices.mak (tuple of str)
 *   qemu_core.target_sources(target)  the source files its binary links
 * An unknown target is a ValueError naming the configured ones.
 */
#include "qemu-core.h"

#include "qemu/osdep.h"
#include "hw/qdev.h"

#include "qemu-core-targets.h"

typedef struct TargetSelection {
    const char *name;
    const char *const *kconfig;     /* NULL-terminated */
    const char *const *sources;     /* NULL-terminated, relative to the source tree */
} TargetSelection;

static const TargetSelection target_table[] = {
    QEMU_CORE_TARGET_TABLE
    { NULL, NULL, NULL },
};

/* A NULL-terminated list of the table as a tuple. */
static PyObject *string_tuple(const char *const *items)
{
    size_t count = 0;
    while (items[count]) {
        count++;
    }
    return qemu_core_string_tuple(items, count);
}

static const TargetSelection *find_target(const char *name)
{
    for (const TargetSelection *t = target_table; t->name; t++) {
        if (strcmp(t->name, name) == 0) {
            return t;
        }
    }
    PyObject *known = PyUnicode_FromString("");
    for (const TargetSelection *t = target_table; known && t->name; t++) {
        PyObject *joined = PyUnicode_FromFormat("%U%s%s", known, t == target_table ? "" : ", ", t->name);
        Py_SETREF(known, joined);
    }
    if (known) {
        PyErr_Format(PyExc_ValueError, "'%s' is not a configured target: this build has %U", name, known);
        Py_DECREF(known);
    }
    return NULL;
}

/* true when the compiler's name for the file (e.g. "../core/hw/net/e1000.c") is the source-tree path. */
static bool same_source(const char *compiled, const char *path)
{
    size_t clen = strlen(compiled), plen = strlen(path);
    if (clen < plen || strcmp(compiled + clen - plen, path) != 0) {
        return false;
    }
    return clen == plen || compiled[clen - plen - 1] == '/';
}

static bool target_links(const TargetSelection *target, const DeviceModel *model)
{
    for (const char *const *src = target->sources; *src; src++) {
        if (same_source(model->source, *src)) {
            return true;
        }
    }
    return false;
}

static PyObject *core_devices(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"target", NULL};
    const char *name = NULL;
    const TargetSelection *target = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|z", (char **)kwlist, &name)) {
        return NULL;
    }
    if (name && !(target = find_target(name))) {
        return NULL;
    }
    size_t count;
    const DeviceModel *const *models = qdev_models(&count);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < count; i++) {
        if (target && !target_links(target, models[i])) {
            continue;
        }
        PyObject *item = Py_BuildValue("(sss)", models[i]->name, models[i]->bus, models[i]->desc);
        if (!item || PyList_Append(list, item) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(item);
    }
    return list;
}

static PyObject *core_target_kconfig(PyObject *self, PyObject *args)
{
    const char *name;
    const TargetSelection *target;

    if (!PyArg_ParseTuple(args, "s", &name) || !(target = find_target(name))) {
        return NULL;
    }
    return string_tuple(target->kconfig);
}

static PyObject *core_target_sources(PyObject *self, PyObject *args)
{
    const char *name;
    const TargetSelection *target;

    if (!PyArg_ParseTuple(args, "s", &name) || !(target = find_target(name))) {
        return NULL;
    }
    return string_tuple(target->sources);
}

static PyMethodDef target_functions[] = {
    {"devices", (PyCFunction)(void (*)(void))core_devices, METH_VARARGS | METH_KEYWORDS,
     "devices(target=None) -> [(name, bus, description)]: the device models compiled into this "
     "extension (the union of the configured targets), or those the target's binary links."},
    {"target_kconfig", core_target_kconfig, METH_VARARGS,
     "target_kconfig(target) -> tuple: the CONFIG_ symbols of the target's config-devices.mak."},
    {"target_sources", core_target_sources, METH_VARARGS,
     "target_sources(target) -> tuple: the source files the target's binary links."},
    {NULL, NULL, 0, NULL},
};

int qemu_core_init_targets(PyObject *module)
{
    const size_t count = sizeof(target_table) / sizeof(target_table[0]) - 1;
    const char *target_names[sizeof(target_table) / sizeof(target_table[0])];
    for (size_t i = 0; i < count; i++) {
        target_names[i] = target_table[i].name;
    }
    PyObject *names = qemu_core_string_tuple(target_names, count);
    if (!names || PyModule_AddObject(module, "targets", names) < 0) {
        Py_XDECREF(names);
        return -1;
    }
    return PyModule_AddFunctions(module, target_functions);
}
