"""The TinyDB adapter's enumeration group (contract 9.2, keyset pages).

A mixin of :class:`~jido_persistence_tinydb.adapter.TinyDBAdapter` paging the
in-memory indexes: rooms and threads on their ``(inserted_at, id)`` sorted lists,
participants and onboarding flows on their id-sorted dicts.  O(log n + limit) per
page, under the store's lock; no file is read.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from jido_persistence.indexes import ids_after, ordered_after
from jido_persistence.models import Participant, Room, Thread
from jido_persistence.transactions import StoreLock
from jido_persistence_tinydb._state import StoreState

__all__ = ["TinyDBEnumeration"]


class TinyDBEnumeration:
    """Keyset pages over the TinyDB store's sorted indexes."""

    _lock: StoreLock
    _state: StoreState

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

    def _list_rooms(self, *, limit: int, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms after the room ``after`` in ``(inserted_at, id)`` order."""
        with self._lock:
            self._check_open()
            return ordered_after(self._state.rooms, self._state.room_order, limit, after, "room")

    def _list_threads(self, room_id: str, *, limit: int, after: str | None = None) -> list[Thread]:
        """The room's first ``limit`` threads after the thread ``after``."""
        with self._lock:
            self._check_open()
            state = self._state
            return ordered_after(
                state.threads,
                state.room_threads.get(room_id),
                limit,
                after,
                "thread",
                lambda thread: thread.room_id == room_id,
                f"room {room_id!r}",
            )

    def _list_participants(self, *, limit: int, after: str | None = None) -> list[Participant]:
        """The first ``limit`` participants with an id above ``after``, by id."""
        with self._lock:
            self._check_open()
            return ids_after(self._state.participants, limit, after, "participant")

    def _list_onboardings(self, *, limit: int, after: str | None = None) -> list[dict[str, Any]]:
        """Copies of the first ``limit`` onboarding flows with an id above ``after``, by id."""
        with self._lock:
            self._check_open()
            page = ids_after(self._state.onboarding, limit, after, "onboarding flow")
            return [copy.deepcopy(flow) for flow in page]
