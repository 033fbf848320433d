/*
 * pvpanic-isa.c: the pvpanic device model (guest panic notification).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(pvpanic_isa, "pvpanic", "isa", "guest panic notification")
