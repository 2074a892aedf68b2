"""``copy_store``: a lossless copy through export and import, merges, verification."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings

from jido_persistence.copy import CopyProgress, TargetNotEmpty, copy_store
from jido_persistence.errors import InvalidArgument
from jido_persistence.interchange import encode_record
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    ImportReport,
    ParticipantType,
    Room,
    RoomType,
)
from jido_persistence.records import OnboardingRecord, Record
from jido_persistence_conformance.suite.round_trip import apply_step, histories, read_answers


def _lines(store: MemoryAdapter) -> list[bytes]:
    return [encode_record(record) for record in store.export_records()]


@settings(max_examples=30, deadline=None)
@given(history=histories)
def test_a_copy_answers_every_question_like_the_source(history: list) -> None:  # type: ignore[type-arg]
    with MemoryAdapter() as source, MemoryAdapter() as target:
        for step in history:
            apply_step(source, step)
        report = copy_store(source, target, verify=True)
        assert report.verified is True
        assert report.differences == []
        assert report.total == len(_lines(source))
        assert _lines(target) == _lines(source)
        assert read_answers(target) == read_answers(source)


def _sample(store: MemoryAdapter) -> None:
    store.save_room(Room(id="r", type=RoomType.GROUP))
    store.create_room_binding("gone", "slack", "b", "C1")
    store.get_or_create_participant_by_external_id(
        "slack", "U1", {"id": "p", "type": ParticipantType.HUMAN}
    )
    store.get_or_create_participant_by_external_id(
        "slack", "U2", {"id": "q", "type": ParticipantType.HUMAN}
    )
    store.delete_participant("q")
    store.save_onboarding({"onboarding_id": "o"})
    store.save_bridge_config(BridgeConfig(id="bc", adapter_module="m", credentials={"t": "x"}))


def test_a_nonempty_target_is_refused_unless_merged_into() -> None:
    with MemoryAdapter() as source, MemoryAdapter() as target:
        _sample(source)
        target.save_onboarding({"onboarding_id": "mine"})
        with pytest.raises(TargetNotEmpty) as refused:
            copy_store(source, target)
        assert refused.value.found == ["onboarding"]
        assert _lines(target) == [b'{"kind":"onboarding","record":{"onboarding_id":"mine"}}']
        report = copy_store(source, target, overwrite=True, verify=True)
        assert report.merged
        assert target.get_onboarding("mine") == {"onboarding_id": "mine"}
        assert target.get_participant("p") == source.get_participant("p")
        not_copied = {(item.kind, item.key) for item in report.not_copied}
        assert ("binding_key", "slack/b/C1") in not_copied  # stale: gone has no record
        assert ("participant_key", "slack/U2") in not_copied  # stale: q was deleted
        assert report.verified is False
        assert "onboarding: 1 records, then 2" in report.differences


def test_the_same_store_is_refused() -> None:
    with MemoryAdapter() as store, pytest.raises(InvalidArgument):
        copy_store(store, store)


def test_credentials_can_be_left_behind() -> None:
    with MemoryAdapter() as source, MemoryAdapter() as target:
        _sample(source)
        copy_store(source, target, strip_credentials=True)
        assert target.get_bridge_config("bc").credentials == {}
        assert source.get_bridge_config("bc").credentials == {"t": "x"}


class DroppingAdapter(MemoryAdapter):
    """A memory store whose import loses onboarding flows (a bug verify must catch)."""

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        kept = (record for record in records if not isinstance(record, OnboardingRecord))
        return super()._import_records(kept)


def test_verify_names_the_kind_that_differs() -> None:
    with MemoryAdapter() as source, DroppingAdapter() as target:
        _sample(source)
        report = copy_store(source, target, verify=True)
        assert report.verified is False
        assert report.differences == ["onboarding: 1 records, then 0"]


def test_progress_reports_the_records_copied() -> None:
    events: list[CopyProgress] = []
    with MemoryAdapter() as source, MemoryAdapter() as target:
        _sample(source)
        report = copy_store(source, target, progress=events.append)
    assert events[-1].stage == "records"
    assert events[-1].done == report.total
    assert dict(events[-1].counts) == report.counts
