/*
 * virtio-net.c: the virtio-net-pci device model (VirtIO network card).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_net, "virtio-net-pci", "pci", "VirtIO network card")
