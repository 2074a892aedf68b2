"""``prune``: each limit is enforced, a dry run reports exactly and changes nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence import prune
from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotFound, NotSupported
from jido_persistence.indexes import sort_key
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Room, RoomType
from jido_persistence.retention import PruneProgress

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=10)
ROOMS = ("room:a", "room:b", "room:c")
ALL = 2**63 - 1
TIMES = (None, datetime.min.replace(tzinfo=UTC), T0, T0 + timedelta(days=3), NOW)
"""Colliding timestamps: ties on inserted_at, None, the floor, and 'now'."""


def _message(message_id: str, room_id: str, inserted_at: datetime | None) -> Message:
    return Message(
        id=message_id,
        room_id=room_id,
        sender_id="p",
        role="user",
        inserted_at=inserted_at,
        updated_at=inserted_at,
        external_id=f"E{message_id}",
        metadata={"channel": "slack", "bridge_id": "b"},
    )


stores_content = st.lists(
    st.tuples(
        st.sampled_from(("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8")),
        st.sampled_from(ROOMS),
        st.sampled_from(TIMES),
    ),
    max_size=14,
)


def _fill(content: list[tuple[str, str, datetime | None]]) -> MemoryAdapter:
    store = MemoryAdapter()
    for room_id in ROOMS[:2]:  # room:c has messages but no room record
        store.save_room(Room(id=room_id, type=RoomType.GROUP, inserted_at=T0))
    for message_id, room_id, inserted_at in content:
        store.save_message(_message(message_id, room_id, inserted_at))
    return store


def digest(store: PersistenceAdapter) -> str:
    """A digest of every read: rooms, each room's messages, every key, the raw index."""
    reads: dict[str, object] = {
        "rooms": [room.model_dump(mode="json") for room in store.list_rooms(limit=ALL)],
        "raw": {
            name: sorted(map(repr, value.items()))
            for name, value in store.raw_index().items()  # type: ignore[attr-defined]
        },
    }
    for room_id in ROOMS:
        reads[room_id] = [m.model_dump(mode="json") for m in store.get_messages(room_id, limit=ALL)]
    for number in range(1, 9):
        try:
            reads[f"key{number}"] = store.get_message_by_external_id("slack", "b", f"Em{number}").id
        except NotFound:
            reads[f"key{number}"] = None
    return hashlib.sha256(json.dumps(reads, sort_keys=True).encode()).hexdigest()


def expected_left(
    store: PersistenceAdapter, room_id: str, cut: datetime | None, keep_last: int | None
) -> list[str]:
    """The model: newest first, a message stays unless it is old or beyond keep_last."""
    newest_first = sorted(
        store.get_messages(room_id, limit=ALL),
        key=lambda m: sort_key(m.inserted_at, m.id),
        reverse=True,
    )
    kept = [
        m
        for position, m in enumerate(newest_first)
        if (keep_last is None or position < keep_last)
        and not (cut is not None and (m.inserted_at is None or m.inserted_at < cut))
    ]
    return [m.id for m in reversed(kept)]


@settings(max_examples=150, deadline=None)
@given(
    content=stores_content,
    older_than=st.none() | st.sampled_from((timedelta(0), timedelta(days=7), timedelta(days=1e6))),
    keep_last=st.none() | st.integers(0, 4),
    rooms=st.none() | st.lists(st.sampled_from(ROOMS), unique=True),
)
def test_prune_enforces_each_limit_and_its_dry_run_reports_it_exactly(
    content: list[tuple[str, str, datetime | None]],
    older_than: timedelta | None,
    keep_last: int | None,
    rooms: list[str] | None,
) -> None:
    """A dry run changes no read and reports exactly what the real run then removes;
    afterwards each pruned room holds what the model keeps, the others are untouched."""
    if older_than is None and keep_last is None:
        keep_last = 2
    with _fill(content) as store:
        pruned = ["room:a", "room:b"] if rooms is None else rooms
        floor = datetime.min.replace(tzinfo=UTC)
        cut = None
        if older_than is not None:
            cut = floor if older_than > NOW - floor else NOW - older_than
        expected = {room_id: expected_left(store, room_id, cut, keep_last) for room_id in ROOMS}
        untouched = {
            room_id: [m.id for m in store.get_messages(room_id, limit=ALL)]
            for room_id in ROOMS
            if room_id not in pruned
        }
        before = digest(store)
        dry = prune(store, older_than, keep_last, rooms, dry_run=True, now=NOW)
        assert digest(store) == before
        real = prune(store, older_than, keep_last, rooms, now=NOW)
        assert (dry.messages, dry.by_room, dry.rooms) == (real.messages, real.by_room, real.rooms)
        assert dry.dry_run
        assert not real.dry_run
        for room_id in pruned:
            assert [m.id for m in store.get_messages(room_id, limit=ALL)] == expected[room_id]
        for room_id, ids in untouched.items():
            assert [m.id for m in store.get_messages(room_id, limit=ALL)] == ids
        assert real.messages == sum(real.by_room.values())
        assert prune(store, older_than, keep_last, rooms, now=NOW).messages == 0


def test_keep_last_breaks_ties_on_inserted_at_by_id() -> None:
    """Five messages with one timestamp: keep_last=2 keeps the two with the largest ids."""
    with _fill([(f"m{n}", "room:a", T0) for n in range(1, 6)]) as store:
        report = prune(store, keep_last=2)
        assert report.messages == 3
        assert report.by_room == {"room:a": 3}
        assert [m.id for m in store.get_messages("room:a")] == ["m4", "m5"]


def test_older_than_removes_none_timestamps_and_keeps_the_cut() -> None:
    """``inserted_at < now - older_than`` goes (None included); a message at the cut stays."""
    content = [("m1", "room:a", None), ("m2", "room:a", T0), ("m3", "room:a", NOW)]
    with _fill(content) as store:
        report = prune(store, older_than=NOW - T0, now=NOW)
        assert report.cut == T0
        assert [m.id for m in store.get_messages("room:a")] == ["m2", "m3"]
        india = timezone(timedelta(hours=5, minutes=30))
        assert prune(store, older_than=timedelta(0), now=NOW.astimezone(india)).messages == 1


def test_progress_is_called_after_each_room() -> None:
    events: list[PruneProgress] = []
    with _fill([("m1", "room:a", T0), ("m2", "room:b", T0)]) as store:
        prune(store, keep_last=0, progress=events.append)
    assert [(e.room_id, e.done, e.total, e.removed) for e in events] == [
        ("room:a", 1, 2, 1),
        ("room:b", 2, 2, 2),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "nothing to prune"),
        ({"older_than": timedelta(days=-1)}, "older_than"),
        ({"older_than": 90}, "older_than"),
        ({"keep_last": -1}, "keep_last"),
        ({"keep_last": True}, "keep_last"),
        ({"keep_last": 1.5}, "keep_last"),
        ({"keep_last": 1, "rooms": "room:a"}, "rooms"),
        ({"keep_last": 1, "rooms": [""]}, "room_id"),
        ({"older_than": timedelta(1), "now": datetime(2024, 1, 1)}, "now"),
    ],
)
def test_bad_arguments_raise_invalid_argument_and_remove_nothing(
    kwargs: dict[str, object], message: str
) -> None:
    with _fill([("m1", "room:a", None)]) as store:
        before = digest(store)
        with pytest.raises(InvalidArgument, match=message):
            prune(store, **kwargs)  # type: ignore[arg-type]
        assert digest(store) == before


class _NoRetention(MemoryAdapter):
    """The reference without the retention group (the base's NotSupported defaults)."""

    _delete_messages = PersistenceAdapter._delete_messages  # type: ignore[attr-defined]
    _erase_participant = PersistenceAdapter._erase_participant  # type: ignore[attr-defined]
    _delete_onboarding = PersistenceAdapter._delete_onboarding  # type: ignore[attr-defined]


def test_a_store_without_the_retention_group_raises_not_supported() -> None:
    with _NoRetention() as store:
        assert not store.capabilities.retention
        with pytest.raises(NotSupported):
            prune(store, keep_last=1, dry_run=True)
