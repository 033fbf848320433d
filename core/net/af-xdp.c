/*
 * af-xdp.c: the AF_XDP network backend (-netdev af-xdp) on libxdp, after
 * the design of QEMU's net/af-xdp.c.  Compiled when configure found libxdp
 * (CONFIG_AF_XDP); af-xdp-stub.c otherwise.
 *
 * Each queue start-queue + i has its own UMEM: 4096 frames of 4 KiB, page
 * aligned, half of them lent to the kernel on the Fill ring for reception
 * and half kept on a free list for transmission.  Rx, Tx, Fill and
 * Completion rings have 2048 entries each.
 *
 * Without inhibit, the backend attaches libxdp's default XSK program
 * (xsk_def_xdp_prog.o, found the way libxdp finds it), which redirects the
 * frames of each queue to the socket at that queue in its XSKMAP; libxdp
 * creates the UMEMs and sockets (xsk_umem__create, xsk_socket__create with
 * XSK_LIBBPF_FLAGS__INHIBIT_PROG_LOAD) and puts each socket in the map
 * (xsk_socket__update_xskmap).  With no mode= the program is attached in
 * native mode and, when that is refused, in skb mode.  The backend loads
 * and attaches the program itself (libbpf's bpf_xdp_attach) instead of
 * leaving it to xsk_socket__create because libxdp 1.3.1 leaks two
 * descriptors per socket on that path, and one per look at the attached
 * programs (xdp_multiprog__get_from_ifindex, which its detach makes too);
 * and because owning the program lets af_xdp_close() detach exactly it
 * (XDP_FLAGS_REPLACE on its fd).  The
 * price: no sharing of the interface with other XDP programs through
 * libxdp's dispatcher; an interface that has a program already is refused
 * (XDP_FLAGS_UPDATE_IF_NOEXIST) unless inhibit=on hands its sockets over.
 *
 * With inhibit=on the caller attached the program and put its own AF_XDP
 * sockets in the program's XSKMAP: the backend registers a UMEM on each
 * given socket and binds it.  That is what libxdp 1.4's
 * xsk_umem__create_with_fd() does; libxdp 1.3.1 (Debian 12) has no way to
 * give xsk_umem__create() a socket, so this file does those steps itself:
 * XDP_UMEM_REG, the four ring sizes, XDP_MMAP_OFFSETS, mmap, bind.  The
 * inline ring helpers of <xdp/xsk.h> then work on those rings as on
 * libxdp's.
 */
#include "qemu/osdep.h"
#include "net/af-xdp.h"
#include "net/net.h"
#include "qemu/cutils.h"

#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define RING_SIZE   2048                            /* entries of each of the four rings */
#define FRAME_SIZE  XSK_UMEM__DEFAULT_FRAME_SIZE    /* 4096 */
#define NUM_FRAMES  (2 * RING_SIZE)                 /* Fill (Rx) half + Tx half */
#define UMEM_SIZE   ((size_t)NUM_FRAMES * FRAME_SIZE)

/* libxdp's default XSK program, and its map of sockets by queue. */
#define XSK_PROG_FILE "xsk_def_xdp_prog.o"
#define XSK_MAP_NAME  "xsks_map"

/* How long a queue whose socket was just closed may read as busy. */
#define BUSY_RETRY_MS 20
#define BUSY_RETRIES  50

_Static_assert(FRAME_SIZE == AF_XDP_MAX_FRAME, "af-xdp.h's frame limit is one UMEM frame");

/* One mmap()ed ring of a sock-fds socket. */
typedef struct RingMap {
    void *base;
    size_t len;
} RingMap;

typedef struct AfXdpQueue {
    uint32_t queue_id;          /* the interface's queue */
    int fd;                     /* the AF_XDP socket */
    void *umem_area;            /* UMEM_SIZE bytes, mmap()ed */
    struct xsk_umem *umem;      /* libxdp's UMEM, or NULL for a sock-fds socket */
    struct xsk_socket *xsk;     /* libxdp's socket, or NULL for a sock-fds socket */
    RingMap maps[4];            /* a sock-fds socket's Fill, Completion, Rx, Tx rings */
    bool owns_fd;               /* a sock-fds socket the backend now owns */
    struct xsk_ring_prod fill;
    struct xsk_ring_cons comp;
    struct xsk_ring_cons rx;
    struct xsk_ring_prod tx;
    uint64_t free_frames[NUM_FRAMES - RING_SIZE];   /* Tx frames not in flight: a stack */
    uint32_t n_free;
    uint64_t rx_packets;
    uint64_t tx_packets;
    uint64_t tx_busy;
} AfXdpQueue;

/* The XSK program the backend loaded and attached. */
typedef struct XskProgram {
    struct xdp_program *prog;   /* libxdp's handle; owns the bpf_object */
    int prog_fd;
    int map_fd;                 /* the XSKMAP */
    uint32_t xdp_flags;         /* the mode it is attached in; 0 until attached */
} XskProgram;

struct AfXdpNetdev {
    char ifname[IFNAMSIZ];
    unsigned ifindex;
    XskProgram program;         /* without inhibit */
    AfXdpMode mode;             /* the mode in effect */
    uint32_t n_queues;
    uint32_t next_rx;           /* the queue af_xdp_recv() looks at first */
    struct pollfd *pfds;
    AfXdpQueue *queues;
};

bool af_xdp_available(void)
{
    return true;
}

const char *af_xdp_implementation(void)
{
    return "af-xdp: AF_XDP sockets on libxdp";
}

const char *af_xdp_mode_name(AfXdpMode mode)
{
    switch (mode) {
    case AF_XDP_MODE_NATIVE:
        return "native";
    case AF_XDP_MODE_SKB:
        return "skb";
    case AF_XDP_MODE_AUTO:
        break;
    }
    return "auto";
}

/* ---- the option parser ------------------------------------------------ */

typedef enum AfXdpKey {
    KEY_TYPE,
    KEY_ID,
    KEY_IFNAME,
    KEY_MODE,
    KEY_QUEUES,
    KEY_START_QUEUE,
    KEY_FORCE_COPY,
    KEY_INHIBIT,
    KEY_SOCK_FDS,
    KEY__MAX,
} AfXdpKey;

static const char *const key_names[KEY__MAX] = {
    [KEY_TYPE] = "type",
    [KEY_ID] = "id",
    [KEY_IFNAME] = "ifname",
    [KEY_MODE] = "mode",
    [KEY_QUEUES] = "queues",
    [KEY_START_QUEUE] = "start-queue",
    [KEY_FORCE_COPY] = "force-copy",
    [KEY_INHIBIT] = "inhibit",
    [KEY_SOCK_FDS] = "sock-fds",
};

#define VALID_KEYS "id, ifname, mode, queues, start-queue, force-copy, inhibit, sock-fds"

/* Edit distance of two short strings (for "did you mean"), capped at 9. */
static unsigned edit_distance(const char *a, const char *b)
{
    unsigned row[32], la = strlen(a), lb = strlen(b);

    if (la >= 31 || lb >= 31) {
        return 9;
    }
    for (unsigned j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (unsigned i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = i;
        for (unsigned j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] > 9 ? 9 : row[lb];
}

static int unknown_key(const char *key, char **errp)
{
    const char *nearest = NULL;
    unsigned best = 3;          /* suggest only names within two edits */

    for (int k = KEY_ID; k < KEY__MAX; k++) {
        unsigned d = edit_distance(key, key_names[k]);
        if (d < best) {
            best = d;
            nearest = key_names[k];
        }
    }
    if (nearest) {
        return qemu_set_error(errp, -EINVAL, "'%s' is not an option of -netdev af-xdp: did you mean '%s'? "
                         "(options: " VALID_KEYS ")", key, nearest);
    }
    return qemu_set_error(errp, -EINVAL, "'%s' is not an option of -netdev af-xdp (options: " VALID_KEYS ")",
                     key);
}

/* A decimal integer in [min, max]; nothing else (no sign, spaces, hex or suffix). */
static int parse_uint(const char *key, const char *value, uint32_t min, uint32_t max,
                      const char *meaning, uint32_t *out, char **errp)
{
    uint64_t n = 0;

    if (!value[0]) {
        return qemu_set_error(errp, -EINVAL, "'%s' has an empty value: give %s, an integer from %" PRIu32
                         " to %" PRIu32, key, meaning, min, max);
    }
    if (value[0] == '-' && value[1] >= '0' && value[1] <= '9') {
        return qemu_set_error(errp, -EINVAL, "'%s=%s' is negative: %s is an integer from %" PRIu32
                         " to %" PRIu32, key, value, meaning, min, max);
    }
    for (const char *c = value; *c; c++) {
        if (*c < '0' || *c > '9') {
            return qemu_set_error(errp, -EINVAL, "'%s=%s' is not a number: give %s as a decimal integer from %"
                             PRIu32 " to %" PRIu32, key, value, meaning, min, max);
        }
        n = n * 10 + (uint64_t)(*c - '0');
        if (n > max) {
            break;
        }
    }
    if (n < min || n > max) {
        return qemu_set_error(errp, -EINVAL, "'%s=%s' is out of range: %s is an integer from %" PRIu32
                         " to %" PRIu32, key, value, meaning, min, max);
    }
    *out = (uint32_t)n;
    return 0;
}

/* on/off, as QEMU's boolean options (yes/no and true/false too). */
static int parse_bool(const char *key, const char *value, bool *out, char **errp)
{
    static const char *const on[] = { "on", "yes", "true" };
    static const char *const off[] = { "off", "no", "false" };

    for (size_t i = 0; i < QEMU_ARRAY_SIZE(on); i++) {
        if (!strcmp(value, on[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(value, off[i])) {
            *out = false;
            return 0;
        }
    }
    return qemu_set_error(errp, -EINVAL, "'%s=%s' is not a boolean: use %s=on or %s=off", key, value, key, key);
}

static int parse_mode(const char *value, AfXdpMode *out, char **errp)
{
    if (!strcmp(value, "native")) {
        *out = AF_XDP_MODE_NATIVE;
        return 0;
    }
    if (!strcmp(value, "skb")) {
        *out = AF_XDP_MODE_SKB;
        return 0;
    }
    return qemu_set_error(errp, -EINVAL, "'mode=%s' is not a mode: use mode=native (XDP in the driver) or "
                     "mode=skb (generic XDP), or leave mode out to try native and fall back to skb", value);
}

/* "3:4:5": one descriptor per queue, each a non-negative integer, no repeats. */
static int parse_sock_fds(const char *value, AfXdpOptions *opts, char **errp)
{
    const char *p = value;

    if (!value[0]) {
        return qemu_set_error(errp, -EINVAL, "'sock-fds' has an empty value: give the AF_XDP socket descriptors, "
                         "one per queue, separated by ':' (sock-fds=3:4)");
    }
    opts->n_sock_fds = 0;
    while (p) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        uint64_t fd = 0;

        if (len == 0) {
            return qemu_set_error(errp, -EINVAL, "'sock-fds=%s' has an empty descriptor: give non-negative "
                             "integers separated by single ':' (sock-fds=3:4)", value);
        }
        if (len > 9 || strspn(p, "0123456789") < len) {
            return qemu_set_error(errp, -EINVAL, "'sock-fds=%s' is not valid: '%.*s' is not a descriptor number; "
                             "give non-negative integers separated by ':' (sock-fds=3:4)",
                             value, (int)(len > 32 ? 32 : len), p);
        }
        for (size_t i = 0; i < len; i++) {
            fd = fd * 10 + (uint64_t)(p[i] - '0');
        }
        if (fd > INT32_MAX) {
            return qemu_set_error(errp, -EINVAL, "'sock-fds=%s': descriptor %" PRIu64 " is out of range", value, fd);
        }
        for (uint32_t i = 0; i < opts->n_sock_fds; i++) {
            if (opts->sock_fds[i] == (int)fd) {
                return qemu_set_error(errp, -EINVAL, "'sock-fds=%s' names descriptor %d twice: each queue needs "
                                 "its own socket", value, (int)fd);
            }
        }
        if (opts->n_sock_fds == AF_XDP_MAX_QUEUES) {
            return qemu_set_error(errp, -EINVAL, "'sock-fds' lists more than %d descriptors: a netdev has at "
                             "most %d queues", AF_XDP_MAX_QUEUES, AF_XDP_MAX_QUEUES);
        }
        opts->sock_fds[opts->n_sock_fds++] = (int)fd;
        p = colon ? colon + 1 : NULL;
    }
    return 0;
}

/* QEMU's id rule: a letter, then letters, digits, '-', '.' and '_'. */
static bool id_valid(const char *id)
{
    if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z'))) {
        return false;
    }
    return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == strlen(id);
}

/* The kernel's dev_valid_name(): 1..IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or space. */
static int check_ifname(const char *name, char **errp)
{
    if (!name[0]) {
        return qemu_set_error(errp, -EINVAL, "'ifname' has an empty value: give the host interface "
                         "(see 'ip link')");
    }
    if (strlen(name) >= IFNAMSIZ) {
        return qemu_set_error(errp, -EINVAL, "'ifname=%s' is too long: interface names have at most %d "
                         "characters", name, IFNAMSIZ - 1);
    }
    if (!strcmp(name, ".") || !strcmp(name, "..") || strpbrk(name, "/: \t\n\v\f\r")) {
        return qemu_set_error(errp, -EINVAL, "'ifname=%s' is not an interface name: names may not be '.' or "
                         "'..' nor contain '/', ':' or white space", name);
    }
    return 0;
}

static bool key_is_bool(AfXdpKey k)
{
    return k == KEY_FORCE_COPY || k == KEY_INHIBIT;
}

static int parse_option(AfXdpKey k, const char *value, AfXdpOptions *opts, char **errp)
{
    switch (k) {
    case KEY_TYPE:
        if (strcmp(value, AF_XDP_NETDEV_TYPE)) {
            return qemu_set_error(errp, -EINVAL, "'type=%s' is not -netdev af-xdp", value);
        }
        return 0;
    case KEY_ID:
        if (!id_valid(value)) {
            return qemu_set_error(errp, -EINVAL, "'id=%s' is not a valid id: it must start with a letter and "
                             "contain only letters, digits, '-', '.' and '_'", value);
        }
        opts->id = strdup(value);
        return opts->id ? 0 : -ENOMEM;
    case KEY_IFNAME:
        if (check_ifname(value, errp) < 0) {
            return -EINVAL;
        }
        opts->ifname = strdup(value);
        return opts->ifname ? 0 : -ENOMEM;
    case KEY_MODE:
        return parse_mode(value, &opts->mode, errp);
    case KEY_QUEUES:
        return parse_uint("queues", value, 1, AF_XDP_MAX_QUEUES, "the number of queues (one AF_XDP "
                          "socket each)", &opts->queues, errp);
    case KEY_START_QUEUE:
        return parse_uint("start-queue", value, 0, INT32_MAX, "the interface's first queue to bind",
                          &opts->start_queue, errp);
    case KEY_FORCE_COPY:
        return parse_bool("force-copy", value, &opts->force_copy, errp);
    case KEY_INHIBIT:
        return parse_bool("inhibit", value, &opts->inhibit, errp);
    case KEY_SOCK_FDS:
        return parse_sock_fds(value, opts, errp);
    case KEY__MAX:
        break;
    }
    return -EINVAL;
}

/* One "key=value" element (the type element already taken). */
static int parse_element(char *element, AfXdpOptions *opts, const char **given, char **errp)
{
    char *eq = strchr(element, '=');
    const char *value;
    int k;

    if (!element[0]) {
        return qemu_set_error(errp, -EINVAL, "empty option (two commas, or a comma at the end): remove it; "
                         "to put a comma in a value, double it (',,')");
    }
    if (eq) {
        *eq = '\0';
    }
    for (k = KEY_TYPE; k < KEY__MAX; k++) {
        if (!strcmp(element, key_names[k])) {
            break;
        }
    }
    if (k == KEY__MAX) {
        return unknown_key(element, errp);
    }
    if (!eq) {
        if (key_is_bool(k)) {
            return qemu_set_error(errp, -EINVAL, "'%s' has no value: write %s=on or %s=off (short-form "
                             "booleans are not accepted)", element, element, element);
        }
        return qemu_set_error(errp, -EINVAL, "'%s' has no value: write %s=<value>", element, element);
    }
    value = eq + 1;
    if (given[k]) {
        return qemu_set_error(errp, -EINVAL, "'%s' is given twice (%s=%s, then %s=%s): give each option once",
                         element, element, given[k], element, value);
    }
    given[k] = value;
    return parse_option(k, value, opts, errp);
}

/* The rules between options, once all are read. */
static int check_rules(const AfXdpOptions *opts, char **errp)
{
    if (!opts->id) {
        return qemu_set_error(errp, -EINVAL, "-netdev af-xdp needs an id: add id=<name> (e.g. id=net0)");
    }
    if (!opts->ifname) {
        return qemu_set_error(errp, -EINVAL, "-netdev af-xdp needs the host interface: add ifname=<interface> "
                         "(see 'ip link')");
    }
    if (opts->inhibit && !opts->n_sock_fds) {
        return qemu_set_error(errp, -EINVAL, "'inhibit=on' needs 'sock-fds': with inhibit the backend attaches "
                         "no XDP program, so give it the AF_XDP sockets that are already in the XSKMAP of "
                         "the program you attached, one per queue (sock-fds=<fd>[:<fd>...])");
    }
    if (opts->n_sock_fds && !opts->inhibit) {
        return qemu_set_error(errp, -EINVAL, "'sock-fds' is only valid with 'inhibit=on': sockets passed in "
                         "belong to an XDP program you attached; add inhibit=on, or drop sock-fds to let "
                         "the backend create its sockets and attach its own program");
    }
    if (opts->n_sock_fds && opts->n_sock_fds != opts->queues) {
        return qemu_set_error(errp, -EINVAL, "'sock-fds' lists %" PRIu32 " descriptor%s but queues=%" PRIu32
                         ": give exactly one socket per queue (queues=%" PRIu32 ", or list %" PRIu32 ")",
                         opts->n_sock_fds, opts->n_sock_fds == 1 ? "" : "s", opts->queues,
                         opts->n_sock_fds, opts->queues);
    }
    if ((uint64_t)opts->start_queue + opts->queues - 1 > INT32_MAX) {
        return qemu_set_error(errp, -EINVAL, "'start-queue=%" PRIu32 "' with queues=%" PRIu32 " goes past "
                         "queue %d", opts->start_queue, opts->queues, INT32_MAX);
    }
    return 0;
}

void af_xdp_options_free(AfXdpOptions *opts)
{
    free(opts->id);
    free(opts->ifname);
    opts->id = opts->ifname = NULL;
}

int af_xdp_parse(const char *spec, AfXdpOptions *opts, char **errp)
{
    const char *given[KEY__MAX] = { NULL };
    char *elements[2 * KEY__MAX + 1];
    size_t n = 0;
    const char *p = spec;
    int ret = 0;

    memset(opts, 0, sizeof(*opts));
    opts->queues = 1;
    opts->mode = AF_XDP_MODE_AUTO;
    if (!spec[0]) {
        return qemu_set_error(errp, -EINVAL, "empty netdev string: start with the type, e.g. "
                         "af-xdp,id=net0,ifname=eth0");
    }
    /* Split first: the values that given[] points into live until the end. */
    while (p && n < QEMU_ARRAY_SIZE(elements)) {
        elements[n] = netdev_next_element(&p);
        if (!elements[n]) {
            ret = -ENOMEM;
            break;
        }
        n++;
    }
    if (!ret && p) {
        ret = qemu_set_error(errp, -EINVAL, "too many options: -netdev af-xdp takes each of " VALID_KEYS
                        " at most once");
    }
    for (size_t i = 0; !ret && i < n; i++) {
        if (i == 0 && !strchr(elements[0], '=')) {
            /* The implied type= of the first element. */
            if (strcmp(elements[0], AF_XDP_NETDEV_TYPE)) {
                ret = qemu_set_error(errp, -EINVAL, "netdev type '%s' is not af-xdp", elements[0]);
            }
            given[KEY_TYPE] = elements[0];
            continue;
        }
        ret = parse_element(elements[i], opts, given, errp);
    }
    if (!ret) {
        ret = check_rules(opts, errp);
    }
    for (size_t i = 0; i < n; i++) {
        free(elements[i]);
    }
    if (ret) {
        af_xdp_options_free(opts);
    }
    return ret;
}

/* ---- the host check --------------------------------------------------- */

/*
 * The queues an AF_XDP socket with both an Rx and a Tx ring can bind to on
 * ifname: the kernel wants the queue below both the real Rx and the real Tx
 * queue count, which ethtool reports as combined channels plus dedicated Rx
 * (or Tx) ones.  0 when the driver does not report channels
 * (ETHTOOL_GCHANNELS unsupported, as on bridges and older veth drivers):
 * the queue range is then left to the kernel, which refuses a queue beyond
 * the device's with EINVAL when the socket binds.  Counting such a device
 * as one queue, as libxdp sizes its XSKMAP, would refuse devices created
 * with several queues.
 */
static uint32_t interface_channels(const char *ifname)
{
    struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
    struct ifreq ifr;
    uint32_t rx, tx;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int ret;

    if (fd < 0) {
        return 0;
    }
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    ifr.ifr_data = (void *)&ch;
    ret = ioctl(fd, SIOCETHTOOL, &ifr);
    close(fd);
    if (ret < 0) {
        return 0;
    }
    rx = ch.combined_count + ch.rx_count;
    tx = ch.combined_count + ch.tx_count;
    if (!rx || !tx) {
        return rx ? rx : tx;    /* a driver that reports one side only */
    }
    return rx < tx ? rx : tx;
}

static int check_sock_fd(int fd, char **errp)
{
    int domain = 0;
    socklen_t len = sizeof(domain);

    if (fcntl(fd, F_GETFD) < 0) {
        return qemu_set_error(errp, -EBADF, "sock-fds: descriptor %d is not open in this process: pass the "
                         "AF_XDP sockets the helper created (inherited, or received over a UNIX socket)", fd);
    }
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_XDP) {
        return qemu_set_error(errp, -EBADF, "sock-fds: descriptor %d is not an AF_XDP socket: pass sockets made "
                         "with socket(AF_XDP, SOCK_RAW, 0) and put in the XSKMAP of the attached program", fd);
    }
    return 0;
}

int af_xdp_check_host(const AfXdpOptions *opts, AfXdpHostInfo *info, char **errp)
{
    uint64_t end = (uint64_t)opts->start_queue + opts->queues;

    memset(info, 0, sizeof(*info));
    info->ifindex = if_nametoindex(opts->ifname);
    if (!info->ifindex) {
        return qemu_set_error(errp, -ENODEV, "ifname=%s: no such network interface in this network namespace "
                         "(list them with 'ip link')", opts->ifname);
    }
    info->channels = interface_channels(opts->ifname);
    if (info->channels && end > info->channels) {
        return qemu_set_error(errp, -ERANGE, "start-queue=%" PRIu32 ",queues=%" PRIu32 " asks for queues %" PRIu32
                         "..%" PRIu64 " of %s, which has %" PRIu32 " queue%s (see 'ethtool -l %s'): lower "
                         "start-queue or queues, or add channels with 'ethtool -L %s combined N'",
                         opts->start_queue, opts->queues, opts->start_queue, end - 1, opts->ifname,
                         info->channels, info->channels == 1 ? "" : "s", opts->ifname, opts->ifname);
    }
    for (uint32_t i = 0; i < opts->n_sock_fds; i++) {
        int ret = check_sock_fd(opts->sock_fds[i], errp);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* ---- libxdp's diagnostics --------------------------------------------- */

/*
 * libxdp and libbpf print their warnings to stderr.  While the backend
 * opens, the last one is kept instead and added to the error message.
 * Their print callbacks are process-wide: one capture at a time.
 */
static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static char diagnostic[256];

static int QEMU_PRINTF(1, 0) keep_diagnostic(const char *fmt, va_list ap)
{
    size_t len;

    vsnprintf(diagnostic, sizeof(diagnostic), fmt, ap);
    len = strlen(diagnostic);
    while (len && (diagnostic[len - 1] == '\n' || diagnostic[len - 1] == ' ')) {
        diagnostic[--len] = '\0';
    }
    return 0;
}

/*
 * The print callbacks forward libxdp's and libbpf's format strings; their
 * function pointer types carry no format attribute, so neither can these.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsuggest-attribute=format"
static int keep_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
    return level == LIBXDP_DEBUG ? 0 : keep_diagnostic(fmt, ap);
}

static int keep_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return level == LIBBPF_DEBUG ? 0 : keep_diagnostic(fmt, ap);
}

#pragma GCC diagnostic pop

typedef struct DiagnosticCapture {
    libxdp_print_fn_t xdp;
    libbpf_print_fn_t bpf;
} DiagnosticCapture;

static DiagnosticCapture capture_begin(void)
{
    DiagnosticCapture saved;

    pthread_mutex_lock(&capture_lock);
    saved.xdp = libxdp_set_print(keep_libxdp);
    saved.bpf = libbpf_set_print(keep_libbpf);
    diagnostic[0] = '\0';
    return saved;
}

static void capture_end(DiagnosticCapture saved)
{
    libxdp_set_print(saved.xdp);
    libbpf_set_print(saved.bpf);
    pthread_mutex_unlock(&capture_lock);
}

/* What the kernel or libxdp answered, with the last warning of libxdp or libbpf when there was one. */
static const char *describe(int err, char *buf, size_t size)
{
    char reason[128];

    if (libxdp_strerror(err, reason, sizeof(reason)) < 0) {
        snprintf(reason, sizeof(reason), "%s", strerror(-err));
    }
    if (diagnostic[0]) {
        snprintf(buf, size, "%s (%s)", reason, diagnostic);
    } else {
        snprintf(buf, size, "%s", reason);
    }
    return buf;
}

/* What was refused, for remedy(). */
typedef enum Refused {
    REFUSED_PROGRAM,            /* loading the XSK program */
    REFUSED_NATIVE,             /* attaching it in native mode */
    REFUSED_SKB,                /* attaching it in skb mode */
    REFUSED_SOCKET,             /* an AF_XDP socket, its UMEM or its bind */
} Refused;

/* What to do about the common refusals. */
static const char *remedy(int err, Refused what)
{
    switch (-err) {
    case EPERM:
    case EACCES:
        return what == REFUSED_SOCKET
            ? ": AF_XDP sockets need CAP_NET_RAW; run as root, or have a privileged helper create them "
              "and pass them with inhibit=on,sock-fds=..."
            : ": loading and attaching an XDP program needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN); "
              "run as root, or have a privileged helper attach the program and pass its sockets with "
              "inhibit=on,sock-fds=...";
    case EAFNOSUPPORT:
        return ": this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)";
    case ENOMEM:
    case ENOBUFS:
        return what == REFUSED_SOCKET
            ? ": the 16 MiB UMEM is pinned memory; raise the locked-memory limit (ulimit -l) or grant "
              "CAP_IPC_LOCK"
            : ": raise the locked-memory limit (ulimit -l)";
    case EOPNOTSUPP:
        return what == REFUSED_NATIVE
            ? ": the driver has no native XDP; use mode=skb, or leave mode out to fall back to it" : "";
    case EBUSY:
    case EEXIST:
        return what == REFUSED_SOCKET
            ? ": another AF_XDP socket is bound to the queue"
            : ": the interface has an XDP program already (see 'ip link show'); detach it, or pass the "
              "sockets of its XSKMAP with inhibit=on,sock-fds=...";
    case EINVAL:
        return what == REFUSED_SOCKET
            ? ": check that the queue exists ('ethtool -l')"
            : ": check that the interface accepts XDP in this mode";
    }
    return "";
}

/* ---- one queue -------------------------------------------------------- */

static void queue_fill_rings(AfXdpQueue *q)
{
    uint32_t idx = 0;
    uint32_t n = xsk_ring_prod__reserve(&q->fill, RING_SIZE, &idx);

    /* Frames 0 .. RING_SIZE-1 go to the Fill ring, the rest to the Tx free list. */
    for (uint32_t i = 0; i < n; i++) {
        *xsk_ring_prod__fill_addr(&q->fill, idx + i) = (uint64_t)i * FRAME_SIZE;
    }
    xsk_ring_prod__submit(&q->fill, n);
    q->n_free = 0;
    for (uint32_t i = RING_SIZE; i < NUM_FRAMES; i++) {
        q->free_frames[q->n_free++] = (uint64_t)i * FRAME_SIZE;
    }
}

static int queue_alloc_umem(AfXdpQueue *q)
{
    q->umem_area = mmap(NULL, UMEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q->umem_area == MAP_FAILED) {
        q->umem_area = NULL;
        return -errno;
    }
    return 0;
}

static void queue_teardown(AfXdpQueue *q)
{
    if (q->xsk) {
        xsk_socket__delete(q->xsk);
        q->xsk = NULL;
    }
    if (q->umem) {
        xsk_umem__delete(q->umem);
        q->umem = NULL;
    }
    for (size_t i = 0; i < QEMU_ARRAY_SIZE(q->maps); i++) {
        if (q->maps[i].base) {
            munmap(q->maps[i].base, q->maps[i].len);
            q->maps[i].base = NULL;
        }
    }
    if (q->owns_fd) {
        close(q->fd);
        q->owns_fd = false;
    }
    q->fd = -1;
    if (q->umem_area) {
        munmap(q->umem_area, UMEM_SIZE);
        q->umem_area = NULL;
    }
}

/*
 * A UMEM and a socket from libxdp, bound to q's queue; libxdp attaches no
 * program (the backend did), the socket goes in the program's XSKMAP.
 */
static int queue_create(AfXdpNetdev *nd, AfXdpQueue *q, bool force_copy)
{
    const struct xsk_umem_config ucfg = {
        .fill_size = RING_SIZE,
        .comp_size = RING_SIZE,
        .frame_size = FRAME_SIZE,
        .frame_headroom = 0,
        .flags = 0,
    };
    struct xsk_socket_config scfg = {
        .rx_size = RING_SIZE,
        .tx_size = RING_SIZE,
        .xdp_flags = nd->program.xdp_flags,
        .bind_flags = XDP_USE_NEED_WAKEUP | (force_copy ? XDP_COPY : 0),
    };
    int ret = queue_alloc_umem(q);

    if (ret < 0) {
        return ret;
    }
    scfg.libbpf_flags = XSK_LIBBPF_FLAGS__INHIBIT_PROG_LOAD;
    ret = xsk_umem__create(&q->umem, q->umem_area, UMEM_SIZE, &q->fill, &q->comp, &ucfg);
    if (ret) {
        q->umem = NULL;
        return ret < 0 ? ret : -ret;
    }
    ret = xsk_socket__create(&q->xsk, nd->ifname, q->queue_id, q->umem, &q->rx, &q->tx, &scfg);
    if (ret) {
        q->xsk = NULL;
        return ret < 0 ? ret : -ret;
    }
    q->fd = xsk_socket__fd(q->xsk);
    queue_fill_rings(q);
    ret = xsk_socket__update_xskmap(q->xsk, nd->program.map_fd);
    return ret < 0 ? ret : 0;
}

/*
 * queue_create(), again while the kernel says the queue is busy: a socket
 * closed a moment ago (by this process or another) releases its queue
 * asynchronously, and binding the queue before that fails with EBUSY for
 * some tens of milliseconds.  A queue really held by another socket stays
 * busy, and the last EBUSY is returned after about a second.
 */
static int queue_create_retrying(AfXdpNetdev *nd, AfXdpQueue *q, bool force_copy)
{
    int ret = -EBUSY;

    for (int i = 0; i < BUSY_RETRIES && ret == -EBUSY; i++) {
        if (i > 0) {
            queue_teardown(q);
            usleep(BUSY_RETRY_MS * 1000);
        }
        ret = queue_create(nd, q, force_copy);
    }
    return ret;
}

/* mmap() one ring of a sock-fds socket. */
static int map_ring(int fd, off_t pgoff, const struct xdp_ring_offset *off, size_t entry_size, RingMap *map)
{
    map->len = off->desc + RING_SIZE * entry_size;
    map->base = mmap(NULL, map->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
    if (map->base == MAP_FAILED) {
        map->base = NULL;
        return -errno;
    }
    return 0;
}

/*
 * Point an xsk_ring_prod or xsk_ring_cons at its mapping, as libxdp does:
 * a producer's cached consumer runs one ring size ahead (see
 * xsk_prod_nb_free()).
 */
#define RING_SET(r, map, off, is_producer) do {                             \
        char *base_ = (map)->base;                                          \
        (r)->mask = RING_SIZE - 1;                                          \
        (r)->size = RING_SIZE;                                              \
        (r)->producer = (void *)(base_ + (off)->producer);                  \
        (r)->consumer = (void *)(base_ + (off)->consumer);                  \
        (r)->flags = (void *)(base_ + (off)->flags);                        \
        (r)->ring = base_ + (off)->desc;                                    \
        (r)->cached_prod = *(r)->producer;                                  \
        (r)->cached_cons = *(r)->consumer + ((is_producer) ? RING_SIZE : 0); \
    } while (0)

/* A UMEM registered on a given AF_XDP socket, its rings, and the bind (inhibit=on). */
static int queue_create_on_fd(AfXdpNetdev *nd, AfXdpQueue *q, int fd, bool force_copy)
{
    const uint32_t ring = RING_SIZE;
    struct xdp_umem_reg reg;
    struct xdp_mmap_offsets off;
    struct sockaddr_xdp sxdp;
    socklen_t optlen = sizeof(off);
    int ret = queue_alloc_umem(q);

    if (ret < 0) {
        return ret;
    }
    q->fd = fd;
    memset(&reg, 0, sizeof(reg));
    reg.addr = (uintptr_t)q->umem_area;
    reg.len = UMEM_SIZE;
    reg.chunk_size = FRAME_SIZE;
    reg.headroom = 0;
    if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0
        || setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) < 0
        || setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) < 0
        || setsockopt(fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)) < 0
        || setsockopt(fd, SOL_XDP, XDP_TX_RING, &ring, sizeof(ring)) < 0
        || getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) < 0) {
        return -errno;
    }
    if (optlen != sizeof(off)) {
        return -EOPNOTSUPP;     /* a kernel before 5.4, without the rings' flags word */
    }
    if ((ret = map_ring(fd, XDP_UMEM_PGOFF_FILL_RING, &off.fr, sizeof(uint64_t), &q->maps[0])) < 0
        || (ret = map_ring(fd, XDP_UMEM_PGOFF_COMPLETION_RING, &off.cr, sizeof(uint64_t), &q->maps[1])) < 0
        || (ret = map_ring(fd, XDP_PGOFF_RX_RING, &off.rx, sizeof(struct xdp_desc), &q->maps[2])) < 0
        || (ret = map_ring(fd, XDP_PGOFF_TX_RING, &off.tx, sizeof(struct xdp_desc), &q->maps[3])) < 0) {
        return ret;
    }
    RING_SET(&q->fill, &q->maps[0], &off.fr, true);
    RING_SET(&q->comp, &q->maps[1], &off.cr, false);
    RING_SET(&q->rx, &q->maps[2], &off.rx, false);
    RING_SET(&q->tx, &q->maps[3], &off.tx, true);

    memset(&sxdp, 0, sizeof(sxdp));
    sxdp.sxdp_family = AF_XDP;
    sxdp.sxdp_ifindex = nd->ifindex;
    sxdp.sxdp_queue_id = q->queue_id;
    sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | (force_copy ? XDP_COPY : 0);
    /* As queue_create_retrying(): a queue whose last socket was just closed reads busy for a moment. */
    for (int i = 0; bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0; i++) {
        if (errno != EBUSY || i + 1 >= BUSY_RETRIES) {
            return -errno;
        }
        usleep(BUSY_RETRY_MS * 1000);
    }
    queue_fill_rings(q);
    return 0;
}

/* Return completed Tx frames to the free list. */
static void queue_reclaim(AfXdpQueue *q)
{
    uint32_t idx = 0;
    uint32_t n = xsk_ring_cons__peek(&q->comp, RING_SIZE, &idx);

    for (uint32_t i = 0; i < n; i++) {
        q->free_frames[q->n_free++] = *xsk_ring_cons__comp_addr(&q->comp, idx + i);
    }
    xsk_ring_cons__release(&q->comp, n);
    q->tx_packets += n;
}

static int queue_kick(AfXdpQueue *q)
{
    if (xsk_ring_prod__needs_wakeup(&q->tx)
        && sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
        /* Transient: the frames stay on the Tx ring for the next kick. */
        if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN) {
            return -errno;
        }
    }
    queue_reclaim(q);
    return 0;
}

/* ---- the XDP program -------------------------------------------------- */

/* The XDP mode of the program attached to ifindex, AF_XDP_MODE_AUTO when there is none. */
static AfXdpMode attached_mode(unsigned ifindex)
{
    struct bpf_xdp_query_opts query = { .sz = sizeof(query) };

    if (bpf_xdp_query((int)ifindex, 0, &query) < 0) {
        return AF_XDP_MODE_AUTO;
    }
    if (query.drv_prog_id || query.hw_prog_id) {
        return AF_XDP_MODE_NATIVE;
    }
    return query.skb_prog_id ? AF_XDP_MODE_SKB : AF_XDP_MODE_AUTO;
}

static uint32_t mode_flags(AfXdpMode mode)
{
    return mode == AF_XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

/* Detach (if attached) and free the program. */
static void program_release(XskProgram *x, unsigned ifindex)
{
    if (x->xdp_flags) {
        /* Only if it is still the program attached (XDP_FLAGS_REPLACE). */
        struct bpf_xdp_attach_opts opts = { .sz = sizeof(opts), .old_prog_fd = x->prog_fd };
        bpf_xdp_detach((int)ifindex, x->xdp_flags, &opts);
        x->xdp_flags = 0;
    }
    if (x->prog) {
        xdp_program__close(x->prog);
        x->prog = NULL;
    }
    x->prog_fd = x->map_fd = -1;
}

/*
 * Load libxdp's XSK program with an XSKMAP of at least map_entries queues.
 * libxdp finds the object file (LIBXDP_OBJECT_PATH, then its install
 * directory); libbpf loads it.
 */
static int program_load(XskProgram *x, uint32_t map_entries)
{
    struct bpf_object *obj;
    struct bpf_map *map;
    struct bpf_program *bprog;
    long err;

    x->prog_fd = x->map_fd = -1;
    x->xdp_flags = 0;
    x->prog = xdp_program__find_file(XSK_PROG_FILE, NULL, NULL);
    err = libxdp_get_error(x->prog);
    if (err) {
        x->prog = NULL;
        return (int)err;
    }
    obj = xdp_program__bpf_obj(x->prog);
    map = bpf_object__find_map_by_name(obj, XSK_MAP_NAME);
    bprog = bpf_object__next_program(obj, NULL);
    if (!map || !bprog) {
        return -ENOENT;
    }
    if (bpf_map__max_entries(map) < map_entries && (err = bpf_map__set_max_entries(map, map_entries)) < 0) {
        return (int)err;
    }
    err = bpf_object__load(obj);
    if (err < 0) {
        return (int)err;
    }
    x->prog_fd = bpf_program__fd(bprog);
    x->map_fd = bpf_map__fd(map);
    return 0;
}

/* Attach the loaded program in mode (never replacing a program already there). */
static int program_attach(XskProgram *x, unsigned ifindex, AfXdpMode mode)
{
    uint32_t flags = mode_flags(mode);
    int ret = bpf_xdp_attach((int)ifindex, x->prog_fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);

    if (ret < 0) {
        return ret;
    }
    x->xdp_flags = flags;
    return 0;
}

/*
 * Load and attach the XSK program in the mode asked for; with no mode,
 * native and, when that is refused, skb.  Sets nd->mode.
 */
static int program_setup(AfXdpNetdev *nd, XskProgram *x, AfXdpMode mode, uint32_t map_entries, char **errp)
{
    AfXdpMode tried = mode == AF_XDP_MODE_AUTO ? AF_XDP_MODE_NATIVE : mode;
    char why[400], native_why[sizeof(why) + 200] = "";
    int ret = program_load(x, map_entries);

    if (ret < 0) {
        return qemu_set_error(errp, ret, "af-xdp: could not load libxdp's XSK program (" XSK_PROG_FILE "): %s%s",
                         describe(ret, why, sizeof(why)), remedy(ret, REFUSED_PROGRAM));
    }
    for (;;) {
        diagnostic[0] = '\0';
        ret = program_attach(x, nd->ifindex, tried);
        if (!ret) {
            nd->mode = tried;
            return 0;
        }
        describe(ret, why, sizeof(why));
        if (mode != AF_XDP_MODE_AUTO || tried == AF_XDP_MODE_SKB) {
            break;
        }
        snprintf(native_why, sizeof(native_why), " (native mode was refused first: %s%s)", why,
                 remedy(ret, REFUSED_NATIVE));
        tried = AF_XDP_MODE_SKB;
    }
    return qemu_set_error(errp, ret, "af-xdp: could not attach the XDP program to %s in %s mode: %s%s%s",
                     nd->ifname, af_xdp_mode_name(tried), why,
                     remedy(ret, tried == AF_XDP_MODE_NATIVE ? REFUSED_NATIVE : REFUSED_SKB), native_why);
}

/* ---- the backend ------------------------------------------------------ */

AfXdpMode af_xdp_mode(const AfXdpNetdev *nd)
{
    return nd->mode;
}

uint32_t af_xdp_queues(const AfXdpNetdev *nd)
{
    return nd->n_queues;
}

int af_xdp_fd(const AfXdpNetdev *nd, uint32_t q)
{
    return q < nd->n_queues ? nd->queues[q].fd : -EINVAL;
}

void af_xdp_close(AfXdpNetdev *nd)
{
    if (!nd) {
        return;
    }
    for (uint32_t i = 0; nd->queues && i < nd->n_queues; i++) {
        queue_teardown(&nd->queues[i]);
    }
    program_release(&nd->program, nd->ifindex);
    free(nd->queues);
    free(nd->pfds);
    free(nd);
}

static int open_queues(AfXdpNetdev *nd, const AfXdpOptions *opts, const AfXdpHostInfo *info, char **errp)
{
    char why[400];
    int ret = 0;

    if (opts->inhibit) {
        nd->mode = attached_mode(nd->ifindex);
    } else {
        uint32_t entries = opts->start_queue + opts->queues;
        ret = program_setup(nd, &nd->program, opts->mode, entries > info->channels ? entries : info->channels,
                            errp);
    }
    for (uint32_t i = 0; i < nd->n_queues && !ret; i++) {
        AfXdpQueue *q = &nd->queues[i];
        diagnostic[0] = '\0';
        if (opts->inhibit) {
            ret = queue_create_on_fd(nd, q, opts->sock_fds[i], opts->force_copy);
        } else {
            ret = queue_create_retrying(nd, q, opts->force_copy);
        }
        if (ret < 0 && opts->inhibit) {
            qemu_set_error(errp, ret, "af-xdp: could not set up the AF_XDP socket %d (sock-fds) for queue %" PRIu32
                      " of %s: %s%s", opts->sock_fds[i], q->queue_id, nd->ifname,
                      describe(ret, why, sizeof(why)), remedy(ret, REFUSED_SOCKET));
        } else if (ret < 0) {
            qemu_set_error(errp, ret, "af-xdp: could not create the AF_XDP socket for queue %" PRIu32 " of %s: %s%s",
                      q->queue_id, nd->ifname, describe(ret, why, sizeof(why)), remedy(ret, REFUSED_SOCKET));
        }
    }
    return ret;
}

int af_xdp_open(const AfXdpOptions *opts, AfXdpNetdev **ndp, char **errp)
{
    AfXdpHostInfo info;
    AfXdpNetdev *nd;
    DiagnosticCapture saved;
    int ret;

    *ndp = NULL;
    ret = af_xdp_check_host(opts, &info, errp);
    if (ret < 0) {
        return ret;
    }
    nd = calloc(1, sizeof(*nd));
    if (!nd || !(nd->queues = calloc(opts->queues, sizeof(*nd->queues)))
        || !(nd->pfds = calloc(opts->queues, sizeof(*nd->pfds)))) {
        af_xdp_close(nd);
        return qemu_set_error(errp, -ENOMEM, "af-xdp: out of memory");
    }
    snprintf(nd->ifname, sizeof(nd->ifname), "%s", opts->ifname);
    nd->ifindex = info.ifindex;
    nd->program.prog_fd = nd->program.map_fd = -1;
    nd->n_queues = opts->queues;
    for (uint32_t i = 0; i < nd->n_queues; i++) {
        nd->queues[i].queue_id = opts->start_queue + i;
        nd->queues[i].fd = -1;
    }

    saved = capture_begin();
    ret = open_queues(nd, opts, &info, errp);
    capture_end(saved);
    if (ret < 0) {
        af_xdp_close(nd);
        return ret;
    }
    for (uint32_t i = 0; i < nd->n_queues; i++) {
        /* The sock-fds sockets are the backend's from here on (until then the caller keeps them). */
        nd->queues[i].owns_fd = opts->inhibit;
        nd->pfds[i].fd = nd->queues[i].fd;
        nd->pfds[i].events = POLLIN;
    }
    *ndp = nd;
    return 0;
}

int af_xdp_send(AfXdpNetdev *nd, uint32_t qi, const void *frame, size_t len, bool kick)
{
    AfXdpQueue *q;
    uint32_t idx = 0;
    struct xdp_desc *desc;
    uint64_t addr;

    if (qi >= nd->n_queues) {
        return -EINVAL;
    }
    if (len == 0 || len > FRAME_SIZE) {
        return -EMSGSIZE;
    }
    q = &nd->queues[qi];
    queue_reclaim(q);
    if (!q->n_free || xsk_ring_prod__reserve(&q->tx, 1, &idx) != 1) {
        q->tx_busy++;
        return -EAGAIN;
    }
    addr = q->free_frames[--q->n_free];
    memcpy(xsk_umem__get_data(q->umem_area, addr), frame, len);
    desc = xsk_ring_prod__tx_desc(&q->tx, idx);
    desc->addr = addr;
    desc->len = (uint32_t)len;
    desc->options = 0;
    xsk_ring_prod__submit(&q->tx, 1);
    return kick ? queue_kick(q) : 0;
}

int af_xdp_kick(AfXdpNetdev *nd, uint32_t qi)
{
    return qi < nd->n_queues ? queue_kick(&nd->queues[qi]) : -EINVAL;
}

/* One frame off q's Rx ring, its slot back on the Fill ring; 0 when the ring is empty. */
static int queue_recv(AfXdpQueue *q, void *buf, size_t cap)
{
    uint32_t idx = 0, fill_idx = 0;
    const struct xdp_desc *desc;
    uint64_t addr;
    uint32_t len;

    if (xsk_ring_cons__peek(&q->rx, 1, &idx) != 1) {
        return 0;
    }
    desc = xsk_ring_cons__rx_desc(&q->rx, idx);
    addr = desc->addr;
    len = desc->len;
    memcpy(buf, xsk_umem__get_data(q->umem_area, addr), len < cap ? len : cap);
    xsk_ring_cons__release(&q->rx, 1);
    /* Every frame the kernel hands back came off the Fill ring, so it has room for it. */
    if (xsk_ring_prod__reserve(&q->fill, 1, &fill_idx) == 1) {
        *xsk_ring_prod__fill_addr(&q->fill, fill_idx) = addr & ~(uint64_t)(FRAME_SIZE - 1);
        xsk_ring_prod__submit(&q->fill, 1);
    }
    if (xsk_ring_prod__needs_wakeup(&q->fill)) {
        /* A zero-copy driver that ran out of Fill frames waits to be told there are more. */
        recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
    }
    q->rx_packets++;
    return (int)len;
}

int af_xdp_recv(AfXdpNetdev *nd, void *buf, size_t cap, int timeout_ms, uint32_t *qp)
{
    for (int round = 0; round < 2; round++) {
        for (uint32_t k = 0; k < nd->n_queues; k++) {
            uint32_t qi = (nd->next_rx + k) % nd->n_queues;
            int len = queue_recv(&nd->queues[qi], buf, cap);
            if (len > 0) {
                nd->next_rx = (qi + 1) % nd->n_queues;
                if (qp) {
                    *qp = qi;
                }
                return len;
            }
        }
        if (round == 0 && timeout_ms != 0) {
            /* poll() also wakes the driver for a Fill ring that needs it. */
            int ret = poll(nd->pfds, nd->n_queues, timeout_ms);
            if (ret < 0 && errno != EINTR) {
                return -errno;
            }
            if (ret <= 0) {
                return 0;
            }
        } else {
            break;
        }
    }
    return 0;
}

int af_xdp_queue_stats(const AfXdpNetdev *nd, uint32_t qi, AfXdpQueueStats *stats)
{
    struct xdp_statistics xs;
    socklen_t len = sizeof(xs);
    const AfXdpQueue *q;

    if (qi >= nd->n_queues) {
        return -EINVAL;
    }
    q = &nd->queues[qi];
    memset(stats, 0, sizeof(*stats));
    stats->queue_id = q->queue_id;
    stats->rx_packets = q->rx_packets;
    stats->tx_packets = q->tx_packets;
    stats->tx_busy = q->tx_busy;
    stats->tx_in_flight = (NUM_FRAMES - RING_SIZE) - q->n_free;
    /* Older kernels fill fewer fields; the rest stay 0. */
    memset(&xs, 0, sizeof(xs));
    if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &xs, &len) == 0) {
        stats->rx_dropped = xs.rx_dropped;
        stats->rx_ring_full = xs.rx_ring_full;
        stats->rx_fill_ring_empty = xs.rx_fill_ring_empty_descs;
        stats->tx_invalid_descs = xs.tx_invalid_descs;
    }
    return 0;
}

/* ---- the privileged helper side of inhibit=on ------------------------- */

int af_xdp_prepare_sockets(const char *ifname, uint32_t start_queue, uint32_t queues,
                           int *fds, char **errp)
{
    AfXdpNetdev helper;
    DiagnosticCapture saved;
    uint32_t channels = interface_channels(ifname);
    int ret;

    memset(&helper, 0, sizeof(helper));
    snprintf(helper.ifname, sizeof(helper.ifname), "%s", ifname);
    helper.ifindex = if_nametoindex(ifname);
    if (!helper.ifindex) {
        return qemu_set_error(errp, -ENODEV, "%s: no such network interface in this network namespace", ifname);
    }
    if (queues < 1 || queues > AF_XDP_MAX_QUEUES) {
        return qemu_set_error(errp, -EINVAL, "queues must be from 1 to %d", AF_XDP_MAX_QUEUES);
    }
    saved = capture_begin();
    ret = program_setup(&helper, &helper.program, AF_XDP_MODE_AUTO,
                        start_queue + queues > channels ? start_queue + queues : channels, errp);
    capture_end(saved);
    for (uint32_t i = 0; i < queues && !ret; i++) {
        uint32_t key = start_queue + i;
        fds[i] = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fds[i] < 0 || bpf_map_update_elem(helper.program.map_fd, &key, &fds[i], 0)) {
            ret = -errno;
            if (fds[i] >= 0) {
                close(fds[i]);
            }
            while (i-- > 0) {
                close(fds[i]);
            }
            qemu_set_error(errp, ret, "putting an AF_XDP socket for queue %" PRIu32 " of %s in the XSKMAP failed: "
                      "%s%s", key, ifname, strerror(-ret), remedy(ret, REFUSED_SOCKET));
        }
    }
    if (ret < 0) {
        program_release(&helper.program, helper.ifindex);
        return ret;
    }
    /* The program stays attached: the kernel holds it, and its map, for the interface. */
    helper.program.xdp_flags = 0;
    program_release(&helper.program, helper.ifindex);
    return 0;
}

int af_xdp_detach_program(const char *ifname, char **errp)
{
    unsigned ifindex = if_nametoindex(ifname);
    AfXdpMode mode;
    int ret;

    if (!ifindex) {
        return qemu_set_error(errp, -ENODEV, "%s: no such network interface in this network namespace", ifname);
    }
    mode = attached_mode(ifindex);
    if (mode == AF_XDP_MODE_AUTO) {
        return 0;
    }
    ret = bpf_xdp_detach((int)ifindex, mode_flags(mode), NULL);
    if (ret < 0) {
        return qemu_set_error(errp, ret, "detaching the XDP program of %s failed: %s", ifname, strerror(-ret));
    }
    return 0;
}
