"""Threads racing on one memory store: get-or-create gives one record, saves lose nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Room

T = TypeVar("T")
RACERS = 16


def race(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` in ``count`` threads released together; re-raise the first error."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a racing thread hung"
    if errors:
        raise errors[0]
    return results


def test_racing_room_get_or_create_gives_one_room_and_one_binding() -> None:
    store = MemoryAdapter()
    for round_number in range(10):
        key = ("slack", round_number, f"C{round_number}")
        rooms = race(
            RACERS,
            lambda index, key=key: store.get_or_create_room_by_external_binding(  # type: ignore[misc]
                *key, {"id": f"cand-{key[1]}-{index}", "type": "group", "name": f"racer {index}"}
            ),
        )
        winner = rooms[0]
        assert all(room == winner for room in rooms)
        assert store.get_room_by_external_binding(*key) == winner
        [binding] = store.list_room_bindings(winner.id)
        assert binding.external_room_id == f"C{round_number}"
        for index in range(RACERS):
            candidate = f"cand-{round_number}-{index}"
            if candidate != winner.id:
                try:
                    store.get_room(candidate)
                except NotFound:
                    continue
                raise AssertionError(f"a losing call created {candidate}")
    index = store.raw_index()
    assert index["row_counts"]["rooms"] == 10
    assert index["row_counts"]["room_bindings"] == 10
    assert len(index["room_binding_keys"]) == 10


def test_racing_participant_get_or_create_gives_one_participant() -> None:
    store = MemoryAdapter()
    for round_number in range(10):
        participants = race(
            RACERS,
            lambda index, n=round_number: store.get_or_create_participant_by_external_id(  # type: ignore[misc]
                "slack", n, {"type": "human" if index % 2 else "agent", "identity": {"i": index}}
            ),
        )
        assert len({p.id for p in participants}) == 1
        assert all(p == participants[0] for p in participants)
    index = store.raw_index()
    assert index["row_counts"]["participants"] == 10
    assert len(index["participant_keys"]) == 10


def test_racing_with_stale_keys_heals_once() -> None:
    store = MemoryAdapter()
    store.create_room_binding("dead", "slack", "b", "C")
    rooms = race(
        RACERS,
        lambda index: store.get_or_create_room_by_external_binding(
            "slack", "b", "C", {"type": "group"}
        ),
    )
    assert len({room.id for room in rooms}) == 1
    assert store.raw_index()["room_binding_keys"] == {("slack", "b", "C"): rooms[0].id}
    assert len(store.list_room_bindings(rooms[0].id)) == 1
    assert len(store.list_room_bindings("dead")) == 1


def test_concurrent_saves_lose_nothing() -> None:
    store = MemoryAdapter()
    writers, per_writer = 8, 500

    def write(writer: int) -> None:
        for number in range(per_writer):
            store.save_message(
                Message(
                    id=f"w{writer}-{number:03}",
                    room_id="r",
                    sender_id=f"s{writer}",
                    role="user",
                    thread_id=f"t{writer % 2}",
                    external_id=f"e{writer}-{number}",
                    metadata={"channel": "slack", "bridge_id": "b"},
                )
            )

    race(writers, write)
    everything = store.get_messages("r", limit=2**63 - 1)
    assert len(everything) == writers * per_writer
    assert len({m.id for m in everything}) == writers * per_writer
    keys = [(m.inserted_at, m.id) for m in everything]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert len(store.get_messages("r", limit=10**6, thread_id="t0")) == 4 * per_writer
    index = store.raw_index()
    assert len(index["message_keys"]) == writers * per_writer
    assert index["row_counts"]["messages"] == writers * per_writer


def test_calls_racing_close_complete_or_raise_store_closed() -> None:
    store = MemoryAdapter()
    store.save_room(Room(id="r", type="group"))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        if index == 0:
            store.close()
            return
        seen = "completed"
        for _ in range(2000):
            try:
                store.get_or_create_room_by_external_binding("c", "b", index, {"type": "group"})
                store.get_room("r")
            except StoreClosed:
                seen = "closed"
                break
        with lock:
            outcomes.append(seen)

    race(8, work)
    assert len(outcomes) == 7
    assert set(outcomes) <= {"completed", "closed"}
    assert store.closed
    try:
        store.get_room("r")
    except StoreClosed:
        return
    raise AssertionError("get_room answered after close()")
