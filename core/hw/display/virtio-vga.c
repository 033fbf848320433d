/*
 * virtio-vga.c: the virtio-vga device model (VirtIO GPU with VGA compatibility).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(virtio_vga, "virtio-vga", "pci", "VirtIO GPU with VGA compatibility")
