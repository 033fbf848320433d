# Default configuration for i386-softmmu

# Boards are enabled by default when their dependencies are met; uncomment
# to leave one out:
#CONFIG_I440FX=n
#CONFIG_Q35=n
#CONFIG_MICROVM=n
