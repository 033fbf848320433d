/*
 * page-bitmap.c: a virtio-balloon-style page tracker, one bit per guest page.
 *
 * The baseline for the hv-balloon range tree: every page is set or cleared on
 * its own, as virtio-balloon handles the page frame numbers a guest sends.
 */
#include "qemu/osdep.h"
#include "qemu/page-bitmap.h"

#define BITS_PER_WORD 64

struct PageBitmap {
    uint64_t *words;
    uint64_t nwords;
    uint64_t guest_pages;
    uint64_t pages;
    uint64_t duplicates;
    uint64_t scan_from;         /* no bit is set in words[0 .. scan_from) */
};

PageBitmap *page_bitmap_new(uint64_t guest_pages)
{
    PageBitmap *bm;
    uint64_t nwords = guest_pages / BITS_PER_WORD + (guest_pages % BITS_PER_WORD != 0);

    if (guest_pages == 0 || nwords > SIZE_MAX / sizeof(uint64_t)) {
        return NULL;
    }
    bm = calloc(1, sizeof(*bm));
    if (!bm) {
        return NULL;
    }
    bm->words = calloc(nwords, sizeof(uint64_t));
    if (!bm->words) {
        free(bm);
        return NULL;
    }
    bm->nwords = nwords;
    bm->guest_pages = guest_pages;
    bm->scan_from = nwords;
    return bm;
}

void page_bitmap_free(PageBitmap *bm)
{
    if (bm) {
        free(bm->words);
        free(bm);
    }
}

int page_bitmap_add(PageBitmap *bm, uint64_t pfn)
{
    uint64_t idx, mask;

    if (pfn >= bm->guest_pages) {
        return -EINVAL;
    }
    idx = pfn / BITS_PER_WORD;
    mask = UINT64_C(1) << (pfn % BITS_PER_WORD);
    if (bm->words[idx] & mask) {
        bm->duplicates++;
        return 0;
    }
    bm->words[idx] |= mask;
    bm->pages++;
    if (idx < bm->scan_from) {
        bm->scan_from = idx;
    }
    return 1;
}

int64_t page_bitmap_add_range(PageBitmap *bm, uint64_t start, uint64_t count)
{
    int64_t dups = 0;
    uint64_t i;

    if (start >= bm->guest_pages || count > bm->guest_pages - start) {
        return -EINVAL;
    }
    for (i = 0; i < count; i++) {
        dups += page_bitmap_add(bm, start + i) == 0;
    }
    return dups;
}

int page_bitmap_pop(PageBitmap *bm, uint64_t *pfn)
{
    uint64_t idx;

    for (idx = bm->scan_from; idx < bm->nwords; idx++) {
        uint64_t w = bm->words[idx];
        if (w) {
            int bit = __builtin_ctzll(w);
            bm->words[idx] = w & (w - 1);
            bm->scan_from = idx;
            bm->pages--;
            *pfn = idx * BITS_PER_WORD + (uint64_t)bit;
            return 1;
        }
    }
    bm->scan_from = bm->nwords;
    return 0;
}

bool page_bitmap_test(const PageBitmap *bm, uint64_t pfn)
{
    if (pfn >= bm->guest_pages) {
        return false;
    }
    return (bm->words[pfn / BITS_PER_WORD] >> (pfn % BITS_PER_WORD)) & 1;
}

uint64_t page_bitmap_guest_pages(const PageBitmap *bm)
{
    return bm->guest_pages;
}

uint64_t page_bitmap_pages(const PageBitmap *bm)
{
    return bm->pages;
}

uint64_t page_bitmap_duplicates(const PageBitmap *bm)
{
    return bm->duplicates;
}

uint64_t page_bitmap_metadata_bytes(const PageBitmap *bm)
{
    return qemu_malloc_usable_size(bm->words);
}
