"""qemu-config: a configure engine for QEMU-style emulators.

The package is organised by pipeline stage (see docs/DESIGN.md):
options -> host -> probes -> features -> targets -> kconfig -> sourcesets -> emit -> build.
This module must stay free of imports: ``qemu_config.minikconf`` and
``qemu_config.sourceset`` are run with the standard library alone.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
