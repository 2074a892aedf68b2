"""Rooms and participants in the memory adapter: upserts, ordering, the delete cascade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def message(
    message_id: str, room_id: str, *, external_id: str | None = None, thread_id: str | None = None
) -> Message:
    return Message(
        id=message_id,
        room_id=room_id,
        sender_id="p",
        role="user",
        external_id=external_id,
        thread_id=thread_id,
        metadata={"channel": "slack", "bridge_id": "b"},
    )


# --- rooms --------------------------------------------------------------------------------


def test_save_returns_the_room_and_get_finds_it(store: MemoryAdapter) -> None:
    room = Room(type="group", name="Lobby", metadata={"x": 1.0})
    assert store.save_room(room) == room
    assert store.get_room(room.id) == room


room_saves = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d", "A", "é"]), st.integers(0, 3)), max_size=20
)


@settings(max_examples=80)
@given(saves=room_saves, limit=st.integers(0, 25))
def test_list_rooms_matches_a_sorted_oracle(saves: list[tuple[str, int]], limit: int) -> None:
    with MemoryAdapter() as store:
        latest: dict[str, Room] = {}
        for room_id, second in saves:
            room = Room(id=room_id, type="group", inserted_at=at(second))
            store.save_room(room)
            latest[room_id] = room
        oracle = sorted(latest.values(), key=lambda room: (room.inserted_at, room.id))
        assert store.list_rooms(limit=limit) == oracle[:limit]
        assert store.raw_index()["row_counts"]["rooms"] == len(latest)


# --- participants ---------------------------------------------------------------------------


def test_participants_save_get_delete(store: MemoryAdapter) -> None:
    participant = Participant(id="p", type="agent", identity={"name": "Bot"})
    assert store.save_participant(participant) == participant
    assert store.get_participant("p") == participant
    replaced = participant.model_copy(update={"presence": "online"})
    store.save_participant(replaced)
    assert store.get_participant("p") == replaced
    store.delete_participant("p")
    store.delete_participant("p")
    with pytest.raises(NotFound) as caught:
        store.get_participant("p")
    assert (caught.value.entity, caught.value.key) == ("participant", "p")


def test_save_participant_does_not_write_participant_keys(store: MemoryAdapter) -> None:
    store.save_participant(Participant(id="p", type="human", external_ids={"slack": "U1"}))
    assert store.raw_index()["participant_keys"] == {}
    created = store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human"})
    assert created.id != "p"


def test_delete_participant_may_leave_its_key_and_get_or_create_heals_it(
    store: MemoryAdapter,
) -> None:
    first = store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human"})
    store.delete_participant(first.id)
    second = store.get_or_create_participant_by_external_id("slack", "U1", {"type": "agent"})
    assert second.id != first.id
    assert second.type == "agent"
    assert store.raw_index()["participant_keys"] == {("slack", "U1"): second.id}


# --- delete_room cascade --------------------------------------------------------------------


def build_two_rooms(store: MemoryAdapter) -> None:
    """Rooms a and b, each with messages, threads, bindings and a policy; and shared keys."""
    store.save_participant(Participant(id="p", type="human"))
    store.get_or_create_participant_by_external_id("slack", "U1", {"id": "p2", "type": "human"})
    for room_id in ("a", "b"):
        store.save_room(Room(id=room_id, type="group"))
        store.save_routing_policy(RoutingPolicy(room_id=room_id))
        store.save_thread(
            Thread(id=f"t{room_id}", room_id=room_id, external_thread_id="x", root_message_id="m")
        )
        store.create_room_binding(room_id, "slack", "b", f"own-{room_id}")
    # b holds key K first, then a saves a message with the same key: K resolves to a's.
    store.save_message(message("mb", "b", external_id="K"))
    store.save_message(message("ma", "a", external_id="K"))
    store.save_message(message("ma2", "a", external_id="K2", thread_id="ta"))
    # "shared-a": b bound first, then a took the key.  "shared-b": a first, then b.
    store.create_room_binding("b", "slack", "b", "shared-a")
    store.create_room_binding("a", "slack", "b", "shared-a")
    store.create_room_binding("a", "slack", "b", "shared-b")
    store.create_room_binding("b", "slack", "b", "shared-b")


def test_delete_room_cascades_to_everything_of_the_room(store: MemoryAdapter) -> None:
    build_two_rooms(store)
    store.delete_room("a")

    with pytest.raises(NotFound):
        store.get_room("a")
    assert store.get_messages("a") == []
    for message_id in ("ma", "ma2"):
        with pytest.raises(NotFound):
            store.get_message(message_id)
    with pytest.raises(NotFound):
        store.get_message_by_external_id("slack", "b", "K2")
    with pytest.raises(NotFound):
        store.get_thread("ta")
    with pytest.raises(NotFound):
        store.get_thread_by_external_id("a", "x")
    with pytest.raises(NotFound):
        store.get_thread_by_root_message("a", "m")
    assert store.list_threads("a") == []
    assert store.list_room_bindings("a") == []
    with pytest.raises(NotFound):
        store.get_routing_policy("a")
    with pytest.raises(NotFound):
        store.get_room_by_external_binding("slack", "b", "own-a")
    # a took "shared-a" last: the key goes, and b's record stays listed under b.
    with pytest.raises(NotFound):
        store.get_room_by_external_binding("slack", "b", "shared-a")
    assert {b.external_room_id for b in store.list_room_bindings("b")} == {
        "own-b",
        "shared-a",
        "shared-b",
    }
    # b took "shared-b" last: it keeps the key.
    assert store.get_room_by_external_binding("slack", "b", "shared-b").id == "b"

    index = store.raw_index()
    assert "a" not in index["room_binding_keys"].values()
    assert index["message_keys"] == {("slack", "b", "K"): "mb"}
    assert index["thread_external_keys"] == {("b", "x"): "tb"}
    assert index["thread_root_keys"] == {("b", "m"): "tb"}
    assert index["row_counts"]["rooms"] == 1
    assert index["row_counts"]["messages"] == 1
    assert index["row_counts"]["threads"] == 1
    assert index["row_counts"]["room_bindings"] == 3
    assert index["row_counts"]["routing_policies"] == 1


def test_delete_room_leaves_participants_and_other_rooms_alone(store: MemoryAdapter) -> None:
    build_two_rooms(store)
    before_b = (
        store.get_room("b"),
        store.get_messages("b"),
        store.list_threads("b"),
        store.get_routing_policy("b"),
        store.get_thread_by_external_id("b", "x"),
    )
    store.delete_room("a")
    after_b = (
        store.get_room("b"),
        store.get_messages("b"),
        store.list_threads("b"),
        store.get_routing_policy("b"),
        store.get_thread_by_external_id("b", "x"),
    )
    assert after_b == before_b
    assert store.get_participant("p").id == "p"
    assert store.get_participant("p2").id == "p2"
    assert store.raw_index()["participant_keys"] == {("slack", "U1"): "p2"}
    assert store.get_message_by_external_id("slack", "b", "K").id == "mb"


def test_delete_room_is_idempotent(store: MemoryAdapter) -> None:
    build_two_rooms(store)
    store.delete_room("a")
    index = store.raw_index()
    store.delete_room("a")
    store.delete_room("never-existed")
    assert store.raw_index() == index


def test_delete_room_cascades_when_the_room_record_is_absent(store: MemoryAdapter) -> None:
    store.save_message(message("m1", "ghost", external_id="E"))
    store.save_thread(Thread(id="t1", room_id="ghost", external_thread_id="x"))
    binding = store.create_room_binding("ghost", "slack", "b", "G")
    store.save_routing_policy(RoutingPolicy(room_id="ghost"))
    assert isinstance(binding, RoomBinding)
    store.delete_room("ghost")
    index = store.raw_index()
    assert index["message_keys"] == {}
    assert index["thread_external_keys"] == {}
    assert index["room_binding_keys"] == {}
    assert all(count == 0 for count in index["row_counts"].values())


def test_deleting_a_room_does_not_remove_a_moved_message(store: MemoryAdapter) -> None:
    store.save_message(message("m", "a", external_id="E"))
    moved = message("m", "b", external_id="E")
    store.save_message(moved)
    store.delete_room("a")
    assert store.get_message("m") == moved
    assert store.get_message_by_external_id("slack", "b", "E") == moved
