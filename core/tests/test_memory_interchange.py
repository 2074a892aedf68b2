"""The memory adapter's export and import: order, fall-back keys, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jido_persistence.errors import InvalidArgument
from jido_persistence.interchange import encode_record
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import IngressSubscription, Message, Room, RoomType, Thread
from jido_persistence.records import MessageRecord, Record, RoomRecord

METADATA = {"channel": "slack", "bridge_id": "b"}


def _message(message_id: str, external_id: str | None = "E") -> Message:
    return Message(
        id=message_id,
        room_id="r",
        sender_id="p",
        role="user",
        external_id=external_id,
        metadata=METADATA,
    )


def _store() -> MemoryAdapter:
    store = MemoryAdapter()
    store.save_room(Room(id="r", type=RoomType.GROUP))
    store.create_room_binding("r", "slack", "b", "C1")
    store.create_room_binding("gone", "slack", "b", "C2")
    store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human", "id": "p"})
    store.delete_participant("p")
    for message_id in ("m1", "m2", "m3"):
        store.save_message(_message(message_id))
    store.save_message(_message("m1"))
    store.save_thread(Thread(id="t1", room_id="r", external_thread_id="X"))
    store.save_thread(Thread(id="t2", room_id="r", external_thread_id="X", root_message_id="m1"))
    store.save_thread(store.get_thread("t1"))
    store.save_onboarding({"onboarding_id": "o", "step": 2})
    store.save_ingress_subscription(
        IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="x")
    )
    return store


def _lines(store: MemoryAdapter) -> list[bytes]:
    return [encode_record(record) for record in store._export_records()]


def test_export_then_import_then_export_is_identical() -> None:
    source, target = _store(), MemoryAdapter()
    report = target._import_records(source._export_records())
    assert _lines(target) == _lines(source)
    assert report.records == len(_lines(source))
    assert report.by_kind["message"] == 3
    assert report.by_kind["binding_key"] == 2
    assert report.by_kind["participant_key"] == 1


def test_messages_and_threads_come_in_save_order() -> None:
    records = list(_store()._export_records())
    messages = [r.record.id for r in records if r.kind == "message"]  # type: ignore[union-attr]
    threads = [r.record.id for r in records if r.kind == "thread"]  # type: ignore[union-attr]
    assert messages == ["m2", "m3", "m1"]
    assert threads == ["t2", "t1"]


def test_keys_fall_back_in_the_same_order_after_an_import() -> None:
    source, target = _store(), MemoryAdapter()
    target._import_records(source._export_records())
    for store in (source, target):
        assert store.get_message_by_external_id("slack", "b", "E").id == "m1"
        store.delete_message("m1")
        assert store.get_message_by_external_id("slack", "b", "E").id == "m3"
        assert store.get_thread_by_external_id("r", "X").id == "t1"
    assert target.raw_index() == source.raw_index()
    assert target.get_room_by_external_binding("slack", "b", "C1").id == "r"


def test_stale_keys_survive_the_round_trip() -> None:
    source, target = _store(), MemoryAdapter()
    target._import_records(source._export_records())
    index = target.raw_index()
    assert index["room_binding_keys"][("slack", "b", "C2")] == "gone"
    assert index["participant_keys"][("slack", "U1")] == "p"


def test_import_into_a_store_holding_anything_writes_nothing() -> None:
    target = MemoryAdapter()
    target.save_onboarding({"onboarding_id": "already"})
    with pytest.raises(InvalidArgument, match="empty store"):
        target._import_records(_store()._export_records())
    assert _lines(target) == [b'{"kind":"onboarding","record":{"onboarding_id":"already"}}']


def test_a_failure_midway_leaves_the_target_empty() -> None:
    def failing() -> Iterator[Record]:
        yield RoomRecord(record=Room(id="r", type=RoomType.GROUP))
        yield MessageRecord(record=_message("m1"))
        raise InvalidArgument("line 3: damaged")

    target = MemoryAdapter()
    with pytest.raises(InvalidArgument, match="damaged"):
        target._import_records(failing())
    assert _lines(target) == []
    target._import_records(_store()._export_records())
    assert target.raw_index()["row_counts"]["messages"] == 3


def test_export_is_lazy() -> None:
    store = _store()
    records = store._export_records()
    first = next(records)
    assert first.kind == "room"
    records.close()
    store.save_room(Room(id="after", type=RoomType.GROUP))


def test_a_redaction_keeps_each_message_in_its_place() -> None:
    store = _store()
    store.save_message(_message("other").model_copy(update={"sender_id": "q"}))

    def order() -> list[str]:
        records = store._export_records()
        return [r.record.id for r in records if r.kind == "message"]  # type: ignore[union-attr]

    before = order()
    assert store.erase_participant("p", messages="redact").messages == 3
    assert order() == before == ["m2", "m3", "m1", "other"]
