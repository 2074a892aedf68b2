"""Checks on text and JSON values shared by the models and the argument validation.

Every backend must be able to store every valid value, so strings may not hold
U+0000 (PostgreSQL cannot store it) or a lone surrogate (UTF-8 cannot encode it),
integers fit in signed 64 bits and floats are finite.
"""

from __future__ import annotations

import math
from typing import Final

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
MAX_KEY_LENGTH: Final = 512


def text_problem(value: str) -> str | None:
    """Return why ``value`` cannot be stored by every backend, or ``None`` when it can.

    O(len(value)), done by the C codec.
    """
    if "\x00" in value:
        return "contains U+0000 (NUL)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate"
    return None


def json_problem(value: object, where: str = "value") -> str | None:
    """Return why ``value`` is not a storable JSON value, or ``None`` when it is.

    JSON values are ``None``, ``bool``, ``int`` (signed 64 bits), finite ``float``,
    ``str``, ``list`` of JSON values and ``dict`` with ``str`` keys.  Strings and keys
    follow :func:`text_problem`.
    """
    stack: list[tuple[object, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return f"{path}: integer {item} is outside signed 64 bits"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{path}: float {item!r} is not finite"
        elif isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"{path}: string {problem}"
        elif isinstance(item, list):
            stack.extend((element, f"{path}[{index}]") for index, element in enumerate(item))
        elif isinstance(item, dict):
            for key, element in item.items():
                if not isinstance(key, str):
                    return f"{path}: object key {key!r} is not a string"
                problem = text_problem(key)
                if problem:
                    return f"{path}: object key {problem}"
                stack.append((element, f"{path}[{key!r}]"))
        else:
            return f"{path}: {type(item).__name__} is not a JSON value"
    return None
