"""In-memory index building blocks for adapters that keep their records in Python.

The reference :class:`~jido_persistence.memory.MemoryAdapter` and any adapter that
indexes in memory (the TinyDB adapter does) share these, so the ordering rules, the
"most recently saved holder" rule of message and thread keys, and cursor paging are
written once.  None of them is thread-safe: the adapter's lock guards them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Generic, TypeVar

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from jido_persistence.errors import CursorNotFound
from jido_persistence.models import Message

__all__ = ["KeyHolders", "SortKey", "check_cursor", "page_entries", "sort_key"]

KeyT = TypeVar("KeyT")

SortKey = tuple[int, datetime, str]
"""An ``(inserted_at, id)`` ordering key; ``None`` timestamps sort before all others."""

_BEFORE_ALL: Final = datetime.min


def sort_key(inserted_at: datetime | None, record_id: str) -> SortKey:
    """The ordering key of a record: ``(inserted_at, id)``, ``None`` timestamps first.

    Ids compare by code point (Python's ``str`` order), as the contract requires.
    """
    if inserted_at is None:
        return (0, _BEFORE_ALL, record_id)
    return (1, inserted_at.replace(tzinfo=None), record_id)


class KeyHolders(Generic[KeyT]):
    """Which records carry each key; a key resolves to its most recently saved holder.

    ``set``/``discard`` are O(1); ``resolve`` is O(holders of that key), almost always 1.
    When the latest holder is deleted or re-keyed, the key falls back to the next most
    recently saved one.
    """

    def __init__(self) -> None:
        self._holders: dict[KeyT, dict[str, int]] = {}
        self._key_of: dict[str, KeyT] = {}

    def set(self, record_id: str, key: KeyT | None, sequence: int) -> None:
        """Record that ``record_id`` (saved at ``sequence``) now carries ``key``."""
        self.discard(record_id)
        if key is not None:
            self._holders.setdefault(key, {})[record_id] = sequence
            self._key_of[record_id] = key

    def discard(self, record_id: str) -> None:
        """Forget ``record_id`` as a holder of whatever key it carried."""
        key = self._key_of.pop(record_id, None)
        if key is None:
            return
        holders = self._holders[key]
        del holders[record_id]
        if not holders:
            del self._holders[key]

    def resolve(self, key: KeyT) -> str | None:
        """The most recently saved holder of ``key``, or ``None``."""
        holders = self._holders.get(key)
        if not holders:
            return None
        return max(holders.items(), key=lambda item: item[1])[0]

    def snapshot(self) -> dict[KeyT, str]:
        """Every key with the holder it resolves to."""
        return {key: found for key in self._holders if (found := self.resolve(key))}


def check_cursor(
    found: Message | None, cursor: str, room_id: str, thread_id: str | None
) -> SortKey:
    """The sort key of cursor message ``found``; CursorNotFound unless it is in the scope.

    The scope is the room ``room_id`` and, when ``thread_id`` is given, that thread.
    """
    if (
        found is None
        or found.room_id != room_id
        or (thread_id is not None and found.thread_id != thread_id)
    ):
        scope = f"room {room_id!r}" + (f" thread {thread_id!r}" if thread_id is not None else "")
        raise CursorNotFound(f"cursor {cursor!r} is not a message of {scope}")
    return sort_key(found.inserted_at, found.id)


def page_entries(
    scope: SortedList | None, limit: int, cursor_key: SortKey | None, *, before: bool
) -> list[SortKey]:
    """The sort keys of one ``get_messages`` page of ``scope``, oldest first.

    No cursor: the newest ``limit``; ``before``: the newest ``limit`` strictly before
    ``cursor_key``; otherwise the oldest ``limit`` strictly after it.  O(log n + limit).
    """
    if scope is None or limit == 0:
        return []
    if cursor_key is None:
        start, stop = max(0, len(scope) - limit), len(scope)
    elif before:
        stop = scope.bisect_left(cursor_key)
        start = max(0, stop - limit)
    else:
        start = scope.bisect_right(cursor_key)
        stop = min(len(scope), start + limit)
    return list(scope.islice(start, stop))
