/*
 * console.c: the console's display surface as a Python type.
 *
 *   qemu_core.Surface(width, height, format="x8r8g8b8")
 *       .width, .height, .stride, .bits_per_pixel, .format
 *       .fill(x, y, width, height, argb)          draw a rectangle
 *       .blit(src, src_x, src_y, dst_x, dst_y, width, height)
 *                                                 copy from src, converting formats
 *       .convert(format) -> Surface               the same pixels in another format
 *       .pixel(x, y) -> 0xAARRGGBB                read one pixel back
 *       .tobytes() -> bytes                       the raw memory, height * stride bytes
 *     ValueError for an unknown format or a rectangle outside the surface;
 *     RuntimeError on construction when pixman was compiled out.
 *   qemu_core.console_available()  whether the pixman surface is compiled in.
 *   qemu_core.console()            which implementation was compiled in.
 *   qemu_core.surface_formats()    the format names Surface accepts.
 */
#include "qemu-core.h"

#include "qemu/osdep.h"
#include "ui/console.h"

typedef struct {
    PyObject_HEAD
    DisplaySurface *surface;
} PySurface;

static PyTypeObject PySurface_Type;

static void *raise_console_error(int err, char *msg)
{
    return qemu_core_raise(err, msg, "display surface error");
}

static int surface_init(PySurface *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"width", "height", "format", NULL};
    int width, height;
    const char *format = "x8r8g8b8";
    char *err = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "ii|s", (char **)kwlist, &width, &height, &format)) {
        return -1;
    }
    display_surface_free(self->surface);
    self->surface = NULL;
    int ret = display_surface_new(width, height, format, &self->surface, &err);
    if (ret < 0) {
        raise_console_error(ret, err);
        return -1;
    }
    return 0;
}

static void surface_dealloc(PySurface *self)
{
    display_surface_free(self->surface);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int surface_ready(PySurface *self)
{
    if (!self->surface) {
        PyErr_SetString(PyExc_RuntimeError, "Surface is not initialised");
        return 0;
    }
    return 1;
}

static PyObject *surface_fill(PySurface *self, PyObject *args)
{
    int x, y, width, height;
    unsigned int argb;
    char *err = NULL;

    if (!surface_ready(self) || !PyArg_ParseTuple(args, "iiiiI", &x, &y, &width, &height, &argb)) {
        return NULL;
    }
    int ret = display_surface_fill(self->surface, x, y, width, height, argb, &err);
    if (ret < 0) {
        return raise_console_error(ret, err);
    }
    Py_RETURN_NONE;
}

static PyObject *surface_blit(PySurface *self, PyObject *args)
{
    PySurface *src;
    int src_x, src_y, dst_x, dst_y, width, height;
    char *err = NULL;

    if (!surface_ready(self)
        || !PyArg_ParseTuple(args, "O!iiiiii", &PySurface_Type, &src, &src_x, &src_y,
                             &dst_x, &dst_y, &width, &height)
        || !surface_ready(src)) {
        return NULL;
    }
    int ret = display_surface_blit(self->surface, src->surface, src_x, src_y, dst_x, dst_y,
                                   width, height, &err);
    if (ret < 0) {
        return raise_console_error(ret, err);
    }
    Py_RETURN_NONE;
}

static PyObject *surface_convert(PySurface *self, PyObject *args)
{
    const char *format;
    char *err = NULL;

    if (!surface_ready(self) || !PyArg_ParseTuple(args, "s", &format)) {
        return NULL;
    }
    DisplaySurface *converted;
    int ret = display_surface_convert(self->surface, format, &converted, &err);
    if (ret < 0) {
        return raise_console_error(ret, err);
    }
    PySurface *result = PyObject_New(PySurface, &PySurface_Type);
    if (!result) {
        display_surface_free(converted);
        return NULL;
    }
    result->surface = converted;
    return (PyObject *)result;
}

static PyObject *surface_pixel(PySurface *self, PyObject *args)
{
    int x, y;
    uint32_t argb;
    char *err = NULL;

    if (!surface_ready(self) || !PyArg_ParseTuple(args, "ii", &x, &y)) {
        return NULL;
    }
    int ret = display_surface_pixel(self->surface, x, y, &argb, &err);
    if (ret < 0) {
        return raise_console_error(ret, err);
    }
    return PyLong_FromUnsignedLong(argb);
}

static PyObject *surface_tobytes(PySurface *self, PyObject *unused)
{
    size_t size;

    if (!surface_ready(self)) {
        return NULL;
    }
    const uint8_t *data = display_surface_data(self->surface, &size);
    return PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)size);
}

static PyObject *surface_get_int(PySurface *self, void *which)
{
    if (!surface_ready(self)) {
        return NULL;
    }
    int (*get)(const DisplaySurface *) = (int (*)(const DisplaySurface *))which;
    return PyLong_FromLong(get(self->surface));
}

static PyObject *surface_get_format(PySurface *self, void *unused)
{
    if (!surface_ready(self)) {
        return NULL;
    }
    return PyUnicode_FromString(display_surface_format(self->surface));
}

static PyObject *surface_repr(PySurface *self)
{
    if (!self->surface) {
        return PyUnicode_FromString("<qemu_core.Surface (uninitialised)>");
    }
    return PyUnicode_FromFormat("<qemu_core.Surface %dx%d %s>", display_surface_width(self->surface),
                                display_surface_height(self->surface),
                                display_surface_format(self->surface));
}

static PyMethodDef surface_methods[] = {
    {"fill", (PyCFunction)surface_fill, METH_VARARGS,
     "fill(x, y, width, height, argb): fill a rectangle with the colour 0xAARRGGBB."},
    {"blit", (PyCFunction)surface_blit, METH_VARARGS,
     "blit(src, src_x, src_y, dst_x, dst_y, width, height): copy a rectangle from src, "
     "converting its pixels to this surface's format."},
    {"convert", (PyCFunction)surface_convert, METH_VARARGS,
     "convert(format) -> Surface: a new surface with these pixels in another format."},
    {"pixel", (PyCFunction)surface_pixel, METH_VARARGS,
     "pixel(x, y) -> int: the pixel as 0xAARRGGBB (alpha 0xff for formats without alpha)."},
    {"tobytes", (PyCFunction)surface_tobytes, METH_NOARGS,
     "tobytes() -> bytes: the raw pixel memory in the surface's format, height * stride bytes."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef surface_getset[] = {
    {"width", (getter)surface_get_int, NULL, "width in pixels", (void *)display_surface_width},
    {"height", (getter)surface_get_int, NULL, "height in pixels", (void *)display_surface_height},
    {"stride", (getter)surface_get_int, NULL, "bytes per row", (void *)display_surface_stride},
    {"bits_per_pixel", (getter)surface_get_int, NULL, "bits per pixel of the format",
     (void *)display_surface_bits_per_pixel},
    {"format", (getter)surface_get_format, NULL, "the pixel format's name", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject PySurface_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "qemu_core.Surface",
    .tp_doc = "Surface(width, height, format='x8r8g8b8'): a console display surface on pixman.",
    .tp_basicsize = sizeof(PySurface),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)surface_init,
    .tp_dealloc = (destructor)surface_dealloc,
    .tp_repr = (reprfunc)surface_repr,
    .tp_methods = surface_methods,
    .tp_getset = surface_getset,
};

static PyObject *core_console_available(PyObject *self, PyObject *unused)
{
    return PyBool_FromLong(console_available());
}

static PyObject *core_console(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(console_implementation());
}

static PyObject *core_surface_formats(PyObject *self, PyObject *unused)
{
    size_t count;
    const char *const *names = console_formats(&count);
    return qemu_core_string_tuple(names, count);
}

static PyMethodDef console_functions[] = {
    {"console_available", core_console_available, METH_NOARGS,
     "console_available() -> bool: whether the pixman display surface is compiled in (CONFIG_PIXMAN)."},
    {"console", core_console, METH_NOARGS,
     "console() -> str: which console implementation was compiled in (pixman and its version, or the stub)."},
    {"surface_formats", core_surface_formats, METH_NOARGS,
     "surface_formats() -> tuple: the pixel format names Surface accepts (empty without pixman)."},
    {NULL, NULL, 0, NULL},
};

int qemu_core_init_console(PyObject *module)
{
    if (PyType_Ready(&PySurface_Type) < 0) {
        return -1;
    }
    Py_INCREF(&PySurface_Type);
    if (PyModule_AddObject(module, "Surface", (PyObject *)&PySurface_Type) < 0) {
        Py_DECREF(&PySurface_Type);
        return -1;
    }
    return PyModule_AddFunctions(module, console_functions);
}
