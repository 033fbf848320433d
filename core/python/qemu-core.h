/*
 * qemu-core.h: the parts of the qemu_core extension module, each in its own file.
 *
 * Each qemu_core_init_<part>() adds that part's types and functions to the
 * module; it returns 0, or -1 with a Python exception set.
 */
#ifndef QEMU_CORE_EXTENSION_H
#define QEMU_CORE_EXTENSION_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

int qemu_core_init_balloon(PyObject *module);
int qemu_core_init_util(PyObject *module);
int qemu_core_init_targets(PyObject *module);
int qemu_core_init_console(PyObject *module);
int qemu_core_init_net(PyObject *module);

/*
 * The Python exception for a core call that failed with a negative errno and
 * a malloc'ed message (freed here; fallback when it is NULL): RuntimeError
 * for -ENOSYS (compiled out), MemoryError for -ENOMEM, ValueError otherwise.
 * Returns NULL, for "return qemu_core_raise(...);".
 */
PyObject *qemu_core_raise(int err, char *msg, const char *fallback);

/* A tuple of count C strings, or NULL with an exception set. */
PyObject *qemu_core_string_tuple(const char *const *items, size_t count);

#endif
