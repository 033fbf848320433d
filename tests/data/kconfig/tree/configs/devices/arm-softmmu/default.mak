# Default configuration for arm-softmmu

# Boards are selected by default; uncomment to keep out of the build.
# CONFIG_ARM_VIRT=n
CONFIG_MUSICPAL=n
