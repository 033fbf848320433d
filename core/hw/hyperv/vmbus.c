/*
 * vmbus.c: the vmbus-bridge device model (Hyper-V VMBus bridge).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(vmbus, "vmbus-bridge", "sysbus", "Hyper-V VMBus bridge")
