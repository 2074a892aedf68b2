"""Threads in the memory adapter: per-room keys (latest saved holder), moves, listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Thread

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def thread(
    thread_id: str,
    room_id: str = "r",
    *,
    external: str | None = None,
    root: str | None = None,
    inserted_at: datetime = EPOCH,
) -> Thread:
    return Thread(
        id=thread_id,
        room_id=room_id,
        external_thread_id=external,
        root_message_id=root,
        inserted_at=inserted_at,
        updated_at=inserted_at,
    )


def test_save_get(store: MemoryAdapter) -> None:
    saved = Thread(room_id="r", assigned_agent_id="agent", metadata={"k": [1, 2.0]})
    assert store.save_thread(saved) == saved
    assert store.get_thread(saved.id) == saved
    with pytest.raises(NotFound) as caught:
        store.get_thread("nope")
    assert (caught.value.entity, caught.value.key) == ("thread", "nope")


def test_lookups_by_key(store: MemoryAdapter) -> None:
    saved = store.save_thread(thread("t", external="42", root="m1"))
    assert store.get_thread_by_external_id("r", "42") == saved
    assert store.get_thread_by_external_id("r", 42) == saved
    assert store.get_thread_by_root_message("r", "m1") == saved
    with pytest.raises(NotFound) as by_external:
        store.get_thread_by_external_id("other-room", "42")
    assert (by_external.value.entity, by_external.value.key) == ("thread", ("other-room", "42"))
    with pytest.raises(NotFound) as by_root:
        store.get_thread_by_root_message("r", "m2")
    assert (by_root.value.entity, by_root.value.key) == ("thread", ("r", "m2"))


def test_last_save_wins_and_the_next_holder_takes_over(store: MemoryAdapter) -> None:
    store.save_thread(thread("a", external="x", root="m"))
    store.save_thread(thread("b", external="x", root="m"))
    store.save_thread(thread("c", external="x"))
    assert store.get_thread_by_external_id("r", "x").id == "c"
    assert store.get_thread_by_root_message("r", "m").id == "b"
    store.save_thread(thread("a", external="x", root="m"))
    assert store.get_thread_by_external_id("r", "x").id == "a"
    assert store.get_thread_by_root_message("r", "m").id == "a"
    store.save_thread(thread("a", external="y"))  # re-key a
    assert store.get_thread_by_external_id("r", "x").id == "c"
    assert store.get_thread_by_root_message("r", "m").id == "b"
    store.save_thread(thread("c", "elsewhere", external="x"))  # move c away
    assert store.get_thread_by_external_id("r", "x").id == "b"
    assert store.get_thread_by_external_id("elsewhere", "x").id == "c"
    store.save_thread(thread("b"))  # b drops both keys
    with pytest.raises(NotFound):
        store.get_thread_by_external_id("r", "x")
    with pytest.raises(NotFound):
        store.get_thread_by_root_message("r", "m")
    index = store.raw_index()
    assert index["thread_external_keys"] == {("r", "y"): "a", ("elsewhere", "x"): "c"}
    assert index["thread_root_keys"] == {}


def test_list_threads_defaults_to_the_oldest_100(store: MemoryAdapter) -> None:
    for index in range(103):
        store.save_thread(thread(f"t{index:03}", inserted_at=at(index)))
    listed = store.list_threads("r")
    assert [t.id for t in listed] == [f"t{index:03}" for index in range(100)]


def test_moving_a_thread_moves_it_between_lists(store: MemoryAdapter) -> None:
    store.save_thread(thread("t", "r1", external="x"))
    moved = store.save_thread(thread("t", "r2", external="x", inserted_at=at(9)))
    assert store.list_threads("r1") == []
    assert store.list_threads("r2") == [moved]
    with pytest.raises(NotFound):
        store.get_thread_by_external_id("r1", "x")


thread_steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("save"),
            st.builds(
                thread,
                st.sampled_from(["a", "b", "c", "d"]),
                st.sampled_from(["r1", "r2"]),
                external=st.sampled_from([None, "x", "y"]),
                root=st.sampled_from([None, "m1", "m2"]),
                inserted_at=st.integers(0, 3).map(at),
            ),
        ),
        st.tuples(st.just("delete_room"), st.sampled_from(["r1", "r2"])),
    ),
    max_size=30,
)


@settings(max_examples=100)
@given(steps=thread_steps, limit=st.integers(0, 5))
def test_thread_keys_and_lists_match_an_oracle(steps: list[tuple[str, Any]], limit: int) -> None:
    store = MemoryAdapter()
    saved: dict[str, tuple[Thread, int]] = {}
    for sequence, (operation, argument) in enumerate(steps):
        if operation == "save":
            store.save_thread(argument)
            saved[argument.id] = (argument, sequence)
        else:
            store.delete_room(argument)
            saved = {k: v for k, v in saved.items() if v[0].room_id != argument}

    def holders(attribute: str) -> dict[tuple[str, str], str]:
        best: dict[tuple[str, str], tuple[int, str]] = {}
        for item, sequence in saved.values():
            value = getattr(item, attribute)
            if value is None:
                continue
            key = (item.room_id, value)
            if key not in best or best[key][0] < sequence:
                best[key] = (sequence, item.id)
        return {key: thread_id for key, (_, thread_id) in best.items()}

    index = store.raw_index()
    assert index["thread_external_keys"] == holders("external_thread_id")
    assert index["thread_root_keys"] == holders("root_message_id")
    assert index["row_counts"]["threads"] == len(saved)
    for (room_id, external), thread_id in holders("external_thread_id").items():
        assert store.get_thread_by_external_id(room_id, external).id == thread_id
    for (room_id, root), thread_id in holders("root_message_id").items():
        assert store.get_thread_by_root_message(room_id, root).id == thread_id
    for room_id in ("r1", "r2"):
        expected = sorted(
            (item for item, _ in saved.values() if item.room_id == room_id),
            key=lambda item: (item.inserted_at, item.id),
        )
        assert store.list_threads(room_id, limit=limit) == expected[:limit]
