/*
 * net.c: the network backends from Python, and the benchmark that drives
 * them from C.
 *
 *   qemu_core.netdev_backends() -> tuple of the -netdev types compiled in
 *   qemu_core.parse_netdev(spec, check_host=True) -> dict of the options
 *       ValueError with the validator's message; RuntimeError when the
 *       type's backend was compiled out.
 *   qemu_core.AfXdpNetdev(spec)        an open -netdev af-xdp
 *       .send(frame, queue=0, kick=True); .kick(queue=0)
 *       .recv(timeout_ms=0) -> bytes | None
 *       .stats() -> [{queue counters}, ...]; .fileno(queue=0)
 *       .mode (the XDP mode in effect), .queues, .id, .ifname, ...
 *       .close(); a context manager
 *     ValueError for a wrong netdev string or interface, OSError (with
 *     errno) when the kernel refuses, RuntimeError when compiled out.
 *   qemu_core.af_xdp_available(), af_xdp_implementation()
 *   qemu_core.af_xdp_prepare_sockets(ifname, queues=1, start_queue=0)
 *       -> (fd, ...): what a privileged helper does for inhibit=on
 *   qemu_core.af_xdp_detach_program(ifname)
 *   qemu_core.af_xdp_bench(direction, spec, peer, frame_len, count, ...)
 *       frames per second through the backend, or through an AF_PACKET
 *       raw socket on the same interface, measured in C.
 */
#include "qemu-core.h"

#include "qemu/osdep.h"
#include "net/af-xdp.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Raise the Python exception for a negative errno and a malloc'ed message:
 * RuntimeError when the backend was compiled out, ValueError for what the
 * validator refused (validating), OSError with the errno for the kernel.
 */
static PyObject *raise_net_error(int err, char *msg, bool validating)
{
    const char *text = msg ? msg : strerror(-err);

    if (err == -ENOSYS) {
        PyErr_SetString(PyExc_RuntimeError, text);
    } else if (err == -ENOMEM && !msg) {
        PyErr_NoMemory();
    } else if (validating) {
        PyErr_SetString(PyExc_ValueError, text);
    } else {
        PyObject *args = Py_BuildValue("(is)", -err, text);
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
    }
    free(msg);
    return NULL;
}

static PyObject *py_netdev_backends(PyObject *self, PyObject *unused)
{
    const char *const *types;
    size_t count = netdev_backend_types(&types);

    return qemu_core_string_tuple(types, count);
}

/*
 * Parse and check an af-xdp netdev string; on failure raise and return -1.
 * Other types: ValueError naming the types this build has.
 */
static int parse_af_xdp(const char *spec, bool check_host, AfXdpOptions *opts, AfXdpHostInfo *info)
{
    char *type = NULL, *err = NULL;
    int ret = netdev_spec_type(spec, &type, &err);

    if (ret < 0) {
        raise_net_error(ret, err, true);
        return -1;
    }
    if (strcmp(type, AF_XDP_NETDEV_TYPE)) {
        const char *const *types;
        PyErr_Format(PyExc_ValueError, "netdev type '%s' is not a backend of this build (%s%s)", type,
                     netdev_backend_types(&types) ? "types: " : "it has no netdev backend",
                     netdev_backend_types(&types) ? types[0] : "");
        free(type);
        return -1;
    }
    free(type);
    ret = af_xdp_parse(spec, opts, &err);
    if (ret < 0) {
        raise_net_error(ret, err, true);
        return -1;
    }
    memset(info, 0, sizeof(*info));
    if (check_host && (ret = af_xdp_check_host(opts, info, &err)) < 0) {
        af_xdp_options_free(opts);
        raise_net_error(ret, err, true);
        return -1;
    }
    return 0;
}

static int dict_set(PyObject *dict, const char *key, PyObject *value)
{
    int ret = value ? PyDict_SetItemString(dict, key, value) : -1;
    Py_XDECREF(value);
    return ret;
}

static PyObject *sock_fds_tuple(const AfXdpOptions *opts)
{
    PyObject *fds;

    if (!opts->n_sock_fds) {
        return Py_NewRef(Py_None);
    }
    fds = PyTuple_New(opts->n_sock_fds);
    for (uint32_t i = 0; fds && i < opts->n_sock_fds; i++) {
        PyObject *fd = PyLong_FromLong(opts->sock_fds[i]);
        if (!fd) {
            Py_CLEAR(fds);
            break;
        }
        PyTuple_SET_ITEM(fds, i, fd);
    }
    return fds;
}

/* parse_netdev()'s dict; with checked, also what the host check found. */
static PyObject *options_dict(const AfXdpOptions *opts, const AfXdpHostInfo *info, bool checked)
{
    PyObject *dict = PyDict_New();

    if (!dict) {
        return NULL;
    }
    if (dict_set(dict, "type", PyUnicode_FromString(AF_XDP_NETDEV_TYPE)) < 0
        || dict_set(dict, "id", PyUnicode_FromString(opts->id)) < 0
        || dict_set(dict, "ifname", PyUnicode_FromString(opts->ifname)) < 0
        || dict_set(dict, "mode", opts->mode == AF_XDP_MODE_AUTO
                                  ? Py_NewRef(Py_None) : PyUnicode_FromString(af_xdp_mode_name(opts->mode))) < 0
        || dict_set(dict, "queues", PyLong_FromUnsignedLong(opts->queues)) < 0
        || dict_set(dict, "start-queue", PyLong_FromUnsignedLong(opts->start_queue)) < 0
        || dict_set(dict, "force-copy", PyBool_FromLong(opts->force_copy)) < 0
        || dict_set(dict, "inhibit", PyBool_FromLong(opts->inhibit)) < 0
        || dict_set(dict, "sock-fds", sock_fds_tuple(opts)) < 0
        || (checked && dict_set(dict, "ifindex", PyLong_FromUnsignedLong(info->ifindex)) < 0)
        || (checked && dict_set(dict, "channels", info->channels
                                ? PyLong_FromUnsignedLong(info->channels) : Py_NewRef(Py_None)) < 0)) {
        Py_DECREF(dict);
        return NULL;
    }
    return dict;
}

static PyObject *py_parse_netdev(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"spec", "check_host", NULL};
    const char *spec;
    int check_host = 1;
    AfXdpOptions opts;
    AfXdpHostInfo info;
    PyObject *dict;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|p", (char **)kwlist, &spec, &check_host)
        || parse_af_xdp(spec, check_host, &opts, &info) < 0) {
        return NULL;
    }
    dict = options_dict(&opts, &info, check_host);
    af_xdp_options_free(&opts);
    return dict;
}

/* ---- AfXdpNetdev ------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    AfXdpNetdev *nd;
    PyObject *options;          /* parse_netdev()'s dict */
} PyAfXdpNetdev;

static int axn_init(PyAfXdpNetdev *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"spec", NULL};
    const char *spec;
    AfXdpOptions opts;
    AfXdpHostInfo info;
    AfXdpNetdev *nd = NULL;
    char *err = NULL;
    int ret;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s", (char **)kwlist, &spec)
        || parse_af_xdp(spec, true, &opts, &info) < 0) {
        return -1;
    }
    af_xdp_close(self->nd);
    self->nd = NULL;
    Py_CLEAR(self->options);
    self->options = options_dict(&opts, &info, true);
    if (!self->options) {
        af_xdp_options_free(&opts);
        return -1;
    }
    Py_BEGIN_ALLOW_THREADS
    ret = af_xdp_open(&opts, &nd, &err);
    Py_END_ALLOW_THREADS
    af_xdp_options_free(&opts);
    if (ret < 0) {
        raise_net_error(ret, err, false);
        return -1;
    }
    self->nd = nd;
    return 0;
}

static void axn_dealloc(PyAfXdpNetdev *self)
{
    af_xdp_close(self->nd);
    Py_XDECREF(self->options);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int axn_open(PyAfXdpNetdev *self)
{
    if (!self->nd) {
        PyErr_SetString(PyExc_ValueError, "the af-xdp netdev is closed");
        return 0;
    }
    return 1;
}

static int axn_queue(PyAfXdpNetdev *self, unsigned queue)
{
    if (queue >= af_xdp_queues(self->nd)) {
        PyErr_Format(PyExc_ValueError, "queue %u is not one of this netdev's %u queues (0 .. %u)", queue,
                     af_xdp_queues(self->nd), af_xdp_queues(self->nd) - 1);
        return 0;
    }
    return 1;
}

static PyObject *axn_send(PyAfXdpNetdev *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"frame", "queue", "kick", NULL};
    Py_buffer frame;
    unsigned queue = 0;
    int kick = 1, ret;

    if (!axn_open(self)
        || !PyArg_ParseTupleAndKeywords(args, kwds, "y*|Ip", (char **)kwlist, &frame, &queue, &kick)) {
        return NULL;
    }
    if (!axn_queue(self, queue)) {
        PyBuffer_Release(&frame);
        return NULL;
    }
    if (frame.len < ETH_HLEN || frame.len > AF_XDP_MAX_FRAME) {
        PyErr_Format(PyExc_ValueError, "a frame of %zd bytes cannot be sent: frames are %d to %d bytes",
                     frame.len, ETH_HLEN, AF_XDP_MAX_FRAME);
        PyBuffer_Release(&frame);
        return NULL;
    }
    ret = af_xdp_send(self->nd, queue, frame.buf, (size_t)frame.len, kick);
    PyBuffer_Release(&frame);
    if (ret == -EAGAIN) {
        PyErr_SetString(PyExc_BlockingIOError, "af-xdp: every Tx frame is in flight; kick() and retry");
        return NULL;
    }
    if (ret < 0) {
        return raise_net_error(ret, NULL, false);
    }
    Py_RETURN_NONE;
}

static PyObject *axn_kick(PyAfXdpNetdev *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"queue", NULL};
    unsigned queue = 0;
    int ret;

    if (!axn_open(self) || !PyArg_ParseTupleAndKeywords(args, kwds, "|I", (char **)kwlist, &queue)
        || !axn_queue(self, queue)) {
        return NULL;
    }
    ret = af_xdp_kick(self->nd, queue);
    if (ret < 0) {
        return raise_net_error(ret, NULL, false);
    }
    Py_RETURN_NONE;
}

static PyObject *axn_recv(PyAfXdpNetdev *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"timeout_ms", NULL};
    char buf[AF_XDP_MAX_FRAME];
    int timeout_ms = 0, len;

    if (!axn_open(self) || !PyArg_ParseTupleAndKeywords(args, kwds, "|i", (char **)kwlist, &timeout_ms)) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    len = af_xdp_recv(self->nd, buf, sizeof(buf), timeout_ms, NULL);
    Py_END_ALLOW_THREADS
    if (len < 0) {
        return raise_net_error(len, NULL, false);
    }
    if (len == 0) {
        Py_RETURN_NONE;
    }
    return PyBytes_FromStringAndSize(buf, len);
}

static PyObject *axn_stats(PyAfXdpNetdev *self, PyObject *unused)
{
    PyObject *list;

    if (!axn_open(self) || !(list = PyList_New(0))) {
        return NULL;
    }
    for (uint32_t q = 0; q < af_xdp_queues(self->nd); q++) {
        AfXdpQueueStats st;
        PyObject *item;
        af_xdp_queue_stats(self->nd, q, &st);
        item = Py_BuildValue("{sIsKsKsKsIsKsKsKsK}", "queue_id", st.queue_id,
                             "rx_packets", (unsigned long long)st.rx_packets,
                             "tx_packets", (unsigned long long)st.tx_packets,
                             "tx_busy", (unsigned long long)st.tx_busy,
                             "tx_in_flight", st.tx_in_flight,
                             "rx_dropped", (unsigned long long)st.rx_dropped,
                             "rx_ring_full", (unsigned long long)st.rx_ring_full,
                             "rx_fill_ring_empty", (unsigned long long)st.rx_fill_ring_empty,
                             "tx_invalid_descs", (unsigned long long)st.tx_invalid_descs);
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

static PyObject *axn_fileno(PyAfXdpNetdev *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"queue", NULL};
    unsigned queue = 0;

    if (!axn_open(self) || !PyArg_ParseTupleAndKeywords(args, kwds, "|I", (char **)kwlist, &queue)
        || !axn_queue(self, queue)) {
        return NULL;
    }
    return PyLong_FromLong(af_xdp_fd(self->nd, queue));
}

static PyObject *axn_close(PyAfXdpNetdev *self, PyObject *unused)
{
    AfXdpNetdev *nd = self->nd;

    self->nd = NULL;
    Py_BEGIN_ALLOW_THREADS
    af_xdp_close(nd);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *axn_enter(PyAfXdpNetdev *self, PyObject *unused)
{
    if (!axn_open(self)) {
        return NULL;
    }
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *axn_exit(PyAfXdpNetdev *self, PyObject *args)
{
    PyObject *ret = axn_close(self, NULL);
    Py_XDECREF(ret);
    Py_RETURN_FALSE;
}

static PyObject *axn_get_mode(PyAfXdpNetdev *self, void *closure)
{
    AfXdpMode mode;

    if (!axn_open(self)) {
        return NULL;
    }
    mode = af_xdp_mode(self->nd);
    if (mode == AF_XDP_MODE_AUTO) {
        Py_RETURN_NONE;         /* inhibit=on and no program on the interface */
    }
    return PyUnicode_FromString(af_xdp_mode_name(mode));
}

static PyObject *axn_get_closed(PyAfXdpNetdev *self, void *closure)
{
    return PyBool_FromLong(self->nd == NULL);
}

/* An option of the netdev string, from parse_netdev()'s dict. */
static PyObject *axn_get_option(PyAfXdpNetdev *self, void *closure)
{
    PyObject *value;

    if (!self->options) {
        PyErr_SetString(PyExc_ValueError, "the af-xdp netdev was never opened");
        return NULL;
    }
    value = PyDict_GetItemString(self->options, closure);
    return Py_NewRef(value ? value : Py_None);
}

static PyObject *axn_get_options(PyAfXdpNetdev *self, void *closure)
{
    return self->options ? PyDict_Copy(self->options) : Py_NewRef(Py_None);
}

static PyMethodDef axn_methods[] = {
    {"send", (PyCFunction)(void (*)(void))axn_send, METH_VARARGS | METH_KEYWORDS,
     "send(frame, queue=0, kick=True): put an Ethernet frame on the queue's Tx ring and (kick) wake "
     "the kernel; BlockingIOError when every Tx frame is in flight"},
    {"kick", (PyCFunction)(void (*)(void))axn_kick, METH_VARARGS | METH_KEYWORDS,
     "kick(queue=0): wake the kernel for the queued frames and reclaim the completed ones"},
    {"recv", (PyCFunction)(void (*)(void))axn_recv, METH_VARARGS | METH_KEYWORDS,
     "recv(timeout_ms=0) -> bytes | None: one received frame from any queue, waiting up to timeout_ms "
     "(-1: forever)"},
    {"stats", (PyCFunction)axn_stats, METH_NOARGS,
     "stats() -> [dict]: per queue, the backend's counters and the kernel's (XDP_STATISTICS)"},
    {"fileno", (PyCFunction)(void (*)(void))axn_fileno, METH_VARARGS | METH_KEYWORDS,
     "fileno(queue=0) -> the queue's AF_XDP socket"},
    {"close", (PyCFunction)axn_close, METH_NOARGS,
     "close(): delete the sockets and UMEMs, and detach the XDP program the backend attached"},
    {"__enter__", (PyCFunction)axn_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)axn_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef axn_getset[] = {
    {"mode", (getter)axn_get_mode, NULL,
     "the XDP mode in effect: 'native' or 'skb' (what a missing mode= fell back to), None with "
     "inhibit=on when no program is attached", NULL},
    {"closed", (getter)axn_get_closed, NULL, "True after close()", NULL},
    {"id", (getter)axn_get_option, NULL, "the netdev id", (void *)"id"},
    {"ifname", (getter)axn_get_option, NULL, "the host interface", (void *)"ifname"},
    {"queues", (getter)axn_get_option, NULL, "the number of queues", (void *)"queues"},
    {"start_queue", (getter)axn_get_option, NULL, "the interface's first queue", (void *)"start-queue"},
    {"inhibit", (getter)axn_get_option, NULL, "inhibit=on: the caller's program and sockets", (void *)"inhibit"},
    {"force_copy", (getter)axn_get_option, NULL, "bound with XDP_COPY", (void *)"force-copy"},
    {"options", (getter)axn_get_options, NULL, "parse_netdev()'s dict of the options", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AfXdpNetdevType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "qemu_core.AfXdpNetdev",
    .tp_doc = "AfXdpNetdev(spec): an open -netdev af-xdp (e.g. 'af-xdp,id=n0,ifname=veth0,mode=skb')",
    .tp_basicsize = sizeof(PyAfXdpNetdev),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)axn_init,
    .tp_dealloc = (destructor)axn_dealloc,
    .tp_methods = axn_methods,
    .tp_getset = axn_getset,
};

/* ---- the privileged helper's side of inhibit=on ----------------------- */

static PyObject *py_prepare_sockets(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"ifname", "queues", "start_queue", NULL};
    const char *ifname;
    unsigned queues = 1, start_queue = 0;
    int fds[AF_XDP_MAX_QUEUES];
    char *err = NULL;
    PyObject *tuple;
    int ret;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|II", (char **)kwlist, &ifname, &queues, &start_queue)) {
        return NULL;
    }
    if (queues < 1 || queues > AF_XDP_MAX_QUEUES) {
        return PyErr_Format(PyExc_ValueError, "queues must be from 1 to %d", AF_XDP_MAX_QUEUES);
    }
    Py_BEGIN_ALLOW_THREADS
    ret = af_xdp_prepare_sockets(ifname, start_queue, queues, fds, &err);
    Py_END_ALLOW_THREADS
    if (ret < 0) {
        return raise_net_error(ret, err, false);
    }
    tuple = PyTuple_New(queues);
    for (unsigned i = 0; i < queues; i++) {
        if (tuple) {
            PyTuple_SET_ITEM(tuple, i, PyLong_FromLong(fds[i]));
        } else {
            close(fds[i]);
        }
    }
    return tuple;
}

static PyObject *py_detach_program(PyObject *self, PyObject *args)
{
    const char *ifname;
    char *err = NULL;
    int ret;

    if (!PyArg_ParseTuple(args, "s", &ifname)) {
        return NULL;
    }
    ret = af_xdp_detach_program(ifname, &err);
    if (ret < 0) {
        return raise_net_error(ret, err, false);
    }
    Py_RETURN_NONE;
}

static PyObject *py_af_xdp_available(PyObject *self, PyObject *unused)
{
    return PyBool_FromLong(af_xdp_available());
}

static PyObject *py_af_xdp_implementation(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(af_xdp_implementation());
}

/* ---- benchmark -------------------------------------------------------- */

#define BENCH_ETHERTYPE 0x88b5  /* IEEE 802 local experimental */
#define BENCH_BURST     64      /* frames per sendmmsg()/recvmmsg() */
#define BENCH_IDLE_MS   300     /* the receiver gives up after this long without a frame */

/* A broadcast frame of len bytes with the bench ethertype and sequence number seq. */
static void bench_frame(uint8_t *f, size_t len, uint64_t seq)
{
    static const uint8_t src[ETH_ALEN] = { 0x02, 0, 0, 0, 0xbe, 0x01 };

    memset(f, 0xff, ETH_ALEN);
    memcpy(f + ETH_ALEN, src, ETH_ALEN);
    f[12] = BENCH_ETHERTYPE >> 8;
    f[13] = BENCH_ETHERTYPE & 0xff;
    memcpy(f + ETH_HLEN, &seq, sizeof(seq));
    for (size_t i = ETH_HLEN + sizeof(seq); i < len; i++) {
        f[i] = (uint8_t)(i ^ seq);
    }
}

/* The sequence number of a bench frame, or -1 for any other frame. */
static int64_t bench_seq(const uint8_t *f, size_t len)
{
    uint64_t seq;

    if (len < ETH_HLEN + sizeof(seq) || f[12] != (BENCH_ETHERTYPE >> 8) || f[13] != (BENCH_ETHERTYPE & 0xff)) {
        return -1;
    }
    memcpy(&seq, f + ETH_HLEN, sizeof(seq));
    return (int64_t)seq;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An AF_PACKET raw socket bound to ifname, receiving ethertype proto (0: send only). */
static int packet_socket(const char *ifname, uint16_t proto, int rcvbuf)
{
    struct sockaddr_ll sll;
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(proto));

    if (fd < 0) {
        return -errno;
    }
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(proto);
    sll.sll_ifindex = (int)if_nametoindex(ifname);
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        int err = sll.sll_ifindex ? -errno : -ENODEV;
        close(fd);
        return err;
    }
    return fd;
}

/*
 * Send count frames on an AF_PACKET socket, batch at a time (send() for 1,
 * sendmmsg() above), retrying the ones the device refused for a moment.
 */
static int packet_send_all(int fd, size_t len, uint64_t count, unsigned batch, uint64_t *busy)
{
    uint8_t (*frames)[AF_XDP_MAX_FRAME] = malloc(BENCH_BURST * sizeof(*frames));
    struct mmsghdr msgs[BENCH_BURST];
    struct iovec iov[BENCH_BURST];
    uint64_t seq = 0;
    int ret = 0;

    if (!frames) {
        return -ENOMEM;
    }
    batch = batch < 1 ? 1 : batch > BENCH_BURST ? BENCH_BURST : batch;
    while (seq < count) {
        unsigned n = count - seq < batch ? (unsigned)(count - seq) : batch;
        int sent;
        for (unsigned i = 0; i < n; i++) {
            bench_frame(frames[i], len, seq + i);
            iov[i].iov_base = frames[i];
            iov[i].iov_len = len;
            memset(&msgs[i], 0, sizeof(msgs[i]));
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        sent = n == 1 ? (send(fd, frames[0], len, 0) < 0 ? -1 : 1) : sendmmsg(fd, msgs, n, 0);
        if (sent < 0) {
            if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
                ret = -errno;
                break;
            }
            (*busy)++;
            continue;
        }
        seq += (unsigned)sent;
    }
    free(frames);
    return ret;
}

typedef struct BenchGenerator {
    const char *ifname;
    size_t len;
    uint64_t count;
    double start, end;
    uint64_t busy;
    int err;
} BenchGenerator;

static void *generator_thread(void *opaque)
{
    BenchGenerator *g = opaque;
    int fd = packet_socket(g->ifname, 0, 0);

    g->start = now_seconds();
    if (fd < 0) {
        g->err = fd;
    } else {
        g->err = packet_send_all(fd, g->len, g->count, BENCH_BURST, &g->busy);
        close(fd);
    }
    g->end = now_seconds();
    return NULL;
}

typedef struct BenchResult {
    uint64_t sent;              /* frames the measured path sent (tx) or the generator sent (rx) */
    uint64_t received;          /* bench frames the measured path received (rx) */
    uint64_t out_of_order;      /* received frames whose sequence number went backwards */
    uint64_t busy;              /* sends retried because the path was full */
    uint64_t kernel_drops;      /* XDP_STATISTICS rx_ring_full + rx_dropped, or PACKET_STATISTICS tp_drops */
    double seconds;             /* tx: first send to last completion; rx: generator start to last frame */
    double generator_seconds;
} BenchResult;

/* The measured path: the af-xdp backend, or an AF_PACKET socket on the same interface. */
typedef struct BenchPath {
    AfXdpNetdev *nd;            /* NULL for AF_PACKET */
    int fd;                     /* the AF_PACKET socket */
} BenchPath;

static int bench_tx(BenchPath *p, size_t len, uint64_t count, unsigned batch, BenchResult *r)
{
    uint8_t frame[AF_XDP_MAX_FRAME];
    double start = now_seconds();
    int ret = 0;

    if (!p->nd) {
        ret = packet_send_all(p->fd, len, count, batch, &r->busy);
        r->seconds = now_seconds() - start;
        r->sent = ret < 0 ? 0 : count;
        return ret;
    }
    for (uint64_t seq = 0; seq < count; seq++) {
        bool kick = (seq + 1) % batch == 0 || seq + 1 == count;
        bench_frame(frame, len, seq);
        while ((ret = af_xdp_send(p->nd, 0, frame, len, kick)) == -EAGAIN) {
            r->busy++;
            if ((ret = af_xdp_kick(p->nd, 0)) < 0) {
                return ret;
            }
        }
        if (ret < 0) {
            return ret;
        }
    }
    /* Wait for the kernel to complete every frame: only then has it left the UMEM. */
    for (;;) {
        AfXdpQueueStats st;
        af_xdp_queue_stats(p->nd, 0, &st);
        if (!st.tx_in_flight || now_seconds() - start > 30) {
            r->sent = count - st.tx_in_flight;
            break;
        }
        if ((ret = af_xdp_kick(p->nd, 0)) < 0) {
            return ret;
        }
    }
    r->seconds = now_seconds() - start;
    return 0;
}

/* One frame from the measured path: its length, 0 after timeout_ms without one, or -errno. */
static int bench_recv_one(BenchPath *p, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
    ssize_t n;

    if (p->nd) {
        return af_xdp_recv(p->nd, buf, cap, timeout_ms, NULL);
    }
    for (;;) {
        n = recv(p->fd, buf, cap, MSG_DONTWAIT);
        if (n >= 0) {
            return (int)n;
        }
        if (errno != EAGAIN && errno != EINTR) {
            return -errno;
        }
        n = poll(&pfd, 1, timeout_ms);
        if (n <= 0) {
            return n < 0 && errno != EINTR ? -errno : 0;
        }
    }
}

static int bench_rx(BenchPath *p, const char *peer, size_t len, uint64_t count, BenchResult *r)
{
    uint8_t buf[AF_XDP_MAX_FRAME];
    BenchGenerator gen = { .ifname = peer, .len = len, .count = count };
    pthread_t thread;
    double last = 0;
    int64_t prev = -1;
    int ret = 0;

    if (pthread_create(&thread, NULL, generator_thread, &gen)) {
        return -EAGAIN;
    }
    while (r->received < count) {
        int n = bench_recv_one(p, buf, sizeof(buf), BENCH_IDLE_MS);
        int64_t seq;
        if (n < 0) {
            ret = n;
            break;
        }
        if (n == 0) {
            break;              /* nothing for BENCH_IDLE_MS: the rest was dropped */
        }
        seq = bench_seq(buf, (size_t)n);
        if (seq < 0) {
            continue;           /* not a bench frame (IPv6 neighbour discovery, ...) */
        }
        r->out_of_order += seq < prev;
        prev = seq;
        r->received++;
        last = now_seconds();
    }
    pthread_join(thread, NULL);
    if (!ret && gen.err) {
        ret = gen.err;
    }
    r->sent = gen.err ? 0 : count;
    r->busy = gen.busy;
    r->generator_seconds = gen.end - gen.start;
    r->seconds = r->received ? last - gen.start : 0;
    return ret;
}

static uint64_t bench_kernel_drops(const BenchPath *p)
{
    if (p->nd) {
        uint64_t drops = 0;
        for (uint32_t q = 0; q < af_xdp_queues(p->nd); q++) {
            AfXdpQueueStats st;
            af_xdp_queue_stats(p->nd, q, &st);
            drops += st.rx_ring_full + st.rx_dropped;
        }
        return drops;
    } else {
        struct tpacket_stats st;
        socklen_t sl = sizeof(st);
        return getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0 ? st.tp_drops : 0;
    }
}

static PyObject *py_af_xdp_bench(PyObject *self, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"direction", "spec", "peer", "frame_len", "count", "path", "batch", NULL};
    const char *direction, *spec, *peer, *path = "af-xdp";
    unsigned long long count;
    unsigned frame_len, batch = 1;
    BenchPath p = { .nd = NULL, .fd = -1 };
    BenchResult r;
    AfXdpOptions opts;
    AfXdpHostInfo info;
    const char *mode = NULL;    /* the XDP mode the backend used */
    char *err = NULL;
    bool tx;
    int ret;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "sssIK|sI", (char **)kwlist, &direction, &spec, &peer,
                                     &frame_len, &count, &path, &batch)) {
        return NULL;
    }
    if (strcmp(direction, "tx") && strcmp(direction, "rx")) {
        return PyErr_Format(PyExc_ValueError, "direction must be 'tx' (the path sends to peer) or 'rx' "
                            "(peer sends to the path), not '%s'", direction);
    }
    if (strcmp(path, "af-xdp") && strcmp(path, "af-packet")) {
        return PyErr_Format(PyExc_ValueError, "path must be 'af-xdp' or 'af-packet', not '%s'", path);
    }
    if (frame_len < ETH_HLEN + 8 || frame_len > AF_XDP_MAX_FRAME || count == 0 || batch < 1
        || batch > BENCH_BURST) {
        return PyErr_Format(PyExc_ValueError, "frame_len must be %d to %d, count positive, batch 1 to %d",
                            ETH_HLEN + 8, AF_XDP_MAX_FRAME, BENCH_BURST);
    }
    if (parse_af_xdp(spec, true, &opts, &info) < 0) {
        return NULL;
    }
    tx = !strcmp(direction, "tx");
    memset(&r, 0, sizeof(r));
    Py_BEGIN_ALLOW_THREADS
    if (!strcmp(path, "af-xdp")) {
        ret = af_xdp_open(&opts, &p.nd, &err);
    } else {
        /* Room for the 2048 frames of the backend's Rx ring, as the skbs they take. */
        ret = p.fd = packet_socket(opts.ifname, tx ? 0 : BENCH_ETHERTYPE, 16 << 20);
    }
    if (ret >= 0) {
        ret = tx ? bench_tx(&p, frame_len, count, batch, &r) : bench_rx(&p, peer, frame_len, count, &r);
        r.kernel_drops = bench_kernel_drops(&p);
        mode = p.nd ? af_xdp_mode_name(af_xdp_mode(p.nd)) : NULL;
    }
    af_xdp_close(p.nd);
    if (p.fd >= 0) {
        close(p.fd);
    }
    Py_END_ALLOW_THREADS
    af_xdp_options_free(&opts);
    if (ret < 0) {
        return raise_net_error(ret, err, false);
    }
    return Py_BuildValue("{sssssssIsKsKsKsKsKsKsdsd}", "path", path, "direction", direction, "xdp_mode", mode,
                         "frame_len", frame_len, "count", count,
                         "sent", (unsigned long long)r.sent,
                         "received", (unsigned long long)r.received,
                         "out_of_order", (unsigned long long)r.out_of_order,
                         "busy", (unsigned long long)r.busy,
                         "kernel_drops", (unsigned long long)r.kernel_drops,
                         "seconds", r.seconds, "generator_seconds", r.generator_seconds);
}

static PyMethodDef net_methods[] = {
    { "netdev_backends", py_netdev_backends, METH_NOARGS,
      "netdev_backends() -> tuple: the -netdev types compiled into this build ('af-xdp' when libxdp was found)." },
    { "parse_netdev", (PyCFunction)(void (*)(void))py_parse_netdev, METH_VARARGS | METH_KEYWORDS,
      "parse_netdev(spec, check_host=True) -> dict: the options of a -netdev string, validated (and, with "
      "check_host, checked against this network namespace: interface, queues, sock-fds); ValueError "
      "with the reason, RuntimeError when the backend is compiled out." },
    { "af_xdp_available", py_af_xdp_available, METH_NOARGS,
      "af_xdp_available() -> bool: whether the af-xdp backend is compiled in (CONFIG_AF_XDP)." },
    { "af_xdp_implementation", py_af_xdp_implementation, METH_NOARGS,
      "af_xdp_implementation() -> str: the real backend or the stub." },
    { "af_xdp_prepare_sockets", (PyCFunction)(void (*)(void))py_prepare_sockets, METH_VARARGS | METH_KEYWORDS,
      "af_xdp_prepare_sockets(ifname, queues=1, start_queue=0) -> (fd, ...): attach libxdp's XSK program "
      "(native, falling back to skb) and put one new AF_XDP socket per queue in its XSKMAP, as a privileged "
      "helper does for inhibit=on,sock-fds=...; the caller owns the descriptors." },
    { "af_xdp_detach_program", py_detach_program, METH_VARARGS,
      "af_xdp_detach_program(ifname): detach the XDP program(s) attached to ifname." },
    { "af_xdp_bench", (PyCFunction)(void (*)(void))py_af_xdp_bench, METH_VARARGS | METH_KEYWORDS,
      "af_xdp_bench(direction, spec, peer, frame_len, count, path='af-xdp', batch=1) -> dict: move count "
      "frames between spec's interface and peer (its other end), timed in C.  direction 'tx': the path "
      "sends (a kick, or a sendmmsg, every batch frames); 'rx': a generator thread sends from peer with "
      "AF_PACKET and the path receives.  path 'af-xdp' opens the backend from spec; 'af-packet' uses an "
      "AF_PACKET raw socket on the same interface instead." },
    { NULL, NULL, 0, NULL },
};

int qemu_core_init_net(PyObject *module)
{
    if (PyType_Ready(&AfXdpNetdevType) < 0) {
        return -1;
    }
    Py_INCREF(&AfXdpNetdevType);
    if (PyModule_AddObject(module, "AfXdpNetdev", (PyObject *)&AfXdpNetdevType) < 0) {
        Py_DECREF(&AfXdpNetdevType);
        return -1;
    }
    return PyModule_AddFunctions(module, net_methods);
}
