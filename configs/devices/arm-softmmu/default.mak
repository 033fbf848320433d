# Default configuration for arm-softmmu

#CONFIG_ARM_VIRT=n
#CONFIG_RASPI=n
