"""meson's rules for an option's value, shared by option-file defaults and ``-D`` values.

Owns how a string becomes an array (``'[...]'`` is a Python literal, else
comma-separated), the checks of array choices, combo choices and integer
bounds, and meson 1.12.1's wording when it refuses one.  Must not: know where
a value came from (the option file or the command line adds that).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence


class OptionValueError(Exception):
    """A value meson refuses, in meson 1.12.1's words (callers add where it came from)."""


def array_from_string(name: str, text: str) -> list[object]:
    """meson's reading of a string given for an array option ('[...]' is a Python literal)."""
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except ValueError:
            raise OptionValueError(f'error in option "{name}": malformed value {text}') from None
        except (SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise OptionValueError(f'error in option "{name}": {exc}') from None
        if not isinstance(parsed, list):
            raise OptionValueError(f'error in option "{name}": malformed value {text}')
        return parsed
    if text == "":
        return []
    return [part.strip() for part in text.split(",")]


def check_array(name: str, items: Sequence[object], choices: Sequence[str] | None) -> tuple[str, ...]:
    """An array option's items as strings, each one of ``choices`` when there are choices."""
    for item in items:
        if not isinstance(item, str):
            raise OptionValueError(f'String array element "{list(items)!s}" for option "{name}" is not a string.')
    if choices:
        bad = [str(x) for x in items if x not in choices]
        if bad:
            plural = len(bad) != 1
            raise OptionValueError(
                f'Value{"s" if plural else ""} "{", ".join(bad)}" for option "{name}" '
                f'{"are" if plural else "is"} not in allowed choices: "{", ".join(choices)}"')
    return tuple(str(x) for x in items)


def combo_error(name: str, value: object, choices: Sequence[str]) -> OptionValueError:
    """meson's refusal of a combo or feature value that is not one of ``choices``."""
    kind = "boolean" if isinstance(value, bool) else "number" if isinstance(value, (int, float)) else "string"
    listed = ", ".join(f'"{c}"' for c in choices)
    return OptionValueError(f'Value "{value}" (of type "{kind}") for option "{name}" is not one of the choices. '
                      f"Possible choices are (as string): {listed}.")


def check_integer(name: str, value: int, low: int | None, high: int | None) -> int:
    """``value`` when it is within the bounds, else meson's refusal."""
    if low is not None and value < low:
        raise OptionValueError(f'Value {value} for option "{name}" is less than minimum value {low}.')
    if high is not None and value > high:
        raise OptionValueError(f'Value {value} for option "{name}" is more than maximum value {high}.')
    return value
