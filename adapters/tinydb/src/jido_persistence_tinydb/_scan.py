"""Reading a snapshot in the exact layout this adapter writes, one document at a time.

:func:`~.storage.snapshot_chunks` writes::

    {
    "_jido_persistence": {
      "1": {...}
    },
    "rooms": {},
    "messages": {
      "1": {...},
      "2": {...}
    }
    }

:func:`regular_documents` reads that layout line by line and yields each document with
its own text, so opening a store never holds the whole snapshot decoded (a parsed
snapshot takes several times its size).  Anything else, including valid JSON laid out
otherwise (a hand-edited or stock TinyDB file), raises :class:`Irregular`, and the
caller parses the file as a whole instead, which also reports errors.  Every file this
reader accepts is valid JSON that ``json.loads`` reads as the same tables and
documents: the lines are checked exactly, each document must be one JSON object on
its line, doc ids must be ``"1"``, ``"2"``, ... in order (so none repeats), and no
table may appear twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

__all__ = ["Irregular", "regular_documents"]

_TABLE: Final = re.compile(rb'"([^"\\\x00-\x1f]*)": \{(?:(\})(,?))?')
_DOCUMENT: Final = re.compile(rb'  "([1-9][0-9]*)": (\{.*\})(,?)')
_CLOSE: Final = re.compile(rb"\}(,?)")


class Irregular(Exception):
    """The snapshot is not laid out as this adapter writes it (or is not valid)."""


def _lines(data: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every line of ``data``, which must end with a newline."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        if end == -1:
            raise Irregular("no newline at the end")
        yield start, end
        start = end + 1


def regular_documents(data: bytes) -> Iterator[tuple[str, dict[str, Any] | None, bytes]]:
    """``(table, document, text)`` for every document of the snapshot ``data``.

    A table is announced by ``(table, None, b"")`` before its documents (so empty
    tables are seen too).  ``text`` is the document's JSON exactly as in the file.
    Raises :class:`Irregular` (possibly after yielding some documents) on any line
    that is not in the layout, or a document that is not a JSON object.
    O(len(data)); holds one decoded document at a time.
    """
    lines = _lines(data)
    if next(lines, None) != (0, 1) or data[:1] != b"{":
        raise Irregular("the first line is not {")
    seen: set[str] = set()
    expect, table, number = "table", "", 0
    for start, end in lines:
        if expect == "document":
            match = _DOCUMENT.fullmatch(data, start, end)
            if match is None:
                raise Irregular(f"not a document at byte {start}")
            number += 1
            if match.group(1) != b"%d" % number:
                raise Irregular(f"doc id out of order at byte {start}")
            text = match.group(2)
            yield table, _object(text), text
            expect = "document" if match.group(3) else "close"
        elif expect == "table":
            match = _TABLE.fullmatch(data, start, end)
            if match is None:
                raise Irregular(f"not a table at byte {start}")
            table, number = _text(match.group(1)), 0
            if table in seen:
                raise Irregular(f"table {table!r} appears twice")
            seen.add(table)
            yield table, None, b""
            # "name": { opens a table; "name": {} is an empty one, with a comma unless last
            closed, comma = match.group(2), match.group(3)
            expect = "document" if closed is None else "table" if comma else "end"
        elif expect == "close":
            match = _CLOSE.fullmatch(data, start, end)
            if match is None:
                raise Irregular(f"not the end of a table at byte {start}")
            expect = "table" if match.group(1) else "end"
        else:
            if data[start:end] != b"}" or end + 1 != len(data):
                raise Irregular(f"unexpected data at byte {start}")
            return
    raise Irregular("the snapshot ends early")


def _text(name: bytes) -> str:
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Irregular(str(error)) from error


def _object(text: bytes) -> dict[str, Any]:
    try:
        value = json.loads(text.decode("utf-8"))
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise Irregular(str(error)) from error
    if not isinstance(value, dict):
        raise Irregular("a document is not an object")
    return value
