"""Exact round trips and orderings: JSON types, extreme datetimes, code point order,
literal directory matching (the points where SQL defaults differ from the contract)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Participant, Room
from jido_persistence_duckdb.adapter import DuckDBAdapter

_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e16, -0.0, 0.0, 1.0, 2.0**53, 5e-324, 1.7976931348623157e308])
    | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBAdapter]:
    """One store for the hypothesis tests of this module (records use fresh ids)."""
    adapter = DuckDBAdapter(path=str(tmp_path_factory.mktemp("exact") / "store.duckdb"))
    yield adapter
    adapter.close()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@_SETTINGS
@given(metadata=st.dictionaries(_text, _json, max_size=4), content=_json)
def test_json_values_round_trip_type_exactly(
    shared_store: DuckDBAdapter, metadata: dict[str, Any], content: Any
) -> None:
    message = Message(
        room_id="r",
        sender_id="s",
        role="tool",
        metadata=metadata,
        content=[{"type": "tool_result", "tool_use_id": "t", "content": content}],
    )
    shared_store.save_message(message)
    stored = shared_store.get_message(message.id)
    assert stored == message
    assert _canonical(stored.metadata) == _canonical(metadata)
    assert _canonical(stored.model_dump(mode="json")) == _canonical(message.model_dump(mode="json"))


def test_float_sign_and_int_float_distinction_survive(store: DuckDBAdapter) -> None:
    room = Room(type="group", metadata={"big": 1e16, "neg_zero": -0.0, "one": 1.0, "int": 1})
    store.save_room(room)
    metadata = store.get_room(room.id).metadata
    assert type(metadata["big"]) is float
    assert metadata["big"] == 1e16
    assert json.dumps(metadata["neg_zero"]) == "-0.0"
    assert type(metadata["one"]) is float
    assert type(metadata["int"]) is int


@pytest.mark.parametrize(
    "moment",
    [
        datetime.min.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1970, 1, 1, tzinfo=UTC),
    ],
)
def test_extreme_datetimes_round_trip_and_sort(store: DuckDBAdapter, moment: datetime) -> None:
    untimed = Message(room_id="r", sender_id="s", role="user", inserted_at=None, updated_at=None)
    timed = Message(room_id="r", sender_id="s", role="user", inserted_at=moment, updated_at=moment)
    store.save_message(timed)
    store.save_message(untimed)
    assert store.get_message(timed.id) == timed
    assert store.get_message(timed.id).inserted_at.tzinfo is UTC  # type: ignore[union-attr]
    assert store.get_messages("r") == [untimed, timed]


@_SETTINGS
@given(moments=st.lists(st.datetimes(timezones=st.just(UTC)), min_size=1, max_size=5))
def test_any_microsecond_round_trips(shared_store: DuckDBAdapter, moments: list[datetime]) -> None:
    for moment in moments:
        room = Room(type="group", inserted_at=moment)
        shared_store.save_room(room)
        assert shared_store.get_room(room.id).inserted_at == moment


@_SETTINGS
@given(ids=st.lists(_text.filter(bool), min_size=1, max_size=8, unique=True))
def test_ids_sort_by_code_point(tmp_path: Path, ids: list[str]) -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    room_id = f"room-{len(list(tmp_path.iterdir()))}"
    with DuckDBAdapter(path=":memory:") as store:
        for message_id in ids:
            store.save_message(
                Message(
                    id=message_id, room_id=room_id, sender_id="s", role="user", inserted_at=moment
                )
            )
        page = store.get_messages(room_id, limit=len(ids))
        assert [message.id for message in page] == sorted(ids)
        participants = [Participant(id=pid, type="human") for pid in ids]
        for participant in participants:
            store.save_participant(participant)
        found = store.directory_search("participant", {})
        assert [participant.id for participant in found] == sorted(ids)


@pytest.mark.parametrize(
    ("name", "query", "matches"),
    [
        ("100% sure", "%", True),
        ("100 sure", "%", False),
        ("snake_case", "_", True),
        ("snakecase", "_", False),
        ("back\\slash", "\\", True),
        ("backslash", "\\", False),
        ("star*", "*", True),
        ("abc", "a%c", False),
        ("abc", "a_c", False),
        ("Straße", "STRASSE", True),
        ("ΣΊΣΥΦΟΣ", "σίσυφος", True),
        ("anything", "", True),
    ],
)
def test_directory_names_match_literally_like_casefold(
    store: DuckDBAdapter, name: str, query: str, matches: bool
) -> None:
    reference = MemoryAdapter()
    for adapter in (store, reference):
        adapter.save_room(Room(id="room", type="group", name=name))
        adapter.save_participant(Participant(id="p", type="human", identity={"name": name}))
    for target in ("room", "participant"):
        found = [record.id for record in store.directory_search(target, {"name": query})]
        expected = [record.id for record in reference.directory_search(target, {"name": query})]
        assert found == expected
        assert bool(found) is matches


def test_non_string_names_never_match(store: DuckDBAdapter) -> None:
    store.save_participant(Participant(id="p", type="human", identity={"name": 5}))
    store.save_room(Room(id="r", type="group"))
    assert store.directory_search("participant", {"name": ""}) == []
    assert store.directory_search("room", {"name": ""}) == []
