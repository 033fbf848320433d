/*
 * console.c: the pixman console surface from Python (placeholder until the part lands).
 */
#include "qemu-core.h"

int qemu_core_init_console(PyObject *module)
{
    return 0;
}
