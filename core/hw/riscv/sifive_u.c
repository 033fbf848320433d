/*
 * sifive_u.c: the sifive_u device model (SiFive HiFive Unleashed).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(sifive_u, "sifive_u", "machine", "SiFive HiFive Unleashed")
