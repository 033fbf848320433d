# Default configuration for s390x-softmmu

#CONFIG_S390_CCW_VIRTIO=n
