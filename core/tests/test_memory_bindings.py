"""Room bindings in the memory adapter: upserts, key ownership, deletes, against an oracle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Room, RoomBinding

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def test_create_returns_the_record(store: MemoryAdapter) -> None:
    store.save_room(Room(id="r", type="group"))
    binding = store.create_room_binding("r", "slack", 5, 6)
    assert isinstance(binding, RoomBinding)
    assert (binding.room_id, binding.channel, binding.bridge_id, binding.external_room_id) == (
        "r",
        "slack",
        "5",
        "6",
    )
    assert binding.id.startswith("bind_")
    assert (binding.direction, binding.enabled) == ("both", True)
    assert store.list_room_bindings("r") == [binding]
    assert store.get_room_by_external_binding("slack", "5", "6").id == "r"


def test_create_takes_its_fields_from_attrs(store: MemoryAdapter) -> None:
    binding = store.create_room_binding(
        "r",
        "slack",
        "b",
        "C",
        {"id": "bind:mine", "direction": "inbound", "enabled": False, "inserted_at": EPOCH},
    )
    assert binding == RoomBinding(
        id="bind:mine",
        room_id="r",
        channel="slack",
        bridge_id="b",
        external_room_id="C",
        direction="inbound",
        enabled=False,
        inserted_at=EPOCH,
    )


def test_the_room_need_not_exist(store: MemoryAdapter) -> None:
    binding = store.create_room_binding("ghost", "slack", "b", "C")
    assert store.list_room_bindings("ghost") == [binding]
    assert store.raw_index()["room_binding_keys"] == {("slack", "b", "C"): "ghost"}
    with pytest.raises(NotFound) as caught:
        store.get_room_by_external_binding("slack", "b", "C")
    assert (caught.value.entity, caught.value.key) == ("room", ("slack", "b", "C"))
    room = store.save_room(Room(id="ghost", type="group"))
    assert store.get_room_by_external_binding("slack", "b", "C") == room


def test_a_second_create_updates_the_same_record(store: MemoryAdapter) -> None:
    first = store.create_room_binding("r", "slack", "b", "C", {"inserted_at": EPOCH})
    second = store.create_room_binding(
        "r",
        "slack",
        "b",
        "C",
        {"direction": "outbound", "inserted_at": EPOCH + timedelta(days=1), "id": "fresh"},
    )
    assert second.id == first.id
    assert second.inserted_at == EPOCH
    assert (second.direction, second.enabled) == ("outbound", True)
    third = store.create_room_binding("r", "slack", "b", "C", {"enabled": False})
    assert (third.id, third.direction, third.enabled) == (first.id, "outbound", False)
    unchanged = store.create_room_binding("r", "slack", "b", "C")
    assert unchanged == third
    assert store.list_room_bindings("r") == [third]
    assert store.raw_index()["row_counts"]["room_bindings"] == 1


def test_an_id_of_another_record_is_rejected(store: MemoryAdapter) -> None:
    other = store.create_room_binding("r1", "slack", "b", "C1")
    store.create_room_binding("r2", "slack", "b", "C2")
    before = store.raw_index()
    with pytest.raises(InvalidArgument):
        store.create_room_binding("r2", "slack", "b", "C2", {"id": other.id})
    with pytest.raises(InvalidArgument):
        store.create_room_binding("r3", "slack", "b", "C3", {"id": other.id})
    with pytest.raises(InvalidArgument):
        store.create_room_binding("r1", "slack", "b", "C9", {"id": other.id})
    assert store.raw_index() == before
    same = store.create_room_binding("r1", "slack", "b", "C1", {"id": other.id})
    assert same == other


@pytest.mark.parametrize(
    ("attrs", "checked_on_update"),
    [
        ({"direction": "sideways"}, True),
        ({"enabled": "maybe"}, True),
        ({"enabled": None}, True),
        ({"room_id": "x"}, True),
        ({"external_room_id": "x"}, True),
        ({"id": ""}, True),
        ({"inserted_at": datetime(2024, 1, 1)}, True),
    ],
)
def test_invalid_attrs_store_nothing(
    store: MemoryAdapter, attrs: dict[str, Any], checked_on_update: bool
) -> None:
    """Every attr is validated, for a new record and for an update alike."""
    store.create_room_binding("r", "slack", "b", "C")
    before = store.raw_index()
    records = store.list_room_bindings("r")
    with pytest.raises(InvalidArgument) as caught:
        store.create_room_binding("r2", "slack", "b", "C", attrs)
    assert caught.value.__cause__ is None or isinstance(caught.value.__cause__, ValidationError)
    assert store.raw_index() == before
    assert store.list_room_bindings("r2") == []
    if checked_on_update:
        with pytest.raises(InvalidArgument):
            store.create_room_binding("r", "slack", "b", "C", attrs)
        assert store.list_room_bindings("r") == records
    else:
        assert store.create_room_binding("r", "slack", "b", "C", attrs) == records[0]
    assert store.raw_index() == before


def test_the_key_moves_and_other_records_stay_listed(store: MemoryAdapter) -> None:
    first = store.create_room_binding("r1", "slack", "b", "C")
    second = store.create_room_binding("r2", "slack", "b", "C")
    assert first.id != second.id
    assert store.raw_index()["room_binding_keys"] == {("slack", "b", "C"): "r2"}
    assert store.list_room_bindings("r1") == [first]
    assert store.list_room_bindings("r2") == [second]
    store.create_room_binding("r1", "slack", "b", "C")
    assert store.raw_index()["room_binding_keys"] == {("slack", "b", "C"): "r1"}
    assert store.list_room_bindings("r1") == [first]


def test_delete_room_binding(store: MemoryAdapter) -> None:
    first = store.create_room_binding("r1", "slack", "b", "C")
    second = store.create_room_binding("r2", "slack", "b", "C")
    store.delete_room_binding(first.id)
    assert store.list_room_bindings("r1") == []
    assert store.raw_index()["room_binding_keys"] == {("slack", "b", "C"): "r2"}
    store.delete_room_binding(second.id)
    assert store.raw_index()["room_binding_keys"] == {}
    with pytest.raises(NotFound) as caught:
        store.delete_room_binding(second.id)
    assert (caught.value.entity, caught.value.key) == ("room_binding", second.id)


# --- against an oracle --------------------------------------------------------------------

ROOMS = ["r1", "r2", "r3"]
KEYS = [("slack", "b", "C1"), ("slack", "b", "C2"), ("tg", "1", "C1")]

binding_steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("create"),
            st.tuples(
                st.sampled_from(ROOMS),
                st.sampled_from(KEYS),
                st.fixed_dictionaries(
                    {},
                    optional={
                        "direction": st.sampled_from(["inbound", "outbound", "both"]),
                        "enabled": st.booleans(),
                    },
                ),
            ),
        ),
        st.tuples(st.just("delete_binding"), st.integers(0, 8)),
        st.tuples(st.just("delete_room"), st.sampled_from(ROOMS)),
        st.tuples(st.just("save_room"), st.sampled_from(ROOMS)),
    ),
    max_size=30,
)


@settings(max_examples=100)
@given(steps=binding_steps)
def test_bindings_match_an_oracle(steps: list[tuple[str, Any]]) -> None:
    store = MemoryAdapter()
    records: dict[tuple[str, tuple[str, str, str]], RoomBinding] = {}
    keys: dict[tuple[str, str, str], str] = {}
    rooms: set[str] = set()
    for operation, argument in steps:
        if operation == "create":
            room_id, key, attrs = argument
            made = store.create_room_binding(room_id, *key, attrs)
            existing = records.get((room_id, key))
            if existing is not None:
                assert made == existing.model_copy(update=attrs)
            else:
                assert made.model_dump(include={"direction", "enabled"}) == {
                    "direction": "both",
                    "enabled": True,
                    **attrs,
                }
            records[(room_id, key)] = made
            keys[key] = room_id
        elif operation == "delete_binding":
            ordered = sorted(records.values(), key=lambda b: b.id)
            if argument >= len(ordered):
                with pytest.raises(NotFound):
                    store.delete_room_binding(f"bind_missing{argument}")
                continue
            gone = ordered[argument]
            store.delete_room_binding(gone.id)
            key = (gone.channel, gone.bridge_id, gone.external_room_id)
            del records[(gone.room_id, key)]
            if keys.get(key) == gone.room_id:
                del keys[key]
        elif operation == "delete_room":
            store.delete_room(argument)
            rooms.discard(argument)
            records = {k: v for k, v in records.items() if k[0] != argument}
            keys = {k: v for k, v in keys.items() if v != argument}
        else:
            store.save_room(Room(id=argument, type="group"))
            rooms.add(argument)
    assert store.raw_index()["room_binding_keys"] == keys
    assert store.raw_index()["row_counts"]["room_bindings"] == len(records)
    for room_id in ROOMS:
        listed = store.list_room_bindings(room_id)
        assert listed == sorted(listed, key=lambda b: (b.inserted_at, b.id))
        assert {b.id: b for b in listed} == {
            b.id: b for (owner, _), b in records.items() if owner == room_id
        }
    for key in KEYS:
        if keys.get(key) in rooms:
            assert store.get_room_by_external_binding(*key).id == keys[key]
        else:
            with pytest.raises(NotFound):
                store.get_room_by_external_binding(*key)


@pytest.mark.parametrize("enabled", ["yes", "false", 1, 0, None])
def test_binding_enabled_must_be_a_bool(store: MemoryAdapter, enabled: object) -> None:
    """A lax ``"false"`` would silently enable or disable a binding; it is refused."""
    store.save_room(Room(id="r", type="group"))
    kept = store.create_room_binding("r", "slack", "b", "C", {"enabled": False})
    with pytest.raises(InvalidArgument, match="enabled"):
        store.create_room_binding("r", "slack", "b", "C", {"enabled": enabled})
    with pytest.raises(InvalidArgument, match="enabled"):
        store.create_room_binding("r", "slack", "b", "D", {"enabled": enabled})
    assert store.list_room_bindings("r") == [kept]
