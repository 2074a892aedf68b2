"""The in-memory state: lazily decoded messages with a bounded cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import StorageError
from jido_persistence_conformance import strategies as kit
from jido_persistence_tinydb import TinyDBAdapter
from jido_persistence_tinydb._state import DECODED_BYTES_PER_TEXT_BYTE, LazyMessages
from jido_persistence_tinydb._tables import SEQUENCE_FIELD, encode_document, encode_model


@settings(max_examples=30, deadline=None)
@given(
    messages=st.lists(kit.messages(), max_size=8, unique_by=lambda m: m.id),
    reads=st.lists(st.integers(0, 7), max_size=30),
    room=st.integers(0, 3),
)
def test_reads_decode_exactly_and_the_cache_stays_within_its_bytes(
    messages: list[Any], reads: list[int], room: int
) -> None:
    """Whatever is evicted decodes back to the very message that was saved, and the
    decoded models never count more than the cache's bytes."""
    docs = {m.id: encode_document(encode_model(m, number)) for number, m in enumerate(messages, 1)}
    largest = max((len(text) for text in docs.values()), default=0)
    capacity = room * largest * DECODED_BYTES_PER_TEXT_BYTE
    lazy = LazyMessages(docs, capacity=capacity)
    for number, message in enumerate(messages):
        lazy.set(message.id, message if number % 2 else None)
        assert lazy.cached_bytes <= capacity
    for index in reads:
        if index < len(messages):
            found = lazy[messages[index].id]
            assert found == messages[index]
            assert found.model_dump(mode="json") == messages[index].model_dump(mode="json")
        assert lazy.cached_bytes <= capacity
        assert lazy.cached_bytes == sum(
            len(docs[kept]) * DECODED_BYTES_PER_TEXT_BYTE for kept in lazy._cache
        )
    assert len(lazy) == len(messages)
    assert set(lazy) == {m.id for m in messages}


@settings(max_examples=30, deadline=None)
@given(
    messages=st.lists(kit.messages(), min_size=1, max_size=6, unique_by=lambda m: m.id),
    reads=st.lists(st.integers(0, 6), max_size=20),
    room=st.integers(1, 6),
)
def test_get_answers_as_indexing_does_and_a_full_cache_evicts_the_least_recently_read(
    messages: list[Any], reads: list[int], room: int
) -> None:
    """``get`` is ``[]`` with a default for an unknown id; when the cache holds fewer
    messages than the store, a read makes its message the last to be evicted."""
    docs = {m.id: encode_document(encode_model(m, number)) for number, m in enumerate(messages, 1)}
    largest = max(len(text) for text in docs.values())
    lazy = LazyMessages(docs, capacity=room * largest * DECODED_BYTES_PER_TEXT_BYTE)
    for message in messages:
        lazy.set(message.id, None)
    assert lazy.get("no such id") is None
    assert lazy.get("no such id", "default") == "default"
    for index in reads:
        if index >= len(messages):
            continue
        wanted = messages[index]
        assert lazy.get(wanted.id) == wanted == lazy[wanted.id]
        if len(lazy._cache) < len(messages):
            assert list(lazy._cache)[-1] == wanted.id
        assert lazy.cached(wanted.id) == wanted  # the cache has room for any one message


def test_opening_decodes_messages_while_the_cache_has_room(tmp_path: Path, helpers: Any) -> None:
    """A store that fits is decoded when it opens; one that does not, up to the cache."""
    saved = [helpers.message(number) for number in range(10)]
    with TinyDBAdapter(path=tmp_path / "store.json") as store:
        for message in saved:
            store.save_message(message)
    text = (tmp_path / "store.json").read_bytes()
    with TinyDBAdapter(path=tmp_path / "store.json") as store:
        assert all(store._state.messages.cached(f"m{n}") is not None for n in range(10))
    small = len(text) // 10 * DECODED_BYTES_PER_TEXT_BYTE * 3 // 2
    with TinyDBAdapter(path=tmp_path / "store.json", cache_bytes=small) as store:
        kept = [n for n in range(10) if store._state.messages.cached(f"m{n}") is not None]
        assert 0 < len(kept) < 10
        assert store._state.messages.cached_bytes <= small
        assert store.get_message("m9") == saved[9]
    with TinyDBAdapter(path=tmp_path / "store.json", cache_bytes=0) as store:
        assert store._state.messages.cached("m1") is None
        assert store.get_message("m1") == saved[1]
        assert store._state.messages.cached("m1") is None


def test_an_invalid_document_is_a_storage_error_when_read() -> None:
    """A hand-edited message document fails when read, naming the message."""
    lazy = LazyMessages({"m1": encode_document({"id": "m1", SEQUENCE_FIELD: 1})})
    lazy.set("m1", None)
    assert "m1" in lazy
    with pytest.raises(StorageError, match="'m1'"):
        lazy["m1"]


def test_changing_a_saved_instance_in_place_does_not_change_the_store(
    tmp_path: Path, helpers: Any
) -> None:
    """The store (and its cache of decoded messages) holds copies of the caller's
    containers: an in-place change after ``save_*`` reaches neither memory nor file."""
    message = helpers.message(1, metadata={"tags": ["a"]})
    with TinyDBAdapter(path=tmp_path / "store.json") as store:
        store.save_message(message)
        message.metadata["tags"].append("b")
        assert store.get_message("m1").metadata == {"tags": ["a"]}
    with TinyDBAdapter(path=tmp_path / "store.json") as store:
        assert store.get_message("m1").metadata == {"tags": ["a"]}
