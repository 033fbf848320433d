/*
 * osdep.h: the first header every core source includes.
 *
 * It pulls in the configuration qemu-config decided (config-host.h), the
 * compiler helpers, and the C library headers everything uses.
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

/*
 * Fortify only optimised builds: glibc warns (and, with -Werror, fails) when
 * _FORTIFY_SOURCE is set without optimisation, so -O0 debug builds stay clean.
 * A definition from the user's CFLAGS wins.
 */
#if !defined(_FORTIFY_SOURCE) && defined(__OPTIMIZE__) && __OPTIMIZE__ && defined(__linux__)
# define _FORTIFY_SOURCE 2
#endif

/* mingw: C99 printf and scanf (%zu, %lld, %Lf) rather than the Microsoft C library's, as QEMU's osdep.h. */
#if defined(_WIN32) && !defined(__USE_MINGW_ANSI_STDIO)
# define __USE_MINGW_ANSI_STDIO 1
#endif

#include "config-host.h"
#ifdef COMPILING_PER_TARGET
/* Code compiled once per target sees that target's configuration... */
#include CONFIG_TARGET
#else
/* ...and code compiled once for all targets may not test any of it. */
#include "config-poison.h"
#endif
#include "qemu/compiler.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#endif /* QEMU_OSDEP_H */
