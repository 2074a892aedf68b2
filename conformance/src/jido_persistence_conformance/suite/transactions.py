"""Transactions (contract 1.3, section 9.4): ``transaction()`` blocks and savepoints."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.models import Room, RoomType, RoutingPolicy, Thread
from jido_persistence_conformance._support import (
    HUGE,
    capability,
    message,
    populate_everything,
    snapshot,
)
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["TransactionsTests"]

NO_URL = "the store factory gives no URL another process can open (url_for returned None)"
BLOCKED_OR_DONE = 1.0
"""Seconds the isolation tests give a concurrent call to finish before they take it as
waiting for the block (either outcome is checked; the wait is a bound, not a sleep)."""


class Boom(Exception):
    """The exception the tests raise inside blocks."""


def _room(room_id: str) -> Room:
    return Room(id=room_id, type=RoomType.GROUP)


def _present(read: Callable[[], Any]) -> bool:
    try:
        read()
    except NotFound:
        return False
    return True


def _full_cascade(store: PersistenceAdapter, room_id: str) -> None:
    """A room with everything ``delete_room`` cascades to."""
    store.save_room(_room(room_id))
    store.save_message(
        message(
            f"{room_id}:m1", room_id, external_id="E", metadata={"channel": "c", "bridge_id": "b"}
        )
    )
    store.save_message(message(f"{room_id}:m2", room_id, thread_id=f"{room_id}:t"))
    store.save_thread(Thread(id=f"{room_id}:t", room_id=room_id, external_thread_id="T"))
    store.create_room_binding(room_id, "c", "b", f"{room_id}:C")
    store.save_routing_policy(RoutingPolicy(room_id=room_id))


class TransactionsTests:
    """All or nothing, savepoints, isolation from other threads and processes.

    Each test is marked for the ``transactions`` capability by itself: a mark on this
    mixin would reach every test of the class that inherits it.
    """

    @capability("transactions")
    def test_a_block_commits_every_call(self, store: PersistenceAdapter) -> None:
        """The calls of a block that ends normally are all stored, and the block's own
        reads see its writes before it ends.

        Troubleshooting: the callbacks a thread makes inside the block must run in the
        block (the same connection or lock), not beside it.
        """
        with store.transaction():
            _full_cascade(store, "room:tx")
            assert store.get_room("room:tx").id == "room:tx"
            assert [m.id for m in store.get_messages("room:tx")] == ["room:tx:m1", "room:tx:m2"]
            room = store.get_or_create_room_by_external_binding(
                "c", "b", "K", {"type": "group", "id": "room:key"}
            )
            assert room.id == "room:key"
        assert store.get_room_by_external_binding("c", "b", "K").id == "room:key"
        assert store.get_message_by_external_id("c", "b", "E").id == "room:tx:m1"
        assert store.get_thread_by_external_id("room:tx", "T").id == "room:tx:t"
        assert [b.external_room_id for b in store.list_room_bindings("room:tx")] == ["room:tx:C"]

    @capability("transactions")
    def test_an_exception_undoes_the_whole_block(self, store: PersistenceAdapter) -> None:
        """An exception leaving a block undoes every call of it (records, keys, indexes)
        and propagates unchanged.

        Troubleshooting: every write of the block must be undone, including index
        entries and key rows.  Usual mistakes: committing per callback inside the
        block, or an undo log that forgets the key tables.
        """
        extra = populate_everything(store)
        before = snapshot(store, **extra)
        raised = Boom("inside")
        with pytest.raises(Boom) as caught, store.transaction():  # noqa: PT012 - the block is the unit under test
            store.save_room(_room("room:new"))
            store.save_room(Room(id="room:1", type=RoomType.CHANNEL, name="changed"))
            store.delete_message("m:1")
            store.update_message_external_id("m:2", "E9")
            store.delete_participant("p:1")
            store.get_or_create_participant_by_external_id("slack", "U9", {"type": "human"})
            store.create_room_binding("room:1", "slack", "42", "C2")
            store.save_onboarding({"onboarding_id": "o:1", "steps": []})
            store.delete_bridge_config("bc:1")
            raise raised
        assert caught.value is raised
        assert snapshot(store, **extra) == before

    @capability("transactions")
    def test_an_exception_after_a_cascade_restores_all_of_it(
        self, store: PersistenceAdapter
    ) -> None:
        """``delete_room`` inside a block that then fails: the room, its messages,
        threads, bindings, keys and routing policy are all back.

        Troubleshooting: a cascade inside a block must be undone as a whole.  Usual
        mistake: restoring the room record but not what the cascade removed with it.
        """
        _full_cascade(store, "room:c")
        before = snapshot(store, room_ids=["room:c"], binding_keys=[("c", "b", "room:c:C")])
        with pytest.raises(Boom), store.transaction():  # noqa: PT012 - the block is the unit under test
            store.save_message(message("room:c:m3", "room:c"))
            store.delete_room("room:c")
            assert not _present(lambda: store.get_room("room:c"))
            store.save_room(_room("room:other"))
            raise Boom
        after = snapshot(store, room_ids=["room:c"], binding_keys=[("c", "b", "room:c:C")])
        assert after == before

    @capability("transactions")
    def test_a_nested_block_is_a_savepoint(self, store: PersistenceAdapter) -> None:
        """An exception leaving a nested block undoes only its calls; the outer block
        goes on and commits the rest.

        Troubleshooting: a nested ``transaction()`` must be a savepoint, not a no-op
        (which would keep the inner calls) nor a second outer transaction.
        """
        with store.transaction():
            store.save_room(_room("room:outer"))
            with pytest.raises(Boom), store.transaction():  # noqa: PT012 - the block is the unit under test
                store.save_room(_room("room:inner"))
                store.delete_room("room:outer")
                raise Boom
            assert store.get_room("room:outer").id == "room:outer"
            assert not _present(lambda: store.get_room("room:inner"))
            with store.transaction():
                store.save_room(_room("room:kept"))
            store.save_room(_room("room:after"))
        rooms = sorted(room.id for room in store.list_rooms(limit=HUGE))
        assert rooms == ["room:after", "room:kept", "room:outer"]

    @capability("transactions")
    def test_an_outer_failure_undoes_committed_savepoints(self, store: PersistenceAdapter) -> None:
        """A nested block that ended normally is undone with its outer block."""
        with pytest.raises(Boom), store.transaction():  # noqa: PT012 - the block is the unit under test
            with store.transaction():
                store.save_room(_room("room:inner"))
            raise Boom
        assert store.list_rooms(limit=HUGE) == []

    @capability("transactions")
    def test_a_failing_callback_inside_a_block_keeps_the_block_usable(
        self, store: PersistenceAdapter
    ) -> None:
        """A callback that raises a contract error inside a block (here NotFound) leaves
        the block's other calls intact and the block usable.
        """
        with store.transaction():
            store.save_room(_room("room:a"))
            with pytest.raises(NotFound):
                store.delete_bridge_config("bc:missing")
            store.save_room(_room("room:b"))
        assert sorted(room.id for room in store.list_rooms(limit=HUGE)) == ["room:a", "room:b"]

    @capability("transactions")
    def test_a_concurrent_reader_sees_all_or_nothing(self, store: PersistenceAdapter) -> None:
        """Another thread reading while a block is open either waits for it (and then
        sees all of it) or runs as if before it (and sees none of it); never a part.

        Troubleshooting: single-writer stores hold their lock for the whole block;
        MVCC stores keep the block in an uncommitted transaction.  Usual mistake:
        writes of a block visible to other threads before it ends.
        """
        seen: list[tuple[bool, bool]] = []
        started, done = threading.Event(), threading.Event()

        def read() -> None:
            started.wait(timeout=60)
            seen.append(
                (
                    _present(lambda: store.get_room("room:x")),
                    _present(lambda: store.get_room("room:y")),
                )
            )
            done.set()

        reader = threading.Thread(target=read)
        reader.start()
        try:
            with store.transaction():
                store.save_room(_room("room:x"))
                started.set()
                finished_inside = done.wait(timeout=BLOCKED_OR_DONE)
                store.save_room(_room("room:y"))
        finally:
            started.set()
            reader.join(timeout=60)
        assert seen, "the reader did not finish"
        if finished_inside:
            assert seen == [(False, False)], "a reader during the block saw part of it"
        else:
            # It waited for the block (all of it), or read before the commit and was
            # slow to finish (none of it); never a part.
            assert seen[0] in {(True, True), (False, False)}, f"a reader saw {seen[0]}"

    @capability("transactions")
    def test_another_threads_write_survives_a_rolled_back_block(
        self, store: PersistenceAdapter
    ) -> None:
        """A write of another thread made while a block is open is not undone by that
        block's rollback (it waited for the block, or ran beside it).
        """
        errors: list[BaseException] = []
        started = threading.Event()

        def write() -> None:
            started.wait(timeout=60)
            try:
                store.save_room(_room("room:theirs"))
            except BaseException as error:  # reported below
                errors.append(error)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            with pytest.raises(Boom), store.transaction():  # noqa: PT012 - the block is the unit under test
                store.save_room(_room("room:mine"))
                started.set()
                writer.join(timeout=BLOCKED_OR_DONE)
                raise Boom
        finally:
            started.set()
            writer.join(timeout=60)
        assert not errors, f"the other thread's write failed: {errors!r}"
        assert [room.id for room in store.list_rooms(limit=HUGE)] == ["room:theirs"]

    @capability("transactions")
    def test_transaction_after_close_raises_store_closed(self, factory: StoreFactory) -> None:
        """``transaction()`` on a closed store raises StoreClosed."""
        closed = factory.create()
        closed.close()
        with pytest.raises(StoreClosed), closed.transaction():
            pass  # pragma: no cover - never entered

    @capability("transactions")
    @capability("durable")
    def test_a_process_killed_inside_a_block_leaves_nothing(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """A process killed with SIGKILL inside a block leaves none of the block behind
        (and, on multi-process stores, no other process sees it meanwhile).

        Troubleshooting: nothing of a block may reach the disk or be committed before
        it ends.  Usual mistake: writing each callback of the block as it comes.
        """
        url = factory.url_for(store)
        if url is None:
            pytest.skip(NO_URL)
        shared = store.capabilities.multi_process
        if not shared:
            store.close()
        child = subprocess.Popen(
            [sys.executable, "-m", "jido_persistence_conformance._child", "block", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline().strip()
            assert line == "in-block", f"the child did not open its block: {line!r}"
            if shared:
                assert not _present(lambda: store.get_room("room:block"))
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            _, errors = child.communicate(timeout=60)
        again = store if shared else factory.reopen(store)
        try:
            assert not _present(lambda: again.get_room("room:block")), errors
            assert again.get_messages("room:block", limit=HUGE) == []
        finally:
            if again is not store:
                again.close()
