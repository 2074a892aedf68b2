"""Room bindings: ``create_room_binding`` upserts, listing, deletes and keys (contract 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.models import BindingDirection, Room, RoomType
from jido_persistence_conformance._support import canonical, ids, raw_index_or_none, snapshot

__all__ = ["RoomBindingsTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)


class RoomBindingsTests:
    """Binding records and the binding keys they write."""

    def test_create_room_binding_points_the_key(self, store: PersistenceAdapter) -> None:
        """``create_room_binding`` returns the record and points the key at the room.

        Troubleshooting: ``room_id`` need not exist, but ``get_room_by_external_binding``
        answers NotFound until it does.  Usual mistakes: a foreign key to rooms, or
        returning a room that is not stored.
        """
        binding = store.create_room_binding(
            "room:1", "slack", 42, 7, {"direction": "inbound", "enabled": False}
        )
        assert (binding.room_id, binding.channel, binding.bridge_id, binding.external_room_id) == (
            "room:1",
            "slack",
            "42",
            "7",
        )
        assert binding.direction == BindingDirection.INBOUND
        assert binding.enabled is False
        with pytest.raises(NotFound) as caught:
            store.get_room_by_external_binding("slack", "42", "7")
        assert caught.value.entity == "room"
        room = Room(id="room:1", type=RoomType.GROUP)
        store.save_room(room)
        assert canonical(store.get_room_by_external_binding("slack", 42, 7)) == canonical(room)
        assert [canonical(b) for b in store.list_room_bindings("room:1")] == [canonical(binding)]

    def test_create_room_binding_is_an_upsert_per_room_and_key(
        self, store: PersistenceAdapter
    ) -> None:
        """A second call for the same room and key keeps id and inserted_at, takes attrs.

        Troubleshooting: at most one record per ``(room_id, channel, bridge_id,
        external_room_id)``; only ``direction``/``enabled`` present in attrs change.
        Usual mistakes: inserting a duplicate record, or resetting ``direction`` to
        its default when attrs omit it.
        """
        first = store.create_room_binding(
            "room:1", "slack", "b1", "C1", {"id": "bind:1", "direction": "inbound"}
        )
        second = store.create_room_binding("room:1", "slack", "b1", "C1", {"enabled": False})
        assert second.id == "bind:1"
        assert second.inserted_at == first.inserted_at
        assert second.direction == BindingDirection.INBOUND
        assert second.enabled is False
        third = store.create_room_binding(
            "room:1", "slack", "b1", "C1", {"id": "bind:1", "direction": "outbound"}
        )
        assert (third.id, third.direction, third.enabled) == (
            "bind:1",
            BindingDirection.OUTBOUND,
            False,
        )
        assert [canonical(b) for b in store.list_room_bindings("room:1")] == [canonical(third)]

    def test_attrs_id_of_another_record_is_refused(self, store: PersistenceAdapter) -> None:
        """An attrs ``id`` naming a record of another room or key raises InvalidArgument.

        Troubleshooting: binding ids are primary keys; reusing one must not move or
        replace the other record.  Usual mistake: an upsert by id that silently
        rewrites the other room's binding.
        """
        store.create_room_binding("room:1", "slack", "b1", "C1", {"id": "bind:1"})
        store.create_room_binding("room:1", "slack", "b1", "C2", {"id": "bind:2"})
        before = snapshot(store, room_ids=["room:1", "room:2"])
        with pytest.raises(InvalidArgument):
            store.create_room_binding("room:2", "slack", "b1", "C1", {"id": "bind:1"})
        with pytest.raises(InvalidArgument):
            store.create_room_binding("room:1", "slack", "b1", "C1", {"id": "bind:2"})
        assert snapshot(store, room_ids=["room:1", "room:2"]) == before

    def test_rebinding_a_key_to_another_room(self, store: PersistenceAdapter) -> None:
        """Binding a key to a second room moves the key; the first record stays listed.

        Troubleshooting: the key now points at the new room; records of other rooms
        for the same key stay listed under them, and deleting the old record leaves
        the key alone.  Usual mistakes: a unique index on the key in the records
        table, or deleting the key when any record of it is deleted.
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP))
        store.save_room(Room(id="room:2", type=RoomType.GROUP))
        old = store.create_room_binding("room:1", "slack", "b1", "C1")
        store.create_room_binding("room:2", "slack", "b1", "C1")
        assert store.get_room_by_external_binding("slack", "b1", "C1").id == "room:2"
        assert ids(store.list_room_bindings("room:1")) == [old.id]
        store.delete_room_binding(old.id)
        assert store.get_room_by_external_binding("slack", "b1", "C1").id == "room:2"
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {("slack", "b1", "C1"): "room:2"}

    def test_delete_room_binding(self, store: PersistenceAdapter) -> None:
        """``delete_room_binding`` removes the record and its key; unknown ids are NotFound.

        Troubleshooting: NotFound("room_binding", id) when unknown (deletes of
        bindings are not idempotent).  Usual mistake: leaving the key behind.
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP))
        binding = store.create_room_binding("room:1", "slack", "b1", "C1")
        assert store.delete_room_binding(binding.id) is None
        assert store.list_room_bindings("room:1") == []
        with pytest.raises(NotFound):
            store.get_room_by_external_binding("slack", "b1", "C1")
        with pytest.raises(NotFound) as caught:
            store.delete_room_binding(binding.id)
        assert (caught.value.entity, caught.value.key) == ("room_binding", binding.id)
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {}
            assert raw["row_counts"]["room_bindings"] == 0

    def test_list_room_bindings_order(self, store: PersistenceAdapter) -> None:
        """``list_room_bindings`` is in ``(inserted_at, id)`` order; ``[]`` when none.

        Troubleshooting: contract section 3 (ordering): room bindings are ordered by
        ``(inserted_at, id)``, ties by id by code point, like rooms and threads.
        Usual mistakes: insertion order, or ``ORDER BY id`` alone (the binding with
        the smallest id comes first here although it was inserted last).
        """
        for name, day, external in (("A", 1, "X"), ("b", 0, "Y"), ("a", 0, "Z"), ("B", 0, "W")):
            store.create_room_binding(
                "room:1", "slack", "b1", external, {"id": name, "inserted_at": T0 + timedelta(day)}
            )
        assert ids(store.list_room_bindings("room:1")) == ["B", "a", "b", "A"]
        assert store.list_room_bindings("room:none") == []
