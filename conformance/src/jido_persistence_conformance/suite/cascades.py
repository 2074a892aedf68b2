"""Cascades: ``delete_room`` removes the room's records and only those (contract 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    Participant,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    Thread,
)
from jido_persistence_conformance._support import (
    assert_raw_index_matches,
    message,
    raw_index_or_none,
    snapshot,
)

__all__ = ["CascadesTests"]

SLACK = {"channel": "slack", "bridge_id": "b1"}
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _populate(store: PersistenceAdapter) -> None:
    """Two rooms with messages, threads, bindings and policies, and a participant."""
    for room_id in ("room:1", "room:2"):
        store.save_room(Room(id=room_id, type=RoomType.GROUP, inserted_at=T0))
        store.save_message(
            message(f"{room_id}/m", room_id=room_id, external_id=f"{room_id}/E", metadata=SLACK)
        )
        store.save_thread(
            Thread(
                id=f"{room_id}/t",
                room_id=room_id,
                external_thread_id="T",
                root_message_id=f"{room_id}/m",
                inserted_at=T0,
                updated_at=T0,
            )
        )
        store.create_room_binding(
            room_id, "slack", "b1", f"{room_id}/C", {"id": f"{room_id}/b", "inserted_at": T0}
        )
        store.save_routing_policy(RoutingPolicy(room_id=room_id, inserted_at=T0, updated_at=T0))
    store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human", "id": "p:1"})
    store.save_participant(Participant(id="p:2", type=ParticipantType.AGENT))


KEYS: dict[str, Any] = {
    "room_ids": ["room:1", "room:2"],
    "participant_ids": ["p:1", "p:2"],
    "message_ids": ["room:1/m", "room:2/m"],
    "thread_ids": ["room:1/t", "room:2/t"],
    "binding_keys": [("slack", "b1", "room:1/C"), ("slack", "b1", "room:2/C")],
    "message_keys": [("slack", "b1", "room:1/E"), ("slack", "b1", "room:2/E")],
}


class CascadesTests:
    """``delete_room`` cascades to messages, threads, bindings and the routing policy."""

    def test_delete_room_cascades_like_the_reference(
        self, store: PersistenceAdapter, reference: MemoryAdapter
    ) -> None:
        """After ``delete_room``, the store holds exactly what the reference holds.

        Troubleshooting: the room's messages (and their external-id keys), threads
        (and their keys), bindings (and keys still pointing at it) and routing policy
        go; participants and other rooms stay.  The raw index, when offered, must
        match the reference's too.  Usual mistakes: leaving binding keys or thread
        keys behind (no read path shows them, but they resurface later), or
        deleting participants.
        """
        for target in (store, reference):
            _populate(target)
            target.delete_room("room:1")
        assert snapshot(store, raw=False, **KEYS) == snapshot(reference, raw=False, **KEYS)
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "b1", "room:1/E")
        with pytest.raises(NotFound):
            store.get_thread_by_external_id("room:1", "T")
        assert store.get_room_by_external_binding("slack", "b1", "room:2/C").id == "room:2"
        assert_raw_index_matches(store, reference)

    def test_delete_room_cascades_without_the_room_record(self, store: PersistenceAdapter) -> None:
        """The cascade runs even when the room record itself does not exist.

        Troubleshooting: messages and bindings may exist for a room never saved
        (no referential checks).  Usual mistake: returning early when the room row
        is missing.
        """
        store.save_message(message("m:1", room_id="room:ghost"))
        store.save_thread(Thread(id="t:1", room_id="room:ghost", external_thread_id="T"))
        store.create_room_binding("room:ghost", "slack", "b1", "C1")
        store.save_routing_policy(RoutingPolicy(room_id="room:ghost"))
        store.delete_room("room:ghost")
        assert store.get_messages("room:ghost") == []
        assert store.list_threads("room:ghost") == []
        assert store.list_room_bindings("room:ghost") == []
        with pytest.raises(NotFound):
            store.get_routing_policy("room:ghost")
        with pytest.raises(NotFound):
            store.get_message("m:1")
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {}
            assert raw["thread_external_keys"] == {}
            assert all(count == 0 for count in raw["row_counts"].values())

    def test_cascade_keeps_a_key_taken_by_another_room(self, store: PersistenceAdapter) -> None:
        """A binding key that another room has since taken survives the first room's delete.

        Troubleshooting: delete the key only while it still points at the deleted
        room.  Usual mistake: ``DELETE FROM keys WHERE key IN (keys of the room's
        binding records)``, which unbinds the other room.
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP))
        store.save_room(Room(id="room:2", type=RoomType.GROUP))
        store.create_room_binding("room:1", "slack", "b1", "C1")
        store.create_room_binding("room:2", "slack", "b1", "C1")
        store.delete_room("room:1")
        assert store.get_room_by_external_binding("slack", "b1", "C1").id == "room:2"
        assert len(store.list_room_bindings("room:2")) == 1
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {("slack", "b1", "C1"): "room:2"}
            assert raw["row_counts"]["room_bindings"] == 1
