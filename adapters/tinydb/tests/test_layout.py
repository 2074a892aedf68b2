"""The in-memory layout: documents held as JSON text, files unchanged, lean indexes.

``data/old_layout`` was written by the adapter as it was before documents were kept
as text (see ``data/make_old_layout.py``): it must open, and compact to the very bytes
that version wrote.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import StoreClosed
from jido_persistence.models import Message
from jido_persistence_conformance import strategies as kit
from jido_persistence_tinydb import TinyDBAdapter
from jido_persistence_tinydb._files import journal_path, load_store
from jido_persistence_tinydb._scan import Irregular, regular_documents
from jido_persistence_tinydb._state import decode_document
from jido_persistence_tinydb._tables import SEQUENCE_FIELD, encode_document, encode_model

OLD = Path(__file__).parent / "data" / "old_layout"
_spec = importlib.util.spec_from_file_location(
    "make_old_layout", Path(__file__).parent / "data" / "make_old_layout.py"
)
assert _spec is not None
assert _spec.loader is not None
old_layout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(old_layout)
_message = old_layout.message
"""The messages the old-layout fixture holds, built by the script that wrote it."""


def _old_store(directory: Path, *, journal: bool = True) -> Path:
    path = directory / "store.json"
    shutil.copy(OLD / "store.json", path)
    if journal:
        shutil.copy(OLD / "store.json.journal", journal_path(path))
    return path


def test_a_store_written_by_the_old_layout_opens_and_compacts_to_the_same_bytes(
    tmp_path: Path,
) -> None:
    """Snapshot + journal of the previous version: every record reads back, and the
    compaction at close writes exactly what that version wrote, but for the format
    version (2) and the checksum table that ends the snapshot since issue 13.
    """
    path = _old_store(tmp_path)
    with TinyDBAdapter(path=path) as store:
        assert [m.id for m in store.get_messages("r1")] == ["m7", "m0", "m1", "m3", "m5", "m6"]
        assert store.get_message("m5") == _message(5, thread_id="t1")
        assert store.get_message_by_external_id("slack", 7, "E1").id == "m6"
        assert store.get_message_by_external_id("slack", "7", "E33").id == "m3"
        assert [m.id for m in store.get_messages("r1", thread_id="t1")] == ["m1", "m3", "m5"]
        assert store.get_thread_by_external_id("r1", "T1").id == "t1"
        assert store.get_room_by_external_binding("slack", 7, "C1").name == "Lobby \u00e9"
        participant = store.get_or_create_participant_by_external_id("slack", "U1")
        assert participant.id == "u1"
        assert store.get_onboarding("o1") == {
            "onboarding_id": "o1",
            "step": 2,
            "data": {"x": [1, 2.5, None]},
        }
    old = (OLD / "compacted.json").read_bytes()
    old = old.replace(b'"version":1', b'"version":2', 1)
    new = path.read_bytes()
    assert new.startswith(old[: -len(b"\n}\n")] + b',\n"_jido_persistence_checksum": {\n')
    with TinyDBAdapter(path=path) as again:  # the checksum verifies
        assert again.get_message("m5") == _message(5, thread_id="t1")


def test_journal_records_are_the_bytes_the_old_layout_wrote(tmp_path: Path) -> None:
    """The same callbacks on the same snapshot append the very same journal lines."""
    path = _old_store(tmp_path, journal=False)
    with TinyDBAdapter(path=path, durability="flush", compact_on_close=False) as store:
        store.save_message(_message(6, external_id="E1"))
        store.update_message_external_id("m3", "E33")
        store.delete_message("m4")
        store.save_message(_message(7, inserted_at=None, updated_at=None))
    assert journal_path(path).read_bytes() == (OLD / "store.json.journal").read_bytes()


@settings(max_examples=25, deadline=None)
@given(messages=st.lists(kit.messages(), max_size=6, unique_by=lambda m: m.id))
def test_documents_are_held_as_their_snapshot_text_and_decode_exactly(
    messages: list[Message],
) -> None:
    """Live, reopened (with and without decoding at open), and evicted from the cache:
    the text is the document's compact JSON (the line the snapshot holds), and it
    decodes to the saved message.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store.json"
        with TinyDBAdapter(path=path, durability="flush") as store:
            for message in messages:
                store.save_message(message)
            live = dict(store._state.docs["messages"])
        snapshot = json.loads(path.read_text("utf-8"))["messages"]
        assert [encode_document(doc) for doc in snapshot.values()] == list(live.values())
        for sequence, message in enumerate(messages, 1):
            assert live[message.id] == encode_document(encode_model(message, sequence))
        with TinyDBAdapter(path=path) as store:
            for message in messages:
                assert store._state.messages.cached(message.id) == message
        with TinyDBAdapter(path=path, cache_bytes=0) as store:
            assert store._state.docs["messages"] == live
            for message in messages:
                assert message.id not in store._state.messages._cache
                assert store.get_message(message.id) == message
                doc = decode_document(live[message.id])
                assert doc.pop(SEQUENCE_FIELD) > 0
                assert doc == message.model_dump(mode="json")


@pytest.mark.parametrize(
    "layout",
    [
        {"indent": 2},
        {},  # stock TinyDB's JSONStorage: one line, ", " and ": "
        {"ensure_ascii": False, "separators": (",", ":")},
    ],
)
def test_a_snapshot_laid_out_otherwise_reads_the_same(
    tmp_path: Path, layout: dict[str, Any]
) -> None:
    """A snapshot that is valid but not in this adapter's layout is parsed whole: the
    same records, and documents re-encoded in the compact form.
    """
    regular = load_store(OLD / "compacted.json").state
    path = tmp_path / "store.json"
    path.write_text(json.dumps(json.loads((OLD / "compacted.json").read_bytes()), **layout))
    with pytest.raises(Irregular):
        list(regular_documents(path.read_bytes()))
    other = load_store(path).state
    assert other.docs == regular.docs
    assert other.raw_index() == regular.raw_index()
    with TinyDBAdapter(path=path) as store:
        assert store.get_message("m3") == regular.messages["m3"]


def test_the_regular_reader_takes_this_adapters_snapshots() -> None:
    """Files the adapter writes are read one document at a time, as json.loads reads them."""
    data = (OLD / "compacted.json").read_bytes()
    assert _read_regular(data) == json.loads(data)


def _read_regular(data: bytes) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for table, doc, text in regular_documents(data):
        if doc is None:
            tables[table] = {}
        else:
            assert json.loads(text) == doc
            tables[table][str(len(tables[table]) + 1)] = doc
    return tables


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.integers(0, 3),
            st.sampled_from([b"", b"}", b"{", b",", b"\n", b" ", b'"', b"1", b"\\", b"\xff"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_whatever_the_regular_reader_accepts_json_reads_the_same(
    edits: list[tuple[int, int, bytes]],
) -> None:
    """Damage the snapshot anywhere: the reader refuses it, or json.loads agrees with it
    (the whole-file parse, which names the byte of errors, is then never needed).
    """
    data = bytearray((OLD / "compacted.json").read_bytes())
    for position, removed, inserted in edits:
        at = position % (len(data) + 1)
        data[at : at + removed] = inserted
    try:
        read = _read_regular(bytes(data))
    except Irregular:
        return
    assert json.loads(bytes(data).decode("utf-8")) == read


def test_close_releases_the_in_memory_state(tmp_path: Path, helpers: Any) -> None:
    """A closed store holds no documents (a reopened one is not held twice)."""
    store = TinyDBAdapter(path=tmp_path / "store.json")
    message = store.save_message(helpers.message(1))
    store.close()
    assert not any(store._state.docs.values())
    with pytest.raises(StoreClosed):
        store.get_message("m1")
    with TinyDBAdapter(path=tmp_path / "store.json") as reopened:
        assert reopened.get_message("m1") == message
