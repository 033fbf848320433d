/*
 * e1000.c: the e1000 device model (Intel Gigabit Ethernet).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(e1000, "e1000", "pci", "Intel Gigabit Ethernet")
