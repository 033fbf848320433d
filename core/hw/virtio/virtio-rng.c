/*
 * virtio-rng.c: the virtio-rng-pci device model (VirtIO entropy source).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_rng, "virtio-rng-pci", "pci", "VirtIO entropy source")
