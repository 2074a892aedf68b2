"""Isolation: two stores of the adapter never see each other's data (contract 1), and a
record a callback returns shares nothing mutable with what the store keeps."""

from __future__ import annotations

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import (
    Message,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    TextPart,
)
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

    def test_changing_a_returned_record_in_place_changes_nothing_stored(
        self, store: PersistenceAdapter
    ) -> None:
        """A record a callback returned is the caller's: changing its dicts and lists in
        place (metadata, content, an onboarding flow's nested values) changes nothing
        that a later read answers.

        Troubleshooting: a store that keeps records as Python objects (a dict of models)
        must not hand out the objects it keeps: return a copy of their containers (core's
        ``jido_persistence.detach.detached``, or set ``keeps_python_objects =
        True`` on the adapter class and the guard does it for every callback).
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP, metadata={"tier": "free"}))
        store.save_message(message("m:1", metadata={"seen": ["a"]}, content=[TextPart(text="hi")]))
        store.save_onboarding({"onboarding_id": "o:1", "steps": {"done": ["start"]}})
        bound = store.get_or_create_room_by_external_binding(
            "slack", "b", "C", {"type": "group", "metadata": {"k": "v"}}
        )
        expected = snapshot(
            store,
            room_ids=["room:1", bound.id],
            message_ids=["m:1"],
            onboarding_ids=["o:1"],
            raw=False,
        )
        returned: list[Room | Message] = [
            store.get_room("room:1"),
            *store.get_messages("room:1"),
            store.get_message("m:1"),
            store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"}),
            store.get_room_by_external_binding("slack", "b", "C"),
        ]
        for record in returned:
            record.metadata["changed"] = True
            for item in record.metadata.values():
                if isinstance(item, list):
                    item.append("changed")
        store.get_message("m:1").content.append(TextPart(text="changed"))
        flow = store.get_onboarding("o:1")
        flow["steps"]["done"].append("changed")
        flow["added"] = 1
        assert (
            snapshot(
                store,
                room_ids=["room:1", bound.id],
                message_ids=["m:1"],
                onboarding_ids=["o:1"],
                raw=False,
            )
            == expected
        )
