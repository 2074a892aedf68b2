"""Processes and threads: one open store per file, safe threads, a clean close."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from jido_persistence.errors import StoreClosed, StoreLocked
from jido_persistence.models import Room

HOLDER = """
import sys
from jido_persistence.models import Message
from jido_persistence_tinydb import TinyDBAdapter

store = TinyDBAdapter(path=sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
store.save_message(Message(id="from-child", room_id="room:1", sender_id="u", role="user"))
store.close()
print("done", flush=True)
"""

OPENER = """
import sys
from jido_persistence.errors import StoreLocked
from jido_persistence_tinydb import TinyDBAdapter

try:
    TinyDBAdapter(path=sys.argv[1])
except StoreLocked as error:
    print("StoreLocked:", error, flush=True)
else:
    print("opened", flush=True)
"""


def test_a_second_process_gets_store_locked_naming_the_holder(
    store_path: Path, helpers: Any
) -> None:
    """While another process holds the file, opening it raises StoreLocked with its pid."""
    holder = helpers.spawn(HOLDER, str(store_path))
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert holder.stdout.readline().strip() == "ready"
    with pytest.raises(StoreLocked) as error:
        helpers.open(store_path)
    assert str(store_path) in str(error.value)
    assert f"process {holder.pid}" in str(error.value)
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "done"
    holder.communicate()
    assert holder.returncode == 0
    with helpers.open(store_path) as store:  # released at close; the child's write is there
        assert store.get_message("from-child").room_id == "room:1"


def test_the_holder_is_named_to_another_process(store_path: Path, helpers: Any) -> None:
    """A process opening a file this process holds gets StoreLocked naming our pid."""
    with helpers.open(store_path):
        opener = helpers.spawn(OPENER, str(store_path))
        output, errors = opener.communicate()
        assert opener.returncode == 0, errors
        assert output.startswith("StoreLocked:")
        assert f"process {os.getpid()}" in output
        assert str(store_path) in output
    opener = helpers.spawn(OPENER, str(store_path))
    output, errors = opener.communicate()
    assert output.strip() == "opened", errors


def test_a_second_instance_in_this_process_is_refused(store_path: Path, helpers: Any) -> None:
    """flock is per open file: a second instance here conflicts too."""
    with helpers.open(store_path) as store:
        with pytest.raises(StoreLocked, match="this process"):
            helpers.open(store_path)
        store.save_room(Room(id="r", type="group"))  # the first one still works
    with helpers.open(store_path) as again:
        assert again.get_room("r").id == "r"


def test_concurrent_get_or_create_returns_one_room(store_path: Path, helpers: Any) -> None:
    """Threads racing on one key all get the same room; exactly one is created."""
    barrier = threading.Barrier(8)
    results: list[Room] = []
    with helpers.open(store_path) as store:

        def create(number: int) -> None:
            barrier.wait()
            results.append(
                store.get_or_create_room_by_external_binding(
                    "slack", "b1", "C1", {"type": "group", "name": f"from {number}"}
                )
            )

        threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({room.id for room in results}) == 1
        assert len(store.list_rooms()) == 1
    with helpers.open(store_path) as store:
        assert store.raw_index()["row_counts"] == {
            **store.raw_index()["row_counts"],
            "rooms": 1,
            "room_bindings": 1,
        }


def test_close_while_threads_write_loses_no_returned_write(store_path: Path, helpers: Any) -> None:
    """Calls racing close() complete or raise StoreClosed; none hangs; returns are durable."""
    store = helpers.open(store_path)
    saved: list[str] = []
    started = threading.Barrier(5)

    def write(worker: int) -> None:
        started.wait()
        for number in range(worker * 1000, worker * 1000 + 200):
            try:
                store.save_message(helpers.message(number))
            except StoreClosed:
                return
            saved.append(f"m{number}")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    started.wait()
    store.close()
    for thread in threads:
        thread.join()
    with pytest.raises(StoreClosed):
        store.get_message("m0")
    with helpers.open(store_path) as again:
        for message_id in saved:
            assert again.get_message(message_id).id == message_id
        assert again.raw_index()["row_counts"]["messages"] == len(saved)


def test_a_store_dropped_without_close_releases_its_lock(store_path: Path, helpers: Any) -> None:
    """Garbage collection releases the lock; the journal still holds the writes."""
    import gc

    store = helpers.open(store_path, compact_on_close=False)
    store.save_room(Room(id="r", type="group"))
    del store
    gc.collect()
    with helpers.open(store_path) as again:
        assert again.get_room("r").id == "r"
