/*
 * console.c: the console's display surface on pixman (CONFIG_PIXMAN).
 *
 * A DisplaySurface owns one pixman image.  Every operation is a pixman
 * operation with PIXMAN_OP_SRC, so pixels are copied and converted between
 * formats, never blended.
 */
#include "qemu/osdep.h"
#include "ui/console.h"
#include "qemu/cutils.h"

#include <pixman.h>

struct DisplaySurface {
    pixman_image_t *image;
    const char *format;          /* an entry of surface_formats[].name */
};

typedef struct SurfaceFormat {
    const char *name;
    pixman_format_code_t code;
} SurfaceFormat;

/* The formats a guest display commonly scans out, 32, 24 and 16 bits per pixel. */
static const SurfaceFormat surface_formats[] = {
    { "a8r8g8b8", PIXMAN_a8r8g8b8 },
    { "x8r8g8b8", PIXMAN_x8r8g8b8 },
    { "a8b8g8r8", PIXMAN_a8b8g8r8 },
    { "x8b8g8r8", PIXMAN_x8b8g8r8 },
    { "b8g8r8a8", PIXMAN_b8g8r8a8 },
    { "b8g8r8x8", PIXMAN_b8g8r8x8 },
    { "r8g8b8a8", PIXMAN_r8g8b8a8 },
    { "r8g8b8x8", PIXMAN_r8g8b8x8 },
    { "r8g8b8", PIXMAN_r8g8b8 },
    { "b8g8r8", PIXMAN_b8g8r8 },
    { "r5g6b5", PIXMAN_r5g6b5 },
    { "b5g6r5", PIXMAN_b5g6r5 },
    { "a1r5g5b5", PIXMAN_a1r5g5b5 },
    { "x1r5g5b5", PIXMAN_x1r5g5b5 },
};
#define SURFACE_FORMAT_COUNT (sizeof(surface_formats) / sizeof(surface_formats[0]))

/* Dimensions beyond this are refused rather than risking overflow in pixman's stride maths. */
#define SURFACE_MAX_DIMENSION 16384

const char *console_implementation(void)
{
    static char text[64];
    if (!text[0]) {
        snprintf(text, sizeof(text), "pixman %s", pixman_version_string());
    }
    return text;
}

bool console_available(void)
{
    return true;
}

const char *const *console_formats(size_t *count)
{
    static const char *names[SURFACE_FORMAT_COUNT + 1];
    for (size_t i = 0; i < SURFACE_FORMAT_COUNT; i++) {
        names[i] = surface_formats[i].name;
    }
    *count = SURFACE_FORMAT_COUNT;
    return names;
}

static const SurfaceFormat *find_format(const char *name)
{
    for (size_t i = 0; i < SURFACE_FORMAT_COUNT; i++) {
        if (strcmp(surface_formats[i].name, name) == 0) {
            return &surface_formats[i];
        }
    }
    return NULL;
}

static int unknown_format(const char *name, char **errp)
{
    return qemu_set_error(errp, -EINVAL, "unknown pixel format '%s': use one of qemu_core.surface_formats()", name);
}

static int new_surface(int width, int height, const SurfaceFormat *format,
                       DisplaySurface **surfacep, char **errp)
{
    *surfacep = NULL;
    if (width <= 0 || height <= 0 || width > SURFACE_MAX_DIMENSION || height > SURFACE_MAX_DIMENSION) {
        return qemu_set_error(errp, -EINVAL, "a surface of %dx%d pixels: width and height must be 1..%d",
                    width, height, SURFACE_MAX_DIMENSION);
    }
    DisplaySurface *surface = calloc(1, sizeof(*surface));
    if (!surface) {
        return qemu_set_error(errp, -ENOMEM, "out of memory for a %dx%d surface", width, height);
    }
    /* With no bits given, pixman allocates zeroed memory with a 4-byte aligned stride. */
    surface->image = pixman_image_create_bits(format->code, width, height, NULL, 0);
    if (!surface->image) {
        free(surface);
        return qemu_set_error(errp, -ENOMEM, "out of memory for a %dx%d %s surface", width, height, format->name);
    }
    surface->format = format->name;
    *surfacep = surface;
    return 0;
}

int display_surface_new(int width, int height, const char *format,
                        DisplaySurface **surfacep, char **errp)
{
    const SurfaceFormat *found = find_format(format);
    if (!found) {
        *surfacep = NULL;
        return unknown_format(format, errp);
    }
    return new_surface(width, height, found, surfacep, errp);
}

void display_surface_free(DisplaySurface *surface)
{
    if (surface) {
        pixman_image_unref(surface->image);
        free(surface);
    }
}

int display_surface_width(const DisplaySurface *surface)
{
    return pixman_image_get_width(surface->image);
}

int display_surface_height(const DisplaySurface *surface)
{
    return pixman_image_get_height(surface->image);
}

int display_surface_stride(const DisplaySurface *surface)
{
    return pixman_image_get_stride(surface->image);
}

int display_surface_bits_per_pixel(const DisplaySurface *surface)
{
    return PIXMAN_FORMAT_BPP(pixman_image_get_format(surface->image));
}

const char *display_surface_format(const DisplaySurface *surface)
{
    return surface->format;
}

const uint8_t *display_surface_data(const DisplaySurface *surface, size_t *size)
{
    *size = (size_t)display_surface_stride(surface) * (size_t)display_surface_height(surface);
    return (const uint8_t *)pixman_image_get_data(surface->image);
}

/* 0 when the rectangle lies wholly inside the surface; otherwise -EINVAL saying which part does not. */
static int check_rect(const DisplaySurface *surface, const char *what,
                      int x, int y, int width, int height, char **errp)
{
    int sw = display_surface_width(surface), sh = display_surface_height(surface);
    if (width <= 0 || height <= 0) {
        return qemu_set_error(errp, -EINVAL, "%s rectangle %dx%d is empty: width and height must be positive",
                    what, width, height);
    }
    if (x < 0 || y < 0 || x > sw - width || y > sh - height) {
        return qemu_set_error(errp, -EINVAL, "%s rectangle %dx%d at (%d, %d) is outside the %dx%d surface",
                    what, width, height, x, y, sw, sh);
    }
    return 0;
}

static pixman_color_t argb_to_color(uint32_t argb)
{
    /* 8 to 16 bits per channel by replication, so 0xff becomes 0xffff exactly. */
    pixman_color_t color = {
        .red = (uint16_t)(((argb >> 16) & 0xff) * 0x101),
        .green = (uint16_t)(((argb >> 8) & 0xff) * 0x101),
        .blue = (uint16_t)((argb & 0xff) * 0x101),
        .alpha = (uint16_t)((argb >> 24) * 0x101),
    };
    return color;
}

int display_surface_fill(DisplaySurface *surface, int x, int y, int width, int height,
                         uint32_t argb, char **errp)
{
    int ret = check_rect(surface, "fill", x, y, width, height, errp);
    if (ret < 0) {
        return ret;
    }
    pixman_color_t color = argb_to_color(argb);
    pixman_rectangle16_t rect = { (int16_t)x, (int16_t)y, (uint16_t)width, (uint16_t)height };
    if (!pixman_image_fill_rectangles(PIXMAN_OP_SRC, surface->image, &color, 1, &rect)) {
        return qemu_set_error(errp, -ENOMEM, "pixman could not fill a %dx%d rectangle", width, height);
    }
    return 0;
}

int display_surface_blit(DisplaySurface *dst, const DisplaySurface *src,
                         int src_x, int src_y, int dst_x, int dst_y, int width, int height,
                         char **errp)
{
    int ret = check_rect(src, "source", src_x, src_y, width, height, errp);
    if (ret < 0 || (ret = check_rect(dst, "destination", dst_x, dst_y, width, height, errp)) < 0) {
        return ret;
    }
    if (src != dst) {
        pixman_image_composite32(PIXMAN_OP_SRC, src->image, NULL, dst->image,
                                 src_x, src_y, 0, 0, dst_x, dst_y, width, height);
        return 0;
    }
    /* Within one surface the rectangles may overlap: go through a copy of the source. */
    DisplaySurface *copy;
    ret = display_surface_new(width, height, src->format, &copy, errp);
    if (ret < 0) {
        return ret;
    }
    pixman_image_composite32(PIXMAN_OP_SRC, src->image, NULL, copy->image,
                             src_x, src_y, 0, 0, 0, 0, width, height);
    pixman_image_composite32(PIXMAN_OP_SRC, copy->image, NULL, dst->image,
                             0, 0, 0, 0, dst_x, dst_y, width, height);
    display_surface_free(copy);
    return 0;
}

int display_surface_convert(const DisplaySurface *src, const char *format,
                            DisplaySurface **surfacep, char **errp)
{
    const SurfaceFormat *found = find_format(format);
    if (!found) {
        *surfacep = NULL;
        return unknown_format(format, errp);
    }
    int width = display_surface_width(src), height = display_surface_height(src);
    int ret = new_surface(width, height, found, surfacep, errp);
    if (ret < 0) {
        return ret;
    }
    pixman_image_composite32(PIXMAN_OP_SRC, src->image, NULL, (*surfacep)->image,
                             0, 0, 0, 0, 0, 0, width, height);
    return 0;
}

int display_surface_pixel(const DisplaySurface *surface, int x, int y,
                          uint32_t *argb, char **errp)
{
    int ret = check_rect(surface, "pixel", x, y, 1, 1, errp);
    if (ret < 0) {
        return ret;
    }
    /* Let pixman expand the pixel to a8r8g8b8, as it does for any conversion. */
    uint32_t value = 0;
    pixman_image_t *one = pixman_image_create_bits(PIXMAN_a8r8g8b8, 1, 1, &value, sizeof(value));
    if (!one) {
        return qemu_set_error(errp, -ENOMEM, "out of memory reading a pixel");
    }
    pixman_image_composite32(PIXMAN_OP_SRC, surface->image, NULL, one, x, y, 0, 0, 0, 0, 1, 1);
    pixman_image_unref(one);
    *argb = value;
    return 0;
}
