"""Isolation: two stores of the adapter never see each other's data (contract 1)."""

from __future__ import annotations

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import Participant, ParticipantType, Room, RoomType
from jido_persistence_conformance._support import message, snapshot
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["IsolationTests"]


class IsolationTests:
    """Two fresh stores are independent."""

    def test_two_stores_are_isolated(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """Writes to one fresh store are invisible in another fresh store.

        Troubleshooting: one instance is one isolated store (unless both point at the
        same file or database).  Usual mistakes: module-level dicts shared by every
        instance, a fixed table or schema name, or a fresh-store hook that returns the
        same location twice.
        """
        other = factory.create()
        try:
            empty = snapshot(other, room_ids=["room:1"], participant_ids=["p:1"])
            store.save_room(Room(id="room:1", type=RoomType.GROUP))
            store.save_participant(Participant(id="p:1", type=ParticipantType.HUMAN))
            store.save_message(message("m:1"))
            store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
            store.save_onboarding({"onboarding_id": "o:1"})
            assert snapshot(other, room_ids=["room:1"], participant_ids=["p:1"]) == empty
            with pytest.raises(NotFound):
                other.get_room_by_external_binding("slack", "b", "C")
            with pytest.raises(NotFound):
                other.get_onboarding("o:1")
            other.save_room(Room(id="room:2", type=RoomType.GROUP))
            with pytest.raises(NotFound):
                store.get_room("room:2")
        finally:
            other.close()
