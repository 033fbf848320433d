/*
 * qdev.h: the device model registry.
 *
 * Every device model compiled into a binary registers itself when the binary
 * starts, so "-device help" lists exactly what was compiled in: the sourcesets
 * decide which files are linked, and nothing else decides what is listed.
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include <stddef.h>

typedef struct DeviceModel {
    const char *name;        /* the -device name */
    const char *bus;         /* "pci", "isa", "virtio-mmio", "vmbus", "sysbus", "machine" */
    const char *desc;
    const char *source;      /* the file that registers it (__FILE__), named from the source tree (core/hw/...)
                              * by the path-mapping flags, whatever the build directory's path */
    struct DeviceModel *next;
} DeviceModel;

void qdev_register(DeviceModel *model);

/* The registered models, sorted by name; *count receives their number. */
const DeviceModel *const *qdev_models(size_t *count);

#define DEVICE_MODEL(ident, model_name, model_bus, model_desc)                \
    static DeviceModel ident = {                                              \
        .name = (model_name), .bus = (model_bus), .desc = (model_desc),       \
        .source = __FILE__,                                                   \
    };                                                                        \
    static void __attribute__((constructor)) ident##_register(void)           \
    {                                                                         \
        qdev_register(&ident);                                                \
    }

#endif /* HW_QDEV_H */
