"""External-id resolution in the memory adapter: get-or-create for rooms and participants."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Participant, Room, RoomBinding

# --- rooms -------------------------------------------------------------------------------


def test_creates_a_room_and_its_binding_when_absent(store: MemoryAdapter) -> None:
    room = store.get_or_create_room_by_external_binding(
        "slack", "b1", "C1", {"type": "channel", "name": "general", "metadata": {"a": 1}}
    )
    assert room.type == "channel"
    assert room.name == "general"
    assert room.metadata == {"a": 1}
    assert room.external_bindings == {"slack": {"b1": "C1"}}
    assert store.get_room(room.id) == room
    assert store.get_room_by_external_binding("slack", "b1", "C1") == room
    [binding] = store.list_room_bindings(room.id)
    assert isinstance(binding, RoomBinding)
    assert (binding.room_id, binding.channel, binding.bridge_id, binding.external_room_id) == (
        room.id,
        "slack",
        "b1",
        "C1",
    )
    assert (binding.direction, binding.enabled) == ("both", True)
    assert store.raw_index()["room_binding_keys"] == {("slack", "b1", "C1"): room.id}


def test_int_ids_are_normalised(store: MemoryAdapter) -> None:
    room = store.get_or_create_room_by_external_binding("tg", 12, -34, {"type": "group"})
    assert room.external_bindings == {"tg": {"12": "-34"}}
    assert store.get_or_create_room_by_external_binding("tg", "12", "-34") == room
    assert store.get_room_by_external_binding("tg", 12, "-34") == room


def test_existing_binding_returns_the_room_and_ignores_attrs(store: MemoryAdapter) -> None:
    first = store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
    for attrs in ({"type": "direct", "name": "x"}, {"type": "bogus"}, {"id": "other"}, None):
        assert store.get_or_create_room_by_external_binding("slack", "b", "C", attrs) == first
    assert len(store.list_rooms()) == 1
    assert len(store.list_room_bindings(first.id)) == 1


def test_existing_binding_made_by_create_room_binding_is_used(store: MemoryAdapter) -> None:
    room = store.save_room(Room(id="r", type="group"))
    store.create_room_binding("r", "slack", "b", "C")
    assert store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "dm"}) == room


def test_attrs_id_is_used_as_given(store: MemoryAdapter) -> None:
    room = store.get_or_create_room_by_external_binding(
        "slack", "b", "C", {"id": "room:1", "type": "group"}
    )
    assert room.id == "room:1"
    assert store.get_room("room:1") == room


def test_given_external_bindings_are_replaced(store: MemoryAdapter) -> None:
    room = store.get_or_create_room_by_external_binding(
        "slack", "b", "C", {"type": "group", "external_bindings": {"x": {"y": "z"}}}
    )
    assert room.external_bindings == {"slack": {"b": "C"}}


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"type": "bogus"},
        {"type": "group", "surprise": 1},
        {"type": "group", "id": ""},
        {"type": "group", "id": 5},
        {"type": "group", "metadata": {"x": float("nan")}},
        {"type": "group", "name": "a\x00"},
    ],
)
def test_invalid_attrs_create_nothing(store: MemoryAdapter, attrs: dict[str, object]) -> None:
    before = store.raw_index()
    with pytest.raises(InvalidArgument) as caught:
        store.get_or_create_room_by_external_binding("slack", "b", "C", attrs)
    assert isinstance(caught.value.__cause__, ValidationError)
    assert store.raw_index() == before


def test_invalid_attrs_leave_a_stale_key_in_place(store: MemoryAdapter) -> None:
    store.create_room_binding("dead", "slack", "b", "C")
    before = store.raw_index()
    with pytest.raises(InvalidArgument):
        store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "nope"})
    assert store.raw_index() == before


def test_a_stale_binding_is_healed(store: MemoryAdapter) -> None:
    dead_binding = store.create_room_binding("dead", "slack", "b", "C")
    with pytest.raises(NotFound) as caught:
        store.get_room_by_external_binding("slack", "b", "C")
    assert (caught.value.entity, caught.value.key) == ("room", ("slack", "b", "C"))
    room = store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
    assert room.id != "dead"
    assert store.get_room_by_external_binding("slack", "b", "C") == room
    assert store.raw_index()["room_binding_keys"] == {("slack", "b", "C"): room.id}
    # The dead room keeps its own record; the new room has exactly one holding the key.
    assert store.list_room_bindings("dead") == [dead_binding]
    [new_binding] = store.list_room_bindings(room.id)
    assert new_binding.external_room_id == "C"
    assert new_binding.id != dead_binding.id


def test_a_room_can_be_recreated_under_the_dead_rooms_id(store: MemoryAdapter) -> None:
    dead_binding = store.create_room_binding("dead", "slack", "b", "C")
    room = store.get_or_create_room_by_external_binding(
        "slack", "b", "C", {"id": "dead", "type": "group"}
    )
    assert room.id == "dead"
    assert store.list_room_bindings("dead") == [dead_binding]
    assert store.get_room_by_external_binding("slack", "b", "C") == room


def test_the_key_of_a_deleted_room_is_gone_and_recreated(store: MemoryAdapter) -> None:
    first = store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
    store.delete_room(first.id)
    with pytest.raises(NotFound):
        store.get_room_by_external_binding("slack", "b", "C")
    second = store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
    assert second.id != first.id
    assert store.raw_index()["row_counts"]["room_bindings"] == 1


def test_attrs_are_not_kept_by_reference(store: MemoryAdapter) -> None:
    attrs = {"type": "group", "metadata": {"a": [1]}}
    room = store.get_or_create_room_by_external_binding("slack", "b", "C", attrs)
    attrs["metadata"]["a"].append(2)  # type: ignore[index]
    assert store.get_room(room.id).metadata == {"a": [1]}


def test_lookup_keys_are_exact(store: MemoryAdapter) -> None:
    store.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
    for key in (
        ("Slack", "b", "C"),
        ("slack", "B", "C"),
        ("slack", "b", "c"),
        ("slack", "b", "C "),
    ):
        with pytest.raises(NotFound):
            store.get_room_by_external_binding(*key)


# --- participants ------------------------------------------------------------------------


def test_creates_a_participant_when_absent(store: MemoryAdapter) -> None:
    participant = store.get_or_create_participant_by_external_id(
        "slack", "U1", {"type": "human", "identity": {"name": "Ada"}, "external_ids": {"x": "y"}}
    )
    assert participant.external_ids == {"slack": "U1"}
    assert participant.identity == {"name": "Ada"}
    assert store.get_participant(participant.id) == participant
    assert store.raw_index()["participant_keys"] == {("slack", "U1"): participant.id}


def test_existing_participant_is_returned_and_attrs_ignored(store: MemoryAdapter) -> None:
    first = store.get_or_create_participant_by_external_id("slack", 7, {"type": "human"})
    assert first.external_ids == {"slack": "7"}
    for attrs in ({"type": "agent"}, {"type": "bogus"}, None):
        assert store.get_or_create_participant_by_external_id("slack", "7", attrs) == first
    assert store.raw_index()["row_counts"]["participants"] == 1


def test_participant_attrs_id_is_used(store: MemoryAdapter) -> None:
    made = store.get_or_create_participant_by_external_id("c", "e", {"id": "p:1", "type": "agent"})
    assert made.id == "p:1"


@pytest.mark.parametrize("attrs", [None, {}, {"type": "alien"}, {"type": "human", "x": 1}])
def test_invalid_participant_attrs_create_nothing(
    store: MemoryAdapter, attrs: dict[str, object] | None
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        store.get_or_create_participant_by_external_id("slack", "U1", attrs)
    assert isinstance(caught.value.__cause__, ValidationError)
    index = store.raw_index()
    assert index["participant_keys"] == {}
    assert index["row_counts"]["participants"] == 0


def test_a_stale_participant_key_is_healed(store: MemoryAdapter) -> None:
    first = store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human"})
    store.delete_participant(first.id)
    second = store.get_or_create_participant_by_external_id("slack", "U1", {"type": "agent"})
    assert second.id != first.id
    assert store.get_participant(second.id) == second
    assert store.raw_index()["participant_keys"] == {("slack", "U1"): second.id}


def test_save_participant_does_not_bind(store: MemoryAdapter) -> None:
    store.save_participant(Participant(id="p", type="human", external_ids={"slack": "U1"}))
    made = store.get_or_create_participant_by_external_id("slack", "U1", {"type": "agent"})
    assert made.id != "p"
    assert store.get_participant("p").external_ids == {"slack": "U1"}


def test_participant_keys_are_per_channel(store: MemoryAdapter) -> None:
    one = store.get_or_create_participant_by_external_id("slack", "1", {"type": "human"})
    two = store.get_or_create_participant_by_external_id("discord", "1", {"type": "human"})
    assert one.id != two.id


# --- NotFound.key is the argument as given (contract section 5) ----------------------

external_ids = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=512
    ),
)


@settings(max_examples=40)
@given(bridge_id=external_ids, external_id=external_ids, by_name=st.booleans())
def test_not_found_key_is_the_lookup_as_given(
    bridge_id: int | str, external_id: int | str, by_name: bool
) -> None:
    """Ints stay ints and strings stay the same object, positional or by name."""
    store = MemoryAdapter()
    for callback, entity in (
        (store.get_message_by_external_id, "message"),
        (store.get_room_by_external_binding, "room"),
    ):
        call = (
            functools.partial(
                callback, channel="slack", bridge_id=bridge_id, external_id=external_id
            )
            if by_name
            else functools.partial(callback, "slack", bridge_id, external_id)
        )
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.entity == entity
        assert caught.value.key == ("slack", bridge_id, external_id)
        assert [type(part) for part in caught.value.key] == [
            str,
            type(bridge_id),
            type(external_id),
        ]
        assert repr(caught.value.key) in str(caught.value)


def test_not_found_key_of_a_thread_keeps_an_int_external_id(store: MemoryAdapter) -> None:
    with pytest.raises(NotFound) as caught:
        store.get_thread_by_external_id(room_id="r", external_thread_id=12)
    assert caught.value.key == ("r", 12)
    assert type(caught.value.key[1]) is int
