/*
 * af-xdp-stub.c: compiled instead of af-xdp.c when configure did not find
 * libxdp (or was given --disable-af-xdp).  The API is there so callers
 * compile and link; every call that would parse or open a netdev fails
 * with -ENOSYS saying why.
 */
#include "qemu/osdep.h"
#include "net/af-xdp.h"
#include "qemu-config-features.h"

/* What configure decided about af_xdp, and why: the text comes from its decision. */
#define COMPILED_OUT "the af-xdp netdev backend was not compiled in: " QEMU_FEATURE_STATUS_AF_XDP

static int compiled_out(char **errp)
{
    if (errp) {
        *errp = strdup(COMPILED_OUT);
    }
    return -ENOSYS;
}

bool af_xdp_available(void)
{
    return false;
}

const char *af_xdp_implementation(void)
{
    return "stub: af-xdp was not configured (CONFIG_AF_XDP is off)";
}

const char *af_xdp_mode_name(AfXdpMode mode)
{
    return mode == AF_XDP_MODE_NATIVE ? "native" : mode == AF_XDP_MODE_SKB ? "skb" : "auto";
}

int af_xdp_parse(const char *spec, AfXdpOptions *opts, char **errp)
{
    (void)spec;
    memset(opts, 0, sizeof(*opts));
    return compiled_out(errp);
}

void af_xdp_options_free(AfXdpOptions *opts)
{
    (void)opts;
}

int af_xdp_check_host(const AfXdpOptions *opts, AfXdpHostInfo *info, char **errp)
{
    (void)opts;
    memset(info, 0, sizeof(*info));
    return compiled_out(errp);
}

int af_xdp_open(const AfXdpOptions *opts, AfXdpNetdev **ndp, char **errp)
{
    (void)opts;
    *ndp = NULL;
    return compiled_out(errp);
}

void af_xdp_close(AfXdpNetdev *nd)
{
    (void)nd;
}

/* No AfXdpNetdev can exist in this build: the accessors are never reached with one. */
AfXdpMode af_xdp_mode(const AfXdpNetdev *nd)
{
    (void)nd;
    return AF_XDP_MODE_AUTO;
}

uint32_t af_xdp_queues(const AfXdpNetdev *nd)
{
    (void)nd;
    return 0;
}

int af_xdp_fd(const AfXdpNetdev *nd, uint32_t q)
{
    (void)nd;
    (void)q;
    return -ENOSYS;
}

int af_xdp_send(AfXdpNetdev *nd, uint32_t q, const void *frame, size_t len, bool kick)
{
    (void)nd;
    (void)q;
    (void)frame;
    (void)len;
    (void)kick;
    return -ENOSYS;
}

int af_xdp_kick(AfXdpNetdev *nd, uint32_t q)
{
    (void)nd;
    (void)q;
    return -ENOSYS;
}

int af_xdp_recv(AfXdpNetdev *nd, void *buf, size_t cap, int timeout_ms, uint32_t *qp)
{
    (void)nd;
    (void)buf;
    (void)cap;
    (void)timeout_ms;
    (void)qp;
    return -ENOSYS;
}

int af_xdp_queue_stats(const AfXdpNetdev *nd, uint32_t q, AfXdpQueueStats *stats)
{
    (void)nd;
    (void)q;
    memset(stats, 0, sizeof(*stats));
    return -ENOSYS;
}

int af_xdp_prepare_sockets(const char *ifname, uint32_t start_queue, uint32_t queues,
                           int *fds, char **errp)
{
    (void)ifname;
    (void)start_queue;
    (void)queues;
    (void)fds;
    return compiled_out(errp);
}

int af_xdp_detach_program(const char *ifname, char **errp)
{
    (void)ifname;
    return compiled_out(errp);
}
