"""The shared export plan of the SQL adapters: kinds in order, rows <-> records, batching."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence import export_plan as plan
from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import Room, RoomType
from jido_persistence.records import (
    KEY_KINDS,
    RECORD_KINDS,
    BindingKeyRecord,
    MessageKeyRecord,
    OnboardingRecord,
    Record,
    RoomRecord,
)

keys = st.text(min_size=1, max_size=5).filter(lambda text: "\x00" not in text)


def test_the_plan_lists_every_kind_in_export_order() -> None:
    assert tuple(entry.kind for entry in plan.PLAN) == RECORD_KINDS
    derived = {entry.kind for entry in plan.PLAN if entry.derived}
    assert derived == {"message_key", "thread_external_key", "thread_root_key"}
    assert {entry.kind for entry in plan.PLAN if entry.fields != ("record",)} == KEY_KINDS


@given(keys, keys, keys, keys)
def test_a_key_row_reads_back_as_its_record(a: str, b: str, c: str, d: str) -> None:
    for record in (
        BindingKeyRecord(channel=a, bridge_id=b, external_id=c, room_id=d),
        MessageKeyRecord(channel=a, bridge_id=b, external_id=c, message_id=d),
    ):
        assert plan.record_reader(record.kind)(plan.key_row(record)) == record


def test_stored_kinds_read_their_document_or_a_decoded_model() -> None:
    room = Room(id="r", type=RoomType.GROUP)
    assert plan.record_reader("room")((room.model_dump_json(),)) == RoomRecord(record=room)
    assert plan.record_reader("room", lambda row: row[0])((room,)) == RoomRecord(record=room)
    flow = OnboardingRecord(record={"onboarding_id": "o", "step": 2})
    assert plan.record_reader("onboarding")(('{"onboarding_id":"o","step":2}',)) == flow


@given(st.lists(st.sampled_from(["r1", "r2", "r3", "k"]), max_size=30), st.integers(1, 4))
def test_batches_keep_the_order_of_each_kind_and_skip_derived_keys(
    names: list[str], batch: int
) -> None:
    records: list[Record] = [
        MessageKeyRecord(channel="c", bridge_id="b", external_id="e", message_id="m")
        if name == "k"
        else RoomRecord(record=Room(id=name, type=RoomType.GROUP))
        for name in names
    ]
    written: list[tuple[str, list[Any]]] = []
    report = plan.load_in_batches(
        records, {"room": lambda r: r.record.id}, lambda k, rows: written.append((k, rows)), batch
    )
    assert all(kind == "room" and 0 < len(rows) <= batch for kind, rows in written)
    assert [row for _, rows in written for row in rows] == [n for n in names if n != "k"]
    assert report.records == len(names)
    assert report.by_kind == {
        kind: count
        for kind, count in (
            ("room", sum(n != "k" for n in names)),
            ("message_key", names.count("k")),
        )
        if count
    }


def test_a_value_that_is_no_record_and_a_second_attempt_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="not a Record"):
        plan.load_in_batches(["room"], {}, lambda kind, rows: None, 10)  # type: ignore[list-item]
    attempt = plan.OneAttempt()
    attempt.start()
    with pytest.raises(StorageError, match="nothing was imported"):
        attempt.start()
    assert plan.any_record_query(["a", "b"]) == (
        "SELECT EXISTS (SELECT 1 FROM a) OR EXISTS (SELECT 1 FROM b)"
    )
