/*
 * virt.c: the virt device model (Arm Virtual Machine).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(arm_virt, "virt", "machine", "Arm Virtual Machine")
