/*
 * page-bitmap.h: a virtio-balloon-style page tracker, one bit per guest page.
 *
 * The baseline the hv-balloon range tree is measured against: pages are
 * recorded one at a time, as virtio-balloon receives page frame numbers.
 * Target-agnostic (util), always compiled.
 */
#ifndef QEMU_PAGE_BITMAP_H
#define QEMU_PAGE_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(_WIN32)
#include <malloc.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#else
#include <malloc.h>
#endif

/* The bytes malloc really reserved for p (0 for NULL). */
static inline size_t qemu_malloc_usable_size(void *p)
{
    if (!p) {
        return 0;
    }
#if defined(_WIN32)
    return _msize(p);
#elif defined(__APPLE__)
    return malloc_size(p);
#else
    return malloc_usable_size(p);
#endif
}

typedef struct PageBitmap PageBitmap;

/* A bitmap for pages [0, guest_pages); NULL when out of memory or 0 pages. */
PageBitmap *page_bitmap_new(uint64_t guest_pages);
void page_bitmap_free(PageBitmap *bm);

/* Record one page: 1 when new, 0 when it was already present (a duplicate),
 * -EINVAL when pfn is outside the address space. */
int page_bitmap_add(PageBitmap *bm, uint64_t pfn);

/* Record pages [start, start + count) one page at a time (the per-page loop
 * in C); returns the number of duplicates, or -EINVAL (nothing recorded) when
 * the range is outside the address space. */
int64_t page_bitmap_add_range(PageBitmap *bm, uint64_t start, uint64_t count);

/* Remove the lowest page present: 1 and *pfn set, or 0 when empty. */
int page_bitmap_pop(PageBitmap *bm, uint64_t *pfn);

/* Is pfn present?  (false outside the address space) */
bool page_bitmap_test(const PageBitmap *bm, uint64_t pfn);

uint64_t page_bitmap_guest_pages(const PageBitmap *bm);
uint64_t page_bitmap_pages(const PageBitmap *bm);       /* pages present */
uint64_t page_bitmap_duplicates(const PageBitmap *bm);  /* duplicate reports seen */
/* malloc_usable_size() of the bit array (the struct excluded). */
uint64_t page_bitmap_metadata_bytes(const PageBitmap *bm);

#endif
