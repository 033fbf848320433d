TARGET_ARCH=ppc64
TARGET_BASE_ARCH=ppc
TARGET_BIG_ENDIAN=y
TARGET_XML_FILES= gdb-xml/power64-core.xml gdb-xml/power-fpu.xml
# all boards require libfdt
TARGET_NEED_FDT=y
TARGET_LONG_BITS=64
TARGET_KVM_HAVE_GUEST_DEBUG=y
