"""The interchange format: records round-trip canonically; damaged files name the line."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jido_persistence
from jido_persistence import models
from jido_persistence import records as records_module
from jido_persistence.errors import InvalidArgument
from jido_persistence.interchange import (
    FORMAT_VERSION,
    InterchangeError,
    KindDigests,
    NewerFormatVersion,
    decode_record,
    encode_record,
    read_export,
    read_records,
    without_credentials,
    write_export,
)
from jido_persistence.records import (
    RECORD_KINDS,
    BindingKeyRecord,
    BridgeConfigRecord,
    IngressSubscriptionRecord,
    MessageKeyRecord,
    MessageRecord,
    OnboardingRecord,
    ParticipantKeyRecord,
    ParticipantRecord,
    Record,
    RoomBindingRecord,
    RoomRecord,
    RoutingPolicyRecord,
    ThreadExternalKeyRecord,
    ThreadRecord,
    ThreadRootKeyRecord,
)
from jido_persistence_conformance.strategies import (
    bridge_configs,
    ingress_subscriptions,
    messages,
    onboarding_flows,
    participants,
    room_bindings,
    rooms,
    routing_policies,
    threads,
)

keys = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=8)

any_record: st.SearchStrategy[Record] = st.one_of(
    bridge_configs().map(lambda record: BridgeConfigRecord(record=record)),
    rooms().map(lambda record: RoomRecord(record=record)),
    participants().map(lambda record: ParticipantRecord(record=record)),
    routing_policies().map(lambda record: RoutingPolicyRecord(record=record)),
    room_bindings().map(lambda record: RoomBindingRecord(record=record)),
    onboarding_flows().map(lambda record: OnboardingRecord(record=record)),
    ingress_subscriptions().map(lambda record: IngressSubscriptionRecord(record=record)),
    threads().map(lambda record: ThreadRecord(record=record)),
    messages().map(lambda record: MessageRecord(record=record)),
    st.builds(BindingKeyRecord, channel=keys, bridge_id=keys, external_id=keys, room_id=keys),
    st.builds(ParticipantKeyRecord, channel=keys, external_id=keys, participant_id=keys),
    st.builds(MessageKeyRecord, channel=keys, bridge_id=keys, external_id=keys, message_id=keys),
    st.builds(ThreadExternalKeyRecord, room_id=keys, external_thread_id=keys, thread_id=keys),
    st.builds(ThreadRootKeyRecord, room_id=keys, root_message_id=keys, thread_id=keys),
)


def _export_text(records: list[Record], tmp_path: Path, name: str = "out.jsonl") -> bytes:
    path = tmp_path / name
    write_export(path, records, source_adapter="memory", overwrite=True)
    return path.read_bytes()


@given(any_record)
def test_every_kind_round_trips_through_its_canonical_line(record: Record) -> None:
    line = encode_record(record)
    decoded = decode_record(line, 2)
    assert decoded == record
    assert encode_record(decoded) == line
    assert json.loads(line)["kind"] == record.kind


@given(messages())
def test_the_canonical_line_does_not_depend_on_key_order(message: models.Message) -> None:
    record = MessageRecord(record=message)
    data = json.loads(encode_record(record))
    shuffled = json.dumps(dict(reversed(list(data.items()))))
    assert encode_record(decode_record(shuffled, 2)) == encode_record(record)


def test_the_record_kinds_are_the_documented_ones() -> None:
    assert RECORD_KINDS == (
        "bridge_config",
        "room",
        "participant",
        "routing_policy",
        "room_binding",
        "onboarding",
        "ingress_subscription",
        "thread",
        "message",
        "binding_key",
        "participant_key",
        "message_key",
        "thread_external_key",
        "thread_root_key",
    )
    assert records_module.Record is jido_persistence.Record
    assert models.ImportReport is jido_persistence.ImportReport


def test_two_exports_of_the_same_records_differ_only_in_the_timestamp(tmp_path: Path) -> None:
    records: list[Record] = [
        RoomRecord(record=models.Room(id="r", type=models.RoomType.GROUP)),
        BindingKeyRecord(channel="slack", bridge_id="b", external_id="C1", room_id="gone"),
    ]
    first = _export_text(records, tmp_path, "a.jsonl").split(b"\n")
    second = _export_text(records, tmp_path, "b.jsonl").split(b"\n")
    assert first[1:] == second[1:]
    header = json.loads(first[0])
    assert header["format"] == "jido-persistence-export"
    assert header["format_version"] == FORMAT_VERSION
    assert header["contract_version"] == "1.3"
    assert header["source_adapter"] == "memory"
    assert set(header) == {
        "format",
        "format_version",
        "contract_version",
        "source_adapter",
        "exported_at",
    }


def test_the_file_is_created_owner_only_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "backup.jsonl"
    old = os.umask(0)
    try:
        write_export(path, [], source_adapter="memory")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(InvalidArgument, match="exists"):
        write_export(path, [], source_adapter="memory")
    assert not (tmp_path / "backup.jsonl.partial").exists()


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> list[Record]:
        raise RuntimeError("source failed")

    def records():  # type: ignore[no-untyped-def]
        yield RoomRecord(record=models.Room(id="r", type=models.RoomType.GROUP))
        broken()

    with pytest.raises(RuntimeError):
        write_export(tmp_path / "x.jsonl", records(), source_adapter="memory")
    assert list(tmp_path.iterdir()) == []


def test_credentials_are_exported_unless_removed(tmp_path: Path) -> None:
    config = models.BridgeConfig(id="b", adapter_module="m", credentials={"token": "s3cret"})
    records: list[Record] = [BridgeConfigRecord(record=config)]
    assert b"s3cret" in _export_text(records, tmp_path)
    stripped = list(without_credentials(records))
    assert isinstance(stripped[0], BridgeConfigRecord)
    assert stripped[0].record.credentials == {}
    assert b"s3cret" not in _export_text(stripped, tmp_path)


def _lines(*lines: bytes) -> io.BytesIO:
    return io.BytesIO(b"".join(line + b"\n" for line in lines))


def _trailer(*records: bytes, **change: object) -> bytes:
    """The trailer line that the record lines ``records`` need (``change``: a wrong one)."""
    by_kind: dict[str, int] = {}
    for line in records:
        kind = json.loads(line)["kind"]
        by_kind[kind] = by_kind.get(kind, 0) + 1
    trailer = {
        "end": "jido-persistence-export",
        "records": len(records),
        "by_kind": by_kind,
        "sha256": hashlib.sha256(b"".join(line + b"\n" for line in records)).hexdigest(),
        **change,
    }
    return json.dumps(trailer).encode()


def _file(*records: bytes) -> io.BytesIO:
    """A whole file: the header, ``records`` and their trailer."""
    return _lines(HEADER, *records, _trailer(*records))


HEADER = json.dumps(
    {
        "format": "jido-persistence-export",
        "format_version": 1,
        "contract_version": "1.3",
        "source_adapter": "x",
        "exported_at": "2026-01-01T00:00:00Z",
    }
).encode()
ROOM = b'{"kind":"room","record":{"id":"r","type":"group"}}'


def test_reading_gives_the_header_and_records() -> None:
    header, records = read_records(_file(ROOM))
    assert header.source_adapter == "x"
    assert header.exported_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert [record.kind for record in records] == ["room"]


@pytest.mark.parametrize(
    ("damage", "line"),
    [
        (b'{"kind":"room","record":', 3),
        (b'{"kind":"nonsense"}', 3),
        (b'{"kind":"room","record":{"id":"r","type":"castle"}}', 3),
        (b"", 3),
        (b"\xff\xfe", 3),
        (b'{"kind":"onboarding","record":{"onboarding_id":""}}', 3),
    ],
)
def test_a_damaged_line_is_refused_with_its_number(damage: bytes, line: int) -> None:
    _, records = read_records(_lines(HEADER, ROOM, damage, ROOM, _trailer(ROOM, ROOM)))
    assert next(records).kind == "room"
    with pytest.raises(InterchangeError) as caught:
        next(records)
    assert caught.value.line == line
    assert f"line {line}" in str(caught.value)


def test_a_line_cut_short_is_refused() -> None:
    _, records = read_records(io.BytesIO(HEADER + b"\n" + ROOM))
    with pytest.raises(InterchangeError, match="cut short") as caught:
        list(records)
    assert caught.value.line == 2


def test_a_newer_format_version_is_refused_on_line_one() -> None:
    newer = json.loads(HEADER)
    newer["format_version"] = FORMAT_VERSION + 1
    newer["something_new"] = True
    with pytest.raises(NewerFormatVersion) as caught:
        read_records(_lines(json.dumps(newer).encode(), ROOM))
    assert caught.value.line == 1
    assert caught.value.version == FORMAT_VERSION + 1


@pytest.mark.parametrize(
    "first", [b"", b"[]", b'{"format":"other"}', b'{"format":"jido-persistence-export"}']
)
def test_a_file_without_a_valid_header_is_refused(first: bytes) -> None:
    with pytest.raises(InterchangeError) as caught:
        read_records(io.BytesIO(first + (b"\n" if first else b"")))
    assert caught.value.line == 1


def test_errors_never_show_a_credential() -> None:
    bad = b'{"kind":"bridge_config","record":{"adapter_module":1,"credentials":{"t":"s3cret"}}}'
    _, records = read_records(_lines(HEADER, bad))
    with pytest.raises(InterchangeError) as caught:
        next(records)
    assert "s3cret" not in str(caught.value)


def test_read_export_opens_a_written_file(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    room = RoomRecord(record=models.Room(id="r", type=models.RoomType.GROUP))
    summary = write_export(path, [room], source_adapter="memory")
    assert summary.records == 1
    with read_export(path) as (header, records):
        assert header.source_adapter == "memory"
        assert list(records) == [room]


def test_digests_tell_which_kind_differs() -> None:
    left, right = KindDigests(), KindDigests()
    room = RoomRecord(record=models.Room(id="r", type=models.RoomType.GROUP))
    other = RoomRecord(record=models.Room(id="s", type=models.RoomType.GROUP))
    key = BindingKeyRecord(channel="c", bridge_id="b", external_id="e", room_id="r")
    for record in (room, key):
        left.add_record(record)
    for record in (other, key):
        right.add_record(record)
    assert left.differences(left) == []
    assert left.differences(right) == ["room: 1 records each, but they differ"]
    right.add_record(key)
    assert left.differences(right)[0] == "binding_key: 1 records, then 2"


OTHER = b'{"kind":"room","record":{"id":"s","type":"group"}}'


def test_a_file_without_its_trailer_is_refused_after_its_last_line() -> None:
    _, records = read_records(_lines(HEADER, ROOM, OTHER))
    assert next(records).kind == "room"
    assert next(records).kind == "room"
    with pytest.raises(InterchangeError, match="without its trailer") as caught:
        next(records)
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("trailer", "problem"),
    [
        (_trailer(ROOM), "missing or were added"),
        (_trailer(ROOM, ROOM, OTHER), "missing or were added"),
        (_trailer(ROOM, OTHER, by_kind={"room": 1, "message": 1}), "missing or were added"),
        (_trailer(ROOM, ROOM), "SHA-256"),  # same counts, other records
        (_trailer(ROOM, OTHER, sha256="0" * 64), "SHA-256"),
        (_trailer(ROOM, OTHER, records="2"), "not a valid trailer"),
        (b'{"end":"jido-persistence-export"}', "not a valid trailer"),
    ],
)
def test_a_trailer_that_does_not_match_is_refused_with_its_line(
    trailer: bytes, problem: str
) -> None:
    _, records = read_records(_lines(HEADER, ROOM, OTHER, trailer))
    with pytest.raises(InterchangeError, match=problem) as caught:
        list(records)
    assert caught.value.line == 4


def test_a_line_after_the_trailer_is_refused() -> None:
    _, records = read_records(_lines(HEADER, ROOM, _trailer(ROOM), ROOM))
    with pytest.raises(InterchangeError, match="after the trailer") as caught:
        list(records)
    assert caught.value.line == 4


def test_a_file_of_no_records_has_a_trailer_of_zero(tmp_path: Path) -> None:
    text = _export_text([], tmp_path)
    _header, trailer = text.splitlines()
    assert json.loads(trailer) == {
        "by_kind": {},
        "end": "jido-persistence-export",
        "records": 0,
        "sha256": hashlib.sha256(b"").hexdigest(),
    }
    _, records = read_records(io.BytesIO(text))
    assert list(records) == []


@settings(max_examples=60)
@given(st.lists(any_record, min_size=0, max_size=6), st.data())
def test_any_truncation_of_a_written_file_is_refused(
    tmp_path_factory: pytest.TempPathFactory, records: list[Record], data: st.DataObject
) -> None:
    """A file cut anywhere (at a line boundary or inside a line, the trailer included)
    is refused with InterchangeError, never read as a smaller export."""
    text = _export_text(records, tmp_path_factory.mktemp("cut"))
    _, whole = read_records(io.BytesIO(text))
    assert [encode_record(record) for record in whole] == [
        encode_record(record) for record in records
    ]
    boundaries = [index + 1 for index, byte in enumerate(text) if byte == ord("\n")]
    cut = data.draw(
        st.one_of(st.sampled_from(boundaries[:-1]), st.integers(0, len(text) - 1)),
        label="cut",
    )
    with pytest.raises(InterchangeError):
        _read_all(text[:cut])


def _read_all(text: bytes) -> list[Record]:
    _, records = read_records(io.BytesIO(text))
    return list(records)
