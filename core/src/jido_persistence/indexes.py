"""In-memory index building blocks for adapters that keep their records in Python.

The reference :class:`~jido_persistence.memory.MemoryAdapter` and any adapter that
indexes in memory (the TinyDB adapter does) share these, so the ordering rules, the
"most recently saved holder" rule of message and thread keys, and cursor paging are
written once.  None of them is thread-safe: the adapter's lock guards them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Final, Generic, Protocol, TypeVar

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from jido_persistence.errors import CursorNotFound
from jido_persistence.models import Message

__all__ = [
    "KeyHolders",
    "SortKey",
    "check_cursor",
    "ids_after",
    "ids_before",
    "keyset_page",
    "message_scope",
    "missing_cursor",
    "missing_message_cursor",
    "ordered_after",
    "page_entries",
    "sort_key",
]

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

    ``set``/``discard`` are O(1) (O(holders) when a key with several holders drops to
    one); ``resolve`` is O(holders of that key), almost always 1.  When the latest
    holder is deleted or re-keyed, the key falls back to the next most recently saved
    one (ties broken by insertion order).  Almost every key has one holder, so a lone
    holder is kept as a ``(record_id, sequence)`` pair and a dict only while a key has
    several: about 150 bytes less per message in a large store.
    """

    copied_by_attributes: ClassVar[bool] = True
    """A transaction snapshot copies an instance attribute by attribute."""

    def __init__(self) -> None:
        self._holders: dict[KeyT, tuple[str, int] | dict[str, int]] = {}
        self._key_of: dict[str, KeyT] = {}

    def set(self, record_id: str, key: KeyT | None, sequence: int) -> None:
        """Record that ``record_id`` (saved at ``sequence``) now carries ``key``."""
        self.discard(record_id)
        if key is None:
            return
        current = self._holders.get(key)
        if current is None:
            self._holders[key] = (record_id, sequence)
        elif isinstance(current, tuple):
            self._holders[key] = {current[0]: current[1], record_id: sequence}
        else:
            current[record_id] = sequence
        self._key_of[record_id] = key

    def discard(self, record_id: str) -> None:
        """Forget ``record_id`` as a holder of whatever key it carried."""
        key = self._key_of.pop(record_id, None)
        if key is None:
            return
        current = self._holders[key]
        if isinstance(current, tuple):
            del self._holders[key]
            return
        del current[record_id]
        if len(current) == 1:
            self._holders[key] = next(iter(current.items()))

    def resolve(self, key: KeyT) -> str | None:
        """The most recently saved holder of ``key``, or ``None``."""
        current = self._holders.get(key)
        if current is None:
            return None
        if isinstance(current, tuple):
            return current[0]
        return max(current.items(), key=lambda item: item[1])[0]

    def holders(self, key: KeyT) -> dict[str, int]:
        """Every holder of ``key`` with the sequence it was saved at (a new dict)."""
        current = self._holders.get(key)
        if current is None:
            return {}
        if isinstance(current, tuple):
            return {current[0]: current[1]}
        return dict(current)

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
        raise missing_message_cursor(cursor, room_id, thread_id)
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


def keyset_page(scope: Any, limit: int, after: Any = None) -> list[Any]:
    """The first ``limit`` entries of the sorted ``scope`` strictly after ``after``.

    ``scope`` is a ``SortedList`` (or a ``SortedDict``, paged by key) or ``None``;
    ``after=None`` pages from the start.  One enumeration page (contract 9.2):
    O(log n + limit).
    """
    if scope is None or limit == 0:
        return []
    start = 0 if after is None else scope.bisect_right(after)
    return list(scope.islice(start, min(len(scope), start + limit)))


def missing_cursor(record: str, cursor: str, scope: str = "this store") -> CursorNotFound:
    """The CursorNotFound of an enumeration whose ``after=`` names no record of its scope."""
    return CursorNotFound(f"cursor {cursor!r} is not a {record} of {scope}")


def missing_message_cursor(cursor: str, room_id: str, thread_id: str | None) -> CursorNotFound:
    """The CursorNotFound of ``get_messages`` whose ``before=``/``after=`` is no message of
    the room ``room_id`` (and, when ``thread_id`` is given, of that thread).

    Every adapter raises this one error for a cursor out of scope, whatever finds it (an
    index, a SQL row): ``cursor 'm9' is not a message of room 'r1' thread 't1'``.
    """
    scope = f"room {room_id!r}" + (f" thread {thread_id!r}" if thread_id is not None else "")
    return CursorNotFound(f"cursor {cursor!r} is not a message of {scope}")


class _Ordered(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def inserted_at(self) -> datetime: ...


OrderedT = TypeVar("OrderedT", bound=_Ordered)
RecordT = TypeVar("RecordT")


def ordered_after(
    records: Mapping[str, OrderedT],
    order: Any,
    limit: int,
    after: str | None,
    record: str,
    in_scope: Callable[[OrderedT], bool] = lambda found: True,
    scope: str = "this store",
) -> list[OrderedT]:
    """One enumeration page of ``(inserted_at, id)``-ordered records (rooms, threads).

    ``order`` is the scope's ``SortedList`` of sort keys (``None``: empty); ``after``
    must be a record of ``records`` for which ``in_scope`` holds, else CursorNotFound
    naming ``record`` and ``scope``.  O(log n + limit).
    """
    cursor = None
    if after is not None:
        found = records.get(after)
        if found is None or not in_scope(found):
            raise missing_cursor(record, after, scope)
        cursor = sort_key(found.inserted_at, found.id)
    return [records[entry[2]] for entry in keyset_page(order, limit, cursor)]


def ids_after(
    records: Mapping[str, RecordT], limit: int, after: str | None, record: str
) -> list[RecordT]:
    """One enumeration page of id-ordered records (a ``SortedDict`` by id): the first
    ``limit`` with an id above ``after`` (CursorNotFound naming ``record`` when ``after``
    is not a key).  O(log n + limit).
    """
    if after is not None and after not in records:
        raise missing_cursor(record, after)
    return [records[key] for key in keyset_page(records, limit, after)]


def message_scope(
    room_messages: Mapping[str, SortedList],
    thread_messages: Mapping[tuple[str, str], SortedList],
    room_id: str,
    thread_id: str | None,
) -> SortedList | None:
    """The sorted entries of the room's messages, or of one of its threads."""
    if thread_id is None:
        return room_messages.get(room_id)
    return thread_messages.get((room_id, thread_id))


def ids_before(scope: SortedList | None, before: datetime) -> list[str]:
    """The ids of ``scope``'s entries with ``inserted_at < before`` (``None`` first: all
    of them), oldest first: everything sorting before ``(before, "")``.  O(log n + k)."""
    if scope is None:
        return []
    stop = scope.bisect_left(sort_key(before, ""))
    return [entry[2] for entry in scope.islice(0, stop)]
