"""Another connection holding the write lock: bounded waits, then StorageError; reads go on."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from jido_persistence.errors import StorageError
from jido_persistence.models import Message, MessageRole, Room, RoomType
from jido_persistence_sqlite.adapter import SQLiteAdapter


def test_a_held_write_lock_gives_storage_error_within_the_busy_timeout(store_path: Path) -> None:
    store = SQLiteAdapter(path=str(store_path), busy_timeout=0.3)
    store.save_room(Room(id="room:before", type=RoomType.GROUP))
    holder = sqlite3.connect(store_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(StorageError, match=r"save_room.*locked"):
            store.save_room(Room(id="room:blocked", type=RoomType.GROUP))
        waited = time.monotonic() - started
        assert 0.3 <= waited < 10.0, waited
        with pytest.raises(StorageError, match="get_or_create_room_by_external_binding"):
            store.get_or_create_room_by_external_binding("slack", "b", "C1", {"type": "group"})
        # WAL: readers are not blocked by the writer.
        assert store.get_room("room:before").id == "room:before"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.save_room(Room(id="room:after", type=RoomType.GROUP))
    assert [room.id for room in store.list_rooms()] == ["room:before", "room:after"]
    assert store.raw_index()["room_binding_keys"] == {}
    store.close()


def test_two_instances_in_one_process_see_each_others_writes(store_path: Path) -> None:
    with (
        SQLiteAdapter(path=str(store_path)) as first,
        SQLiteAdapter(path=str(store_path)) as second,
    ):
        first.save_room(Room(id="room:1", type=RoomType.GROUP))
        assert second.get_room("room:1").id == "room:1"
        room = second.get_or_create_room_by_external_binding("slack", "b", "C", {"type": "group"})
        assert first.get_room_by_external_binding("slack", "b", "C") == room


def test_a_thread_that_ends_gives_its_connection_back(store: SQLiteAdapter) -> None:
    import gc

    store.save_room(Room(id="room:1", type=RoomType.GROUP))
    opened: list[sqlite3.Connection] = []

    def use() -> None:
        store.get_room("room:1")
        opened.append(store._db.connection())

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    gc.collect()
    assert len(store._db._slots) == 1  # only this thread's connection is left open
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")


def test_a_forked_child_opens_its_own_connection(store: SQLiteAdapter) -> None:
    import multiprocessing

    store.save_room(Room(id="room:parent", type=RoomType.GROUP))
    parents = store._db.connection()

    def child() -> None:
        # SQLite forbids using a connection opened before fork(): the child has its own.
        assert store._db.connection() is not parents
        store.save_room(Room(id="room:child", type=RoomType.GROUP))
        store.close()

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 0
    assert [room.id for room in store.list_rooms()] == ["room:parent", "room:child"]


def _save_burst(path: str, writer: int, start: threading.Barrier) -> None:
    with SQLiteAdapter(path=path) as store:
        start.wait()
        for index in range(WRITES_PER_PROCESS):
            store.save_message(
                Message(id=f"w{writer}:{index}", room_id="r", sender_id="p", role=MessageRole.USER)
            )


WRITES_PER_PROCESS = 40


def test_eight_processes_saving_at_once_all_succeed(store: SQLiteAdapter) -> None:
    """Short busy attempts keep every writer in the race: none starves into StorageError
    (with one long busy-handler wait, a writer could lose every round on a loaded box)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    start = context.Barrier(8)
    writers = [
        context.Process(target=_save_burst, args=(store.location, writer, start))
        for writer in range(8)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [writer.exitcode for writer in writers] == [0] * 8
    assert len(store.get_messages("r", limit=10_000)) == 8 * WRITES_PER_PROCESS
