"""The TinyDB adapter's idempotent ingestion group (contract 9.1).

A mixin of :class:`~jido_persistence_tinydb.adapter.TinyDBAdapter`: the key is looked
up in the in-memory index and, when it resolves to nothing, the record is journaled
as one synced record, all under the store's lock.  The store is single-process (a
second process gets StoreLocked), so the lock makes concurrent calls on one key store
one record.  A repeat journals nothing.  O(1) expected for the look-up, O(log n) for
the save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jido_persistence.models import Ingested, Message, Thread
from jido_persistence.transactions import StoreLock
from jido_persistence.validation import build_record, checked_message_key
from jido_persistence_tinydb._state import StoreState
from jido_persistence_tinydb._tables import Op, Put

__all__ = ["TinyDBIngest"]


class TinyDBIngest:
    """``ingest_message`` and thread get-or-create on the TinyDB store's indexes."""

    _lock: StoreLock
    _state: StoreState

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

        def _commit(self, ops: list[Op]) -> None: ...

        def _put(self, table: str, record: Any, doc: dict[str, Any] | None = None) -> Put: ...

    def _ingest_message(self, message: Message) -> Ingested:
        """The key's resolution (nothing journaled), else ``message`` saved."""
        key = checked_message_key(message)
        with self._lock:
            self._check_open()
            holder = self._state.message_keys.resolve(key)
            if holder is not None:
                return Ingested(message=self._state.messages[holder], created=False)
            self._commit([self._put("messages", message)])
            return Ingested(message=message, created=True)

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        with self._lock:
            self._check_open()
            holder = self._state.thread_external_keys.resolve((room_id, external_thread_id))
            if holder is not None:
                return self._state.threads[holder]
            thread = build_record(
                Thread, attrs, room_id=room_id, external_thread_id=external_thread_id
            )
            self._commit([self._put("threads", thread)])
            return thread
