"""Export and import on the SQL adapters (SQLite, DuckDB, PostgreSQL), against the memory
adapter as oracle (contract 9.2).

The same history (stale keys, keys held by several messages and threads, re-saves,
redaction, every kind of record) is made through the callbacks on a memory store and
on a store of the adapter under test; both must export the same lines.  The memory
store's export imported into a fresh store of the adapter must export them again, hold
the same raw index, resolve keys the same way after its newest holders are deleted,
and number later saves after the imported ones.  Imports into a non-empty store, of
records that conflict, or failing midway, must leave the store as it was.

The tests call the hooks (``_export_records``/``_import_records``); the guarded public
methods are core's.  PostgreSQL needs ``JIDO_PERSISTENCE_TEST_POSTGRES_URL`` (a
failure under ``CI=true`` when it is missing, a skip otherwise).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jido_persistence import InvalidArgument, PersistenceAdapter, open_store
from jido_persistence.interchange import encode_record
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    TextPart,
    Thread,
)
from jido_persistence.records import MessageRecord, Record, RoomRecord
from jido_persistence.registry import get_adapter

T0 = datetime(2025, 3, 1, tzinfo=UTC)
SQL_ADAPTERS = ("sqlite", "duckdb", "postgres")
KEY = ("slack", "B1", "E-shared")

Fresh = Callable[[], PersistenceAdapter]


@pytest.fixture(params=SQL_ADAPTERS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fresh]:
    """Opens fresh, empty stores of the adapter under test; destroys them afterwards."""
    adapter = get_adapter(request.param).load()
    opened: list[tuple[str, PersistenceAdapter]] = []

    def make() -> PersistenceAdapter:
        url = adapter.fresh_store_url(tmp_path, "jp_x_" + uuid.uuid4().hex[:12])
        if url is None:
            reason = "JIDO_PERSISTENCE_TEST_POSTGRES_URL is not set"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{request.param} cannot run under CI=true: {reason}")
            pytest.skip(f"{request.param}: {reason}")
        store = open_store(url)
        opened.append((url, store))
        return store

    yield make
    for url, store in opened:
        store.close()
        adapter.destroy_store(url)


def _message(index: int, room: str, **fields: Any) -> Message:
    at = T0 + timedelta(seconds=index)
    values: dict[str, Any] = {
        "id": f"m{index:03d}",
        "room_id": room,
        "sender_id": f"p{index % 3}",
        "role": MessageRole.USER,
        "content": [TextPart(text=f"text {index}, ünïcode")],
        "external_id": f"E{index}",
        "metadata": {"channel": "slack", "bridge_id": "B1", "n": 1e16},
        "inserted_at": at,
        "updated_at": at,
    }
    values.update(fields)
    return Message(**values)


def make_history(store: PersistenceAdapter) -> None:
    """The same writes on any store: every record kind, stale keys, shared keys."""
    for index in range(3):
        room = Room(
            id=f"r{index}",
            type=RoomType.GROUP,
            name=f"Room {index}",
            inserted_at=T0 + timedelta(hours=index),
        )
        store.save_room(room)
        store.create_room_binding(
            room.id,
            "slack",
            "B1",
            f"C{index}",
            {"id": f"b{index}", "inserted_at": T0 + timedelta(minutes=index)},
        )
    for index in range(4):
        store.get_or_create_participant_by_external_id(
            "slack",
            f"U{index}",
            {"id": f"p{index}", "type": "human", "identity": {"name": f"P {index}"}},
        )
    store.delete_participant("p3")  # its key stays: a stale participant key
    store.save_participant(
        Participant(id="p9", type=ParticipantType.AGENT, identity={"name": "no key"})
    )
    for index in range(2):
        store.save_thread(
            Thread(
                id=f"t{index}",
                room_id="r0",
                external_thread_id="T-shared",  # one key, two threads
                root_message_id="m000",
                inserted_at=T0 + timedelta(minutes=5 + index),
                updated_at=T0,
            )
        )
    store.save_thread(
        Thread(id="t2", room_id="r1", external_thread_id="T2", inserted_at=T0, updated_at=T0)
    )
    store.save_thread(store.get_thread("t0"))  # re-save: t0 becomes the newest holder
    for index in range(12):
        room = f"r{index % 2}"
        fields: dict[str, Any] = {}
        if index in (3, 5, 7):
            fields["external_id"] = KEY[2]  # one key, three holders
        if index % 4 == 0:
            fields["thread_id"] = "t0"
        if index == 11:
            fields["inserted_at"] = None
        store.save_message(_message(index, room, **fields))
    store.save_message(store.get_message("m003"))  # re-save: m003 is the newest holder
    store.update_message_external_id("m004", "E-updated")
    store.delete_message("m009")
    store.save_room(Room(id="r9", type=RoomType.DIRECT, inserted_at=T0))
    store.get_or_create_room_by_external_binding(
        "slack", "B1", "C9-gone", {"id": "r8", "type": "group", "inserted_at": T0}
    )
    store.delete_room("r8")
    store.erase_participant("p2", messages="redact")  # in place: save order kept
    for index in (12, 13):
        store.save_message(_message(index, "r1", sender_id="p-erased"))
    store.erase_participant("p-erased", messages="delete")
    store.save_onboarding({"onboarding_id": "o1", "step": 2, "data": {"x": -0.0}})
    store.save_onboarding({"onboarding_id": "o0", "done": True})
    store.save_bridge_config(
        BridgeConfig(
            id="bc1",
            adapter_module="m.Slack",
            credentials={"token": "s3cret"},
            inserted_at=T0,
            updated_at=T0,
        )
    )
    store.save_routing_policy(
        RoutingPolicy(room_id="r1", fallback_order=["slack"], inserted_at=T0, updated_at=T0)
    )
    store.save_ingress_subscription(
        IngressSubscription(bridge_id="B1", subscription_id="s1", adapter_name="slack")
    )


def lines(records: Iterator[Record]) -> list[bytes]:
    """The canonical lines of an export."""
    return [encode_record(record) for record in records]


def export_lines(store: PersistenceAdapter) -> list[bytes]:
    """The canonical lines of ``store``'s export."""
    return lines(store._export_records())  # type: ignore[attr-defined]


def raw(store: PersistenceAdapter) -> dict[str, Any]:
    """The store's raw index (the kit's back door)."""
    return dict(store.raw_index())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def oracle() -> Iterator[MemoryAdapter]:
    """The memory store holding the history."""
    store = MemoryAdapter()
    make_history(store)
    yield store
    store.close()


def test_the_adapter_exports_what_the_memory_adapter_exports(
    fresh: Fresh, oracle: MemoryAdapter
) -> None:
    store = fresh()
    make_history(store)
    assert export_lines(store) == export_lines(oracle)


def test_an_import_rebuilds_the_store_key_resolution_and_fall_back_order(
    fresh: Fresh, oracle: MemoryAdapter
) -> None:
    records = list(oracle._export_records())
    store = fresh()
    report = store._import_records(iter(records))  # type: ignore[attr-defined]
    assert report.records == len(records)
    assert report.by_kind["message"] == 11
    assert export_lines(store) == lines(iter(records))
    assert raw(store) == raw(oracle)
    reference = MemoryAdapter()
    reference._import_records(iter(records))
    assert store.get_message_by_external_id(*KEY).id == "m003"
    # Deleting the newest holders falls back through the older ones in save order.
    for gone in ("m003", "m005"):
        store.delete_message(gone)
        reference.delete_message(gone)
        assert store.get_message_by_external_id(*KEY) == reference.get_message_by_external_id(*KEY)
    assert store.get_message_by_external_id(*KEY).id == "m007"
    assert store.get_thread_by_external_id("r0", "T-shared").id == "t0"
    # A save after the import is newer than every imported one.
    later = _message(50, "r1", external_id=KEY[2])
    store.save_message(later)
    assert store.get_message_by_external_id(*KEY).id == "m050"
    store.save_thread(store.get_thread("t1"))
    assert store.get_thread_by_external_id("r0", "T-shared").id == "t1"
    assert store.get_messages("r1", limit=50) == [*reference.get_messages("r1", limit=50), later]


def test_an_import_into_a_store_holding_anything_writes_nothing(
    fresh: Fresh, oracle: MemoryAdapter
) -> None:
    store = fresh()
    store.get_or_create_participant_by_external_id("slack", "U1", {"id": "p1", "type": "human"})
    store.delete_participant("p1")  # only a stale key is left
    before = raw(store)
    with pytest.raises(InvalidArgument, match="empty store"):
        store._import_records(oracle._export_records())  # type: ignore[attr-defined]
    assert raw(store) == before


def test_an_import_failing_midway_leaves_nothing(fresh: Fresh, oracle: MemoryAdapter) -> None:
    records = list(oracle._export_records())

    def failing() -> Iterator[Record]:
        yield from records[: len(records) // 2]
        raise RuntimeError("the source broke")

    store = fresh()
    with pytest.raises(RuntimeError, match="the source broke"):
        store._import_records(failing())  # type: ignore[attr-defined]
    assert export_lines(store) == []
    store._import_records(iter(records))  # type: ignore[attr-defined]
    assert export_lines(store) == lines(iter(records))


def test_records_that_conflict_are_refused_and_nothing_is_written(fresh: Fresh) -> None:
    message = _message(1, "r0")
    twice = [
        RoomRecord(record=Room(id="r0", type=RoomType.GROUP)),
        MessageRecord(record=message),
    ] * 2
    store = fresh()
    with pytest.raises(InvalidArgument, match="conflict"):
        store._import_records(iter(twice))  # type: ignore[attr-defined]
    assert export_lines(store) == []


def test_an_export_reads_one_snapshot_while_the_store_is_written(fresh: Fresh) -> None:
    store = fresh()
    store.save_room(Room(id="r0", type=RoomType.GROUP, inserted_at=T0))
    store.save_message(_message(1, "r0"))
    export = store._export_records()  # type: ignore[attr-defined]
    first = next(export)
    store.save_message(_message(2, "r0"))  # the same thread, during the export
    rest = list(export)
    kinds = [record.kind for record in (first, *rest)]
    assert kinds == ["room", "message", "message_key"]
    assert store.get_message("m002").id == "m002"
