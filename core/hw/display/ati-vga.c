/*
 * ati-vga.c: the ati-vga device model (ATI Rage128/Radeon VGA).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.  As QEMU's, it does not need pixman: with
 * pixman its 2D engine draws through it, without pixman it draws in plain C.
 * Its description says which one this build has, and when pixman is off, why
 * (configure's decision, from qemu-config-features.h).
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "qemu-config-features.h"

#ifdef CONFIG_PIXMAN
#define ATI_2D_ENGINE "2D engine on pixman"
#else
#define ATI_2D_ENGINE "2D engine in plain C, " QEMU_FEATURE_STATUS_PIXMAN
#endif

DEVICE_MODEL(ati_vga, "ati-vga", "pci", "ATI Rage128/Radeon VGA (" ATI_2D_ENGINE ")")
