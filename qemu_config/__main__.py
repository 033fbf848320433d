"""``python -m qemu_config``: the same as the ``qemu-config`` command."""

import sys

from .cli import main

sys.exit(main())
