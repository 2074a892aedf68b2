"""Concurrency: racing threads and processes (contract 1 and 4, get-or-create)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.models import Message, MessageRole, Participant, Room, RoomType
from jido_persistence_conformance._support import HUGE, capability, run_child
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["ConcurrencyTests", "race", "race_processes"]

THREADS = 16
WRITERS = 8
MESSAGES_PER_WRITER = 500
PROCESSES = 8
RACE_ROUNDS = 5
"""Keys raced in turn by the get-or-create tests; one round can miss a narrow window."""
NO_URL = "the store factory gives no URL another process can open (url_for returned None)"

T = TypeVar("T")


def race(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` for ``i < count`` in threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout=60)
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def race_processes(mode: str, url: str, count: int) -> list[str]:
    """Start ``count`` children in ``mode`` on ``url``, release them together, and
    return what each printed last (see :mod:`jido_persistence_conformance._child`).

    Each child prints ``ready`` once its store is open and waits for a line on stdin,
    so the calls race however long the starts took.  Raises AssertionError with the
    child's stderr when one fails.
    """
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "jido_persistence_conformance._child", mode, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs: list[str] = []
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            out, errors = child.communicate(timeout=120)
            assert child.returncode == 0, errors[-3000:]
            outputs.append(out.strip())
    finally:
        for child in children:
            child.kill()
            child.wait(timeout=60)
    return outputs


class ConcurrencyTests:
    """Threads and processes racing on one store."""

    def test_threads_racing_get_or_create_room(self, store: PersistenceAdapter) -> None:
        """16 threads racing on one key with different attrs get one room and one binding.

        The race is run on several keys in turn (each round released by its own
        barrier), so a check-then-create window is hit even on a loaded machine.

        Troubleshooting: check-then-insert must be atomic (a lock, a transaction
        with a unique key, or ``INSERT ... ON CONFLICT`` and re-read); a losing call
        writes nothing.  Usual mistakes: a read outside the transaction, so two
        callers both create, or the loser saving its room before noticing.
        """
        winners: list[str] = []
        for round_ in range(RACE_ROUNDS):
            key = f"hot{round_}"

            def claim_room(i: int, key: str = key) -> Room:
                attrs = {"type": "group", "id": f"room:{key}:t{i}", "name": f"t{i}"}
                return store.get_or_create_room_by_external_binding("slack", "b", key, attrs)

            rooms = race(THREADS, claim_room)
            returned = {room.id for room in rooms}
            assert len(returned) == 1, f"key {key!r}: {len(returned)} different rooms returned"
            winner = returned.pop()
            winners.append(winner)
            candidates = sorted(f"room:{key}:t{i}" for i in range(THREADS))
            holders = [
                (binding.room_id, binding.external_room_id)
                for room_id in candidates
                for binding in store.list_room_bindings(room_id)
            ]
            assert holders == [(winner, key)], f"key {key!r}: bindings {holders!r}"
        assert [room.id for room in store.list_rooms(limit=HUGE)] == sorted(winners)

    def test_threads_racing_get_or_create_participant(self, store: PersistenceAdapter) -> None:
        """16 threads racing on one participant key get one participant; losers write nothing.

        Run on several keys in turn, as for rooms.

        Troubleshooting: as for rooms.  Usual mistake: a unique key that makes the
        losers fail with StorageError instead of returning the winner.
        """
        winners: list[str] = []
        for round_ in range(RACE_ROUNDS):
            key = f"U-hot{round_}"

            def claim_participant(i: int, key: str = key) -> Participant:
                attrs = {"type": "human", "id": f"p:{key}:t{i}"}
                return store.get_or_create_participant_by_external_id("slack", key, attrs)

            people = race(THREADS, claim_participant)
            returned = {person.id for person in people}
            assert len(returned) == 1, f"key {key!r}: {len(returned)} different participants"
            winner = returned.pop()
            winners.append(winner)
            for index in range(THREADS):
                if f"p:{key}:t{index}" != winner:
                    with pytest.raises(NotFound):
                        store.get_participant(f"p:{key}:t{index}")
        stored = [p.id for p in store.directory_search("participant", {})]
        assert stored == sorted(winners)

    def test_threads_saving_messages_lose_nothing(self, store: PersistenceAdapter) -> None:
        """8 threads saving 500 messages each: all 4000 are stored and listed in order.

        Troubleshooting: one instance is safe to use from several threads.  Usual
        mistakes: a shared connection or cursor used without a lock, or a
        read-modify-write of a whole file that drops a concurrent writer's change.
        """

        def write(writer: int) -> None:
            for index in range(MESSAGES_PER_WRITER):
                store.save_message(
                    Message(
                        id=f"w{writer}:{index:04d}",
                        room_id="room:busy",
                        sender_id=f"p:{writer}",
                        role=MessageRole.USER,
                    )
                )

        race(WRITERS, write)
        stored = store.get_messages("room:busy", limit=HUGE)
        expected = {f"w{w}:{i:04d}" for w in range(WRITERS) for i in range(MESSAGES_PER_WRITER)}
        assert {message.id for message in stored} == expected
        assert len(stored) == len(expected)

    def test_close_while_callbacks_run(self, factory: StoreFactory) -> None:
        """Callbacks running while ``close()`` runs complete or raise StoreClosed; none hangs.

        Troubleshooting: ``close()`` must not pull a connection out from under a running
        callback (an unwrapped driver error) nor wait forever for one.  Usual mistakes:
        closing a connection pool while a thread holds a connection, or a lock that
        ``close()`` takes and a callback never releases.
        """
        store = factory.create()
        started = threading.Barrier(WRITERS + 1)
        unexpected: list[BaseException] = []

        def work(writer: int) -> None:
            started.wait(timeout=60)
            for index in range(10_000):
                try:
                    store.save_room(Room(id=f"room:{writer}:{index}", type=RoomType.GROUP))
                    store.list_rooms(limit=5)
                except StoreClosed:
                    return
                except BaseException as error:  # reported below, whatever it is
                    unexpected.append(error)
                    return

        threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        started.wait(timeout=60)
        store.close()
        for thread in threads:
            thread.join(timeout=120)
        assert not [thread for thread in threads if thread.is_alive()], "a callback hung"
        assert not unexpected, f"callbacks raised {unexpected[:3]!r} instead of StoreClosed"

    @capability("multi_process")
    def test_processes_racing_get_or_create_room(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """8 processes racing get-or-create on one key get one room and one binding.

        Troubleshooting: across processes only the backend can arbitrate (a unique
        constraint, a transaction at a sufficient isolation level, an advisory
        lock).  Usual mistake: a ``threading.Lock``, which serialises threads only.
        """
        url = factory.url_for(store)
        if url is None:
            pytest.skip(NO_URL)
        outputs = race_processes("race", url, PROCESSES)
        assert len(set(outputs)) == 1, f"processes got different rooms: {sorted(set(outputs))}"
        winner = outputs[0]
        rooms = [room.id for room in store.list_rooms(limit=HUGE)]
        assert rooms == [winner]
        bindings = store.list_room_bindings(winner)
        assert [(b.channel, b.bridge_id, b.external_room_id) for b in bindings] == [
            ("race", "b", "key")
        ]

    @capability("multi_process")
    def test_writes_through_one_instance_reach_the_next_read_of_another(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """Two open instances of a ``multi_process`` store: each read sees the other's writes.

        Troubleshooting: contract section 1: each read sees every write that returned
        before it started, whichever instance or process wrote it.  Usual mistake: a
        per-instance read cache (of rooms, keys or pages) that only this instance's
        own writes refresh.
        """
        other = factory.reopen(store)
        try:
            store.save_room(Room(id="room:shared", type=RoomType.GROUP, name="first"))
            assert other.get_room("room:shared").name == "first"
            store.save_room(Room(id="room:shared", type=RoomType.GROUP, name="second"))
            assert other.get_room("room:shared").name == "second"
            other.save_room(Room(id="room:shared", type=RoomType.GROUP, name="third"))
            assert store.get_room("room:shared").name == "third"
            store.delete_room("room:shared")
            with pytest.raises(NotFound):
                other.get_room("room:shared")
        finally:
            other.close()

    @capability("multi_process")
    def test_writes_of_another_process_reach_the_next_read(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """A write by another process is visible to this instance's next read.

        Troubleshooting: as for two instances; here the writer is a child process
        (``python -m jido_persistence_conformance._child name URL ...``), so no
        in-process shortcut can hide a stale cache.  Usual mistake: caching reads
        per instance or per connection pool.
        """
        url = factory.url_for(store)
        if url is None:
            pytest.skip(NO_URL)
        store.save_room(Room(id="room:shared", type=RoomType.GROUP, name="first"))
        assert store.get_room("room:shared").name == "first"
        assert run_child("name", url, "room:shared", "second") == ["saved"]
        assert store.get_room("room:shared").name == "second"
        assert [room.name for room in store.list_rooms(limit=HUGE)] == ["second"]

    @capability("durable")
    @capability("multi_process", False)
    def test_second_process_is_locked_out_or_correct(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """A second process opening a single-process store gets StoreLocked or works.

        Troubleshooting: never corruption: after the second process finishes, this
        instance still reads everything, including what the other wrote if it was
        let in.  Usual mistakes: no lock at all on a file format that cannot take two
        writers, or a lock that blocks forever instead of raising StoreLocked.
        """
        url = factory.url_for(store)
        if url is None:
            pytest.skip(NO_URL)
        store.save_room(Room(id="room:holder", type=RoomType.GROUP))
        answer = run_child("probe", url)
        assert answer, "the probe printed nothing"
        words = answer[0].split()
        if words[0] == "ok":
            assert "room:holder" in words[1:]
            assert store.get_room("room:probe").id == "room:probe"
        else:
            assert words == ["locked"]
        store.close()
        again = factory.reopen(store)
        try:
            assert again.get_room("room:holder").id == "room:holder"
            if words[0] == "ok":
                assert again.get_room("room:probe").id == "room:probe"
        finally:
            again.close()
