/*
 * build-config.h: the configuration this binary was compiled with.
 *
 * Every key of config-host.h, with the text the compiler saw for it.
 */
#ifndef QEMU_BUILD_CONFIG_H
#define QEMU_BUILD_CONFIG_H

#include <stddef.h>

typedef enum QemuConfigKind {
    QEMU_CONFIG_UNDEFINED,   /* #undef KEY */
    QEMU_CONFIG_DEFINED,     /* #define KEY (empty) */
    QEMU_CONFIG_VALUE,       /* #define KEY value */
} QemuConfigKind;

typedef struct QemuConfigEntry {
    const char *name;
    const char *text;        /* the expansion, verbatim; NULL unless VALUE */
    QemuConfigKind kind;
} QemuConfigEntry;

/* The entries, sorted by name as in config-host.h; *count receives their number. */
const QemuConfigEntry *qemu_build_config(size_t *count);

/* Version string of the core ("0.1.0") and the package version suffix (may be ""). */
const char *qemu_core_version(void);
const char *qemu_core_pkgversion(void);

#endif /* QEMU_BUILD_CONFIG_H */
