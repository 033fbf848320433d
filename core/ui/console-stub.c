/*
 * console-stub.c: compiled instead of console.c when CONFIG_PIXMAN is off.
 * The surface API is there so callers link; every call that would make a
 * surface fails with -ENOSYS saying why.
 */
#include "qemu/osdep.h"
#include "ui/console.h"
#include "qemu-config-features.h"

/* What configure decided about pixman, and why: the text comes from its decision. */
#define COMPILED_OUT "the pixman console was compiled out: " QEMU_FEATURE_STATUS_PIXMAN

const char *console_implementation(void)
{
    return "stub: pixman was not configured (CONFIG_PIXMAN is off)";
}

bool console_available(void)
{
    return false;
}

const char *const *console_formats(size_t *count)
{
    static const char *const none[] = { NULL };
    *count = 0;
    return none;
}

static int compiled_out(DisplaySurface **surfacep, char **errp)
{
    if (surfacep) {
        *surfacep = NULL;
    }
    if (errp) {
        *errp = strdup(COMPILED_OUT);
    }
    return -ENOSYS;
}

int display_surface_new(int width, int height, const char *format,
                        DisplaySurface **surfacep, char **errp)
{
    (void)width; (void)height; (void)format;
    return compiled_out(surfacep, errp);
}

void display_surface_free(DisplaySurface *surface)
{
    (void)surface;
}

/* No surface can exist without pixman, so the accessors below are never reached with one. */
int display_surface_width(const DisplaySurface *surface) { (void)surface; return 0; }
int display_surface_height(const DisplaySurface *surface) { (void)surface; return 0; }
int display_surface_stride(const DisplaySurface *surface) { (void)surface; return 0; }
int display_surface_bits_per_pixel(const DisplaySurface *surface) { (void)surface; return 0; }
const char *display_surface_format(const DisplaySurface *surface) { (void)surface; return ""; }

const uint8_t *display_surface_data(const DisplaySurface *surface, size_t *size)
{
    (void)surface;
    *size = 0;
    return NULL;
}

int display_surface_fill(DisplaySurface *surface, int x, int y, int width, int height,
                         uint32_t argb, char **errp)
{
    (void)surface; (void)x; (void)y; (void)width; (void)height; (void)argb;
    return compiled_out(NULL, errp);
}

int display_surface_blit(DisplaySurface *dst, const DisplaySurface *src,
                         int src_x, int src_y, int dst_x, int dst_y, int width, int height,
                         char **errp)
{
    (void)dst; (void)src; (void)src_x; (void)src_y; (void)dst_x; (void)dst_y; (void)width; (void)height;
    return compiled_out(NULL, errp);
}

int display_surface_convert(const DisplaySurface *src, const char *format,
                            DisplaySurface **surfacep, char **errp)
{
    (void)src; (void)format;
    return compiled_out(surfacep, errp);
}

int display_surface_pixel(const DisplaySurface *surface, int x, int y,
                          uint32_t *argb, char **errp)
{
    (void)surface; (void)x; (void)y;
    *argb = 0;
    return compiled_out(NULL, errp);
}
