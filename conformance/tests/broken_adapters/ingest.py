"""Seeded bugs in idempotent ingestion and keyset enumeration (contract 9.1, 9.2)."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from jido_persistence.indexes import keyset_page, missing_cursor, sort_key
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Ingested, Message, Room, Thread
from jido_persistence.state import record_put
from jido_persistence.validation import build_record, checked_message_key


class IngestSavesRepeats(MemoryAdapter):
    """A repeat is saved again (an upsert): the stored message is replaced, re-stamped."""

    seeded_bug = "ingest_message writes on a repeat"
    expected_area: ClassVar[str] = "ingestion"

    def _ingest_message(self, message: Message) -> Ingested:
        with self._lock:
            created = self._state.message_keys.resolve(checked_message_key(message)) is None
            self._commit([record_put("messages", message)])
            return Ingested(message=message, created=created)


class IngestReturnsOldestHolder(MemoryAdapter):
    """A key held by several messages answers its first saved holder."""

    seeded_bug = "ingest_message returns the oldest holder of a key"
    expected_area: ClassVar[str] = "ingestion"

    def _ingest_message(self, message: Message) -> Ingested:
        with self._lock:
            holders = self._state.message_keys.holders(checked_message_key(message))
            if holders:
                oldest = min(holders.items(), key=lambda item: item[1])[0]
                return Ingested(message=self._state.messages[oldest], created=False)
            self._commit([record_put("messages", message)])
            return Ingested(message=message, created=True)


class IngestRaceStoresTwo(MemoryAdapter):
    """Check-then-insert without holding the lock across both: racing ingests each save.

    ``time.sleep(0)`` yields the GIL inside the window, as a database round trip would.
    """

    seeded_bug = "race in ingest_message stores two messages"
    expected_area: ClassVar[str] = "ingestion_concurrency"

    def _ingest_message(self, message: Message) -> Ingested:
        key = checked_message_key(message)
        with self._lock:
            holder = self._state.message_keys.resolve(key)
            if holder is not None:
                return Ingested(message=self._state.messages[holder], created=False)
        time.sleep(0)
        with self._lock:
            self._commit([record_put("messages", message)])
            return Ingested(message=message, created=True)


class ThreadKeyIgnoresRoom(MemoryAdapter):
    """Thread get-or-create looks the external thread id up in every room."""

    seeded_bug = "thread get-or-create keyed by external id alone"
    expected_area: ClassVar[str] = "ingestion"

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        with self._lock:
            for thread in self._state.threads.values():
                if thread.external_thread_id == external_thread_id:
                    return thread
            thread = build_record(
                Thread, attrs, room_id=room_id, external_thread_id=external_thread_id
            )
            self._commit([record_put("threads", thread)])
            return thread


class AfterIncludesCursor(MemoryAdapter):
    """``list_rooms(after=)`` starts at the cursor, not after it: pages overlap."""

    seeded_bug = "list_rooms(after=) includes the cursor"
    expected_area: ClassVar[str] = "enumeration"

    def _list_rooms(self, *, limit: int, after: str | None = None) -> list[Room]:
        with self._lock:
            if after is None:
                return super()._list_rooms(limit=limit, after=None)
            room = self._state.rooms.get(after)
            if room is None:
                raise missing_cursor("room", after)
            order = self._state.room_order
            start = order.bisect_left(sort_key(room.inserted_at, room.id))
            entries = order.islice(start, min(len(order), start + limit))
            return [self._state.rooms[entry[2]] for entry in entries]


class AfterComparesTimestampOnly(MemoryAdapter):
    """``list_threads(after=)`` skips every thread tied with the cursor's ``inserted_at``."""

    seeded_bug = "list_threads(after=) compares inserted_at alone"
    expected_area: ClassVar[str] = "enumeration"

    def _list_threads(self, room_id: str, *, limit: int, after: str | None = None) -> list[Thread]:
        with self._lock:
            if after is None:
                return super()._list_threads(room_id, limit=limit, after=None)
            thread = self._state.threads.get(after)
            if thread is None or thread.room_id != room_id:
                raise missing_cursor("thread", after, f"room {room_id!r}")
            past = sort_key(thread.inserted_at, "\U0010ffff" * 600)
            page = keyset_page(self._state.room_threads.get(room_id), limit, past)
            return [self._state.threads[entry[2]] for entry in page]


class MissingCursorGivesEmptyPage(MemoryAdapter):
    """An unknown ``after=`` participant answers ``[]`` instead of CursorNotFound."""

    seeded_bug = "list_participants(after=unknown) answers []"
    expected_area: ClassVar[str] = "enumeration"

    def _list_participants(self, *, limit: int, after: str | None = None) -> list[Any]:
        with self._lock:
            if after is not None and after not in self._state.participants:
                return []
            return super()._list_participants(limit=limit, after=after)
