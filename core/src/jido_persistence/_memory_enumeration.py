"""The memory adapter's enumeration group (contract 9.2, keyset pages).

``list_rooms``/``list_threads`` with ``after=`` and ``list_participants``/
``list_onboardings`` as a mixin of :class:`~jido_persistence.memory.MemoryAdapter`.
Rooms and threads are paged on their ``(inserted_at, id)`` sorted lists, participants
and onboarding flows on their id-sorted dicts: every page is a bisection and a slice,
O(log n + limit), under the store's lock.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from jido_persistence.indexes import ids_after, ordered_after
from jido_persistence.models import Participant, Room, Thread
from jido_persistence.transactions import StoreLock

__all__ = ["MemoryEnumeration"]


class MemoryEnumeration:
    """Keyset pages over the memory adapter's sorted indexes."""

    _lock: StoreLock
    _rooms: dict[str, Room]
    _room_order: Any
    _threads: dict[str, Thread]
    _room_threads: dict[str, Any]
    _participants: Any
    """A ``SortedDict``: participant id -> Participant."""
    _onboarding: Any
    """A ``SortedDict``: onboarding id -> flow."""

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

    def _list_rooms(self, *, limit: int, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms after the room ``after`` in ``(inserted_at, id)`` order."""
        with self._lock:
            self._check_open()
            return ordered_after(self._rooms, self._room_order, limit, after, "room")

    def _list_threads(self, room_id: str, *, limit: int, after: str | None = None) -> list[Thread]:
        """The room's first ``limit`` threads after the thread ``after``."""
        with self._lock:
            self._check_open()
            return ordered_after(
                self._threads,
                self._room_threads.get(room_id),
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
            return ids_after(self._participants, limit, after, "participant")

    def _list_onboardings(self, *, limit: int, after: str | None = None) -> list[dict[str, Any]]:
        """Copies of the first ``limit`` onboarding flows with an id above ``after``, by id."""
        with self._lock:
            self._check_open()
            page = ids_after(self._onboarding, limit, after, "onboarding flow")
            return [copy.deepcopy(flow) for flow in page]
