"""Seeded bugs in the retention group (contract 9.3): cuts, scopes, keys and counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Erasure
from jido_persistence.state import RecordDelete, record_put


class CutIncludesBefore(MemoryAdapter):
    """Deletes ``inserted_at <= before`` instead of ``<``."""

    seeded_bug = "delete_messages deletes a message exactly at before"
    expected_area: ClassVar[str] = "retention"

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        return super()._delete_messages(
            room_id, before=before + timedelta(microseconds=1), thread_id=thread_id
        )


class CutKeepsNoneTimestamps(MemoryAdapter):
    """Treats a ``None`` inserted_at as newer than every cut (SQL's ``NULL < x``)."""

    seeded_bug = "delete_messages keeps messages without inserted_at"
    expected_area: ClassVar[str] = "retention"

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        with self._lock:
            doomed = [
                message.id
                for message in self._state.messages.values()
                if message.room_id == room_id
                and (thread_id is None or message.thread_id == thread_id)
                and message.inserted_at is not None
                and message.inserted_at < before
            ]
            self._commit([RecordDelete("messages", message_id) for message_id in doomed])
            return len(doomed)


class CutIgnoresThread(MemoryAdapter):
    """Deletes room-wide when a ``thread_id`` is given."""

    seeded_bug = "delete_messages ignores thread_id"
    expected_area: ClassVar[str] = "retention"

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        return super()._delete_messages(room_id, before=before)


class EraseLeavesKeys(MemoryAdapter):
    """Removes the record and messages but leaves the participant keys."""

    seeded_bug = "erase_participant leaves the participant keys"
    expected_area: ClassVar[str] = "retention"

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        with self._lock:
            saved = dict(self._state.participant_keys)
            found = super()._erase_participant(participant_id, messages=messages)
            self._state.participant_keys = saved
            return found.model_copy(update={"keys": 0})


class RedactKeepsExternalId(MemoryAdapter):
    """Redacts content and maps but keeps ``external_id``, so the key still resolves."""

    seeded_bug = "redaction keeps the external id"
    expected_area: ClassVar[str] = "retention"

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        with self._lock:
            kept = {
                message_id: self._state.messages[message_id].external_id
                for message_id in self._state.sender_messages.get(participant_id, ())
            }
            found = super()._erase_participant(participant_id, messages=messages)
            if messages == "redact":
                for message_id, external_id in kept.items():
                    stored = self._state.messages[message_id]
                    restored = stored.model_copy(update={"external_id": external_id})
                    self._commit([record_put("messages", restored)])
            return found


class RedactCountsEverything(MemoryAdapter):
    """Counts every message of the sender as redacted, changed or not."""

    seeded_bug = "redaction counts already redacted messages"
    expected_area: ClassVar[str] = "retention"

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        with self._lock:
            total = len(self._state.sender_messages.get(participant_id, ()))
            found = super()._erase_participant(participant_id, messages=messages)
            return found.model_copy(update={"messages": total})


class DeleteOnboardingSilent(MemoryAdapter):
    """Ignores an unknown onboarding id instead of raising NotFound."""

    seeded_bug = "delete_onboarding of an unknown flow is a silent no-op"
    expected_area: ClassVar[str] = "retention"

    def _delete_onboarding(self, onboarding_id: str) -> None:
        with self._lock:
            self._state.onboarding.pop(onboarding_id, None)
