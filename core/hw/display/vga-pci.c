/*
 * vga-pci.c: the VGA device model (standard VGA).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(vga_pci, "VGA", "pci", "standard VGA")
