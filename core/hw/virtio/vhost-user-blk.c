/*
 * vhost-user-blk.c: the vhost-user-blk-pci device model (vhost-user block device).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(vhost_user_blk, "vhost-user-blk-pci", "pci", "vhost-user block device")
