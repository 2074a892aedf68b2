"""The raw baselines answer the four single-row operations as the memory adapter does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jido_persistence import open_store
from jido_persistence.models import Message, MessageRole, TextPart
from jido_persistence_bench.dataset import BRIDGE_ID, CHANNEL, Dataset, message_id, room_id
from jido_persistence_bench.raw import RAW_BASELINES, RawBaseline
from jido_persistence_bench.targets import POSTGRES_URL_ENV

DATA = Dataset(300)


def _available(name: str) -> bool:
    if name == "psycopg":
        if os.environ.get(POSTGRES_URL_ENV):
            return True
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_URL_ENV} must be set under CI=true")
        return False
    return True


@pytest.fixture(params=sorted(RAW_BASELINES))
def baseline(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RawBaseline]:
    name = request.param
    if not _available(name):
        pytest.skip(f"set {POSTGRES_URL_ENV}=postgresql://... to check the psycopg baseline")
    factory, _ = RAW_BASELINES[name]
    opened = factory(tmp_path, {"conninfo": os.environ.get(POSTGRES_URL_ENV, "")})
    try:
        opened.load(DATA.messages())
        yield opened
    finally:
        opened.close()


def test_a_baseline_answers_like_the_reference_adapter(baseline: RawBaseline) -> None:
    with open_store("memory://") as store:
        for message in DATA.messages():
            store.save_message(message)
        for index in (0, 57, 299):
            assert baseline.get_message(message_id(index)) == DATA.message(index)
            found = baseline.get_message_by_external_id(CHANNEL, BRIDGE_ID, f"E{index}")
            assert found == DATA.message(index)
        for room in (0, 42, 99):
            for limit in (1, 2, 50):
                expected = store.get_messages(room_id(room), limit=limit)
                assert baseline.get_messages(room_id(room), limit=limit) == expected


def test_a_saved_message_can_be_read_back(baseline: RawBaseline) -> None:
    message = Message(
        id="new-1",
        room_id=room_id(1),
        sender_id="bot",
        role=MessageRole.ASSISTANT,
        content=[TextPart(text="hello")],
        external_id="X1",
        metadata={"channel": CHANNEL, "bridge_id": BRIDGE_ID},
    )
    assert baseline.save_message(message) == message
    assert baseline.get_message("new-1") == message
    assert baseline.get_message_by_external_id(CHANNEL, BRIDGE_ID, "X1") == message
    assert baseline.get_messages(room_id(1), limit=1) == [message]


def test_delete_before_removes_what_delete_messages_removes(baseline: RawBaseline) -> None:
    """The raw ``DELETE ... WHERE`` of the retention benchmark deletes what the
    reference adapter's ``delete_messages`` deletes, and nothing of other rooms."""
    with open_store("memory://") as store:
        for message in DATA.messages():
            store.save_message(message)
        for room in (0, 42):
            page = store.get_messages(room_id(room), limit=DATA.size)
            cut = page[len(page) // 2].inserted_at
            assert cut is not None
            expected = store.delete_messages(room_id(room), before=cut)
            assert expected > 0
            assert baseline.delete_before(room_id(room), cut) == expected
            left = store.get_messages(room_id(room), limit=DATA.size)
            assert baseline.get_messages(room_id(room), limit=DATA.size) == left
        assert baseline.get_messages(room_id(7), limit=3) == store.get_messages(room_id(7), limit=3)


def test_a_resaved_message_replaces_the_stored_one(baseline: RawBaseline) -> None:
    """A save of a stored id replaces it (the DuckDB baseline takes another statement
    for a stored id than for a new one)."""
    stored = DATA.message(57)
    changed = stored.model_copy(update={"content": [TextPart(text="edited")]})
    assert baseline.save_message(changed) == changed
    assert baseline.get_message(stored.id) == changed
    assert baseline.get_message_by_external_id(CHANNEL, BRIDGE_ID, "E57") == changed


def test_a_shared_key_resolves_to_its_most_recently_saved_holder_on_duckdb(
    tmp_path: Path,
) -> None:
    """The contract's rule for a key several messages hold, whatever their timestamps:
    the DuckDB baseline keeps a save sequence for it, as the adapter does."""
    factory, _ = RAW_BASELINES["duckdb"]
    baseline = factory(tmp_path, {})
    baseline.load(DATA.messages())
    older = DATA.message(3)
    newer = Message(
        id="late-holder",
        room_id=older.room_id,
        sender_id="bot",
        role=MessageRole.ASSISTANT,
        external_id=older.external_id,
        metadata=older.metadata,
        inserted_at=DATA.message(0).inserted_at,
    )
    try:
        baseline.save_message(newer)
        assert baseline.get_message_by_external_id(CHANNEL, BRIDGE_ID, "E3") == newer
    finally:
        baseline.close()
