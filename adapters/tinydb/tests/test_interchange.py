"""The TinyDB adapter's export and import: save order across reopen, one journal record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jido_persistence.errors import InvalidArgument
from jido_persistence.interchange import encode_record
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Room, RoomType, Thread
from jido_persistence.records import MessageRecord, Record, RoomRecord
from jido_persistence_tinydb import TinyDBAdapter
from jido_persistence_tinydb._interchange import save_order

METADATA = {"channel": "slack", "bridge_id": "b"}


def _message(message_id: str) -> Message:
    return Message(
        id=message_id, room_id="r", sender_id="p", role="user", external_id="E", metadata=METADATA
    )


def _fill(store: TinyDBAdapter | MemoryAdapter) -> None:
    store.save_room(Room(id="r", type=RoomType.GROUP))
    store.create_room_binding("gone", "slack", "b", "C2")
    store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human", "id": "p"})
    store.delete_participant("p")
    for message_id in ("m1", "m2", "m3"):
        store.save_message(_message(message_id))
    store.save_message(_message("m1"))
    store.save_thread(Thread(id="t1", room_id="r", external_thread_id="X"))
    store.save_thread(Thread(id="t2", room_id="r", external_thread_id="X"))
    store.save_thread(store.get_thread("t1"))
    store.save_onboarding({"onboarding_id": "o", "step": 2})


def _lines(store: TinyDBAdapter | MemoryAdapter) -> list[bytes]:
    return [encode_record(record) for record in store._export_records()]


def test_tinydb_exports_what_memory_exports_also_after_a_reopen(tmp_path: Path) -> None:
    reference = MemoryAdapter()
    _fill(reference)
    path = tmp_path / "s.json"
    with TinyDBAdapter(path=path) as store:
        _fill(store)
        # The same data saved at other instants: compare everything but timestamps.
        assert len(_lines(store)) == len(_lines(reference))
        kinds = [record.kind for record in store._export_records()]
        assert kinds == [record.kind for record in reference._export_records()]
        before = _lines(store)
    with TinyDBAdapter(path=path) as reopened:
        assert _lines(reopened) == before
        messages = [r.record.id for r in reopened._export_records() if r.kind == "message"]  # type: ignore[union-attr]
        assert messages == ["m2", "m3", "m1"]


def test_import_round_trips_and_survives_a_reopen(tmp_path: Path) -> None:
    source = MemoryAdapter()
    _fill(source)
    with TinyDBAdapter(path=tmp_path / "t.json") as target:
        report = target._import_records(source._export_records())
        assert report.by_kind["message"] == 3
        assert _lines(target) == _lines(source)
    with TinyDBAdapter(path=tmp_path / "t.json") as reopened:
        assert _lines(reopened) == _lines(source)
        reopened.delete_message("m1")
        assert reopened.get_message_by_external_id("slack", "b", "E").id == "m3"


def test_a_failure_midway_writes_nothing(tmp_path: Path) -> None:
    def failing() -> Iterator[Record]:
        yield RoomRecord(record=Room(id="r", type=RoomType.GROUP))
        yield MessageRecord(record=_message("m1"))
        raise InvalidArgument("line 3: damaged")

    path = tmp_path / "f.json"
    with TinyDBAdapter(path=path) as target:
        with pytest.raises(InvalidArgument, match="damaged"):
            target._import_records(failing())
        assert _lines(target) == []
    with TinyDBAdapter(path=path) as reopened:
        assert _lines(reopened) == []


def test_import_refuses_a_store_with_a_key_only(tmp_path: Path) -> None:
    with TinyDBAdapter(path=tmp_path / "k.json") as target:
        target.get_or_create_participant_by_external_id("c", "e", {"type": "human", "id": "x"})
        target.delete_participant("x")
        with pytest.raises(InvalidArgument, match="participant keys"):
            target._import_records([])


def test_save_order_sorts_only_when_the_documents_are_out_of_order() -> None:
    in_order = {"a": b'{"id":"a","_seq":1}', "b": b'{"id":"b","_seq":5}'}
    assert list(save_order(in_order)) == ["a", "b"]
    shuffled = {"b": b'{"id":"b","_seq":5}', "a": b'{"_seq":1,"id":"a"}'}
    assert list(save_order(shuffled)) == ["a", "b"]


def test_a_redaction_keeps_each_message_in_its_place(tmp_path: Path) -> None:
    with TinyDBAdapter(path=tmp_path / "r.json") as store:
        _fill(store)
        store.save_message(_message("other").model_copy(update={"sender_id": "q"}))

        def order() -> list[str]:
            records = store._export_records()
            return [r.record.id for r in records if r.kind == "message"]  # type: ignore[union-attr]

        before = order()
        assert store.erase_participant("p", messages="redact").messages == 3
        assert order() == before == ["m2", "m3", "m1", "other"]
