/*
 * hv-balloon.h: the Hyper-V Dynamic Memory balloon.
 */
#ifndef HW_HYPERV_HV_BALLOON_H
#define HW_HYPERV_HV_BALLOON_H

/* Which implementation was compiled in ("range tree ..." or "stub: ..."). */
const char *hv_balloon_implementation(void);

#endif
