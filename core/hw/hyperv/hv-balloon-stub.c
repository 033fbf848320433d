/*
 * hv-balloon-stub.c: compiled instead of hv-balloon.c when CONFIG_HV_BALLOON
 * is off.  It registers no device model; it only says why there is none.
 */
#include "qemu/osdep.h"
#include "hw/hyperv/hv-balloon.h"

const char *hv_balloon_implementation(void)
{
    return "stub: hv-balloon was not configured (CONFIG_HV_BALLOON is off)";
}
