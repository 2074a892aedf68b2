"""Closing the memory adapter: the raw index, close twice, the context manager.

That every callback raises StoreClosed after close() is the kit's
``test_every_callback_raises_store_closed_after_close``, run on this adapter.
"""

from __future__ import annotations

import pytest

from jido_persistence.errors import StoreClosed
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Room

ROOM = Room(id="r", type="group")


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
