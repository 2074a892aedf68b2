"""``DuckDBAdapter.bulk_save_messages``: the core's optional bulk path, on DuckDB.

The method delegates to ``_bulk.bulk_save_messages`` (tested in ``test_bulk.py``); these
tests check that it is the protocol's method, that ``save_messages`` takes it, and that
it keeps the function's closed check and validation.
"""

from __future__ import annotations

from typing import Any

import pytest

from jido_persistence import SupportsBulkSaveMessages, save_messages
from jido_persistence.errors import InvalidArgument, NotFound, StoreClosed
from jido_persistence.models import Message
from jido_persistence_duckdb.adapter import DuckDBAdapter

KEY = ("slack", "b1", "e1")


def _message(message_id: str, text: str) -> Message:
    return Message(
        id=message_id,
        room_id="room:1",
        sender_id="user:1",
        role="user",
        content=[{"type": "text", "text": text}],  # type: ignore[list-item]
        external_id=KEY[2],
        metadata={"channel": KEY[0], "bridge_id": KEY[1]},
    )


BATCH = [_message("m1", "first"), _message("m2", "second"), _message("m1", "again")]


def _store() -> DuckDBAdapter:
    return DuckDBAdapter(path=":memory:", threads=1)


def _holders(store: DuckDBAdapter) -> list[str | None]:
    """The key's holder now, then after deleting m1 and m2 in turn."""

    def holder() -> str | None:
        try:
            return store.get_message_by_external_id(*KEY).id
        except NotFound:
            return None

    answers = [holder()]
    for message_id in ("m1", "m2"):
        store.delete_message(message_id)
        answers.append(holder())
    return answers


def test_the_method_stores_what_save_message_on_each_would() -> None:
    with _store() as bulk, _store() as single:
        assert isinstance(bulk, SupportsBulkSaveMessages)
        assert bulk.bulk_save_messages(iter(BATCH)) == len(BATCH)
        for message in BATCH:
            single.save_message(message)
        assert bulk.raw_index() == single.raw_index()
        assert bulk.get_message("m1").content == BATCH[2].content
        assert _holders(bulk) == _holders(single) == ["m1", "m2", None]


def test_save_messages_uses_the_method(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = DuckDBAdapter.bulk_save_messages

    def spy(store: DuckDBAdapter, messages: Any) -> int:
        calls.append(1)
        return original(store, messages)

    monkeypatch.setattr(DuckDBAdapter, "bulk_save_messages", spy)
    with _store() as store:
        assert save_messages(store, BATCH) == len(BATCH)
        assert calls == [1]


def test_the_method_validates_and_checks_closed() -> None:
    store = _store()
    with pytest.raises(InvalidArgument):
        store.bulk_save_messages([BATCH[0], "not a message"])  # type: ignore[list-item]
    with pytest.raises(NotFound):
        store.get_message("m1")
    store.close()
    with pytest.raises(StoreClosed):
        store.bulk_save_messages(BATCH)
