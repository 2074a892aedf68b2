"""Durability (durable adapters only): close/reopen, new processes, SIGKILL mid-burst."""

from __future__ import annotations

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import StoreLocked
from jido_persistence.models import Room, RoomType
from jido_persistence_conformance._support import (
    HUGE,
    burst_then_kill,
    capability,
    populate_everything,
    run_child,
    snapshot,
)
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["DurabilityTests"]

NO_URL = "the store factory gives no URL another process can open (url_for returned None)"
ACKNOWLEDGED_BEFORE_KILL = 40


def _url(factory: StoreFactory, store: PersistenceAdapter) -> str:
    url = factory.url_for(store)
    if url is None:
        pytest.skip(NO_URL)
    return url


class DurabilityTests:
    """What a durable adapter promises: data outlives the instance and the process."""

    @capability("durable")
    def test_everything_survives_close_and_reopen(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """Every record, key and index is the same after ``close()`` and reopening.

        Troubleshooting: reopening must rebuild nothing from scratch that loses
        information (save order of key holders, ``None`` timestamps, JSON types).
        Usual mistakes: an in-memory index rebuilt from rows in another order, a
        write buffer not flushed by ``close()``, or a cache that was never persisted.
        """
        extra = populate_everything(store)
        before = snapshot(store, **extra)
        store.close()
        again = factory.reopen(store)
        try:
            assert snapshot(again, **extra) == before
            again.save_room(Room(id="room:after", type=RoomType.GROUP))
            assert again.get_room("room:after").id == "room:after"
        finally:
            again.close()

    @capability("durable")
    def test_data_reaches_a_new_process(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """A new process opening the store's URL sees what this one wrote and closed.

        Troubleshooting: ``url_for`` must give a URL that reaches the same store.
        Usual mistake: a relative path resolved against another working directory.
        """
        url = _url(factory, store)
        populate_everything(store)
        expected = sorted(room.id for room in store.list_rooms(limit=HUGE))
        store.close()
        assert sorted(run_child("rooms", url)) == expected

    @capability("durable")
    def test_sigkill_mid_burst_keeps_acknowledged_writes(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """A writer killed with SIGKILL mid-burst leaves a store that opens and holds every
        write that returned before the kill.

        Troubleshooting: a callback returns only after its write is durable and
        atomic.  Usual mistakes: buffering writes until ``close()``, rewriting the
        whole file in place (a torn file after the kill), a lock file that a killed
        process leaves behind, or a journal that is not replayed on open.
        """
        url = _url(factory, store)
        store.close()
        acknowledged, errors = burst_then_kill(url, ACKNOWLEDGED_BEFORE_KILL)
        assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, f"the writer died early:\n{errors}"
        again = factory.reopen(store)
        try:
            stored = {message.id for message in again.get_messages("room:burst", limit=HUGE)}
            missing = [message_id for message_id in acknowledged if message_id not in stored]
            assert not missing, f"{len(missing)} acknowledged writes lost, first {missing[:5]}"
            for message_id in acknowledged[-3:]:
                assert again.get_message(message_id).metadata["index"] == int(message_id[6:])
        finally:
            again.close()

    @capability("durable")
    def test_second_instance_sees_writes_or_is_locked(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """A second instance on the same location sees committed writes, or raises StoreLocked.

        Troubleshooting: ``StoreLocked`` comes from construction only, at once.  Usual
        mistakes: two instances each caching the file and overwriting each other's
        writes, or a second instance that hangs waiting for the lock.
        """
        store.save_room(Room(id="room:first", type=RoomType.GROUP))
        try:
            second = factory.reopen(store)
        except StoreLocked:
            return
        try:
            assert second.get_room("room:first").id == "room:first"
            second.save_room(Room(id="room:second", type=RoomType.GROUP))
            assert store.get_room("room:second").id == "room:second"
        finally:
            second.close()
