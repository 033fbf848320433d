/*
 * hv-balloon.h: the Hyper-V Dynamic Memory balloon and its page range tree.
 *
 * The range tree records which guest pages are ballooned out, as (start,
 * count) ranges of page frame numbers, the way the Dynamic Memory protocol
 * reports them.  hv-balloon.c implements it on GLib's GTree node API;
 * hv-balloon-stub.c, compiled when CONFIG_HV_BALLOON is off, implements the
 * same API with every call failing with -ENOSYS.
 *
 * This header is GLib-free so that callers (the Python extension) need no
 * GLib flags.  Errors: functions return 0 (or a non-negative result) on
 * success and a negative errno on failure:
 *   -EINVAL  the caller's input is wrong (a range outside the guest's address
 *            space, an empty range, ...);
 *   -ENOMEM  out of memory;
 *   -ENOSYS  hv-balloon was compiled out.
 * When errp is not NULL, a failure stores a malloc'ed message in *errp; the
 * caller frees it with free().
 */
#ifndef HW_HYPERV_HV_BALLOON_H
#define HW_HYPERV_HV_BALLOON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which implementation was compiled in ("hv-balloon: ..." or "stub: ..."). */
const char *hv_balloon_implementation(void);

typedef struct PageRange {
    uint64_t start;             /* first page frame number */
    uint64_t count;             /* number of pages */
} PageRange;

typedef struct PageRangeTree PageRangeTree;

/* true when the range tree is compiled in (CONFIG_HV_BALLOON). */
bool page_range_tree_available(void);

/*
 * A tree for a guest whose address space is pages [0, guest_pages).
 * Returns 0 and stores the tree in *treep, or a negative errno.
 */
int page_range_tree_new(uint64_t guest_pages, PageRangeTree **treep, char **errp);
void page_range_tree_free(PageRangeTree *tree);

/*
 * Record pages [start, start + count), merging with overlapping and adjacent
 * ranges.  *duplicates (if not NULL) receives how many of these pages were
 * already present.  A range not wholly inside [0, guest_pages) or with
 * count == 0 is refused with -EINVAL and the tree is left untouched.
 */
int page_range_tree_insert(PageRangeTree *tree, uint64_t start, uint64_t count,
                           uint64_t *duplicates, char **errp);

/*
 * Remove up to max_pages pages from the top of the highest range and store
 * them in *out.  Returns 1 when a range was popped, 0 when the tree is empty
 * (or max_pages is 0), or a negative errno.
 */
int page_range_tree_pop_range(PageRangeTree *tree, uint64_t max_pages,
                              PageRange *out, char **errp);

/*
 * Is any page of [start, start + count) present?  1 yes, 0 no, or -EINVAL
 * for a range outside the address space.
 */
int page_range_tree_contains(PageRangeTree *tree, uint64_t start, uint64_t count,
                             char **errp);

uint64_t page_range_tree_guest_pages(const PageRangeTree *tree);
uint64_t page_range_tree_pages(const PageRangeTree *tree);   /* pages present */
uint64_t page_range_tree_nodes(const PageRangeTree *tree);   /* ranges (tree nodes) */

/*
 * Bytes allocated for the tree's nodes and keys, the GTree header and the
 * PageRangeTree struct excluded: per node, malloc_usable_size() of the
 * malloc'ed PageRange that is the node's key and value, plus the cost of
 * GLib's GTreeNode (see page_range_tree_node_overhead()).
 */
uint64_t page_range_tree_metadata_bytes(const PageRangeTree *tree);

/*
 * The bytes one GTreeNode costs: GLib allocates it itself (g_slice_new, a
 * 40-byte struct of key, value, left, right and three flag bytes on LP64).
 * GLib's g_slice rounds it to 2 * sizeof(void *) (48 bytes); with
 * G_SLICE=always-malloc it is malloc(40), whose usable size is measured.  The
 * larger of the two is reported.
 */
size_t page_range_tree_node_overhead(void);

#endif
