"""The workloads do what they say, checked on the memory adapter (no timing checks)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence import NotFound, PersistenceAdapter, open_store
from jido_persistence.models import DirectoryTarget, Message, Room, Thread
from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    Dataset,
    message_id,
    participant_name,
    room_external_id,
    room_id,
)
from jido_persistence_bench.load import load_store
from jido_persistence_bench.timing import Method, measure
from jido_persistence_bench.workloads import (
    PAGE_LIMIT,
    PAGES_BACK,
    WORKLOADS,
    BridgeEvent,
    Context,
    bridge_event,
    page_back,
)

SIZE = 2_000


@pytest.fixture(scope="module")
def data() -> Dataset:
    return Dataset(SIZE)


@pytest.fixture
def store(data: Dataset) -> Iterator[PersistenceAdapter]:
    with open_store("memory://") as opened:
        assert load_store(opened, data, lambda done, total: None) == "import"
        yield opened


def _counts(store: PersistenceAdapter) -> dict[str, int]:
    return store.raw_index()["row_counts"]  # type: ignore[attr-defined, no-any-return]


def test_the_dataset_spreads_messages_evenly_with_records_in_proportion(
    store: PersistenceAdapter, data: Dataset
) -> None:
    counts = _counts(store)
    assert counts["messages"] == SIZE
    assert counts["rooms"] == counts["room_bindings"] == data.rooms == 100
    assert counts["participants"] == SIZE // 10
    assert counts["threads"] == data.threads == SIZE // 20
    assert all(len(data.room_messages(room)) == SIZE // 100 for room in range(data.rooms))


@given(room=st.integers(0, 99), limit=st.integers(1, 15), pages=st.integers(0, 12))
@settings(max_examples=30, deadline=None)
def test_paging_back_visits_the_newest_messages_once_each_in_order(
    room: int, limit: int, pages: int
) -> None:
    data = Dataset(12_000)
    held = data.room_messages(room)
    with open_store("memory://") as store:
        for index in range(room, data.size, data.rooms):
            store.save_message(data.message(index))
        walked = page_back(store, room_id(room), limit=limit, pages=pages)
    visited = [message.id for page in reversed(walked) for message in page]
    assert visited == held[-limit * (pages + 1) :]
    assert len(walked) <= pages + 1
    assert all(len(page) == limit for page in walked[:-1])
    if limit * (pages + 1) <= len(held):
        assert len(walked) == pages + 1


def test_the_paging_workload_walks_ten_pages_back_by_default() -> None:
    data = Dataset(12_000)
    with open_store("memory://") as store:
        for index in range(0, data.size, data.rooms):
            store.save_message(data.message(index))
        walked = page_back(store, room_id(0))
    assert [len(page) for page in walked] == [PAGE_LIMIT] * (PAGES_BACK + 1)


def test_paging_back_stops_at_the_start_of_a_small_room() -> None:
    data = Dataset(100)
    with open_store("memory://") as store:
        load_store(store, data, lambda done, total: None)
        pages = page_back(store, room_id(7))
    assert [[message.id for message in page] for page in pages] == [[message_id(7)]]


def test_lookups_find_the_records_the_dataset_describes(
    store: PersistenceAdapter, data: Dataset
) -> None:
    message = store.get_message_by_external_id(CHANNEL, BRIDGE_ID, "E1234")
    assert message == data.message(1234)
    latest = store.get_messages(room_id(34), limit=50)
    assert [m.id for m in latest] == data.room_messages(34)[-50:]
    room = store.get_or_create_room_by_external_binding(
        CHANNEL, BRIDGE_ID, room_external_id(34), {"type": "group"}
    )
    assert room == data.room(34)
    found = store.directory_search(
        DirectoryTarget.PARTICIPANT, {"name": participant_name(77).lower()}
    )
    assert found == [data.participant(77)]
    threads = store.list_threads(room_id(5))
    assert [thread.id for thread in threads] == [
        data.thread(index).id for index in range(5, data.threads, data.rooms)
    ]


def test_a_bridge_event_stores_the_post_under_its_platform_id_and_a_threaded_reply(
    store: PersistenceAdapter,
) -> None:
    event = BridgeEvent("C00003", "U0000009", "P-1", "T-1", "hello")
    post, reply = bridge_event(store, event)
    assert store.get_message_by_external_id(CHANNEL, BRIDGE_ID, "P-1") == post
    assert post.room_id == room_id(3)
    assert post.sender_id == "user-0000009"
    thread = store.get_thread_by_root_message(room_id(3), post.id)
    assert store.get_messages(room_id(3), thread_id=thread.id) == [reply]
    assert reply.reply_to_id == post.id
    fresh = BridgeEvent("C-new", "U-new", "P-2", "T-2", "hi")
    new_post, _ = bridge_event(store, fresh)
    assert new_post.room_id == store.get_room_by_external_binding(CHANNEL, BRIDGE_ID, "C-new").id


def test_every_workload_runs_and_delete_room_removes_one_percent_per_call(
    store: PersistenceAdapter, data: Dataset
) -> None:
    context = Context(store, data, random.Random(3))
    method = Method(rounds=2, warmup_calls=1, round_ns=1_000, min_calls=1, max_calls=2)
    for workload in WORKLOADS[:-1]:
        stats = measure([workload.bench(context, store)], method, calls=workload.calls_per_round)
        assert stats[workload.name]["rounds"] == 2
    before = _counts(store)["messages"]
    delete = WORKLOADS[-1]
    assert delete.name == "delete_room"
    measure([delete.bench(context, store)], method, calls=delete.calls_per_round)
    assert len(context.deleted_rooms) == 3
    for index in context.deleted_rooms:
        with pytest.raises(NotFound):
            store.get_room(room_id(index))
        assert store.get_messages(room_id(index)) == []
    removed = before - _counts(store)["messages"]
    assert removed >= 3 * SIZE // 100


def test_loading_through_an_adapters_bulk_load_method(tmp_path: Path) -> None:
    received: list[object] = []

    with open_store("memory://") as store:
        savers = {"Room": store.save_room, "Thread": store.save_thread}

        def bulk_load(records: Iterable[Room | Thread | Message]) -> None:
            for record in records:
                received.append(record)
                savers.get(type(record).__name__, store.save_message)(record)  # type: ignore[operator]

        store.bulk_load = bulk_load  # type: ignore[attr-defined]
        # The memory adapter imports by default (it has the enumeration group).
        built = load_store(store, Dataset(100), lambda done, total: None, path="bulk_load")
        assert built == "bulk_load"
        assert store.raw_index()["row_counts"]["messages"] == 100  # type: ignore[attr-defined]
        participant = store.get_or_create_participant_by_external_id(
            CHANNEL, "U0000007", {"type": "human"}
        )
        assert participant == Dataset(100).participant(7)
        assert store.get_room_by_external_binding(CHANNEL, BRIDGE_ID, "C00007").id == "room-007"
    kinds = [type(record).__name__ for record in received]
    assert kinds.count("Message") == 100
    assert kinds.count("Room") == 100
    assert "Participant" not in kinds
    assert kinds.index("Room") < kinds.index("Thread") < kinds.index("Message")


def test_repeated_ingest_finds_stored_events_and_new_ingest_saves_them(
    store: PersistenceAdapter, data: Dataset
) -> None:
    context = Context(store, data, random.Random(5))
    by_name = {workload.name: workload for workload in WORKLOADS}
    before = _counts(store)
    repeated = by_name["ingest_message_repeated"].bench(context, store)
    deliveries = repeated.prepare(20)
    assert repeated.run(deliveries) == 20
    assert _counts(store) == before
    for delivery in deliveries:
        with pytest.raises(NotFound):
            store.get_message(delivery.id)
        assert store.ingest_message(delivery).created is False
    new = by_name["ingest_message_new"].bench(context, store)
    events = new.prepare(7)
    assert new.run(events) == 7
    assert _counts(store)["messages"] == before["messages"] + 7
    assert all(store.ingest_message(event).created is False for event in events)


def test_ingest_workloads_are_skipped_by_stores_without_the_ingest_group(
    store: PersistenceAdapter,
) -> None:
    ingest = [workload for workload in WORKLOADS if workload.capability == "ingest"]
    assert {workload.name for workload in ingest} == {
        "ingest_message_new",
        "ingest_message_repeated",
    }
    assert all(workload.applies_to(store) for workload in ingest)

    class Plain:
        capabilities = store.capabilities.model_copy(update={"ingest": False})

    assert not any(workload.applies_to(Plain()) for workload in ingest)  # type: ignore[arg-type]


def test_the_transaction_row_stores_each_event_as_the_plain_row_does(
    store: PersistenceAdapter, data: Dataset
) -> None:
    by_name = {workload.name: workload for workload in WORKLOADS}
    in_block = by_name["bridge_event_transaction"]
    assert in_block.capability == "transactions"
    assert in_block.applies_to(store)
    bench = in_block.bench(Context(store, data, random.Random(7)), store)
    events = bench.prepare(3)
    before = _counts(store)["messages"]
    assert bench.run(events) == 3
    assert _counts(store)["messages"] == before + 6
    for event in events:
        post = store.get_message_by_external_id(CHANNEL, BRIDGE_ID, event.platform_message_id)
        thread = store.get_thread_by_root_message(post.room_id, post.id)
        assert [
            reply.reply_to_id for reply in store.get_messages(post.room_id, thread_id=thread.id)
        ] == [post.id]
