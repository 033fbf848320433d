/*
 * balloon.c: the balloon page trackers as Python types, and the benchmark
 * entry points that drive them from C.
 *
 *   qemu_core.PageRangeTree(guest_pages)   the hv-balloon range tree
 *       .insert(start, count) -> pages of the range already present
 *       .pop(n) -> [(start, count), ...] up to n pages, each page once
 *       .contains(start, count) -> bool: is any page of the range present
 *       len(tree) pages present; .nodes; .metadata_bytes; .guest_pages
 *     ValueError for a range outside [0, guest_pages) or an empty range;
 *     RuntimeError on construction when hv-balloon was compiled out.
 *   qemu_core.PageBitmap(guest_pages)      the virtio-balloon-style baseline
 *       .add(pfn) -> 1 if the page was already present, else 0
 *       .add_range(start, count) -> duplicates (the per-page loop runs in C)
 *       .pop(n) -> [pfn, ...]; .contains(pfn); len(); .duplicates;
 *       .metadata_bytes; .guest_pages
 *   qemu_core.balloon_bench(tracker, pattern, guest_pages, balloon_pages, seed)
 *       generates the reports in C (untimed), balloons them into a fresh
 *       tracker ("tree" or "bitmap") and unballoons everything, timing each
 *       phase; returns a dict of the figures.
 *   qemu_core.page_range_tree_node_overhead() bytes counted per GTreeNode.
 *   qemu_core.hv_balloon_available() whether the range tree is compiled in.
 */
#include "qemu-core.h"

#include "qemu/osdep.h"
#include "qemu/page-bitmap.h"
#include "hw/hyperv/hv-balloon.h"

#include <time.h>

/* Raise the Python exception for a page tracker call that failed (see qemu_core_raise). */
static void *raise_errno(int err, char *msg)
{
    return qemu_core_raise(err, msg, "page tracker error");
}

/* ---- PageRangeTree ---------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PageRangeTree *tree;
} PyPageRangeTree;

static int prt_init(PyPageRangeTree *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"guest_pages", NULL};
    unsigned long long guest_pages;
    char *err = NULL;
    int ret;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "K", (char **)kwlist, &guest_pages)) {
        return -1;
    }
    page_range_tree_free(self->tree);
    self->tree = NULL;
    ret = page_range_tree_new(guest_pages, &self->tree, &err);
    if (ret < 0) {
        raise_errno(ret, err);
        return -1;
    }
    return 0;
}

static void prt_dealloc(PyPageRangeTree *self)
{
    page_range_tree_free(self->tree);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int prt_ready(PyPageRangeTree *self)
{
    if (!self->tree) {
        PyErr_SetString(PyExc_RuntimeError, "PageRangeTree is not initialised");
        return 0;
    }
    return 1;
}

static PyObject *prt_insert(PyPageRangeTree *self, PyObject *args)
{
    unsigned long long start, count;
    uint64_t dups = 0;
    char *err = NULL;
    int ret;

    if (!prt_ready(self) || !PyArg_ParseTuple(args, "KK", &start, &count)) {
        return NULL;
    }
    ret = page_range_tree_insert(self->tree, start, count, &dups, &err);
    if (ret < 0) {
        return raise_errno(ret, err);
    }
    return PyLong_FromUnsignedLongLong(dups);
}

static PyObject *prt_contains(PyPageRangeTree *self, PyObject *args)
{
    unsigned long long start, count;
    char *err = NULL;
    int ret;

    if (!prt_ready(self) || !PyArg_ParseTuple(args, "KK", &start, &count)) {
        return NULL;
    }
    ret = page_range_tree_contains(self->tree, start, count, &err);
    if (ret < 0) {
        return raise_errno(ret, err);
    }
    return PyBool_FromLong(ret);
}

static PyObject *prt_pop(PyPageRangeTree *self, PyObject *args)
{
    unsigned long long n;
    PyObject *list;

    if (!prt_ready(self) || !PyArg_ParseTuple(args, "K", &n)) {
        return NULL;
    }
    list = PyList_New(0);
    if (!list) {
        return NULL;
    }
    while (n > 0) {
        PageRange r;
        char *err = NULL;
        int ret = page_range_tree_pop_range(self->tree, n, &r, &err);
        PyObject *item;
        if (ret < 0) {
            Py_DECREF(list);
            return raise_errno(ret, err);
        }
        if (ret == 0) {
            break;
        }
        n -= r.count;
        item = Py_BuildValue("(KK)", (unsigned long long)r.start, (unsigned long long)r.count);
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

static Py_ssize_t prt_len(PyPageRangeTree *self)
{
    if (!prt_ready(self)) {
        return -1;
    }
    return (Py_ssize_t)page_range_tree_pages(self->tree);
}

/* A counter of the tree; closure is its accessor (page_range_tree_nodes, ...). */
static PyObject *prt_get_counter(PyPageRangeTree *self, void *closure)
{
    uint64_t (*counter)(const PageRangeTree *) = (uint64_t (*)(const PageRangeTree *))closure;
    return prt_ready(self) ? PyLong_FromUnsignedLongLong(counter(self->tree)) : NULL;
}

static PyMethodDef prt_methods[] = {
    {"insert", (PyCFunction)prt_insert, METH_VARARGS,
     "insert(start, count) -> how many of these pages were already present"},
    {"pop", (PyCFunction)prt_pop, METH_VARARGS,
     "pop(n) -> list of (start, count) ranges, up to n pages, removed from the tree"},
    {"contains", (PyCFunction)prt_contains, METH_VARARGS,
     "contains(start, count) -> True if any page of the range is present"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef prt_getset[] = {
    {"nodes", (getter)prt_get_counter, NULL, "number of ranges (tree nodes)", (void *)page_range_tree_nodes},
    {"metadata_bytes", (getter)prt_get_counter, NULL,
     "bytes allocated for the nodes and keys (tree header excluded)", (void *)page_range_tree_metadata_bytes},
    {"guest_pages", (getter)prt_get_counter, NULL, "size of the guest address space in pages",
     (void *)page_range_tree_guest_pages},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods prt_as_sequence = {
    .sq_length = (lenfunc)prt_len,
};

static PyTypeObject PageRangeTreeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "qemu_core.PageRangeTree",
    .tp_doc = "PageRangeTree(guest_pages): the hv-balloon page range tree (GLib GTree)",
    .tp_basicsize = sizeof(PyPageRangeTree),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)prt_init,
    .tp_dealloc = (destructor)prt_dealloc,
    .tp_methods = prt_methods,
    .tp_getset = prt_getset,
    .tp_as_sequence = &prt_as_sequence,
};

/* ---- PageBitmap ------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PageBitmap *bm;
} PyPageBitmap;

static int pb_init(PyPageBitmap *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"guest_pages", NULL};
    unsigned long long guest_pages;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "K", (char **)kwlist, &guest_pages)) {
        return -1;
    }
    if (guest_pages == 0) {
        PyErr_SetString(PyExc_ValueError, "guest_pages must be positive");
        return -1;
    }
    page_bitmap_free(self->bm);
    self->bm = page_bitmap_new(guest_pages);
    if (!self->bm) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void pb_dealloc(PyPageBitmap *self)
{
    page_bitmap_free(self->bm);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int pb_ready(PyPageBitmap *self)
{
    if (!self->bm) {
        PyErr_SetString(PyExc_RuntimeError, "PageBitmap is not initialised");
        return 0;
    }
    return 1;
}

static PyObject *pb_out_of_range(PyPageBitmap *self, unsigned long long start, unsigned long long count)
{
    return PyErr_Format(PyExc_ValueError,
                        "page range [%llu, +%llu) is outside the guest's address space of %llu pages",
                        start, count, (unsigned long long)page_bitmap_guest_pages(self->bm));
}

static PyObject *pb_add(PyPageBitmap *self, PyObject *args)
{
    unsigned long long pfn;
    int ret;

    if (!pb_ready(self) || !PyArg_ParseTuple(args, "K", &pfn)) {
        return NULL;
    }
    ret = page_bitmap_add(self->bm, pfn);
    if (ret < 0) {
        return pb_out_of_range(self, pfn, 1);
    }
    return PyLong_FromLong(ret == 0);
}

static PyObject *pb_add_range(PyPageBitmap *self, PyObject *args)
{
    unsigned long long start, count;
    int64_t dups;

    if (!pb_ready(self) || !PyArg_ParseTuple(args, "KK", &start, &count)) {
        return NULL;
    }
    dups = page_bitmap_add_range(self->bm, start, count);
    if (dups < 0) {
        return pb_out_of_range(self, start, count);
    }
    return PyLong_FromLongLong(dups);
}

static PyObject *pb_pop(PyPageBitmap *self, PyObject *args)
{
    unsigned long long n;
    PyObject *list;
    uint64_t pfn;

    if (!pb_ready(self) || !PyArg_ParseTuple(args, "K", &n)) {
        return NULL;
    }
    list = PyList_New(0);
    if (!list) {
        return NULL;
    }
    while (n-- > 0 && page_bitmap_pop(self->bm, &pfn)) {
        PyObject *item = PyLong_FromUnsignedLongLong(pfn);
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

static PyObject *pb_contains(PyPageBitmap *self, PyObject *args)
{
    unsigned long long pfn;

    if (!pb_ready(self) || !PyArg_ParseTuple(args, "K", &pfn)) {
        return NULL;
    }
    return PyBool_FromLong(page_bitmap_test(self->bm, pfn));
}

static Py_ssize_t pb_len(PyPageBitmap *self)
{
    if (!pb_ready(self)) {
        return -1;
    }
    return (Py_ssize_t)page_bitmap_pages(self->bm);
}

/* A counter of the bitmap; closure is its accessor (page_bitmap_duplicates, ...). */
static PyObject *pb_get_counter(PyPageBitmap *self, void *closure)
{
    uint64_t (*counter)(const PageBitmap *) = (uint64_t (*)(const PageBitmap *))closure;
    return pb_ready(self) ? PyLong_FromUnsignedLongLong(counter(self->bm)) : NULL;
}

static PyMethodDef pb_methods[] = {
    {"add", (PyCFunction)pb_add, METH_VARARGS,
     "add(pfn) -> 1 if the page was already present (a duplicate), else 0"},
    {"add_range", (PyCFunction)pb_add_range, METH_VARARGS,
     "add_range(start, count) -> duplicates; adds the pages one at a time, in C"},
    {"pop", (PyCFunction)pb_pop, METH_VARARGS, "pop(n) -> list of up to n page frame numbers"},
    {"contains", (PyCFunction)pb_contains, METH_VARARGS, "contains(pfn) -> bool"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef pb_getset[] = {
    {"duplicates", (getter)pb_get_counter, NULL, "duplicate page reports seen", (void *)page_bitmap_duplicates},
    {"metadata_bytes", (getter)pb_get_counter, NULL, "bytes allocated for the bit array",
     (void *)page_bitmap_metadata_bytes},
    {"guest_pages", (getter)pb_get_counter, NULL, "size of the guest address space in pages",
     (void *)page_bitmap_guest_pages},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods pb_as_sequence = {
    .sq_length = (lenfunc)pb_len,
};

static PyTypeObject PageBitmapType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "qemu_core.PageBitmap",
    .tp_doc = "PageBitmap(guest_pages): one bit per page, the virtio-balloon-style baseline",
    .tp_basicsize = sizeof(PyPageBitmap),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)pb_init,
    .tp_dealloc = (destructor)pb_dealloc,
    .tp_methods = pb_methods,
    .tp_getset = pb_getset,
    .tp_as_sequence = &pb_as_sequence,
};

/* ---- benchmark -------------------------------------------------------- */

#define RUN_PAGES_2M 512        /* 2 MiB of 4 KiB pages */

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void shuffle(PageRange *r, size_t n, uint64_t *seed)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = xorshift(seed) % i;
        PageRange tmp = r[i - 1];
        r[i - 1] = r[j];
        r[j] = tmp;
    }
}

/*
 * The reports a guest sends for balloon_pages distinct pages:
 *   contiguous  2 MiB runs, ascending, back to back;
 *   fragmented  runs of 1-64 pages separated by gaps of 1-64 pages, ascending;
 *   random      the fragmented runs in random order;
 *   duplicates  the random pattern plus 10% of its reports sent a second time
 *               (at random positions).
 * Returns a malloc'ed array, or NULL with a Python exception set.
 */
static PageRange *make_reports(const char *pattern, uint64_t guest_pages, uint64_t balloon_pages,
                               uint64_t seed, size_t *nreports)
{
    bool contiguous = !strcmp(pattern, "contiguous");
    bool dup = !strcmp(pattern, "duplicates");
    bool shuffled = dup || !strcmp(pattern, "random");
    size_t cap, n = 0;
    uint64_t pos = 0, done = 0;
    PageRange *r;

    if (!contiguous && !dup && !shuffled && strcmp(pattern, "fragmented")) {
        PyErr_Format(PyExc_ValueError, "unknown pattern %s "
                     "(contiguous, fragmented, random, duplicates)", pattern);
        return NULL;
    }
    if (seed == 0) {
        seed = 0x9e3779b97f4a7c15ULL;
    }
    cap = (contiguous ? balloon_pages / RUN_PAGES_2M + 1 : balloon_pages) ;
    cap += cap / 10 + 1;
    r = malloc(cap * sizeof(*r));
    if (!r) {
        PyErr_NoMemory();
        return NULL;
    }
    while (done < balloon_pages) {
        uint64_t len = contiguous ? RUN_PAGES_2M : 1 + xorshift(&seed) % 64;
        if (len > balloon_pages - done) {
            len = balloon_pages - done;
        }
        if (pos + len > guest_pages) {
            free(r);
            PyErr_Format(PyExc_ValueError, "the %s pattern needs more than %llu guest pages",
                         pattern, (unsigned long long)guest_pages);
            return NULL;
        }
        r[n].start = pos;
        r[n].count = len;
        n++;
        done += len;
        pos += len + (contiguous ? 0 : 1 + xorshift(&seed) % 64);
    }
    if (dup) {
        size_t orig = n, extra = orig / 10;
        for (size_t i = 0; i < extra; i++) {
            r[n++] = r[xorshift(&seed) % orig];
        }
    }
    if (shuffled) {
        shuffle(r, n, &seed);
    }
    *nreports = n;
    return r;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static PyObject *core_balloon_bench(PyObject *self, PyObject *args)
{
    const char *tracker, *pattern;
    unsigned long long guest_pages, balloon_pages, seed = 1;
    PageRange *reports;
    size_t nreports = 0;
    uint64_t submitted = 0, dups = 0, popped = 0, pops = 0, stored, nodes = 0, metadata;
    double t0, t_balloon, t_unballoon;
    bool tree = false;

    (void)self;
    if (!PyArg_ParseTuple(args, "ssKK|K", &tracker, &pattern, &guest_pages, &balloon_pages, &seed)) {
        return NULL;
    }
    if (!strcmp(tracker, "tree")) {
        tree = true;
    } else if (strcmp(tracker, "bitmap")) {
        return PyErr_Format(PyExc_ValueError, "unknown tracker %s (tree, bitmap)", tracker);
    }
    reports = make_reports(pattern, guest_pages, balloon_pages, seed, &nreports);
    if (!reports) {
        return NULL;
    }
    for (size_t i = 0; i < nreports; i++) {
        submitted += reports[i].count;
    }

    if (tree) {
        PageRangeTree *t;
        char *err = NULL;
        int ret = page_range_tree_new(guest_pages, &t, &err);
        if (ret < 0) {
            free(reports);
            return raise_errno(ret, err);
        }
        t0 = now();
        for (size_t i = 0; i < nreports; i++) {
            uint64_t d;
            ret = page_range_tree_insert(t, reports[i].start, reports[i].count, &d, &err);
            if (ret < 0) {
                page_range_tree_free(t);
                free(reports);
                return raise_errno(ret, err);
            }
            dups += d;
        }
        t_balloon = now() - t0;
        stored = page_range_tree_pages(t);
        nodes = page_range_tree_nodes(t);
        metadata = page_range_tree_metadata_bytes(t);
        t0 = now();
        for (;;) {
            PageRange r;
            if (page_range_tree_pop_range(t, UINT64_MAX, &r, NULL) <= 0) {
                break;
            }
            popped += r.count;
            pops++;
        }
        t_unballoon = now() - t0;
        page_range_tree_free(t);
    } else {
        PageBitmap *bm = page_bitmap_new(guest_pages);
        uint64_t pfn;
        if (!bm) {
            free(reports);
            return PyErr_NoMemory();
        }
        t0 = now();
        for (size_t i = 0; i < nreports; i++) {
            int64_t d = page_bitmap_add_range(bm, reports[i].start, reports[i].count);
            if (d < 0) {
                page_bitmap_free(bm);
                free(reports);
                return PyErr_Format(PyExc_ValueError, "report outside the address space");
            }
            dups += (uint64_t)d;
        }
        t_balloon = now() - t0;
        stored = page_bitmap_pages(bm);
        metadata = page_bitmap_metadata_bytes(bm);
        t0 = now();
        while (page_bitmap_pop(bm, &pfn)) {
            popped++;
            pops++;
        }
        t_unballoon = now() - t0;
        page_bitmap_free(bm);
    }
    free(reports);
    return Py_BuildValue("{s:s,s:s,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:d,s:d}",
                         "tracker", tracker, "pattern", pattern,
                         "guest_pages", guest_pages,
                         "reports", (unsigned long long)nreports,
                         "pages_submitted", (unsigned long long)submitted,
                         "duplicates", (unsigned long long)dups,
                         "pages_stored", (unsigned long long)stored,
                         "nodes", (unsigned long long)nodes,
                         "metadata_bytes", (unsigned long long)metadata,
                         "pages_popped", (unsigned long long)popped,
                         "pops", (unsigned long long)pops,
                         "balloon_seconds", t_balloon,
                         "unballoon_seconds", t_unballoon);
}

static PyObject *core_node_overhead(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromSize_t(page_range_tree_node_overhead());
}

static PyObject *core_hv_balloon_available(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyBool_FromLong(page_range_tree_available());
}

static PyMethodDef balloon_functions[] = {
    {"balloon_bench", core_balloon_bench, METH_VARARGS,
     "balloon_bench(tracker, pattern, guest_pages, balloon_pages, seed=1) -> dict of figures; "
     "tracker is 'tree' or 'bitmap', pattern 'contiguous', 'fragmented', 'random' or 'duplicates'"},
    {"page_range_tree_node_overhead", core_node_overhead, METH_NOARGS,
     "bytes counted for each GTreeNode in metadata_bytes"},
    {"hv_balloon_available", core_hv_balloon_available, METH_NOARGS,
     "True when the hv-balloon range tree is compiled in"},
    {NULL, NULL, 0, NULL},
};

int qemu_core_init_balloon(PyObject *module)
{
    if (PyType_Ready(&PageRangeTreeType) < 0 || PyType_Ready(&PageBitmapType) < 0) {
        return -1;
    }
    if (PyModule_AddFunctions(module, balloon_functions) < 0) {
        return -1;
    }
    Py_INCREF(&PageRangeTreeType);
    if (PyModule_AddObject(module, "PageRangeTree", (PyObject *)&PageRangeTreeType) < 0) {
        Py_DECREF(&PageRangeTreeType);
        return -1;
    }
    Py_INCREF(&PageBitmapType);
    if (PyModule_AddObject(module, "PageBitmap", (PyObject *)&PageBitmapType) < 0) {
        Py_DECREF(&PageBitmapType);
        return -1;
    }
    return 0;
}
