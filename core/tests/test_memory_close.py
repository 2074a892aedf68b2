"""Closing the memory adapter: every callback raises StoreClosed afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jido_persistence._checks import CALLBACK_CHECKS
from jido_persistence.errors import StoreClosed
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoutingPolicy,
    Thread,
)

ROOM = Room(id="r", type="group")
CALLS: dict[str, Callable[[MemoryAdapter], Any]] = {
    "save_room": lambda s: s.save_room(ROOM),
    "get_room": lambda s: s.get_room("r"),
    "delete_room": lambda s: s.delete_room("r"),
    "list_rooms": lambda s: s.list_rooms(),
    "save_participant": lambda s: s.save_participant(Participant(type="human")),
    "get_participant": lambda s: s.get_participant("p"),
    "delete_participant": lambda s: s.delete_participant("p"),
    "save_message": lambda s: s.save_message(Message(room_id="r", sender_id="s", role="user")),
    "get_message": lambda s: s.get_message("m"),
    "get_messages": lambda s: s.get_messages("r"),
    "delete_message": lambda s: s.delete_message("m"),
    "save_thread": lambda s: s.save_thread(Thread(room_id="r")),
    "get_thread": lambda s: s.get_thread("t"),
    "get_thread_by_external_id": lambda s: s.get_thread_by_external_id("r", "x"),
    "get_thread_by_root_message": lambda s: s.get_thread_by_root_message("r", "m"),
    "list_threads": lambda s: s.list_threads("r"),
    "get_or_create_room_by_external_binding": lambda s: s.get_or_create_room_by_external_binding(
        "c", "b", "e", {"type": "group"}
    ),
    "get_or_create_participant_by_external_id": (
        lambda s: s.get_or_create_participant_by_external_id("c", "e", {"type": "human"})
    ),
    "get_message_by_external_id": lambda s: s.get_message_by_external_id("c", "b", "e"),
    "update_message_external_id": lambda s: s.update_message_external_id("m", "e"),
    "get_room_by_external_binding": lambda s: s.get_room_by_external_binding("c", "b", "e"),
    "create_room_binding": lambda s: s.create_room_binding("r", "c", "b", "e"),
    "list_room_bindings": lambda s: s.list_room_bindings("r"),
    "delete_room_binding": lambda s: s.delete_room_binding("bind_x"),
    "directory_search": lambda s: s.directory_search("room", {}),
    "directory_lookup": lambda s: s.directory_lookup("room", {}),
    "save_onboarding": lambda s: s.save_onboarding({"onboarding_id": "o"}),
    "get_onboarding": lambda s: s.get_onboarding("o"),
    "save_bridge_config": lambda s: s.save_bridge_config(BridgeConfig(adapter_module="m")),
    "get_bridge_config": lambda s: s.get_bridge_config("b"),
    "list_bridge_configs": lambda s: s.list_bridge_configs(),
    "delete_bridge_config": lambda s: s.delete_bridge_config("b"),
    "save_routing_policy": lambda s: s.save_routing_policy(RoutingPolicy(room_id="r")),
    "get_routing_policy": lambda s: s.get_routing_policy("r"),
    "delete_routing_policy": lambda s: s.delete_routing_policy("r"),
    "save_ingress_subscription": lambda s: s.save_ingress_subscription(
        IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a")
    ),
    "list_ingress_subscriptions": lambda s: s.list_ingress_subscriptions("b"),
    "delete_ingress_subscription": lambda s: s.delete_ingress_subscription("b", "s"),
}


def test_the_table_covers_every_callback() -> None:
    assert set(CALLS) == set(CALLBACK_CHECKS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_callback_raises_store_closed_after_close(name: str) -> None:
    store = MemoryAdapter()
    store.save_room(ROOM)
    store.close()
    with pytest.raises(StoreClosed):
        CALLS[name](store)
    store.close()
    with pytest.raises(StoreClosed):
        CALLS[name](store)


def test_the_raw_index_reader_is_closed_too() -> None:
    store = MemoryAdapter()
    store.close()
    with pytest.raises(StoreClosed):
        store.raw_index()


def test_close_twice_and_what_still_works() -> None:
    store = MemoryAdapter()
    store.close()
    store.close()
    assert store.closed
    assert store.capabilities.ingress_subscriptions is True
    assert store.capabilities.durable is False
    assert MemoryAdapter.Options.parse({}) is not None


def test_context_manager() -> None:
    with MemoryAdapter() as store:
        assert not store.closed
        store.save_room(ROOM)
        assert store.get_room("r") == ROOM
    assert store.closed
    with pytest.raises(StoreClosed):
        store.get_room("r")


def test_instances_are_isolated_and_data_does_not_survive_close() -> None:
    first = MemoryAdapter()
    second = MemoryAdapter()
    first.save_room(ROOM)
    assert second.list_rooms() == []
    first.close()
    third = MemoryAdapter()
    assert third.list_rooms() == []
