/*
 * virgl.c: compiled when configure found virglrenderer; links the library.
 */
#include "qemu/osdep.h"
#include "ui/virgl.h"

#include <virglrenderer.h>

const char *virgl_linked_version(void)
{
    /* The address is taken at run time, so the reference into libvirglrenderer stays in the link. */
    void (*volatile linked)(uint32_t, uint32_t *, uint32_t *) = virgl_renderer_get_cap_set;

    return linked ? CONFIG_VIRGL_VERSION : NULL;
}
