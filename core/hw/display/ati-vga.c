/*
 * ati-vga.c: the ati-vga device model (ATI Rage128/Radeon VGA (draws with pixman)).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(ati_vga, "ati-vga", "pci", "ATI Rage128/Radeon VGA (draws with pixman)")
