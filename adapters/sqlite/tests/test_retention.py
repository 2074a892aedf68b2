"""The retention group on SQLite (contract 9.3): counts, scopes, None timestamps, redaction,
re-runs and key fall-back; the raw index shows that no stale key or row is left behind.
(The conformance kit's retention area checks the group against the reference too.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jido_persistence.errors import NotFound
from jido_persistence.models import (
    Erasure,
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    TextPart,
)
from jido_persistence_sqlite.adapter import SQLiteAdapter

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _message(index: int, sender: str, *, thread: str | None = None, at: int | None = 0) -> Message:
    moment = None if at is None else T0 + timedelta(minutes=at)
    return Message(
        id=f"m{index}",
        room_id="r",
        sender_id=sender,
        role=MessageRole.USER,
        content=[TextPart(text=f"text {index}")],
        thread_id=thread,
        external_id="E-shared",
        metadata={"channel": "slack", "bridge_id": "b"},
        inserted_at=moment,
        updated_at=moment,
    )


def test_delete_messages_counts_the_scope_before_the_cut(store: SQLiteAdapter) -> None:
    store.save_message(_message(0, "a", at=None))
    store.save_message(_message(1, "a", at=1))
    store.save_message(_message(2, "a", at=2, thread="t"))
    store.save_message(_message(3, "a", at=3))
    assert store.delete_messages("r", before=T0 + timedelta(minutes=3), thread_id="t") == 1
    assert store.delete_messages("r", before=datetime.min.replace(tzinfo=UTC)) == 1  # None
    assert store.delete_messages("r", before=T0 + timedelta(minutes=3)) == 1
    assert [m.id for m in store.get_messages("r")] == ["m3"]
    assert store.raw_index()["row_counts"]["messages"] == 1


@pytest.mark.parametrize("mode", ["delete", "redact"])
def test_erase_participant_everywhere_then_zero_on_a_second_run(
    store: SQLiteAdapter, mode: str
) -> None:
    store.save_participant(Participant(id="a", type=ParticipantType.HUMAN))
    store.get_or_create_participant_by_external_id("slack", "U-a", {"type": "human", "id": "a"})
    store.save_message(_message(1, "b", at=1))
    store.save_message(_message(2, "a", at=2))  # the newest holder of the shared key
    erased = store.erase_participant("a", messages=mode)  # type: ignore[arg-type]
    assert erased == Erasure(participants=1, messages=1, keys=1)
    with pytest.raises(NotFound):
        store.get_participant("a")
    # The key falls back to the other holder: the erased message holds it no more.
    assert store.get_message_by_external_id("slack", "b", "E-shared").id == "m1"
    if mode == "redact":
        kept = store.get_message("m2")
        assert (kept.content, kept.metadata, kept.external_id) == ([], {}, None)
        assert kept.inserted_at == T0 + timedelta(minutes=2)
        assert [m.id for m in store.get_messages("r")] == ["m1", "m2"]
    else:
        assert [m.id for m in store.get_messages("r")] == ["m1"]
    assert store.raw_index()["message_keys"] == {("slack", "b", "E-shared"): "m1"}
    again = store.erase_participant("a", messages=mode)  # type: ignore[arg-type]
    assert again == Erasure(participants=0, messages=0, keys=0)


def test_delete_onboarding(store: SQLiteAdapter) -> None:
    store.save_onboarding({"onboarding_id": "o1"})
    store.delete_onboarding("o1")
    with pytest.raises(NotFound):
        store.get_onboarding("o1")
    with pytest.raises(NotFound):
        store.delete_onboarding("o1")


def test_capabilities_hold_every_bundled_group(store: SQLiteAdapter) -> None:
    capabilities = store.capabilities
    assert capabilities.ingest
    assert capabilities.enumeration
    assert capabilities.retention
