"""External ids: get-or-create, message external-id keys, ``update_message_external_id``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.models import Participant, ParticipantType, Room, RoomType
from jido_persistence_conformance._support import (
    canonical,
    message,
    raw_index_or_none,
    snapshot,
)

__all__ = ["ExternalIdsTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SLACK: dict[str, Any] = {"channel": "slack", "bridge_id": "b1"}


class ExternalIdsTests:
    """Get-or-create by external key, and messages found by their external id."""

    def test_get_or_create_room_creates_once(self, store: PersistenceAdapter) -> None:
        """The first call creates a room and one RoomBinding; later calls return it.

        Troubleshooting: the room is built from ``attrs`` with ``external_bindings``
        set to the key, and exactly one binding record holds the key; later calls
        ignore their ``attrs``.  Usual mistakes: creating a second room when the
        attrs differ, or forgetting the RoomBinding record.
        """
        first = store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "group", "name": "general", "id": "room:g"}
        )
        assert first.id == "room:g"
        assert first.name == "general"
        assert first.external_bindings == {"slack": {"b1": "C1"}}
        again = store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "direct", "name": "other", "id": "room:other"}
        )
        assert canonical(again) == canonical(first)
        assert canonical(store.get_room("room:g")) == canonical(first)
        bindings = store.list_room_bindings("room:g")
        assert [(b.channel, b.bridge_id, b.external_room_id) for b in bindings] == [
            ("slack", "b1", "C1")
        ]
        assert store.get_room_by_external_binding("slack", "b1", "C1").id == "room:g"
        with pytest.raises(NotFound):
            store.get_room("room:other")

    def test_longest_keys_work(self, store: PersistenceAdapter) -> None:
        """Ids and key parts of 512 code points (4 bytes each in UTF-8) are valid keys.

        Troubleshooting: the contract bounds ids by code points, not bytes.  Usual
        mistakes: a ``VARCHAR(255)`` column, or an index whose byte limit (2704 bytes
        for a PostgreSQL B-tree row) a composite key of three such parts exceeds
        without a hash or a suitable index.
        """
        long = "😀" * 511 + "x"
        room = store.get_or_create_room_by_external_binding(
            long, long, long, {"type": "group", "id": long}
        )
        assert room.id == long
        assert store.get_room_by_external_binding(long, long, long).id == long
        assert store.get_or_create_participant_by_external_id(long, long, {"type": "human"})
        store.save_message(
            message(
                long, room_id=long, external_id=long, metadata={"channel": long, "bridge_id": long}
            )
        )
        assert store.get_message_by_external_id(long, long, long).id == long
        assert [item.id for item in store.get_messages(long, before=long)] == []
        assert [binding.room_id for binding in store.list_room_bindings(long)] == [long]

    def test_get_or_create_room_normalises_int_ids(self, store: PersistenceAdapter) -> None:
        """``123`` and ``"123"`` are the same bridge id and external id.

        Troubleshooting: ints are normalised to decimal strings everywhere, including
        ``external_bindings`` of the created room.  Usual mistake: storing the int
        and comparing it with a string later.
        """
        room = store.get_or_create_room_by_external_binding("tg", 42, 123, {"type": "group"})
        assert room.external_bindings == {"tg": {"42": "123"}}
        assert store.get_or_create_room_by_external_binding("tg", "42", "123").id == room.id
        assert store.get_room_by_external_binding("tg", 42, "123").id == room.id

    def test_get_or_create_room_replaces_external_bindings_in_attrs(
        self, store: PersistenceAdapter
    ) -> None:
        """``external_bindings`` given in attrs are replaced by the key of the call.

        Troubleshooting: the created room's ``external_bindings`` is exactly
        ``{channel: {bridge_id: external_id}}``.  Usual mistake: merging attrs.
        """
        room = store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "group", "external_bindings": {"x": {"y": "z"}}}
        )
        assert room.external_bindings == {"slack": {"b1": "C1"}}

    def test_invalid_attrs_create_nothing(self, store: PersistenceAdapter) -> None:
        """Invalid attrs raise InvalidArgument (ValidationError as cause) and write nothing.

        Troubleshooting: build and validate the record before writing anything.
        Usual mistakes: letting pydantic's ValidationError escape unwrapped, or
        writing the binding key before the room fails to validate.
        """
        before = snapshot(store, binding_keys=[("slack", "b1", "C1")])
        for attrs in (None, {}, {"type": "nope"}, {"type": "group", "unknown": 1}):
            with pytest.raises(InvalidArgument) as caught:
                store.get_or_create_room_by_external_binding("slack", "b1", "C1", attrs)
            assert isinstance(caught.value.__cause__, ValidationError)
        with pytest.raises(InvalidArgument) as caught_p:
            store.get_or_create_participant_by_external_id("slack", "U1", {"type": 5})
        assert isinstance(caught_p.value.__cause__, ValidationError)
        assert snapshot(store, binding_keys=[("slack", "b1", "C1")]) == before
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {}
            assert raw["participant_keys"] == {}

    def test_stale_room_binding_is_healed(self, store: PersistenceAdapter) -> None:
        """A key bound to a room that no longer exists is replaced by a new room.

        Troubleshooting: a stale key is removed (only while it still points at the
        dead room) and the call goes on as if absent; the dead room keeps its own
        binding records.  Usual mistakes: returning NotFound or the dead room's id,
        or deleting the dead room's binding record.
        """
        dead = store.create_room_binding("room:dead", "slack", "b1", "C1")
        with pytest.raises(NotFound):
            store.get_room_by_external_binding("slack", "b1", "C1")
        room = store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "group", "id": "room:new"}
        )
        assert room.id == "room:new"
        assert store.get_room_by_external_binding("slack", "b1", "C1").id == "room:new"
        assert [b.id for b in store.list_room_bindings("room:dead")] == [dead.id]
        assert len(store.list_room_bindings("room:new")) == 1
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {("slack", "b1", "C1"): "room:new"}

    def test_losing_get_or_create_writes_nothing(self, store: PersistenceAdapter) -> None:
        """A call that finds the key bound writes nothing, even if its attrs name a room.

        Troubleshooting: when the key is bound to a live room, return it before
        building or saving anything from attrs.  Usual mistake: an upsert of the
        attrs room (replacing an existing room with the same id) before checking the
        key.
        """
        store.save_room(Room(id="room:other", type=RoomType.CHANNEL, name="keep me"))
        store.save_participant(
            Participant(id="p:other", type=ParticipantType.AGENT, identity={"name": "keep"})
        )
        store.get_or_create_room_by_external_binding("slack", "b1", "C1", {"type": "group"})
        store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human"})
        before = snapshot(store, participant_ids=["p:other"])
        store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "direct", "id": "room:other", "name": "replaced"}
        )
        store.get_or_create_participant_by_external_id(
            "slack", "U1", {"type": "system", "id": "p:other"}
        )
        assert snapshot(store, participant_ids=["p:other"]) == before

    def test_get_or_create_participant(self, store: PersistenceAdapter) -> None:
        """Participants are found or created by ``(channel, external_id)``, normalised.

        Troubleshooting: the created participant has ``external_ids={channel:
        external_id}``; a deleted participant's key is stale and healed.  Usual
        mistakes: returning the deleted participant's id, or keying by
        ``external_id`` alone so two channels collide.
        """
        first = store.get_or_create_participant_by_external_id(
            "tg", 77, {"type": "human", "identity": {"name": "Ann"}}
        )
        assert first.external_ids == {"tg": "77"}
        assert store.get_or_create_participant_by_external_id("tg", "77").id == first.id
        other = store.get_or_create_participant_by_external_id("slack", 77, {"type": "agent"})
        assert other.id != first.id
        store.delete_participant(first.id)
        healed = store.get_or_create_participant_by_external_id(
            "tg", 77, {"type": "human", "id": "p:healed"}
        )
        assert healed.id == "p:healed"
        assert store.get_or_create_participant_by_external_id("tg", 77).id == "p:healed"
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["participant_keys"][("tg", "77")] == "p:healed"

    def test_message_external_id_key(self, store: PersistenceAdapter) -> None:
        """A message is found by ``(metadata channel, metadata bridge_id, external_id)``.

        Troubleshooting: an int ``metadata["bridge_id"]`` is normalised; another
        channel or bridge is NotFound with the key tuple; a message missing the
        channel or bridge metadata has no key.  Usual mistake: looking up by
        ``external_id`` alone.
        """
        store.save_message(
            message(
                "m1",
                inserted_at=T0,
                external_id="E1",
                metadata={"channel": "slack", "bridge_id": 42},
            )
        )
        store.save_message(message("m2", inserted_at=T0, external_id="E2", metadata={}))
        assert store.get_message_by_external_id("slack", 42, "E1").id == "m1"
        assert store.get_message_by_external_id("slack", "42", "E1").id == "m1"
        with pytest.raises(NotFound) as caught:
            store.get_message_by_external_id("discord", "42", "E1")
        assert (caught.value.entity, caught.value.key) == ("message", ("discord", "42", "E1"))
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "43", "E1")
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "42", "E2")

    def test_message_key_resolves_to_latest_saved_holder(self, store: PersistenceAdapter) -> None:
        """Of several messages with one key, the most recently saved wins; then the next.

        Troubleshooting: deleting or re-keying the current holder makes the key
        resolve to the next most recently saved holder, or to nothing.  Usual
        mistakes: a unique key index (the second save fails or steals the key for
        good), or resolving by ``inserted_at`` instead of save order.
        """
        for name, day in (("m1", 9), ("m2", 1), ("m3", 5)):
            store.save_message(
                message(name, inserted_at=T0 + timedelta(day), external_id="E", metadata=SLACK)
            )
        assert store.get_message_by_external_id("slack", "b1", "E").id == "m3"
        store.delete_message("m3")
        assert store.get_message_by_external_id("slack", "b1", "E").id == "m2"
        store.save_message(message("m1", inserted_at=T0, external_id="E", metadata=SLACK))
        assert store.get_message_by_external_id("slack", "b1", "E").id == "m1"
        store.save_message(message("m1", inserted_at=T0, external_id="X", metadata=SLACK))
        assert store.get_message_by_external_id("slack", "b1", "E").id == "m2"
        store.update_message_external_id("m2", "Y")
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "b1", "E")
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["message_keys"] == {("slack", "b1", "X"): "m1", ("slack", "b1", "Y"): "m2"}

    def test_update_message_external_id(self, store: PersistenceAdapter) -> None:
        """The message gets the new id (timestamps untouched); only the new key resolves.

        Troubleshooting: store the changed message as a re-save would.  Usual
        mistakes: the old key still resolving (a separate index not cleaned), or
        ``updated_at`` bumped by the adapter.
        """
        original = message("m1", inserted_at=T0, external_id="old", metadata=SLACK)
        store.save_message(original)
        updated = store.update_message_external_id("m1", 77)
        assert updated.external_id == "77"
        assert canonical(updated) == canonical(original.model_copy(update={"external_id": "77"}))
        assert canonical(store.get_message("m1")) == canonical(updated)
        assert store.get_message_by_external_id("slack", "b1", 77).id == "m1"
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "b1", "old")
        with pytest.raises(NotFound) as caught:
            store.update_message_external_id("m:missing", "x")
        assert (caught.value.entity, caught.value.key) == ("message", "m:missing")

    def test_rekeying_onto_a_held_key_makes_the_message_its_holder(
        self, store: PersistenceAdapter
    ) -> None:
        """``update_message_external_id`` onto a key another message holds makes the
        updated message the key's holder (it is now the most recently saved holder).

        Troubleshooting: contract section 4: the key resolves to the stored message
        that carries it and was saved most recently, and the update stores the
        message as a save does; when it is deleted the key falls back to the other.
        Usual mistake: an ``UPDATE ... SET external_id`` that leaves the row's save
        order (sequence column) as it was, so a holder saved later keeps the key.
        """
        store.save_message(message("m1", inserted_at=T0, external_id="E1", metadata=SLACK))
        store.save_message(message("m2", inserted_at=T0, external_id="E2", metadata=SLACK))
        store.update_message_external_id("m1", "E2")
        assert store.get_message_by_external_id("slack", "b1", "E2").id == "m1"
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "b1", "E1")
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["message_keys"] == {("slack", "b1", "E2"): "m1"}
        store.delete_message("m1")
        assert store.get_message_by_external_id("slack", "b1", "E2").id == "m2"

    def test_get_or_create_after_delete_room_creates_and_binds_a_new_room(
        self, store: PersistenceAdapter
    ) -> None:
        """After ``delete_room``, get-or-create on the dead room's key creates a new room
        from its attrs and binds the key to it.

        Troubleshooting: contract section 4: ``delete_room`` cascades the room's
        binding records and keys, so the key is absent (or stale) and the call goes
        on as if absent: build the room from attrs, save it, create its binding.
        Usual mistakes: returning the deleted room (from a cache, or a binding row
        joined without the rooms table), or creating the room without its binding.
        """
        dead = store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "group", "id": "room:dead"}
        )
        store.delete_room(dead.id)
        with pytest.raises(NotFound):
            store.get_room_by_external_binding("slack", "b1", "C1")
        room = store.get_or_create_room_by_external_binding(
            "slack", "b1", "C1", {"type": "channel", "id": "room:new"}
        )
        assert (room.id, room.type) == ("room:new", RoomType.CHANNEL)
        assert canonical(store.get_room("room:new")) == canonical(room)
        with pytest.raises(NotFound):
            store.get_room("room:dead")
        assert store.get_room_by_external_binding("slack", "b1", "C1").id == "room:new"
        assert store.get_or_create_room_by_external_binding("slack", "b1", "C1").id == "room:new"
        [binding] = store.list_room_bindings("room:new")
        assert (binding.channel, binding.bridge_id, binding.external_room_id) == (
            "slack",
            "b1",
            "C1",
        )
        assert store.list_room_bindings("room:dead") == []
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["room_binding_keys"] == {("slack", "b1", "C1"): "room:new"}

    def test_update_external_id_of_message_without_key_metadata(
        self, store: PersistenceAdapter
    ) -> None:
        """A message without channel/bridge metadata is updated and has no key.

        Troubleshooting: the update must not fail because the key is incomplete.
        Usual mistake: raising InvalidArgument or inventing a key.
        """
        store.save_message(message("m1", inserted_at=T0))
        assert store.update_message_external_id("m1", "E").external_id == "E"
        assert store.get_message("m1").external_id == "E"
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["message_keys"] == {}

    def test_not_found_key_is_the_argument_as_given(self, store: PersistenceAdapter) -> None:
        """``NotFound.key`` holds the caller's arguments, ints included, not their normal form.

        Troubleshooting: the contract's ``.key`` is "the argument as given", so a
        caller that looked up ``("slack", 42, 7)`` can match the error against its
        own tuple.  Usual mistake: an adapter building the key from the normalised
        strings; adapters built on ``PersistenceAdapter`` get this from its guard.
        """
        store.save_room(Room(id="room:1", type=RoomType.GROUP))
        with pytest.raises(NotFound) as caught:
            store.get_message_by_external_id("slack", 42, 7)
        assert (caught.value.entity, caught.value.key) == ("message", ("slack", 42, 7))
        with pytest.raises(NotFound) as caught:
            store.get_room_by_external_binding(channel="slack", bridge_id=42, external_id=7)
        assert (caught.value.entity, caught.value.key) == ("room", ("slack", 42, 7))
        with pytest.raises(NotFound) as caught:
            store.get_thread_by_external_id("room:1", 9)
        assert (caught.value.entity, caught.value.key) == ("thread", ("room:1", 9))
        assert "9" in str(caught.value)
