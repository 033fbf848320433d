/*
 * hv-balloon.c: the hv-balloon device model (Hyper-V Dynamic Memory balloon)
 * and its page range tree.
 *
 * The tree records the guest pages that are ballooned out as disjoint,
 * non-adjacent (start, count) ranges on GLib's GTree node API (GLib >= 2.68),
 * keyed by the range start.  A 1 TiB contiguous range is one node.
 *
 * Each node's key and value are one malloc'ed PageRange: the key is a
 * pointer to its start field.  The tree only ever changes a range's count in
 * place, never its start, so the key order GTree relies on holds.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "qemu/cutils.h"

DEVICE_MODEL(hv_balloon, "hv-balloon", "vmbus", "Hyper-V Dynamic Memory balloon")

#include <glib.h>
#include <inttypes.h>
#include "hw/hyperv/hv-balloon.h"
#include "qemu/page-bitmap.h"

const char *hv_balloon_implementation(void)
{
    return "hv-balloon: page ranges tracked on GLib's GTree";
}

struct PageRangeTree {
    GTree *tree;
    uint64_t guest_pages;
    uint64_t pages;
    uint64_t nodes;
    uint64_t key_bytes;         /* malloc_usable_size() of every PageRange */
    GTreeNode *hint;            /* the node last inserted or extended, or NULL */
};

/*
 * GLib's private GTreeNode on this host: key, value, left, right, balance,
 * left_child, right_child.  Only its size is used.
 */
typedef struct GTreeNodeLayout {
    void *key;
    void *value;
    void *left;
    void *right;
    int8_t balance;
    uint8_t left_child;
    uint8_t right_child;
} GTreeNodeLayout;

static size_t node_overhead;

size_t page_range_tree_node_overhead(void)
{
    if (!node_overhead) {
        size_t slice = (sizeof(GTreeNodeLayout) + 2 * sizeof(void *) - 1)
                       & ~(2 * sizeof(void *) - 1);
        void *p = malloc(sizeof(GTreeNodeLayout));
        size_t usable = qemu_malloc_usable_size(p);
        free(p);
        node_overhead = usable > slice ? usable : slice;
    }
    return node_overhead;
}

static gint compare_start(gconstpointer a, gconstpointer b, gpointer opaque)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    (void)opaque;
    return x < y ? -1 : x > y;
}

static inline PageRange *node_range(GTreeNode *node)
{
    return g_tree_node_value(node);
}

static inline uint64_t range_end(const PageRange *r)
{
    return r->start + r->count;
}

static uint64_t overlap(const PageRange *r, uint64_t s, uint64_t e)
{
    uint64_t lo = r->start > s ? r->start : s;
    uint64_t hi = range_end(r) < e ? range_end(r) : e;
    return hi > lo ? hi - lo : 0;
}

bool page_range_tree_available(void)
{
    return true;
}

int page_range_tree_new(uint64_t guest_pages, PageRangeTree **treep, char **errp)
{
    PageRangeTree *t;

    *treep = NULL;
    if (guest_pages == 0 || guest_pages > UINT64_MAX / 2) {
        return qemu_set_error(errp, -EINVAL, "guest address space of %" PRIu64 " pages is not valid",
                         guest_pages);
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        return qemu_set_error(errp, -ENOMEM, "out of memory");
    }
    t->tree = g_tree_new_full(compare_start, NULL, NULL, NULL);
    t->guest_pages = guest_pages;
    page_range_tree_node_overhead();
    *treep = t;
    return 0;
}

static gboolean free_value(gpointer key, gpointer value, gpointer opaque)
{
    (void)key;
    (void)opaque;
    free(value);
    return FALSE;
}

void page_range_tree_free(PageRangeTree *t)
{
    if (t) {
        g_tree_foreach(t->tree, free_value, NULL);
        g_tree_destroy(t->tree);
        free(t);
    }
}

static int check_range(const PageRangeTree *t, uint64_t start, uint64_t count, char **errp)
{
    if (count == 0) {
        return qemu_set_error(errp, -EINVAL, "empty page range at %" PRIu64, start);
    }
    if (start >= t->guest_pages || count > t->guest_pages - start) {
        return qemu_set_error(errp, -EINVAL,
                         "page range [%" PRIu64 ", +%" PRIu64 ") is outside the guest's "
                         "address space of %" PRIu64 " pages", start, count, t->guest_pages);
    }
    return 0;
}

/* Remove a node and free its range. */
static void remove_node(PageRangeTree *t, GTreeNode *node)
{
    PageRange *r = node_range(node);
    uint64_t key = r->start;

    if (node == t->hint) {
        t->hint = NULL;
    }
    g_tree_remove(t->tree, &key);
    t->nodes--;
    t->key_bytes -= qemu_malloc_usable_size(r);
    free(r);
}

int page_range_tree_insert(PageRangeTree *t, uint64_t start, uint64_t count,
                           uint64_t *duplicates, char **errp)
{
    uint64_t end, new_end, dups = 0;
    GTreeNode *left, *next;
    PageRange *keep = NULL, *fresh = NULL;
    int ret = check_range(t, start, count, errp);

    if (ret < 0) {
        return ret;
    }
    end = start + count;

    /* Fast path: the range continues the one last inserted, and no range
     * follows within reach (the common case for ascending reports). */
    if (t->hint) {
        PageRange *h = node_range(t->hint);
        if (range_end(h) == start) {
            next = g_tree_node_next(t->hint);
            if (!next || node_range(next)->start > end) {
                h->count += count;
                t->pages += count;
                if (duplicates) {
                    *duplicates = 0;
                }
                return 0;
            }
        }
    }

    /* The range with the greatest start <= start, if it touches ours. */
    next = g_tree_upper_bound(t->tree, &start);         /* first start > start */
    left = next ? g_tree_node_previous(next) : g_tree_node_last(t->tree);
    new_end = end;
    if (left && range_end(node_range(left)) >= start) {
        keep = node_range(left);
        dups += overlap(keep, start, end);
        if (range_end(keep) > new_end) {
            new_end = range_end(keep);
        }
    } else {
        left = NULL;
        fresh = malloc(sizeof(*fresh));   /* before anything is removed */
        if (!fresh) {
            return qemu_set_error(errp, -ENOMEM, "out of memory");
        }
    }

    /* Absorb every following range that starts within (or right after) ours. */
    while (next && node_range(next)->start <= new_end) {
        PageRange *r = node_range(next);
        dups += overlap(r, start, end);
        if (range_end(r) > new_end) {
            new_end = range_end(r);
        }
        t->pages -= r->count;
        remove_node(t, next);
        /* Look the next one up again rather than trust a node pointer
         * across a removal. */
        next = g_tree_upper_bound(t->tree, &start);
    }

    if (keep) {
        t->pages += (new_end - keep->start) - keep->count;
        keep->count = new_end - keep->start;
        t->hint = left;
    } else {
        PageRange *r = fresh;
        r->start = start;
        r->count = new_end - start;
        t->hint = g_tree_insert_node(t->tree, &r->start, r);
        t->nodes++;
        t->pages += r->count;
        t->key_bytes += qemu_malloc_usable_size(r);
    }
    if (duplicates) {
        *duplicates = dups;
    }
    return 0;
}

int page_range_tree_pop_range(PageRangeTree *t, uint64_t max_pages, PageRange *out, char **errp)
{
    GTreeNode *last;
    PageRange *r;
    uint64_t take;

    (void)errp;
    if (max_pages == 0 || !(last = g_tree_node_last(t->tree))) {
        return 0;
    }
    r = node_range(last);
    take = r->count < max_pages ? r->count : max_pages;
    out->start = range_end(r) - take;
    out->count = take;
    t->pages -= take;
    r->count -= take;
    if (r->count == 0) {
        remove_node(t, last);
    }
    return 1;
}

int page_range_tree_contains(PageRangeTree *t, uint64_t start, uint64_t count, char **errp)
{
    GTreeNode *next, *left;
    uint64_t end;
    int ret = check_range(t, start, count, errp);

    if (ret < 0) {
        return ret;
    }
    end = start + count;
    next = g_tree_upper_bound(t->tree, &start);
    left = next ? g_tree_node_previous(next) : g_tree_node_last(t->tree);
    if (left && range_end(node_range(left)) > start) {
        return 1;
    }
    return next && node_range(next)->start < end;
}

uint64_t page_range_tree_guest_pages(const PageRangeTree *t)
{
    return t->guest_pages;
}

uint64_t page_range_tree_pages(const PageRangeTree *t)
{
    return t->pages;
}

uint64_t page_range_tree_nodes(const PageRangeTree *t)
{
    return t->nodes;
}

uint64_t page_range_tree_metadata_bytes(const PageRangeTree *t)
{
    return t->key_bytes + t->nodes * page_range_tree_node_overhead();
}
