"""The "options" stage: what the user asked for.

A package, one module a concern, each importing only those below it:

* :mod:`.model`: :class:`MesonOption`, :class:`OptionTable`;
* :mod:`.syntax`, :mod:`.optionfile`: meson's option-file grammar and its
  evaluation (``option()`` calls, as meson 1.12.1's option interpreter does);
  :mod:`.meson_values`: meson's value rules, shared with resolution;
* :mod:`.meson_builtins`: meson's builtin options, from the pinned meson, cached;
* :mod:`.spellings`: QEMU's configure spellings of meson options;
* :mod:`.configure_options`: configure's own options, one table;
* :mod:`.helptext`: the ``--help`` layout;
* :mod:`.arguments`: argv -> :class:`ConfigureRequest`;
* :mod:`.resolution`: every option's final typed value.

This module only re-exports their public names, so that ``options.X`` works
for the rest of the engine.  The stage must not probe the host, run
compilers, print, or import meson (meson is only run, as a subprocess, to
list its builtin options).  Standard library only.
"""

from __future__ import annotations

from .arguments import ConfigureRequest, Tristate, build_array_literal, parse_configure_args
from .configure_options import (CONFIGURE_OPTIONS, FEATURE_WORDS, IGNORED_FLAGS, IGNORED_VALUE_OPTIONS, Argument,
                                ConfigureOption, Flag, Implied, find_configure_option)
from .helptext import HELP_WIDTH, fold_words, render_configure_help, render_options_help
from .meson_builtins import HELP_BUILTINS, builtin_options, cache_dir, introspect_buildoptions
from .model import FEATURE_CHOICES, OPTION_TYPES, Deprecation, MesonOption, OptionTable, OptionType, OptionValue
from .optionfile import find_option_file, is_reserved_name, load_option_table, parse_option_file, parse_option_text
from .resolution import ResolvedOption, ResolvedOptions, parse_value, resolve_values
from .spellings import (AUTO_OPTIONS, CONFIGURE_HELP, OPTION_NAMES, SKIP_OPTIONS, Spelling, SpellingIndex,
                        allows_argument, cli_name, configurable_options, generated_spellings, metavar, options_json,
                        requires_argument, spellings)

__all__ = [
    "AUTO_OPTIONS", "CONFIGURE_HELP", "CONFIGURE_OPTIONS", "FEATURE_CHOICES", "FEATURE_WORDS", "HELP_BUILTINS",
    "HELP_WIDTH", "IGNORED_FLAGS", "IGNORED_VALUE_OPTIONS", "OPTION_NAMES", "OPTION_TYPES", "SKIP_OPTIONS",
    "Argument", "ConfigureOption", "ConfigureRequest", "Deprecation", "Flag", "Implied", "MesonOption",
    "OptionTable", "OptionType", "OptionValue", "ResolvedOption", "ResolvedOptions", "Spelling", "SpellingIndex",
    "Tristate",
    "allows_argument", "build_array_literal", "builtin_options", "cache_dir", "cli_name", "configurable_options",
    "find_configure_option", "find_option_file", "fold_words", "generated_spellings", "introspect_buildoptions",
    "is_reserved_name", "load_option_table", "metavar", "options_json", "parse_configure_args",
    "parse_option_file", "parse_option_text", "parse_value", "render_configure_help", "render_options_help",
    "requires_argument", "resolve_values", "spellings",
]
