/*
 * raspi.c: the raspi3b device model (Raspberry Pi 3B).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(raspi, "raspi3b", "machine", "Raspberry Pi 3B")
