# A minimal aarch64: just the virt board.
CONFIG_ARM_VIRT=y
