"""Checks on text and JSON values shared by the models and the argument validation.

Every backend must be able to store every valid value, so strings may not hold
U+0000 (PostgreSQL cannot store it) or a lone surrogate (UTF-8 cannot encode it),
integers fit in signed 64 bits and floats are finite.
"""

from __future__ import annotations

import math
from typing import Any, Final

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
MAX_KEY_LENGTH: Final = 512


def text_problem(value: str) -> str | None:
    """Return why ``value`` cannot be stored by every backend, or ``None`` when it can.

    O(len(value)), done by the C codec.  An ASCII string holds no surrogate, so it
    only needs the NUL search.
    """
    if "\x00" in value:
        return "contains U+0000 (NUL)"
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate"
    return None


def text_is_storable(value: str) -> bool:
    """Return whether ``value`` is storable: ``text_problem(value) is None``, but cheaper."""
    return "\x00" not in value and (value.isascii() or text_problem(value) is None)


def json_problem(value: object, where: str = "value") -> str | None:
    """Return why ``value`` is not a storable JSON value, or ``None`` when it is.

    JSON values are ``None``, ``bool``, ``int`` (signed 64 bits), finite ``float``,
    ``str``, ``list`` of JSON values and ``dict`` with ``str`` keys.  Strings and keys
    follow :func:`text_problem`.
    """
    if json_is_plainly_storable(value):
        return None
    return _find_json_problem(value, where)


def json_is_plainly_storable(value: object) -> bool:
    """Return ``True`` only when ``value`` is a storable JSON value built of exact builtins.

    The fast check of :func:`json_problem`: no path strings, exact ``type`` tests.  It
    may answer ``False`` for a storable value (a ``str`` or ``int`` subclass, say);
    :func:`_find_json_problem` then decides, so only its ``True`` must be certain.
    """
    kind = type(value)
    if (kind is dict or kind is list) and not value:  # the common empty map
        return True
    pending: list[Any] = [value]
    for item in pending:  # grows while it is walked: a breadth-first walk
        kind = type(item)
        if kind is str:
            if not text_is_storable(item):
                return False
        elif kind is dict:
            for key, element in item.items():
                # text_is_storable, inlined for the common ASCII key and value
                if type(key) is not str or "\x00" in key:
                    return False
                if not key.isascii() and text_problem(key) is not None:
                    return False
                if type(element) is str:
                    if "\x00" in element:
                        return False
                    if not element.isascii() and text_problem(element) is not None:
                        return False
                else:
                    pending.append(element)
        elif kind is list:
            pending.extend(item)
        elif kind is int:
            if not INT64_MIN <= item <= INT64_MAX:
                return False
        elif kind is float:
            if not math.isfinite(item):
                return False
        elif item is not None and kind is not bool:
            return False
    return True


def _find_json_problem(value: object, where: str) -> str | None:
    """The thorough walk of :func:`json_problem`, naming the path of the first problem."""
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


def name_fold(value: object) -> str | None:
    """The contract's fold of a directory name: ``value.casefold()`` for a ``str``, else ``None``.

    A name filter ``q`` matches a record whose name ``n`` is a ``str`` with
    ``name_fold(q) in name_fold(n)``, a literal substring test (no pattern characters).
    SQL's ``lower()``/``ILIKE`` are not this fold ("STRASSE" must match "straße"): an
    adapter filtering in SQL stores ``name_fold(name)`` in a column when it writes the
    record (``None``, SQL NULL, for a missing or non-``str`` name, which no filter
    matches) and tests it against :attr:`DirectoryQuery.name_fold
    <jido_persistence.validation.DirectoryQuery.name_fold>`.  ``str.casefold`` follows
    Python's Unicode version (``unicodedata.unidata_version``): stored folds must be
    recomputed when it changes.  O(len(value)).
    """
    # Public as jido_persistence.directory.name_fold; defined here, below validation and
    # ngrams, so that both fold with it without an import circle.
    return value.casefold() if isinstance(value, str) else None
