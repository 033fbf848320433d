TARGET_ARCH=arm
TARGET_XML_FILES= gdb-xml/arm-core.xml gdb-xml/arm-vfp.xml
# needed by boot.c
TARGET_NEED_FDT=y
TARGET_LONG_BITS=32
