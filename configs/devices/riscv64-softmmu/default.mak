# Default configuration for riscv64-softmmu

#CONFIG_RISCV_VIRT=n
#CONFIG_SIFIVE_U=n
