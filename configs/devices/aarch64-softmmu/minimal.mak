# A minimal aarch64 configuration: only the virt board.
# Use with --without-default-devices --with-devices-aarch64=minimal

CONFIG_ARM_VIRT=y
