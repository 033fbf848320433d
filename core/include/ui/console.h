/*
 * console.h: the console's display surface -- a framebuffer in one of the
 * pixel formats a guest display may use, drawn into and read back.
 *
 * console.c implements it on pixman (compiled when CONFIG_PIXMAN);
 * console-stub.c, compiled otherwise, keeps the same API with every call
 * failing with -ENOSYS and saying why.  This header is pixman-free, so its
 * callers (the binaries, the Python extension) need no pixman flags.
 *
 * Colours are passed as 0xAARRGGBB, 8 bits per channel, and stored as
 * given (reduced to the format's channel widths; no premultiplication is
 * applied, and formats without alpha drop it).
 * Rectangles are (x, y, width, height) in pixels and must lie wholly inside
 * the surface they address: an out-of-bounds rectangle is refused with
 * -EINVAL and the surface is left untouched (never clipped silently).
 * Functions return 0 (or a non-negative result) on success or a negative
 * errno; when errp is not NULL, a failure stores a malloc'ed message there,
 * which the caller frees with free().
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DisplaySurface DisplaySurface;

/* Which implementation was compiled in ("pixman ..." or "stub: ..."). */
const char *console_implementation(void);

/* true when the pixman surface is compiled in (CONFIG_PIXMAN). */
bool console_available(void);

/* The pixel format names surfaces accept (e.g. "x8r8g8b8", "r5g6b5"), in a fixed order. */
const char *const *console_formats(size_t *count);

/* A width x height surface of the named format, filled with zeros. */
int display_surface_new(int width, int height, const char *format,
                        DisplaySurface **surfacep, char **errp);
void display_surface_free(DisplaySurface *surface);

int display_surface_width(const DisplaySurface *surface);
int display_surface_height(const DisplaySurface *surface);
int display_surface_stride(const DisplaySurface *surface);          /* bytes per row */
int display_surface_bits_per_pixel(const DisplaySurface *surface);
const char *display_surface_format(const DisplaySurface *surface);

/* The raw pixel memory, height * stride bytes in the surface's own format. */
const uint8_t *display_surface_data(const DisplaySurface *surface, size_t *size);

/* Fill a rectangle with one colour, converted to the surface's format. */
int display_surface_fill(DisplaySurface *surface, int x, int y, int width, int height,
                         uint32_t argb, char **errp);

/*
 * Copy a width x height rectangle from src at (src_x, src_y) to dst at
 * (dst_x, dst_y), converting between the two formats.  dst and src may be
 * the same surface (overlapping copies work as memmove does).
 */
int display_surface_blit(DisplaySurface *dst, const DisplaySurface *src,
                         int src_x, int src_y, int dst_x, int dst_y, int width, int height,
                         char **errp);

/* A new surface with src's pixels converted to another format. */
int display_surface_convert(const DisplaySurface *src, const char *format,
                            DisplaySurface **surfacep, char **errp);

/* The pixel at (x, y) as 0xAARRGGBB (alpha 0xff for formats without alpha). */
int display_surface_pixel(const DisplaySurface *surface, int x, int y,
                          uint32_t *argb, char **errp);

#endif /* UI_CONSOLE_H */
