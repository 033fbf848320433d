/*
 * virtio-blk.c: the virtio-blk-pci device model (VirtIO block device).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_blk, "virtio-blk-pci", "pci", "VirtIO block device")
