/*
 * virt.c: the virt device model (RISC-V VirtIO board).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(riscv_virt, "virt", "machine", "RISC-V VirtIO board")
