/*
 * virtio-gpu.c: the virtio-gpu-pci device model (VirtIO GPU).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_gpu, "virtio-gpu-pci", "pci", "VirtIO GPU")
