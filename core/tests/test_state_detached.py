"""Saved records are stored detached from the caller's instance (its containers copied)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from jido_persistence import PersistenceAdapter
from jido_persistence.detach import detached
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Participant, Room, TextPart
from jido_persistence_conformance import strategies as kit


def _containers(value: Any) -> list[dict[str, Any] | list[Any]]:
    """Every dict and list reachable from ``value`` (through models, their extras too)."""
    found: list[dict[str, Any] | list[Any]] = []
    if isinstance(value, BaseModel):
        for item in [*vars(value).values(), *(value.__pydantic_extra__ or {}).values()]:
            found += _containers(item)
    elif isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += _containers(item)
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            found += _containers(item)
    return found


@settings(max_examples=60, deadline=None)
@given(record=st.one_of(kit.messages(), kit.rooms(), kit.participants(), kit.threads()))
def test_a_detached_record_equals_the_original_and_shares_no_container(record: Any) -> None:
    """Equal, same JSON, and not one dict or list is shared with the original."""
    copy = detached(record)
    assert copy == record
    assert copy.model_dump(mode="json") == record.model_dump(mode="json")
    originals = {id(container) for container in _containers(record)}
    assert not originals & {id(container) for container in _containers(copy)}


def test_a_record_without_containers_is_not_copied() -> None:
    """Nothing to protect, nothing copied (the save path stays cheap)."""
    part = TextPart(text="hi")
    assert detached(part) is part
    assert detached("text") == "text"


def check_saved_instances_are_detached(store: PersistenceAdapter) -> None:
    """The known defect: the store kept the caller's instance, so an in-place change of
    its dict or list fields after ``save_*`` changed the stored record."""
    message = Message(
        id="m1",
        room_id="r1",
        sender_id="u1",
        role="user",
        content=[{"type": "text", "text": "hi"}],
        metadata={"tags": ["a"]},
    )
    room = Room(id="r1", type="group", external_bindings={"slack": {"b": "C1"}})
    participant = Participant(id="u1", type="human", identity={"name": "Ada"})
    store.save_message(message)
    store.save_room(room)
    store.save_participant(participant)
    message.metadata["tags"].append("b")
    message.metadata["new"] = 1
    message.content.clear()
    room.external_bindings["slack"]["b"] = "C2"
    participant.identity["name"] = "Eve"
    stored = store.get_message("m1")
    assert stored.metadata == {"tags": ["a"]}
    assert [part.model_dump() for part in stored.content] == [{"type": "text", "text": "hi"}]
    assert store.get_room("r1").external_bindings == {"slack": {"b": "C1"}}
    assert store.get_participant("u1").identity == {"name": "Ada"}
    assert [found.id for found in store.directory_search("participant", {"name": "ada"})] == ["u1"]
    assert store.directory_search("participant", {"name": "eve"}) == []


def test_changing_a_saved_instance_in_place_does_not_change_the_memory_store() -> None:
    """See :func:`check_saved_instances_are_detached` (the TinyDB tests run it too)."""
    with MemoryAdapter() as store:
        check_saved_instances_are_detached(store)
