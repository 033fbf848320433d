/*
 * virtio-mmio.c: the virtio-mmio device model (VirtIO MMIO transport).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_mmio, "virtio-mmio", "sysbus", "VirtIO MMIO transport")
