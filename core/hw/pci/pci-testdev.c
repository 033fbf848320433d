/*
 * pci-testdev.c: the pci-testdev device model (PCI test device).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(pci_testdev, "pci-testdev", "pci", "PCI test device")
