"""The three rules SQL adapters share, each held by one core helper (issue 11, item 4).

``name_fold`` (the directory's fold), ``directory_key`` (a partial key matches nothing)
and ``missing_message_cursor`` (the CursorNotFound of ``get_messages``), checked for all
inputs against the contract's own wording, and against the in-memory predicates that
use them.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.directory import directory_key, name_fold, name_matches, room_matches
from jido_persistence.errors import CursorNotFound, InvalidArgument
from jido_persistence.indexes import check_cursor, missing_message_cursor
from jido_persistence.models import DirectoryTarget, Message, Room
from jido_persistence.ngrams import NameIndex
from jido_persistence.validation import DirectoryQuery

ids = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=8)
optional_ids = st.none() | ids


@given(st.text())
def test_the_fold_of_a_str_is_its_casefold(text: str) -> None:
    assert name_fold(text) == text.casefold()


@given(st.none() | st.integers() | st.floats() | st.lists(st.text()) | st.binary())
def test_a_name_that_is_no_str_has_no_fold(value: object) -> None:
    assert name_fold(value) is None


def test_the_fold_is_casefold_not_lower() -> None:
    assert name_fold("STRASSE") == name_fold("straße") == "strasse"


@given(st.text(max_size=4), st.none() | st.text(max_size=12) | st.integers())
def test_the_query_and_the_index_fold_as_name_matches_does(query: str, name: object) -> None:
    parsed = DirectoryQuery(name=query)
    assert parsed.name_fold == name_fold(query)
    folded = name_fold(name)
    expected = folded is not None and query.casefold() in folded
    assert name_matches(name, parsed.name_fold) is expected
    index = NameIndex()
    index.set("r1", name)
    assert list(index.matching(query.casefold())) == (["r1"] if expected else [])


@given(optional_ids, optional_ids, optional_ids)
def test_a_room_key_is_all_three_parts_or_none(
    channel: str | None, bridge_id: str | None, external_id: str | None
) -> None:
    query = DirectoryQuery(channel=channel, bridge_id=bridge_id, external_id=external_id)
    parts = (channel, bridge_id, external_id)
    key = directory_key(DirectoryTarget.ROOM, query)
    if all(part is None for part in parts):
        assert key == ()
    elif any(part is None for part in parts):
        assert key is None
    else:
        assert key == parts


@given(optional_ids, optional_ids, optional_ids)
def test_a_participant_key_ignores_the_bridge_id(
    channel: str | None, bridge_id: str | None, external_id: str | None
) -> None:
    query = DirectoryQuery(channel=channel, bridge_id=bridge_id, external_id=external_id)
    key = directory_key(DirectoryTarget.PARTICIPANT, query)
    if channel is None and external_id is None:
        assert key == ()
    elif channel is None or external_id is None:
        assert key is None
    else:
        assert key == (channel, external_id)


@given(optional_ids, optional_ids, optional_ids)
def test_a_partial_room_key_matches_no_room(
    channel: str | None, bridge_id: str | None, external_id: str | None
) -> None:
    query = DirectoryQuery(channel=channel, bridge_id=bridge_id, external_id=external_id)
    room = Room(id="r1", type="group", name="general")
    if directory_key(DirectoryTarget.ROOM, query) is None:
        assert not room_matches(room, query, bound_room_id="r1")
    elif directory_key(DirectoryTarget.ROOM, query):
        assert room_matches(room, query, bound_room_id="r1")
        assert not room_matches(room, query, bound_room_id="r2")


@given(ids, ids, optional_ids)
def test_the_message_cursor_error_names_cursor_room_and_thread(
    cursor: str, room_id: str, thread_id: str | None
) -> None:
    error = missing_message_cursor(cursor, room_id, thread_id)
    assert isinstance(error, CursorNotFound)
    assert isinstance(error, InvalidArgument)
    expected = f"cursor {cursor!r} is not a message of room {room_id!r}"
    if thread_id is not None:
        expected += f" thread {thread_id!r}"
    assert str(error) == expected


@given(ids, optional_ids)
def test_the_in_memory_cursor_check_raises_the_same_error(
    room_id: str, thread_id: str | None
) -> None:
    elsewhere = Message(id="m1", room_id=room_id + "x", sender_id="p1", role="user", content=[])
    with pytest.raises(CursorNotFound) as raised:
        check_cursor(elsewhere, "m1", room_id, thread_id)
    assert str(raised.value) == str(missing_message_cursor("m1", room_id, thread_id))
    with pytest.raises(CursorNotFound) as absent:
        check_cursor(None, "m2", room_id, thread_id)
    assert str(absent.value) == str(missing_message_cursor("m2", room_id, thread_id))
