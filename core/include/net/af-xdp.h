/*
 * af-xdp.h: the AF_XDP network backend (-netdev af-xdp), after QEMU's
 * net/af-xdp.c.
 *
 *   -netdev af-xdp,id=str,ifname=name[,mode=native|skb][,queues=n]
 *           [,start-queue=m][,force-copy=on|off][,inhibit=on|off]
 *           [,sock-fds=x:y:...:z]
 *
 * The backend binds one AF_XDP socket, each with its own UMEM, to each of
 * the queues start-queue .. start-queue + queues - 1 of a host interface.
 * Frames the interface receives on those queues are redirected to the
 * sockets by an XDP program (libxdp's default one, which the backend
 * attaches, or with inhibit=on the program the caller attached); frames
 * sent through the backend leave through the interface's Tx path.
 *
 * af-xdp.c implements this with libxdp when configure found it
 * (CONFIG_AF_XDP); af-xdp-stub.c implements the same API otherwise, every
 * call failing with -ENOSYS and saying why.  This header needs neither
 * libxdp's nor libbpf's headers, so callers compile either way.
 *
 * Errors: functions return 0 (or a non-negative result) on success and a
 * negative errno on failure:
 *   -EINVAL     the netdev string or an option value is wrong;
 *   -ENODEV     ifname names no interface;
 *   -ERANGE     the queues are not all on the interface;
 *   -EBADF      a sock-fds descriptor is not an open AF_XDP socket;
 *   -ENOSYS     the backend was compiled out;
 *   other       what the kernel or libxdp answered (-EPERM without the
 *               capabilities, -EOPNOTSUPP for an XDP mode the driver lacks,
 *               -EBUSY for a queue already bound, -ENOMEM, ...).
 * When errp is not NULL, a failure stores a malloc'ed message in *errp that
 * names the option at fault and what to do; the caller frees it with free().
 */
#ifndef NET_AF_XDP_H
#define NET_AF_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The -netdev type this backend answers to. */
#define AF_XDP_NETDEV_TYPE "af-xdp"

/* The most queues one netdev may bind (each has its own 16 MiB UMEM). */
#define AF_XDP_MAX_QUEUES 64

/* The largest frame the backend carries: one UMEM frame (4096 bytes). */
#define AF_XDP_MAX_FRAME 4096

typedef enum AfXdpMode {
    AF_XDP_MODE_AUTO,           /* no mode=: native, falling back to skb */
    AF_XDP_MODE_NATIVE,         /* XDP in the driver (XDP_FLAGS_DRV_MODE) */
    AF_XDP_MODE_SKB,            /* generic XDP on the skb (XDP_FLAGS_SKB_MODE) */
} AfXdpMode;

/* The options of one -netdev af-xdp, as parsed and checked. */
typedef struct AfXdpOptions {
    char *id;                   /* malloc'ed */
    char *ifname;               /* malloc'ed, at most IFNAMSIZ - 1 bytes */
    AfXdpMode mode;
    uint32_t queues;            /* >= 1 */
    uint32_t start_queue;
    bool force_copy;            /* bind with XDP_COPY */
    bool inhibit;               /* use the XDP program already attached */
    uint32_t n_sock_fds;        /* == queues when inhibit, else 0 */
    int sock_fds[AF_XDP_MAX_QUEUES];
} AfXdpOptions;

/* What the host says about the options' interface (af_xdp_check_host). */
typedef struct AfXdpHostInfo {
    unsigned ifindex;
    /*
     * The queues an AF_XDP socket can bind to (ETHTOOL_GCHANNELS: combined
     * channels plus the smaller of the dedicated Rx and Tx ones), or 0 when
     * the driver does not report its channels; the queue range is then left
     * for the kernel to check when the sockets bind.
     */
    uint32_t channels;
} AfXdpHostInfo;

/* Counters of one queue. */
typedef struct AfXdpQueueStats {
    uint32_t queue_id;          /* the interface's queue */
    uint64_t rx_packets;        /* frames received through the backend */
    uint64_t tx_packets;        /* frames the kernel completed */
    uint64_t tx_busy;           /* sends refused: no free frame or Tx ring full */
    uint32_t tx_in_flight;      /* frames on the Tx or Completion ring */
    /* The kernel's counters of the socket (XDP_STATISTICS): */
    uint64_t rx_dropped;        /* frames dropped for other reasons than those below */
    uint64_t rx_ring_full;      /* frames dropped because the Rx ring was full */
    uint64_t rx_fill_ring_empty;    /* times the Fill ring had no frame to give */
    uint64_t tx_invalid_descs;  /* Tx descriptors the kernel refused */
} AfXdpQueueStats;

typedef struct AfXdpNetdev AfXdpNetdev;

/* true when the backend is compiled in (CONFIG_AF_XDP). */
bool af_xdp_available(void);

/* What was compiled in ("af-xdp: libxdp ..." or "stub: ..."). */
const char *af_xdp_implementation(void);

/* "native", "skb" or "auto" (no mode given). */
const char *af_xdp_mode_name(AfXdpMode mode);

/*
 * Parse a netdev string ("af-xdp,id=n0,ifname=veth0,...") into *opts and
 * check the rules that need no host: required and known options, each once,
 * their values, inhibit=on with sock-fds and one descriptor per queue.
 * On success the caller frees *opts with af_xdp_options_free(); on failure
 * *opts holds nothing to free.
 */
int af_xdp_parse(const char *spec, AfXdpOptions *opts, char **errp);
void af_xdp_options_free(AfXdpOptions *opts);

/*
 * Check the options against this host and network namespace: the interface
 * exists, the queue range is within its channels where the driver reports
 * them, and every sock-fds descriptor is an open AF_XDP socket.
 */
int af_xdp_check_host(const AfXdpOptions *opts, AfXdpHostInfo *info, char **errp);

/*
 * Open the backend: af_xdp_check_host(), then per queue the UMEM and the
 * AF_XDP socket.  Without inhibit the default XDP program is attached (mode
 * native, skb, or native falling back to skb; af_xdp_mode() says which was
 * used) and detached again by af_xdp_close().  With inhibit the sock-fds
 * sockets are used and owned: af_xdp_close() closes them.
 */
int af_xdp_open(const AfXdpOptions *opts, AfXdpNetdev **ndp, char **errp);
void af_xdp_close(AfXdpNetdev *nd);

/*
 * The XDP mode in effect: the one the backend attached its program in, or
 * with inhibit=on the one of the program found on the interface
 * (AF_XDP_MODE_AUTO when there is none).
 */
AfXdpMode af_xdp_mode(const AfXdpNetdev *nd);
uint32_t af_xdp_queues(const AfXdpNetdev *nd);

/* The AF_XDP socket of queue index q (0 .. queues - 1), for poll(). */
int af_xdp_fd(const AfXdpNetdev *nd, uint32_t q);

/*
 * Send one Ethernet frame (at most AF_XDP_MAX_FRAME bytes) through queue
 * index q: copy it into a free UMEM frame, put it on the Tx ring and, when
 * kick is true, wake the kernel (sendto(MSG_DONTWAIT)) to transmit it.
 * Completed frames are reclaimed first.  -EAGAIN when every frame is in
 * flight or the Tx ring is full (retry after af_xdp_kick()).  A frame
 * longer than the interface's MTU allows is completed by the kernel and
 * dropped by the device, as a NIC drops it.
 */
int af_xdp_send(AfXdpNetdev *nd, uint32_t q, const void *frame, size_t len, bool kick);

/* Wake the kernel for the frames queued on q's Tx ring, then reclaim completions. */
int af_xdp_kick(AfXdpNetdev *nd, uint32_t q);

/*
 * Receive one frame from any queue, waiting up to timeout_ms (0: do not
 * wait, -1: forever).  Copies at most cap bytes to buf and returns the
 * frame's length, or 0 when none arrived; *qp (if not NULL) receives the
 * queue index it came from.  The frame's UMEM slot goes back to the Fill
 * ring.
 */
int af_xdp_recv(AfXdpNetdev *nd, void *buf, size_t cap, int timeout_ms, uint32_t *qp);

/* Counters of queue index q. */
int af_xdp_queue_stats(const AfXdpNetdev *nd, uint32_t q, AfXdpQueueStats *stats);

/*
 * The privileged side of inhibit=on, for a helper that hands sockets to an
 * unprivileged backend: attach libxdp's default XSK program to ifname as
 * the backend does (native, falling back to skb), create one unbound
 * AF_XDP socket per queue start_queue .. start_queue + queues - 1 and put
 * each in the program's XSKMAP at its queue.  The program stays attached.
 * Stores the socket descriptors in fds[] (the caller owns them) and
 * returns 0.
 */
int af_xdp_prepare_sockets(const char *ifname, uint32_t start_queue, uint32_t queues,
                           int *fds, char **errp);

/* Detach whatever XDP program is attached to ifname (the helper's clean-up). */
int af_xdp_detach_program(const char *ifname, char **errp);

#endif /* NET_AF_XDP_H */
