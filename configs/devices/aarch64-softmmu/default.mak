# Default configuration for aarch64-softmmu

include ../arm-softmmu/default.mak
#CONFIG_XLNX_ZYNQMP_ARM=n
