/*
 * virtio-balloon.c: the virtio-balloon-pci device model (VirtIO memory balloon).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_balloon, "virtio-balloon-pci", "pci", "VirtIO memory balloon")
