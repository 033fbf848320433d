# Default configuration for i386-softmmu
CONFIG_TEST_DEVICES=y
