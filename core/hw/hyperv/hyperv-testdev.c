/*
 * hyperv-testdev.c: the hyperv-testdev device model (Hyper-V test device).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(hyperv_testdev, "hyperv-testdev", "isa", "Hyper-V test device")
