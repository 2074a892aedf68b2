"""The memory adapter's idempotent ingestion group (contract 9.1).

``ingest_message`` and ``get_or_create_thread_by_external_id`` as a mixin of
:class:`~jido_persistence.memory.MemoryAdapter`: each is one look-up in the key index
and, when the key resolves to nothing, one save, both under the store's lock, so
concurrent calls on one key (threads of this process; the store is private to it)
store one record and all return it.  O(1) expected for the look-up, O(log n) for the
save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jido_persistence.indexes import KeyHolders
from jido_persistence.models import Ingested, Message, Thread
from jido_persistence.transactions import StoreLock
from jido_persistence.validation import MessageKey, build_record, checked_message_key

__all__ = ["MemoryIngest"]


class MemoryIngest:
    """``ingest_message`` and thread get-or-create on the memory adapter's indexes."""

    _lock: StoreLock
    _messages: dict[str, Message]
    _message_keys: KeyHolders[MessageKey]
    _threads: dict[str, Thread]
    _thread_external_keys: KeyHolders[tuple[str, str]]

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

        def _store_message(self, message: Message) -> None: ...

        def _store_thread(self, thread: Thread) -> None: ...

    def _ingest_message(self, message: Message) -> Ingested:
        """The key's resolution (``created=False``, nothing written), else ``message``
        saved as by ``save_message`` (``created=True``)."""
        key = checked_message_key(message)
        with self._lock:
            self._check_open()
            holder = self._message_keys.resolve(key)
            if holder is not None:
                return Ingested(message=self._messages[holder], created=False)
            self._store_message(message)
            return Ingested(message=message, created=True)

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        key = (room_id, external_thread_id)
        with self._lock:
            self._check_open()
            holder = self._thread_external_keys.resolve(key)
            if holder is not None:
                return self._threads[holder]
            thread = build_record(
                Thread, attrs, room_id=room_id, external_thread_id=external_thread_id
            )
            self._store_thread(thread)
            return thread
