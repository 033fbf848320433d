/*
 * hv-balloon.c: the hv-balloon device model (Hyper-V Dynamic Memory balloon).
 *
 * Registration only: the model exists in a binary exactly when the sourceset
 * rules put this file into it.
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"

DEVICE_MODEL(hv_balloon, "hv-balloon", "vmbus", "Hyper-V Dynamic Memory balloon")

#include "hw/hyperv/hv-balloon.h"

const char *hv_balloon_implementation(void)
{
    return "hv-balloon: page ranges tracked on GLib's GTree";
}
