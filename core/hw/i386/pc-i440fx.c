/*
 * pc-i440fx.c: the pc-i440fx device model (Standard PC (i440FX + PIIX)).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(pc_i440fx, "pc-i440fx", "machine", "Standard PC (i440FX + PIIX)")
