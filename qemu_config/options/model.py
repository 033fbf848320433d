"""The types every part of the options stage shares: one option and one option file's table.

Owns :class:`MesonOption` (an option of an option file, or one of meson's
builtins) and :class:`OptionTable` (an option file's options, in file order),
and the names of meson's option types.  Must not: read files, run meson, or
know configure's spellings; these are plain values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Union


OptionType = Literal["feature", "boolean", "combo", "string", "array", "integer"]
OptionValue = Union[bool, int, str, "tuple[str, ...]"]
#: ``deprecated:`` as written: a bool, a new name (str), deprecated values
#: (tuple of str) or value replacements (tuple of (old, new) pairs).  An empty
#: list or dict (meson: nothing deprecated) is ().
Deprecation = Union[bool, str, "tuple[str, ...]", "tuple[tuple[str, str], ...]"]

OPTION_TYPES: tuple[str, ...] = ("array", "boolean", "combo", "feature", "integer", "string")
FEATURE_CHOICES: tuple[str, ...] = ("enabled", "disabled", "auto")


@dataclass(frozen=True)
class MesonOption:
    """One option: declared in an option file (``section == 'user'``) or a meson builtin.

    ``value`` is the default, typed: bool (boolean), int (integer), str (feature,
    combo, string) or tuple[str, ...] (array).  ``choices`` is None unless the
    option has choices; features carry meson's ``('enabled', 'disabled', 'auto')``.
    ``line`` is where the ``option(`` call starts (0 for builtins).
    """

    name: str
    type: OptionType
    description: str
    value: OptionValue
    choices: tuple[str, ...] | None = None
    min: int | None = None
    max: int | None = None
    deprecated: Deprecation = False
    yield_: bool = False
    line: int = 0
    section: str = "user"

    @property
    def default(self) -> OptionValue:
        return self.value

    @property
    def introspect_type(self) -> str:
        """The type ``meson introspect --buildoptions`` reports (features are combos)."""
        return "combo" if self.type == "feature" else self.type

    def introspect_entry(self) -> dict[str, object]:
        """This option as one entry of ``meson introspect --buildoptions`` (without ``machine``)."""
        entry: dict[str, object] = {
            "name": self.name,
            "section": self.section,
            "type": self.introspect_type,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "description": self.description,
        }
        if self.choices is not None:
            entry["choices"] = list(self.choices)
        return entry


@dataclass(frozen=True)
class OptionTable:
    """The options of one option file, in file order, looked up by name."""

    options: tuple[MesonOption, ...]
    _index: Mapping[str, MesonOption] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {opt.name: opt for opt in self.options})

    def __iter__(self) -> Iterator[MesonOption]:
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __getitem__(self, name: str) -> MesonOption:
        return self._index[name]

    def get(self, name: str) -> MesonOption | None:
        return self._index.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(opt.name for opt in self.options)

