/*
 * virgl-stub.c: compiled when virglrenderer was not found (or --disable-virglrenderer).
 */
#include "qemu/osdep.h"
#include "ui/virgl.h"

const char *virgl_linked_version(void)
{
    return NULL;
}
