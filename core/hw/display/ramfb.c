/*
 * ramfb.c: the ramfb device model (RAM framebuffer).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(ramfb, "ramfb", "sysbus", "RAM framebuffer")
