"""A seeded bug in a store several instances share: reads served from a per-instance cache.

``SharedStore`` is the reference adapter made shareable: every instance opened with the
same ``location`` works on one set of records, as instances on one database do, and it
declares ``multi_process``.  ``CachedReads`` adds the bug: ``get_room`` answers from a
cache of this instance, which its own writes keep fresh but other instances' writes
never reach.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Room

_STATE = frozenset(name for name in vars(MemoryAdapter()) if name != "options")
"""The reference adapter's record and index attributes (everything but its options)."""

_locations = itertools.count(1)


class SharedOptions(AdapterOptions):
    """``location``: instances opened with one location share their records."""

    location: str = "default"


class SharedStore(MemoryAdapter):
    """The reference adapter, with every instance of one ``location`` on the same records."""

    seeded_bug: ClassVar[str] = "none (the shared-store base)"
    expected_area: ClassVar[str] = "concurrency"
    multi_process: ClassVar[bool] = True
    Options = SharedOptions
    _shared: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(self, **options: object) -> None:
        location = str(options.pop("location", "default"))
        super().__init__(**options)
        self.options = SharedOptions(location=location)
        state = self._shared.setdefault(location, {name: vars(self)[name] for name in _STATE})
        vars(self).update(state)

    def close(self) -> None:
        """Close this instance only; the location's records stay for the other instances."""
        PersistenceAdapter.close(self)


class SharedStoreFactory:
    """A StoreFactory for shared stores: ``reopen`` opens the same location again."""

    def __init__(self, adapter_cls: type[SharedStore]) -> None:
        self.adapter_cls = adapter_cls

    def adapter_class(self) -> type[SharedStore]:
        """The adapter class this factory builds."""
        return self.adapter_cls

    def create(self) -> PersistenceAdapter:
        """An instance on a new, empty location."""
        return self.adapter_cls(location=f"kit-{next(_locations)}")

    def reopen(self, store: PersistenceAdapter) -> PersistenceAdapter:
        """Another instance on ``store``'s location (``store`` may still be open)."""
        assert isinstance(store.options, SharedOptions)
        return self.adapter_cls(location=store.options.location)

    def url_for(self, store: PersistenceAdapter) -> str | None:
        """None: no other process can reach an in-memory location."""
        return None

    def cleanup(self) -> None:
        """Nothing to remove (locations are never reused)."""


class CachedReads(SharedStore):
    """``get_room`` served from a per-instance cache that only this instance's writes update."""

    seeded_bug = "multi_process adapter serves reads from a per-instance cache"

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._room_cache: dict[str, Room] = {}

    def _get_room(self, room_id: str) -> Room:
        with self._lock:
            cached = self._room_cache.get(room_id)
            if cached is None:
                cached = self._room_cache[room_id] = super()._get_room(room_id)
            return cached

    def _save_room(self, room: Room) -> Room:
        with self._lock:
            self._room_cache[room.id] = room
            return super()._save_room(room)

    def _delete_room(self, room_id: str) -> None:
        with self._lock:
            self._room_cache.pop(room_id, None)
            super()._delete_room(room_id)


SharedStore.kit_factory = SharedStoreFactory  # type: ignore[attr-defined]
