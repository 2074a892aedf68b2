"""``bulk_save_messages`` stores exactly what ``save_message`` on each message would.

Two in-memory stores get the same messages saved by callbacks before and after; in
between one takes a batch through the bulk loader, the other through ``save_message``
in order.  Small pools of ids and key parts make re-saved ids, shared external-id keys
(``7`` and ``"7"`` included), equal timestamps and shared threads likely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jido_persistence.errors import (
    CursorNotFound,
    InvalidArgument,
    NotFound,
    StorageError,
    StoreClosed,
)
from jido_persistence.models import Message, MessageRole
from jido_persistence_conformance.strategies import messages
from jido_persistence_duckdb import _bulk
from jido_persistence_duckdb._bulk import bulk_save_messages
from jido_persistence_duckdb.adapter import DuckDBAdapter

ROOM_IDS = ("r1", "r2")
MESSAGE_IDS = ("a", "b", "B", "c", "é")
THREAD_IDS = ("t1", "t2")
CHANNELS = ("slack",)
BRIDGE_IDS: tuple[str | int, ...] = ("b", 7, "7")
EXTERNAL_IDS = ("e1", "e2")
KEYS = [
    (channel, str(bridge), external)
    for channel in CHANNELS
    for bridge in ("b", "7")
    for external in EXTERNAL_IDS
]

message_lists = st.lists(
    messages(
        room_ids=ROOM_IDS,
        message_ids=MESSAGE_IDS,
        thread_ids=THREAD_IDS,
        channels=CHANNELS,
        bridge_ids=BRIDGE_IDS,
        external_ids=EXTERNAL_IDS,
    ),
    max_size=8,
)


def _memory_store() -> DuckDBAdapter:
    """A private in-memory store; one DuckDB thread keeps tiny statements cheap."""
    return DuckDBAdapter(path=":memory:", threads=1)


def _outcome(call: Callable[[], Any]) -> Any:
    """The answer of ``call``, or the type of the error it raised."""
    try:
        return call()
    except (NotFound, CursorNotFound) as error:
        return type(error)


def _rows(store: DuckDBAdapter) -> list[tuple[Any, ...]]:
    with store.reading() as cursor:
        return cursor.execute("SELECT * FROM jp_messages ORDER BY id").fetchall()


def _answers(store: DuckDBAdapter) -> Iterator[Any]:
    """Everything a reader can ask about the messages of the pools."""
    yield store.raw_index()
    yield _rows(store)
    for room in ROOM_IDS:
        for thread in (None, *THREAD_IDS):
            yield store.get_messages(room, limit=100, thread_id=thread)
            yield store.get_messages(room, limit=2, thread_id=thread)
    for cursor in MESSAGE_IDS:
        for room in ROOM_IDS:
            yield _outcome(lambda c=cursor, r=room: store.get_messages(r, limit=2, before=c))
        yield _outcome(lambda c=cursor: store.get_messages(ROOM_IDS[0], limit=2, after=c))
    for key in KEYS:
        yield _outcome(lambda k=key: store.get_message_by_external_id(*k))
    for message_id in MESSAGE_IDS:
        yield _outcome(lambda m=message_id: store.get_message(m))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=message_lists, batch=message_lists, after=message_lists)
def test_bulk_load_equals_save_message_in_order(
    before: list[Message], batch: list[Message], after: list[Message]
) -> None:
    bulk, calls = _memory_store(), _memory_store()
    try:
        for message in before:
            bulk.save_message(message)
            calls.save_message(message)
        assert bulk_save_messages(bulk._db, iter(batch)) == len(batch)
        for message in batch:
            calls.save_message(message)
        for message in after:
            bulk.save_message(message)
            calls.save_message(message)
        assert list(_answers(bulk)) == list(_answers(calls))
    finally:
        bulk.close()
        calls.close()


def _message(message_id: str, **fields: Any) -> Message:
    return Message(id=message_id, room_id="r1", sender_id="s", role=MessageRole.USER, **fields)


def _keyed(message_id: str, external_id: str) -> Message:
    return _message(
        message_id, external_id=external_id, metadata={"channel": "slack", "bridge_id": 7}
    )


def test_the_latest_saved_holder_of_a_key_wins(store: DuckDBAdapter) -> None:
    store.save_message(_keyed("old", "e"))
    assert store.bulk_save_messages([_keyed("x", "e"), _keyed("y", "e"), _keyed("x", "e")]) == 3
    assert store.get_message_by_external_id("slack", "7", "e").id == "x"
    store.save_message(_keyed("old", "e"))
    assert store.get_message_by_external_id("slack", 7, "e").id == "old"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("not a message", id="not-a-message"),
        pytest.param(
            _message("m", external_id="e", metadata={"channel": 5, "bridge_id": "b"}),
            id="bad-channel",
        ),
        pytest.param(
            _message("m", external_id="e", metadata={"channel": "c", "bridge_id": True}),
            id="bad-bridge-id",
        ),
    ],
)
def test_invalid_input_raises_and_changes_nothing(store: DuckDBAdapter, bad: object) -> None:
    store.save_message(_keyed("kept", "e"))
    before = store.raw_index(), _rows(store)
    with pytest.raises(InvalidArgument):
        store.bulk_save_messages([_keyed("new", "e"), bad])  # type: ignore[list-item]
    assert (store.raw_index(), _rows(store)) == before
    store.save_message(_keyed("later", "e"))
    assert store.get_message_by_external_id("slack", 7, "e").id == "later"


def test_a_backend_failure_rolls_the_whole_load_back(
    store: DuckDBAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_message(_keyed("kept", "e"))
    before = store.raw_index(), _rows(store)
    insert = _bulk._insert

    def insert_then_fail(cursor: duckdb.DuckDBPyConnection, rows: Any) -> None:
        insert(cursor, rows)
        raise duckdb.ConstraintException("injected failure after the rows went in")

    monkeypatch.setattr(_bulk, "BATCH_ROWS", 1)
    monkeypatch.setattr(_bulk, "_insert", insert_then_fail)
    with pytest.raises(StorageError, match="injected failure"):
        store.bulk_save_messages([_keyed("new", "e"), _keyed("kept", "f"), _message("z")])
    assert (store.raw_index(), _rows(store)) == before


def test_an_empty_load_saves_nothing(store: DuckDBAdapter) -> None:
    before = store.raw_index()
    assert store.bulk_save_messages([]) == 0
    assert store.raw_index() == before


def test_a_closed_store_raises_store_closed(store: DuckDBAdapter) -> None:
    store.close()
    with pytest.raises(StoreClosed):
        store.bulk_save_messages([_message("m")])
    with pytest.raises(StoreClosed):
        store.bulk_save_messages([])
