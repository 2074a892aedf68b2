"""Threads and instances sharing one file: race-free get-or-create, retries, close."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jido_persistence.errors import StorageError, StoreClosed
from jido_persistence.models import Message, Room
from jido_persistence_duckdb import _statements as statements
from jido_persistence_duckdb.adapter import DuckDBAdapter

WORKERS = 8


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_racing_get_or_create_across_instances_gives_one_room(store_path: Path) -> None:
    stores = [DuckDBAdapter(path=str(store_path)) for _ in range(2)]
    try:
        for round_number in range(5):
            key = ("slack", "bridge", f"C{round_number}")
            calls = [
                (
                    lambda index=index, key=key: stores[
                        index % 2
                    ].get_or_create_room_by_external_binding(
                        *key, {"type": "channel", "name": f"attempt {index}"}
                    )
                )
                for index in range(WORKERS)
            ]
            rooms = _race(calls)
            assert len({room.id for room in rooms}) == 1
            winner = rooms[0]
            assert stores[0].list_room_bindings(winner.id)[0].external_room_id == key[2]
        assert len(stores[0].list_rooms()) == 5
        assert stores[1].raw_index()["row_counts"]["room_bindings"] == 5
    finally:
        for store in stores:
            store.close()


def test_racing_participants_with_one_key_give_one_participant(store: DuckDBAdapter) -> None:
    calls = [
        (lambda: store.get_or_create_participant_by_external_id("tg", 7, {"type": "human"}))
        for _ in range(WORKERS)
    ]
    participants = _race(calls)
    assert len({participant.id for participant in participants}) == 1
    assert store.raw_index()["row_counts"]["participants"] == 1


def test_concurrent_writers_and_readers_see_every_message(store: DuckDBAdapter) -> None:
    def writer(worker: int) -> list[str]:
        ids = []
        for index in range(20):
            message = Message(id=f"m{worker}-{index}", room_id="r", sender_id="s", role="user")
            store.save_message(message)
            assert store.get_message(message.id) == message
            ids.append(message.id)
        return ids

    written = _race([lambda worker=worker: writer(worker) for worker in range(WORKERS)])
    everything = store.get_messages("r", limit=1000)
    assert sorted(message.id for message in everything) == sorted(
        message_id for ids in written for message_id in ids
    )


def test_conflicts_are_retried_then_surface_as_storage_error(store: DuckDBAdapter) -> None:
    attempts: list[int] = []

    def flaky(cursor: duckdb.DuckDBPyConnection) -> str:
        attempts.append(1)
        cursor.execute("INSERT INTO jp_meta VALUES ('probe', ?)", [str(len(attempts))])
        if len(attempts) < 3:
            raise duckdb.TransactionException("write-write conflict (simulated)")
        return "done"

    assert store._db.transaction(flaky) == "done"
    assert len(attempts) == 3
    # The rolled-back attempts left nothing behind.
    rows = store._db.cursor().execute("SELECT value FROM jp_meta WHERE key = 'probe'").fetchall()
    assert rows == [("3",)]

    def always(cursor: duckdb.DuckDBPyConnection) -> None:
        raise duckdb.TransactionException("write-write conflict (simulated)")

    with pytest.raises(duckdb.TransactionException):
        store._db.transaction(always)


def test_a_callback_failing_midway_writes_nothing(
    store: DuckDBAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_room(Room(id="keep", type="group"))
    store.save_message(Message(id="m", room_id="keep", sender_id="s", role="user"))
    before = store.raw_index()
    # The binding record is written first, then the key: break the key statements
    # (a new key is a plain insert, a stale one a replace).
    for name in ("INSERT_BINDING_KEY", "PUT_BINDING_KEY"):
        monkeypatch.setattr(statements, name, "INSERT INTO missing_table VALUES (?)")
    with pytest.raises(StorageError):
        store.create_room_binding("keep", "c", "b", "e")
    # The cascade deletes messages first and the room last: break the last statement.
    cascade = (*statements.DELETE_ROOM_STATEMENTS[:-1], ("DELETE FROM missing_table", 0))
    monkeypatch.setattr(statements, "DELETE_ROOM_STATEMENTS", cascade)
    with pytest.raises(StorageError):
        store.delete_room("keep")
    assert store.raw_index() == before
    assert store.get_message("m").room_id == "keep"


def test_close_while_calls_run_completes_or_raises_store_closed(store_path: Path) -> None:
    store = DuckDBAdapter(path=str(store_path))
    store.save_room(Room(id="r", type="group"))
    outcomes: list[str] = []
    started = threading.Barrier(WORKERS + 1)

    def reader() -> None:
        started.wait()
        for _ in range(50):
            try:
                store.get_room("r")
            except StoreClosed:
                outcomes.append("closed")
                return
        outcomes.append("completed")

    threads = [threading.Thread(target=reader) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    started.wait()
    store.close()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert len(outcomes) == WORKERS
    with pytest.raises(StoreClosed):
        store.get_room("r")
