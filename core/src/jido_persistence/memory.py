"""The in-memory reference adapter (name ``memory``, URL ``memory://``).

The counterpart of the Elixir ETS adapter and the oracle of the conformance kit:
complete, exact and indexed.  Everything lives in one process's memory and is gone
after :meth:`MemoryAdapter.close`; two instances never share data.

The records and indexes are an :class:`~jido_persistence.state.InMemoryState`, read by
:class:`~jido_persistence.state_reads.StateReads` and written by
:class:`~jido_persistence.state_writes.StateWrites` (shared with the TinyDB adapter):
get-by-id, external-id, thread-key and binding-key lookups are O(1) dict reads;
``get_messages``, ``list_threads`` and ``list_rooms`` are O(log n + limit) on sorted
lists; saves are O(log n); ``directory_search`` by name goes through a trigram index
(O(matches) for a selective query of three code points or more); ``delete_messages``
is O(log n + deleted) and ``erase_participant`` O(the participant's messages +
participant keys), through a sender index.  Saved records are stored as copies of
their containers, so changing a saved instance in place does not change the store.
One re-entrant lock serialises the callbacks, which makes each of them atomic and
``get_or_create_*`` race-free for threads.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, RawIndex
from jido_persistence.errors import StoreClosed
from jido_persistence.indexes import SortKey, sort_key
from jido_persistence.models import Message
from jido_persistence.state import InMemoryState, RecordChange
from jido_persistence.state_reads import StateReads
from jido_persistence.state_transfer import StateInterchange
from jido_persistence.state_writes import StateWrites
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT, SnapshotTransactions, StoreLock
from jido_persistence.urls import StoreUrl

__all__ = ["MemoryAdapter", "MemoryOptions", "message_sort_key"]


def message_sort_key(message: Message) -> SortKey:
    """The ``(inserted_at, id)`` ordering key of a message, ``None`` timestamps first."""
    return sort_key(message.inserted_at, message.id)


class MemoryOptions(AdapterOptions):
    """Options of :class:`MemoryAdapter` (``memory://?busy_timeout=1``)."""

    busy_timeout: float = Field(default=DEFAULT_BUSY_TIMEOUT, gt=0)
    """Seconds a callback waits while another thread's ``transaction()`` block is open,
    then StorageError."""


class MemoryAdapter(
    SnapshotTransactions, StateInterchange, StateWrites, StateReads, PersistenceAdapter
):
    """The in-memory reference store: exact, indexed, thread-safe, not durable.

    ``transaction()`` holds the store lock for the block and undoes it from a copy of
    the store taken when the block (or savepoint) opens: O(n) per block.
    """

    Options: ClassVar[type[AdapterOptions]] = MemoryOptions
    durable = False
    multi_process = False

    def __init__(self, **options: object) -> None:
        """Open an empty store; see :class:`MemoryOptions`."""
        self.options = self.Options.parse(options)
        # A subclass may bring options of its own, without busy_timeout.
        timeout = getattr(self.options, "busy_timeout", DEFAULT_BUSY_TIMEOUT)
        self._lock = StoreLock(timeout, what="the memory store")
        self._state = InMemoryState()

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """``memory://`` takes no path; query parameters are passed on (and rejected)."""
        return dict(url.query)

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Every memory store is fresh: ``memory://``."""
        return "memory://"

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed("MemoryAdapter is closed")

    def close(self) -> None:
        """Drop every record; later callbacks raise StoreClosed."""
        with self._lock:
            super().close()
            self._state = InMemoryState()

    def _commit(self, changes: list[RecordChange]) -> None:
        """Apply ``changes`` to the state (the caller holds the lock)."""
        for change in changes:
            self._state.apply(change)

    def raw_index(self) -> RawIndex:
        """The store's keys and record counts, read from its internal dicts."""
        with self._lock:
            self._check_open()
            return self._state.raw_index()
