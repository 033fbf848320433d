"""Device Kconfig: QEMU's minikconf language, solved in-process.

This package owns the Kconfig stage of the pipeline: reading the device
Kconfig tree (the ``minikconf`` subset of Kconfig used by QEMU), laying each
target's ``configs/devices/<target>/*.mak`` and configure's assignments over
it, and solving it exactly as QEMU's ``scripts/minikconf.py`` does, with
errors that name the clauses and files involved and an ``explain`` for any
symbol.  It uses the standard library only (and ``qemu_config.errors``), so
``python3 -m qemu_config.minikconf`` runs without the engine's dependencies.

Typical use::

    tree = parse_kconfig([src / "Kconfig"])                  # once
    for target in targets:                                   # cheap, per target
        result = tree.solve("defconfig", {"CONFIG_TCG": True, "CONFIG_AARCH64": True},
                            extra_files=[src / f"configs/devices/{target}/default.mak"])
        result.enabled            # ('ARM_VIRT', ...): what minikconf prints
        result.explain("VIRTIO")  # why it is on or off

Language (as QEMU's, including its quirks): ``config NAME`` followed by
``bool``, ``default y|n [if E]``, ``depends on E``, ``select S [if E]``,
``imply S [if E]``; ``CONFIG_NAME=y|n`` assignments; ``source``/``include``
with the rest of the line as a path relative to the including file; ``#``
comments.  In expressions ``||`` binds tighter than ``&&`` and ``!`` tighter
than both.  Modules: ``parser`` (tokens, grammar), ``model`` (clauses),
``expr``, ``solver`` (includes, graph, solve), ``explain``, ``tree`` (this API),
``errors``.
"""

from .errors import (KconfigContradictionError, KconfigCycleError, KconfigError, KconfigParseError,
                     KconfigUndefinedError, KconfigUsageError)
from .model import Location
from .tree import MODES, ExternalAssignment, KconfigResult, KconfigTree, check_mode, parse_kconfig

__all__ = [
    "MODES", "ExternalAssignment", "KconfigContradictionError", "KconfigCycleError", "KconfigError",
    "KconfigParseError", "KconfigResult", "KconfigTree", "KconfigUndefinedError", "KconfigUsageError",
    "Location", "check_mode", "parse_kconfig",
]
