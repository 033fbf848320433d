TARGET_ARCH=riscv64
TARGET_BASE_ARCH=riscv
TARGET_XML_FILES= gdb-xml/riscv-64bit-cpu.xml gdb-xml/riscv-64bit-fpu.xml
TARGET_NEED_FDT=y
TARGET_LONG_BITS=64
