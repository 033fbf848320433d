/*
 * virgl.h: the virglrenderer backend of the display.
 */
#ifndef UI_VIRGL_H
#define UI_VIRGL_H

#include <stdbool.h>

/* The virglrenderer version this build linked (configure's pkg-config answer), or NULL without virgl. */
const char *virgl_linked_version(void);

#endif
