/*
 * build-config.c: the configuration table, as the compiler saw it.
 *
 * config-host-keys.h (written by qemu-config) lists every key of
 * config-host.h as QEMU_CONFIG_HOST_KEY(NAME).  Each key is stringified twice:
 * once unexpanded (its name) and once expanded (its value).  An #undef'd key
 * expands to its own name, an empty #define to "", anything else to its value.
 */
#include "qemu/osdep.h"
#include "qemu/build-config.h"
#include "config-host-keys.h"

typedef struct RawEntry {
    const char *name;
    const char *expansion;
} RawEntry;

#define QEMU_CONFIG_HOST_KEY(sym) { #sym, QEMU_STRINGIFY(sym) },
static const RawEntry raw_entries[] = {
    QEMU_CONFIG_HOST_KEYS
};
#undef QEMU_CONFIG_HOST_KEY

static QemuConfigEntry entries[QEMU_ARRAY_SIZE(raw_entries)];
static size_t entry_count;

const QemuConfigEntry *qemu_build_config(size_t *count)
{
    if (!entry_count) {
        for (size_t i = 0; i < QEMU_ARRAY_SIZE(raw_entries); i++) {
            const RawEntry *raw = &raw_entries[i];
            QemuConfigEntry *e = &entries[i];
            e->name = raw->name;
            if (strcmp(raw->expansion, raw->name) == 0) {
                e->kind = QEMU_CONFIG_UNDEFINED;
                e->text = NULL;
            } else if (raw->expansion[0] == '\0') {
                e->kind = QEMU_CONFIG_DEFINED;
                e->text = NULL;
            } else {
                e->kind = QEMU_CONFIG_VALUE;
                e->text = raw->expansion;
            }
        }
        entry_count = QEMU_ARRAY_SIZE(raw_entries);
    }
    *count = entry_count;
    return entries;
}

const char *qemu_core_version(void)
{
    return QEMU_VERSION;
}

const char *qemu_core_pkgversion(void)
{
    return QEMU_PKGVERSION;
}
