/*
 * hv-balloon-stub.c: compiled instead of hv-balloon.c when CONFIG_HV_BALLOON
 * is off.  It registers no device model; the page range tree API is there so
 * callers link, and every call fails with -ENOSYS saying why.
 */
#include "qemu/osdep.h"
#include "hw/hyperv/hv-balloon.h"
#include "qemu-config-features.h"

/* CONFIG_HV_BALLOON is the device Kconfig's; it needs the hv_balloon feature, whose decision says why. */
#define COMPILED_OUT "hv-balloon was compiled out: CONFIG_HV_BALLOON is off in this build; " \
                     QEMU_FEATURE_STATUS_HV_BALLOON

const char *hv_balloon_implementation(void)
{
    return "stub: hv-balloon was not configured (CONFIG_HV_BALLOON is off)";
}

static int compiled_out(char **errp)
{
    if (errp) {
        *errp = strdup(COMPILED_OUT);
    }
    return -ENOSYS;
}

bool page_range_tree_available(void)
{
    return false;
}

int page_range_tree_new(uint64_t guest_pages, PageRangeTree **treep, char **errp)
{
    (void)guest_pages;
    *treep = NULL;
    return compiled_out(errp);
}

void page_range_tree_free(PageRangeTree *tree)
{
    (void)tree;
}

int page_range_tree_insert(PageRangeTree *tree, uint64_t start, uint64_t count,
                           uint64_t *duplicates, char **errp)
{
    (void)tree; (void)start; (void)count; (void)duplicates;
    return compiled_out(errp);
}

int page_range_tree_pop_range(PageRangeTree *tree, uint64_t max_pages,
                              PageRange *out, char **errp)
{
    (void)tree; (void)max_pages; (void)out;
    return compiled_out(errp);
}

int page_range_tree_contains(PageRangeTree *tree, uint64_t start, uint64_t count,
                             char **errp)
{
    (void)tree; (void)start; (void)count;
    return compiled_out(errp);
}

uint64_t page_range_tree_guest_pages(const PageRangeTree *tree)
{
    (void)tree;
    return 0;
}

uint64_t page_range_tree_pages(const PageRangeTree *tree)
{
    (void)tree;
    return 0;
}

uint64_t page_range_tree_nodes(const PageRangeTree *tree)
{
    (void)tree;
    return 0;
}

uint64_t page_range_tree_metadata_bytes(const PageRangeTree *tree)
{
    (void)tree;
    return 0;
}

size_t page_range_tree_node_overhead(void)
{
    return 0;
}
