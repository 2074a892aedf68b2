"""Rooms: save/get/delete round trips and ``list_rooms`` ordering (contract 2, 3, 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import Room, RoomType
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import HUGE, canonical, canonical_all, ids, kit_settings

__all__ = ["RoomsTests"]

MIN = datetime.min.replace(tzinfo=UTC)
MAX = datetime.max.replace(tzinfo=UTC)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class RoomsTests:
    """Rooms: upserts, exact round trips, NotFound, ordering and limits."""

    @kit_settings()
    @given(room=strategies.rooms())
    def test_room_round_trips_exactly(self, store: PersistenceAdapter, room: Room) -> None:
        """``save_room`` returns its argument and ``get_room`` gives it back type-exactly.

        Troubleshooting: every field must survive storage with its JSON types
        (``1e16`` stays a float, ``True`` a bool, ``-0.0`` keeps its sign) and datetimes
        in UTC with microseconds.  Usual mistakes: a ``jsonb`` column (normalises
        numbers), a naive-datetime column that drops ``tzinfo``, or a text column in
        a collation that alters strings.
        """
        assert store.save_room(room) == room
        assert canonical(store.get_room(room.id)) == canonical(room)

    def test_datetime_min_and_max_round_trip(self, store: PersistenceAdapter) -> None:
        """``datetime.min`` and ``datetime.max`` (UTC) round-trip and sort at the ends.

        Troubleshooting: the contract requires the full range of Python datetimes.
        Usual mistakes: an epoch-based integer column that overflows, a backend
        timestamp type whose range ends at year 9999 minus a time zone offset, or a
        conversion through the local time zone.
        """
        early = Room(id="room:early", type=RoomType.GROUP, inserted_at=MIN)
        late = Room(id="room:late", type=RoomType.GROUP, inserted_at=MAX)
        store.save_room(late)
        store.save_room(early)
        assert canonical(store.get_room("room:early")) == canonical(early)
        assert canonical(store.get_room("room:late")) == canonical(late)
        assert ids(store.list_rooms()) == ["room:early", "room:late"]

    def test_get_unknown_room_raises_not_found(self, store: PersistenceAdapter) -> None:
        """``get_room`` of an unknown id raises ``NotFound`` with entity ``room``.

        Troubleshooting: ``NotFound.entity`` is ``"room"`` and ``.key`` the id as given.
        Usual mistake: returning ``None`` or raising ``KeyError`` from a dict lookup.
        """
        with pytest.raises(NotFound) as caught:
            store.get_room("room:missing")
        assert caught.value.entity == "room"
        assert caught.value.key == "room:missing"

    def test_save_room_replaces_by_id(self, store: PersistenceAdapter) -> None:
        """A second ``save_room`` with the same id replaces the first (an upsert).

        Troubleshooting: saves insert or replace by primary key.  Usual mistakes: an
        ``INSERT`` that fails on the duplicate, or one that adds a second row so that
        ``list_rooms`` shows the room twice.
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP, name="old", inserted_at=T0))
        # An earlier inserted_at: the room's place in the order moves with it.
        newer = Room(
            id="room:1", type=RoomType.CHANNEL, name="new", inserted_at=T0 - timedelta(days=1)
        )
        assert store.save_room(newer) == newer
        assert canonical(store.get_room("room:1")) == canonical(newer)
        assert canonical_all(store.list_rooms()) == [canonical(newer)]

    def test_list_rooms_orders_by_inserted_at_then_id(self, store: PersistenceAdapter) -> None:
        """``list_rooms`` returns rooms in ``(inserted_at, id)`` order, ties by code point.

        Troubleshooting: ties on ``inserted_at`` are broken by id compared by code
        point (``"B" < "a" < "é"``).  Usual mistakes: ordering by id alone, by insertion
        order, or a locale collation (``ORDER BY id`` without ``COLLATE "C"``).
        """
        later = T0 + timedelta(microseconds=1)
        rooms = [
            Room(id="a", type=RoomType.GROUP, inserted_at=T0),
            Room(id="B", type=RoomType.GROUP, inserted_at=T0),
            Room(id="é", type=RoomType.GROUP, inserted_at=T0),
            Room(id="0", type=RoomType.GROUP, inserted_at=later),
            Room(id="z", type=RoomType.GROUP, inserted_at=T0 - timedelta(days=1)),
        ]
        for room in reversed(rooms):
            store.save_room(room)
        assert ids(store.list_rooms()) == ["z", "B", "a", "é", "0"]

    def test_list_rooms_limit(self, store: PersistenceAdapter) -> None:
        """``list_rooms(limit=n)`` returns the first ``n``; 0 gives ``[]``; 2**63-1 is valid.

        Troubleshooting: a limit is applied after ordering, and the largest signed
        64-bit value must not overflow.  Usual mistakes: ``LIMIT 0`` treated as "no
        limit", or binding a Python int beyond the driver's integer type.
        """
        for index in range(5):
            store.save_room(
                Room(id=f"room:{index}", type=RoomType.GROUP, inserted_at=T0 + timedelta(index))
            )
        assert store.list_rooms(limit=0) == []
        assert ids(store.list_rooms(limit=2)) == ["room:0", "room:1"]
        assert len(store.list_rooms(limit=HUGE)) == 5
        assert len(store.list_rooms()) == 5

    def test_list_rooms_default_limit_is_100(self, store: PersistenceAdapter) -> None:
        """``list_rooms()`` returns at most 100 rooms, the oldest ones.

        Troubleshooting: the default limit is 100.  Usual mistake: no default limit.
        """
        for index in range(101):
            store.save_room(
                Room(id=f"r{index:03d}", type=RoomType.GROUP, inserted_at=T0 + timedelta(index))
            )
        listed = store.list_rooms()
        assert len(listed) == 100
        assert listed[-1].id == "r099"

    def test_save_room_does_not_write_binding_keys(self, store: PersistenceAdapter) -> None:
        """``Room.external_bindings`` is informational: saving it creates no binding key.

        Troubleshooting: only ``create_room_binding`` and get-or-create write binding
        keys.  Usual mistake: indexing ``external_bindings`` on save, so that
        ``get_room_by_external_binding`` finds a room nobody bound.
        """
        store.save_room(
            Room(id="room:1", type=RoomType.GROUP, external_bindings={"slack": {"b1": "C1"}})
        )
        with pytest.raises(NotFound):
            store.get_room_by_external_binding("slack", "b1", "C1")
        assert store.list_room_bindings("room:1") == []
        # Nor reads them: a re-save keeps a bound key, and the record is stored as given.
        store.create_room_binding("room:1", "slack", "b1", "C2")
        store.save_room(Room(id="room:1", type=RoomType.GROUP))
        assert store.get_room_by_external_binding("slack", "b1", "C2").id == "room:1"
        assert store.get_room("room:1").external_bindings == {}

    def test_delete_room_is_idempotent(self, store: PersistenceAdapter) -> None:
        """``delete_room`` removes the room; deleting again or an unknown id is no error.

        Troubleshooting: deletes of rooms are idempotent and return ``None``.  Usual
        mistake: raising NotFound when the row is already gone.
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP))
        assert store.delete_room("room:1") is None
        store.delete_room("room:1")
        store.delete_room("room:never")
        with pytest.raises(NotFound):
            store.get_room("room:1")
        assert store.list_rooms() == []
