/*
 * qdev.c: the device model registry (see hw/qdev.h).
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

static DeviceModel *registered;
static size_t registered_count;
static const DeviceModel **sorted;

void qdev_register(DeviceModel *model)
{
    model->next = registered;
    registered = model;
    registered_count++;
    free(sorted);
    sorted = NULL;
}

static int compare_models(const void *a, const void *b)
{
    const DeviceModel *const *ma = a;
    const DeviceModel *const *mb = b;
    return strcmp((*ma)->name, (*mb)->name);
}

const DeviceModel *const *qdev_models(size_t *count)
{
    if (!sorted && registered_count) {
        sorted = malloc(registered_count * sizeof(*sorted));
        if (!sorted) {
            *count = 0;
            return NULL;
        }
        size_t i = 0;
        for (DeviceModel *m = registered; m; m = m->next) {
            sorted[i++] = m;
        }
        qsort(sorted, registered_count, sizeof(*sorted), compare_models);
    }
    *count = registered_count;
    return (const DeviceModel *const *)sorted;
}
