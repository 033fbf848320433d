/*
 * microvm.c: the microvm device model (microvm (virtio-mmio only)).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(microvm, "microvm", "machine", "microvm (virtio-mmio only)")
