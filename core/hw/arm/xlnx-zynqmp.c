/*
 * xlnx-zynqmp.c: the xlnx-zcu102 device model (Xilinx ZynqMP ZCU102 (DisplayPort through pixman)).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(xlnx_zynqmp, "xlnx-zcu102", "machine", "Xilinx ZynqMP ZCU102 (DisplayPort through pixman)")
