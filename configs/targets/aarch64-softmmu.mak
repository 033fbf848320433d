TARGET_ARCH=aarch64
TARGET_BASE_ARCH=arm
TARGET_XML_FILES= gdb-xml/aarch64-core.xml gdb-xml/aarch64-fpu.xml
# needed by boot.c
TARGET_NEED_FDT=y
TARGET_LONG_BITS=64
TARGET_KVM_HAVE_GUEST_DEBUG=y
