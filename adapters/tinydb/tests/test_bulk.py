"""``TinyDBAdapter.bulk_save_messages``: what ``save_message`` on each would store.

The optional bulk path of the core (``SupportsBulkSaveMessages``): re-saved ids and
external-id keys shared by several messages resolve as with single saves (the latest
saved holder wins, then its former holders in save order), bad input is refused
before anything is written, and a closed store raises StoreClosed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jido_persistence import SupportsBulkSaveMessages, save_messages
from jido_persistence.errors import InvalidArgument, NotFound, StoreClosed
from jido_persistence.models import Message
from jido_persistence_tinydb import TinyDBAdapter

KEY = ("slack", "b1", "e1")


def _message(message_id: str, text: str, *, keyed: bool = True) -> Message:
    metadata = {"channel": KEY[0], "bridge_id": KEY[1]} if keyed else {}
    return Message(
        id=message_id,
        room_id="room:1",
        sender_id="user:1",
        role="user",
        content=[{"type": "text", "text": text}],  # type: ignore[list-item]
        external_id=KEY[2] if keyed else None,
        metadata=metadata,
    )


BATCH = [
    _message("m1", "first"),
    _message("m2", "second"),
    _message("m3", "unkeyed", keyed=False),
    _message("m1", "first again"),  # a re-save: m1 becomes the key's latest holder
]


def _answers(store: TinyDBAdapter) -> list[Any]:
    def holder() -> str | None:
        try:
            return store.get_message_by_external_id(*KEY).id
        except NotFound:
            return None

    answers: list[Any] = [store.raw_index(), store.get_messages("room:1", limit=10), holder()]
    for message_id in ("m1", "m2"):
        store.delete_message(message_id)
        answers.append(holder())
    return answers


def test_a_bulk_save_stores_what_save_message_on_each_would(tmp_path: Path) -> None:
    bulk_path, single_path = tmp_path / "bulk.json", tmp_path / "single.json"
    with TinyDBAdapter(path=bulk_path) as bulk, TinyDBAdapter(path=single_path) as single:
        assert isinstance(bulk, SupportsBulkSaveMessages)
        assert bulk.bulk_save_messages(iter(BATCH)) == len(BATCH)
        for message in BATCH:
            single.save_message(message)
    with TinyDBAdapter(path=bulk_path) as bulk, TinyDBAdapter(path=single_path) as single:
        assert bulk.get_message("m1").content == BATCH[3].content
        assert _answers(bulk) == _answers(single)


def test_save_messages_uses_the_bulk_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = TinyDBAdapter.bulk_save_messages

    def spy(store: TinyDBAdapter, messages: Any) -> int:
        calls.append(1)
        return original(store, messages)

    monkeypatch.setattr(TinyDBAdapter, "bulk_save_messages", spy)
    with TinyDBAdapter(path=tmp_path / "store.json") as store:
        assert save_messages(store, BATCH) == len(BATCH)
        assert calls == [1]
        assert store.get_message_by_external_id(*KEY).id == "m1"


def test_bad_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with TinyDBAdapter(path=tmp_path / "store.json") as store:
        store.save_message(_message("m0", "before"))
        before = store.raw_index()
        with pytest.raises(InvalidArgument):
            store.bulk_save_messages([BATCH[0], "not a message"])  # type: ignore[list-item]
        bad_key = BATCH[1].model_copy(update={"metadata": {"channel": "", "bridge_id": "b1"}})
        with pytest.raises(InvalidArgument):
            store.bulk_save_messages([BATCH[0], bad_key])
        assert store.raw_index() == before
        with pytest.raises(NotFound):
            store.get_message("m1")


def test_a_closed_store_raises_store_closed(tmp_path: Path) -> None:
    store = TinyDBAdapter(path=tmp_path / "store.json")
    store.close()
    with pytest.raises(StoreClosed):
        store.bulk_save_messages(BATCH)
    with pytest.raises(StoreClosed):
        store.bulk_save_messages([])
