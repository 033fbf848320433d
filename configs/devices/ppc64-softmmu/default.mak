# Default configuration for ppc64-softmmu

#CONFIG_PSERIES=n
