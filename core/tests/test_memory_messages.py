"""Messages in the memory adapter: ordering, cursor paging, scopes, and the external-id
index (latest saved holder, no stale entries), checked against Python oracles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import CursorNotFound, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
ROOMS = ["r1", "r2"]
THREADS = [None, "t1", "t2"]


def at(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def make(
    message_id: str,
    room_id: str = "r1",
    *,
    inserted_at: datetime | None = EPOCH,
    thread_id: str | None = None,
    external_id: str | None = None,
    channel: str | None = "slack",
    bridge_id: str | int | None = "b",
) -> Message:
    metadata: dict[str, Any] = {}
    if channel is not None:
        metadata["channel"] = channel
    if bridge_id is not None:
        metadata["bridge_id"] = bridge_id
    return Message(
        id=message_id,
        room_id=room_id,
        sender_id="s",
        role="user",
        thread_id=thread_id,
        external_id=external_id,
        metadata=metadata,
        inserted_at=inserted_at,
        updated_at=inserted_at,
    )


def order(message: Message) -> tuple[int, datetime, str]:
    if message.inserted_at is None:
        return (0, datetime.min.replace(tzinfo=UTC), message.id)
    return (1, message.inserted_at, message.id)


def ids(messages: list[Message]) -> list[str]:
    return [message.id for message in messages]


messages_strategy = st.lists(
    st.builds(
        make,
        st.sampled_from([f"m{index}" for index in range(12)] + ["M", "m\u00e9"]),
        st.sampled_from(ROOMS),
        inserted_at=st.none() | st.integers(0, 4).map(at),
        thread_id=st.sampled_from(THREADS),
    ),
    max_size=25,
)


def fill(saves: list[Message]) -> tuple[MemoryAdapter, dict[str, Message]]:
    store = MemoryAdapter()
    latest: dict[str, Message] = {}
    for message in saves:
        store.save_message(message)
        latest[message.id] = message
    return store, latest


def scope(latest: dict[str, Message], room_id: str, thread_id: str | None = None) -> list[Message]:
    found = [
        m
        for m in latest.values()
        if m.room_id == room_id and (thread_id is None or m.thread_id == thread_id)
    ]
    return sorted(found, key=order)


# --- ordering and paging against the sorted-list oracle --------------------------------------


@settings(max_examples=80)
@given(saves=messages_strategy, limit=st.integers(0, 30), room_id=st.sampled_from(ROOMS))
def test_newest_page_matches_the_oracle(saves: list[Message], limit: int, room_id: str) -> None:
    store, latest = fill(saves)
    for thread_id in THREADS:
        expected = scope(latest, room_id, thread_id)
        page = store.get_messages(room_id, limit=limit, thread_id=thread_id)
        assert page == (expected[-limit:] if limit else [])


@settings(max_examples=60)
@given(saves=messages_strategy, limit=st.integers(0, 6), thread_id=st.sampled_from(THREADS))
def test_every_cursor_matches_the_oracle(
    saves: list[Message], limit: int, thread_id: str | None
) -> None:
    store, latest = fill(saves)
    expected = scope(latest, "r1", thread_id)
    for index, cursor in enumerate(expected):
        before = store.get_messages("r1", limit=limit, before=cursor.id, thread_id=thread_id)
        assert before == (expected[max(0, index - limit) : index] if limit else [])
        after = store.get_messages("r1", limit=limit, after=cursor.id, thread_id=thread_id)
        assert after == expected[index + 1 : index + 1 + limit]


@settings(max_examples=60)
@given(saves=messages_strategy, limit=st.integers(1, 5), thread_id=st.sampled_from(THREADS))
def test_paging_backwards_visits_every_message_once(
    saves: list[Message], limit: int, thread_id: str | None
) -> None:
    store, latest = fill(saves)
    seen: list[Message] = []
    page = store.get_messages("r1", limit=limit, thread_id=thread_id)
    while page:
        assert len(page) <= limit
        seen[:0] = page
        page = store.get_messages("r1", limit=limit, before=page[0].id, thread_id=thread_id)
    assert seen == scope(latest, "r1", thread_id)
    assert len(set(ids(seen))) == len(seen)


@settings(max_examples=60)
@given(saves=messages_strategy, limit=st.integers(1, 5), thread_id=st.sampled_from(THREADS))
def test_paging_forwards_visits_every_message_once(
    saves: list[Message], limit: int, thread_id: str | None
) -> None:
    store, latest = fill(saves)
    expected = scope(latest, "r1", thread_id)
    if not expected:
        assert store.get_messages("r1", thread_id=thread_id) == []
        return
    seen = [expected[0]]
    page = store.get_messages("r1", limit=limit, after=expected[0].id, thread_id=thread_id)
    while page:
        seen.extend(page)
        page = store.get_messages("r1", limit=limit, after=page[-1].id, thread_id=thread_id)
    assert seen == expected


def test_limits(store: MemoryAdapter) -> None:
    for index in range(60):
        store.save_message(make(f"m{index:02}", inserted_at=at(index)))
    assert ids(store.get_messages("r1")) == [f"m{index:02}" for index in range(10, 60)]
    assert store.get_messages("r1", limit=0) == []
    assert store.get_messages("r1", limit=0, before="m30") == []
    assert len(store.get_messages("r1", limit=2**63 - 1)) == 60
    assert len(store.get_messages("r1", limit=2**63 - 1, before="m59")) == 59
    assert len(store.get_messages("r1", limit=2**63 - 1, after="m00")) == 59
    assert store.get_messages("unknown-room") == []
    assert store.get_messages("r1", thread_id="unknown-thread") == []


# --- cursors and scope ----------------------------------------------------------------------


def test_cursor_must_be_inside_the_scope(store: MemoryAdapter) -> None:
    store.save_message(make("in-thread", thread_id="t1"))
    store.save_message(make("other-thread", thread_id="t2"))
    store.save_message(make("no-thread"))
    store.save_message(make("other-room", "r2"))
    for cursor in ("other-room", "missing"):
        for direction in ("before", "after"):
            with pytest.raises(CursorNotFound):
                store.get_messages("r1", **{direction: cursor})
    for cursor in ("other-thread", "no-thread", "other-room"):
        with pytest.raises(CursorNotFound):
            store.get_messages("r1", before=cursor, thread_id="t1")
    with pytest.raises(CursorNotFound):
        store.get_messages("r1", limit=0, after="missing")
    with pytest.raises(CursorNotFound):
        store.get_messages("r2", before="in-thread", thread_id="t1")
    assert ids(store.get_messages("r1", after="in-thread")) == ["no-thread", "other-thread"]
    assert store.get_messages("r1", before="in-thread", thread_id="t1") == []


def test_a_deleted_or_moved_message_is_no_cursor(store: MemoryAdapter) -> None:
    store.save_message(make("a", inserted_at=at(0)))
    store.save_message(make("b", inserted_at=at(1)))
    store.delete_message("a")
    with pytest.raises(CursorNotFound):
        store.get_messages("r1", after="a")
    store.save_message(make("b", "r2", inserted_at=at(1)))
    with pytest.raises(CursorNotFound):
        store.get_messages("r1", before="b")
    assert ids(store.get_messages("r2", before="b")) == []


# --- saves, re-saves, deletes -----------------------------------------------------------------


def test_save_get_delete(store: MemoryAdapter) -> None:
    message = make("m", external_id="E")
    assert store.save_message(message) == message
    assert store.get_message("m") == message
    store.delete_message("m")
    store.delete_message("m")
    with pytest.raises(NotFound) as caught:
        store.get_message("m")
    assert (caught.value.entity, caught.value.key) == ("message", "m")
    assert store.raw_index()["message_keys"] == {}
    assert store.get_messages("r1") == []


def test_resaves_move_messages_between_rooms_and_threads(store: MemoryAdapter) -> None:
    store.save_message(make("m", "r1", thread_id="t1", external_id="E"))
    moved = make("m", "r2", thread_id="t2", external_id="F", inserted_at=at(5))
    store.save_message(moved)
    assert store.get_messages("r1") == []
    assert store.get_messages("r1", thread_id="t1") == []
    assert store.get_messages("r2") == [moved]
    assert store.get_messages("r2", thread_id="t2") == [moved]
    assert store.get_messages("r2", thread_id="t1") == []
    assert store.raw_index()["message_keys"] == {("slack", "b", "F"): "m"}
    with pytest.raises(NotFound):
        store.get_message_by_external_id("slack", "b", "E")
    unkeyed = make("m", "r2", external_id=None)
    store.save_message(unkeyed)
    assert store.raw_index()["message_keys"] == {}
    assert store.get_messages("r2", thread_id="t2") == []


def test_external_key_needs_channel_and_bridge(store: MemoryAdapter) -> None:
    store.save_message(make("m", external_id="E", bridge_id=7))
    assert store.get_message_by_external_id("slack", 7, "E").id == "m"
    assert store.get_message_by_external_id("slack", "7", "E").id == "m"
    for key in (("discord", "7", "E"), ("slack", "8", "E"), ("slack", "7", "e")):
        with pytest.raises(NotFound) as caught:
            store.get_message_by_external_id(*key)
        assert (caught.value.entity, caught.value.key) == ("message", key)
    store.save_message(make("no-channel", external_id="E", channel=None))
    store.save_message(make("no-bridge", external_id="E", bridge_id=None))
    assert store.raw_index()["message_keys"] == {("slack", "7", "E"): "m"}


def test_key_resolves_to_the_latest_saved_holder_then_falls_back(store: MemoryAdapter) -> None:
    store.save_message(make("first", external_id="E"))
    store.save_message(make("second", "r2", external_id="E"))
    store.save_message(make("third", external_id="E"))
    assert store.get_message_by_external_id("slack", "b", "E").id == "third"
    store.save_message(make("second", "r2", external_id="E"))  # re-save: newest again
    assert store.get_message_by_external_id("slack", "b", "E").id == "second"
    store.delete_message("second")
    assert store.get_message_by_external_id("slack", "b", "E").id == "third"
    store.save_message(make("third", external_id="other"))  # re-key
    assert store.get_message_by_external_id("slack", "b", "E").id == "first"
    store.update_message_external_id("first", "gone")
    with pytest.raises(NotFound):
        store.get_message_by_external_id("slack", "b", "E")
    assert store.raw_index()["message_keys"] == {
        ("slack", "b", "other"): "third",
        ("slack", "b", "gone"): "first",
    }


# --- update_message_external_id ---------------------------------------------------------------


def test_update_message_external_id(store: MemoryAdapter) -> None:
    original = make("m", external_id="old", inserted_at=at(3))
    store.save_message(original)
    store.save_message(make("n", external_id="new", inserted_at=at(4)))
    updated = store.update_message_external_id("m", "new")
    assert updated == original.model_copy(update={"external_id": "new"})
    assert updated.inserted_at == original.inserted_at
    assert updated.updated_at == original.updated_at
    assert store.get_message("m") == updated
    assert store.get_message_by_external_id("slack", "b", "new") == updated
    with pytest.raises(NotFound):
        store.get_message_by_external_id("slack", "b", "old")
    assert store.get_messages("r1") == [updated, make("n", external_id="new", inserted_at=at(4))]


def test_update_message_external_id_normalises_ints(store: MemoryAdapter) -> None:
    store.save_message(make("m"))
    updated = store.update_message_external_id("m", 42)
    assert updated.external_id == "42"
    assert store.get_message_by_external_id("slack", "b", 42) == updated


def test_update_message_external_id_without_channel_metadata(store: MemoryAdapter) -> None:
    store.save_message(make("m", channel=None, bridge_id=None))
    updated = store.update_message_external_id("m", "E")
    assert updated.external_id == "E"
    assert store.get_message("m") == updated
    assert store.raw_index()["message_keys"] == {}


def test_update_message_external_id_not_found(store: MemoryAdapter) -> None:
    with pytest.raises(NotFound) as caught:
        store.update_message_external_id("missing", "E")
    assert (caught.value.entity, caught.value.key) == ("message", "missing")
    assert store.raw_index()["row_counts"]["messages"] == 0


# --- the index against an oracle under random saves, re-keys and deletes ---------------------


@dataclass
class Oracle:
    """Messages with the sequence of their latest save."""

    messages: dict[str, tuple[Message, int]] = field(default_factory=dict)
    sequence: int = 0

    def save(self, message: Message) -> None:
        self.sequence += 1
        self.messages[message.id] = (message, self.sequence)

    def keys(self) -> dict[tuple[str, str, str], str]:
        best: dict[tuple[str, str, str], tuple[int, str]] = {}
        for message, sequence in self.messages.values():
            channel = message.metadata.get("channel")
            bridge = message.metadata.get("bridge_id")
            if message.external_id is None or channel is None or bridge is None:
                continue
            key = (str(channel), str(bridge), message.external_id)
            if key not in best or best[key][0] < sequence:
                best[key] = (sequence, message.id)
        return {key: message_id for key, (_, message_id) in best.items()}


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("save"),
            st.builds(
                make,
                st.sampled_from(["a", "b", "c", "d"]),
                st.sampled_from(ROOMS),
                thread_id=st.sampled_from(THREADS),
                external_id=st.sampled_from([None, "E", "F"]),
                channel=st.sampled_from(["slack", None]),
                bridge_id=st.sampled_from(["b", 1, None]),
                inserted_at=st.none() | st.integers(0, 2).map(at),
            ),
        ),
        st.tuples(st.just("delete"), st.sampled_from(["a", "b", "c", "d"])),
        st.tuples(
            st.just("update"),
            st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["E", "F", 1])),
        ),
        st.tuples(st.just("delete_room"), st.sampled_from(ROOMS)),
    ),
    max_size=30,
)


@settings(max_examples=100)
@given(steps=operations)
def test_indexes_follow_the_latest_saved_version(steps: list[tuple[str, Any]]) -> None:
    store = MemoryAdapter()
    oracle = Oracle()
    for operation, argument in steps:
        if operation == "save":
            store.save_message(argument)
            oracle.save(argument)
        elif operation == "delete":
            store.delete_message(argument)
            oracle.messages.pop(argument, None)
        elif operation == "delete_room":
            store.delete_room(argument)
            for message_id, (message, _) in list(oracle.messages.items()):
                if message.room_id == argument:
                    del oracle.messages[message_id]
        else:
            message_id, external_id = argument
            if message_id in oracle.messages:
                updated = store.update_message_external_id(message_id, external_id)
                expected = oracle.messages[message_id][0].model_copy(
                    update={"external_id": str(external_id)}
                )
                assert updated == expected
                oracle.save(updated)
            else:
                with pytest.raises(NotFound):
                    store.update_message_external_id(message_id, external_id)
    latest = {message_id: message for message_id, (message, _) in oracle.messages.items()}
    index = store.raw_index()
    assert index["message_keys"] == oracle.keys()
    assert index["row_counts"]["messages"] == len(latest)
    for key, message_id in oracle.keys().items():
        assert store.get_message_by_external_id(*key) == latest[message_id]
    for room_id in ROOMS:
        for thread_id in THREADS:
            assert store.get_messages(room_id, thread_id=thread_id) == scope(
                latest, room_id, thread_id
            )
