/*
 * pc-q35.c: the pc-q35 device model (Standard PC (Q35 + ICH9)).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(pc_q35, "pc-q35", "machine", "Standard PC (Q35 + ICH9)")
